"""Calibration sets through the shared approval workflow: who may do what, frozen approvals, the default set."""

import h5py
import numpy as np
import pytest

from dcs import approval
from dcs.audit import Actor, AuditEntry
from dcs.auth.models import User
from dcs.auth.sessions import principal_for_user
from dcs.calib import bundle
from dcs.calib.sets import change_pins, create_set, diff, get_set, pins_of, revise, snapshot
from dcs.errors import DcsError

from .darkdata import MEMBER, dark_run

DET = "andor-0001"


def who(name):
    user = User.by_name(name)
    return Actor(f"user:{name}", user.id), principal_for_user(user)


def act(name, calib_set, action, comment=""):
    actor, principal = who(name)
    return approval.transition(actor, principal, calib_set, action, comment)


def refused(status, words, func, *args):
    with pytest.raises(DcsError) as error:
        func(*args)
    assert error.value.status == status and words in error.value.message, error.value.message


@pytest.fixture
def versions(store, people):
    dark_run()
    made = []
    for value in (1.0, 2.0):
        made.append(store.put(MEMBER, DET, "pedestals", np.full((4, 4), value, "f4"), "2026-11-20T10:00:00Z",
                              workspace="experiment:xpp1"))
    made.append(store.put(MEMBER, DET, "pixel_rms", np.ones((4, 4), "f4"), "2026-11-20T10:00:00Z",
                          workspace="experiment:xpp1"))
    return made


def draft(name, versions, proposer="maya"):
    actor, _ = who(proposer)
    return create_set(actor, name, versions, "", "xpp1")


def test_a_member_proposes_and_an_expert_of_the_group_approves(versions):
    calib_set = act("maya", draft("good-1", versions[1:]), "propose")
    assert calib_set.state == "proposed" and calib_set.proposed_by == "maya"
    calib_set = act("erin", calib_set, "approve", "looks right")
    assert (calib_set.state, calib_set.decided_by, calib_set.decision_comment) == ("approved", "erin", "looks right")
    assert [(e["from_state"], e["to_state"]) for e in approval.history(calib_set)] == [
        ("", "draft"), ("draft", "proposed"), ("proposed", "approved")]
    assert AuditEntry.select().where(AuditEntry.action == "calib_set.approved").count() == 1


def test_the_proposer_never_approves_even_when_an_expert(versions):
    calib_set = act("erin", draft("good-1", versions[1:], "erin"), "propose")
    refused(403, "two-person rule", act, "erin", calib_set, "approve")
    refused(403, "two-person rule", act, "erin", calib_set, "reject", "no")
    assert act("ada", calib_set, "approve").state == "approved"


def test_members_operators_viewers_and_outsiders_cannot_approve(versions):
    calib_set = act("maya", draft("good-1", versions[1:]), "propose")
    for name in ("olaf", "vera", "nobody"):
        refused(403, "Only experts of the owning group", act, name, calib_set, "approve")
    assert get_set("good-1").state == "proposed"


def test_an_expert_of_another_group_cannot_approve(versions, people):
    from dcs.auth.users import create_group, create_user
    from ..conftest import FAST_COST, PASSWORD, TEST_ACTOR

    create_group(TEST_ACTOR, "amo", "another group")
    create_user(TEST_ACTOR, "otto", PASSWORD, FAST_COST, memberships=[{"group": "amo", "role": "expert"}])
    calib_set = act("maya", draft("good-1", versions[1:]), "propose")
    refused(403, "Only experts of the owning group", act, "otto", calib_set, "approve")


def test_a_rejection_needs_a_comment_and_freezes_the_set(versions):
    calib_set = act("maya", draft("good-1", versions[1:]), "propose")
    refused(400, "a rejection needs a comment", act, "erin", calib_set, "reject", "   ")
    calib_set = act("erin", calib_set, "reject", "rms of panel 3 is off")
    assert calib_set.state == "rejected" and calib_set.decision_comment == "rms of panel 3 is off"
    refused(409, "only a draft can be changed or proposed", act, "maya", calib_set, "propose")


def test_an_approved_set_is_frozen_and_an_edit_makes_a_new_draft(versions):
    calib_set = act("erin", act("maya", draft("good-1", versions[1:]), "propose"), "approve")
    _, maya = who("maya")
    refused(409, "only a draft can be changed", change_pins, MEMBER, maya, calib_set, [versions[0].id], [])
    assert [v.id for v in pins_of(calib_set)] == [versions[1].id, versions[2].id]
    new = revise(MEMBER, maya, calib_set, "good-2")
    assert new.state == "draft" and new.revised_from == "good-1"
    change_pins(MEMBER, maya, new, [versions[0].id], [])
    assert sorted(v.id for v in pins_of(new)) == [versions[0].id, versions[2].id]  # v1 replaced v2 of that range
    changes = diff(new, calib_set)
    assert [(c["from"]["version_id"], c["to"]["version_id"]) for c in changes["changed"]] == [
        (versions[1].id, versions[0].id)]
    assert changes["same"] == 1 and changes["added"] == changes["removed"] == []


def test_approving_a_newer_set_supersedes_the_older_one(versions):
    first = act("erin", act("maya", draft("good-1", versions[1:]), "propose"), "approve")
    second = act("erin", act("maya", draft("good-2", versions[:1]), "propose"), "approve")
    assert get_set(first.name).state == "superseded" and second.state == "approved"
    assert approval.history(first)[-1]["comment"] == "superseded by good-2"


def test_the_latest_approved_set_is_the_default_for_lookups_of_its_experiment(store, versions):
    t = ("xpp1", 7)
    assert store.lookup(DET, "pedestals", t, workspace="experiment:xpp1").id == versions[1].id  # the newest
    act("erin", act("maya", draft("good-1", versions[:1]), "propose"), "approve")
    found = store.lookup(DET, "pedestals", t, workspace="experiment:xpp1")
    assert found.id == versions[0].id and found.via_set == "good-1"
    assert store.lookup(DET, "pedestals", t, workspace="experiment:xpp1", set_name="none").id == versions[1].id
    by_time = store.lookup(DET, "pedestals", "2026-11-20T10:01:00Z", workspace="experiment:xpp1", experiment="xpp1")
    assert by_time.id == versions[0].id
    assert store.lookup(DET, "pedestals", "2026-11-20T10:01:00Z", workspace="experiment:xpp1").id == versions[1].id


def test_a_snapshot_pins_what_lookups_pick_now(versions):
    pinned = snapshot([DET], "experiment:xpp1")
    assert sorted(v.id for v in pinned) == [versions[1].id, versions[2].id]
    refused(400, "has no constants", snapshot, ["cspad-0009"], "experiment:xpp1")


def test_an_approved_set_exports_as_a_bundle_readable_with_plain_h5py(store, versions, tmp_path):
    calib_set = draft("good-1", versions[1:])
    refused(400, "only approved sets are exported", bundle.write_bundle, store, calib_set, tmp_path / "x.h5")
    calib_set = act("erin", act("maya", calib_set, "propose"), "approve")
    assert bundle.write_bundle(store, calib_set, tmp_path / "good-1.h5") == 2
    with h5py.File(tmp_path / "good-1.h5", "r") as h5:
        assert h5.attrs["calib_set"] == "good-1" and h5.attrs["approved_by"] == "erin"
        ranges = h5[f"{DET}/pedestals"]
        (versions_in_range,) = [ranges[r] for r in ranges]
        (only,) = [versions_in_range[v] for v in versions_in_range]
        np.testing.assert_array_equal(only["calib"][()], np.full((4, 4), 2.0, "f4"))
        assert list(h5[DET]) == ["pedestals", "pixel_rms"]
