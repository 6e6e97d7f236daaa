"""Configuration text is read strictly, overlaid key by key and compared path by path."""

import pytest

from dcs.configs.documents import diff, leaves, overlay, parse_text
from dcs.errors import DcsError

LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b]\n"


def test_json_and_yaml_read_the_same_object():
    assert parse_text('{"hv": {"ch": [1, 2.5]}, "on": true}') == parse_text('hv:\n  ch: [1, 2.5]\n"on": yes\n', "yaml")


@pytest.mark.parametrize("text, fmt, words", [
    ('{"a": 1, "a": 2}', "json", "appears twice"),
    ("a: 1\na: 2\n", "yaml", "appears twice"),
    ('{"a": NaN}', "json", "NaN"),
    ("a: .nan\n", "yaml", "NaN"),
    ("[1, 2]", "json", "object"),
    ("on: 1\n", "yaml", "quote keys"),
    ("just text", "yaml", "object"),
    ('{"a": ', "json", "line 1, column"),
    ("a: [1, 2\n", "yaml", "line"),
    (LAUGHS, "yaml", "anchors and aliases"),
    ("when: 2026-11-21\n", "yaml", "date"),
    ("blob: !!binary aGVsbG8=\n", "yaml", "bytes"),
    ("x: !!python/object/apply:os.system ['true']\n", "yaml", "python"),
    ('{"a": ' * 40 + "1" + "}" * 40, "json", "levels"),
    ("".join(f"{'  ' * i}k:\n" for i in range(40)) + "  " * 40 + "x: 1\n", "yaml", "levels"),
    ('{"a": "' + "x" * 300_000 + '"}', "json", "KiB"),
    ("{}", "toml", "json or yaml"),
])
def test_hostile_or_broken_text_is_refused_with_the_reason(text, fmt, words):
    with pytest.raises(DcsError) as error:
        parse_text(text, fmt)
    assert error.value.status == 400 and words.lower() in error.value.message.lower(), error.value.message


def test_a_device_overlay_merges_objects_and_replaces_the_rest():
    base = {"enabled": True, "hv": {"ramp": 2, "limit": 100}, "channels": [1, 2, 3]}
    assert overlay(base, {"hv": {"ramp": 1}, "channels": [9]}) == {"enabled": True, "hv": {"ramp": 1, "limit": 100},
                                                                   "channels": [9]}


def test_a_diff_names_each_changed_place():
    before = {"enabled": True, "hv": {"ramp": 2}, "channels": [{"v": 38}, {"v": 38}], "old": 1}
    after = {"enabled": 1, "hv": {"ramp": 2.5}, "channels": [{"v": 38}], "new": "x"}
    assert diff(before, after) == [
        {"path": "enabled", "op": "changed", "before": True, "after": 1},
        {"path": "hv.ramp", "op": "changed", "before": 2, "after": 2.5},
        {"path": "channels[1]", "op": "removed", "before": {"v": 38}},
        {"path": "old", "op": "removed", "before": 1},
        {"path": "new", "op": "added", "after": "x"},
    ]
    assert diff(after, after) == []


def test_leaves_are_named_by_their_paths():
    assert list(leaves({"a": {"b": [5, {}]}, "c": None})) == ["a.b[0]", "a.b[1]", "c"]
