"""Configuration documents: JSON objects read from JSON or YAML text, overlaid and compared.

Text is read strictly: at most 256 KiB, an object at the top, no duplicate keys, no NaN or infinity,
at most 32 levels deep, and in YAML no anchors or aliases (a few lines of aliases can expand to
gigabytes) and nothing that is not plain JSON (dates, binary, sets). A path names a place in a
document the way people write it: `channels[3].voltage`.
"""

import json
import math

import yaml

from ..errors import bad_request

MAX_BYTES = 256 * 1024
MAX_IMPORT = 8 * 1024 * 1024
MAX_DEPTH = 32
FORMATS = ("json", "yaml")


def refuse(message, field="config"):
    return bad_request(message, errors=[{"field": field, "error": message}])


def path_text(parts):
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top)"


def check_document(value, field="config", limit=MAX_BYTES):
    """value if it is a JSON object within the limits; else a 400 naming the place."""
    if not isinstance(value, dict):
        raise refuse("A configuration is a JSON object ({...}) at the top.", field)
    stack = [(value, ())]
    while stack:
        node, parts = stack.pop()
        if len(parts) > MAX_DEPTH:
            raise refuse(f"The configuration nests deeper than {MAX_DEPTH} levels at {path_text(parts)}.", field)
        if isinstance(node, dict):
            for key, item in node.items():
                if not isinstance(key, str):
                    raise refuse(f"The key {key!r} at {path_text(parts)} is not text (in YAML, quote keys such as "
                                 "on, off, yes, no and numbers).", field)
                stack.append((item, parts + (key,)))
        elif isinstance(node, list):
            stack.extend((item, parts + (i,)) for i, item in enumerate(node))
        elif isinstance(node, float) and not math.isfinite(node):
            raise refuse(f"{path_text(parts)} is {node}; JSON has no NaN or infinity.", field)
        elif node is not None and not isinstance(node, (str, int, float, bool)):
            raise refuse(f"{path_text(parts)} holds a {type(node).__name__}, which JSON cannot hold; write it "
                         "as text or a number.", field)
    if len(canonical(value).encode()) > limit:
        raise refuse(f"The configuration is larger than {limit // 1024} KiB.", field)
    return value


def _unique_pairs(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {key!r} appears twice")
        out[key] = value
    return out


def _no_constant(name):
    raise ValueError(f"{name} is not a JSON number")


class _StrictYaml(yaml.SafeLoader):
    """Safe YAML that also refuses duplicate keys."""

    def construct_mapping(self, node, deep=False):
        keys = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in keys:
                raise yaml.constructor.ConstructorError(None, None, f"the key {key!r} appears twice",
                                                        key_node.start_mark)
            keys.add(key)
        return super().construct_mapping(node, deep=deep)


def _read_yaml(text):
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            mark = event.start_mark
            raise ValueError(f"line {mark.line + 1}, column {mark.column + 1}: YAML anchors and aliases are not "
                             "accepted; write the values out")
    return yaml.load(text, Loader=_StrictYaml)  # noqa: S506 - a SafeLoader subclass


def parse_text(text, fmt="json", field="text", limit=MAX_BYTES):
    """The object a JSON or YAML text holds; a 400 with the line and column when it holds none."""
    if fmt not in FORMATS:
        raise refuse(f"The format must be json or yaml, not {fmt!r}.", "format")
    if not isinstance(text, str):
        raise refuse("The text must be a string.", field)
    if len(text.encode("utf-8", "surrogatepass")) > limit:
        raise refuse(f"The text is larger than {limit // 1024} KiB.", field)
    try:
        if fmt == "json":
            value = json.loads(text, object_pairs_hook=_unique_pairs, parse_constant=_no_constant)
        else:
            value = _read_yaml(text)
    except json.JSONDecodeError as error:
        raise refuse(f"The JSON is not valid: line {error.lineno}, column {error.colno}: {error.msg}.", field) \
            from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise refuse(f"The YAML is not valid: {where}{getattr(error, 'problem', None) or error}.", field) from None
    except (ValueError, RecursionError) as error:
        raise refuse(f"The {fmt.upper()} is not accepted: {error}.", field) from None
    return check_document(value, field, limit)


def canonical(document):
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def dump(document, fmt="json"):
    if fmt == "yaml":
        return yaml.safe_dump(document, sort_keys=True, allow_unicode=True, default_flow_style=False)
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def overlay(base, top):
    """base with top laid over it: objects merge key by key, anything else in top replaces."""
    if not isinstance(base, dict) or not isinstance(top, dict):
        return top
    out = dict(base)
    for key, value in top.items():
        out[key] = overlay(base[key], value) if key in base else value
    return out


def diff(before, after, parts=()):
    """[{path, op: added|removed|changed, before, after}] turning before into after, in document order."""
    if isinstance(before, dict) and isinstance(after, dict):
        out = []
        for key in list(before) + [k for k in after if k not in before]:
            if key not in after:
                out.append({"path": path_text(parts + (key,)), "op": "removed", "before": before[key]})
            elif key not in before:
                out.append({"path": path_text(parts + (key,)), "op": "added", "after": after[key]})
            else:
                out.extend(diff(before[key], after[key], parts + (key,)))
        return out
    if isinstance(before, list) and isinstance(after, list):
        out = []
        for i in range(max(len(before), len(after))):
            if i >= len(after):
                out.append({"path": path_text(parts + (i,)), "op": "removed", "before": before[i]})
            elif i >= len(before):
                out.append({"path": path_text(parts + (i,)), "op": "added", "after": after[i]})
            else:
                out.extend(diff(before[i], after[i], parts + (i,)))
        return out
    if before == after and type(before) is type(after):
        return []
    return [{"path": path_text(parts), "op": "changed", "before": before, "after": after}]


def leaves(document, parts=()):
    """{path: (parts, value)} of every leaf (empty objects and lists count as leaves)."""
    if isinstance(document, dict) and document:
        return {k: v for key, item in document.items() for k, v in leaves(item, parts + (key,)).items()}
    if isinstance(document, list) and document:
        return {k: v for i, item in enumerate(document) for k, v in leaves(item, parts + (i,)).items()}
    return {path_text(parts): (parts, document)}
