"""Calibration sets and their approval: list, create (from versions or a snapshot), edit a draft,
propose, approve, reject, revise, diff, and export approved sets for farm jobs."""

import tempfile

from bottle import HTTPResponse, response

from ... import approval
from ...calib import bundle
from ...calib.sets import (change_pins, create_set, diff, get_set, list_sets, pin_dict, pins_of,
                           revise, snapshot, versions_by_id)
from ...calib.workspace import parse_workspace
from ...errors import bad_request
from ...runs import check_writer, get_experiment
from .. import query
from ..fields import Body, Int, List, Str
from .calib import store

SNAPSHOT = Body.optional("Pin what lookups pick now for these detectors.",
                detectors=List(Str(min_len=3, max_len=200), max_items=200),
                workspace=Str(max_len=200, required=False))
NEW_SET = Body(name=Str(min_len=1, max_len=100), experiment=Str(min_len=1, max_len=64),
               description=Str(max_len=4000, default=""), versions=List(Int(minimum=1), max_items=10000,
                                                                         required=False),
               snapshot=SNAPSHOT)
PINS = Body(add=List(Int(minimum=1), max_items=10000, default=[]), remove=List(Int(minimum=1), max_items=10000,
                                                                              default=[]))
COMMENT = Body(comment=Str(max_len=4000, default=""))
REVISE = Body(name=Str(min_len=1, max_len=100))
STATES_QUERY = (("experiment", "an experiment's sets"), ("state", "draft, proposed, approved, rejected or superseded"))


def set_page(calib_set, principal):
    return {**calib_set.to_dict(), "pins": [pin_dict(v) for v in pins_of(calib_set)],
            **approval.page(calib_set, principal, diff)}


def act(name, action, principal, actor, body):
    found = approval.transition(actor, principal, get_set(name), action, body["comment"])
    return {"ok": True, "set": set_page(found, principal)}


def register(api):
    @api.route("/calib/sets", "GET", perm="read", tag="calib sets", query=STATES_QUERY)
    def sets():
        """Calibration sets, newest first."""
        return {"ok": True, "sets": [s.to_dict() for s in list_sets(query.text("experiment"), query.text("state"))]}

    @api.route("/calib/sets", "POST", perm="calib.write", body=NEW_SET, tag="calib sets")
    def new_set(principal, actor, body):
        """A new draft for an experiment: from version ids, or a snapshot of what lookups pick now."""
        check_writer(principal, get_experiment(body["experiment"]))
        versions = versions_by_id(body.get("versions") or [])
        if "snapshot" in body:
            space = body["snapshot"].get("workspace") or f"experiment:{body['experiment']}"
            parse_workspace(space)
            versions += snapshot(body["snapshot"]["detectors"], space)
        calib_set = create_set(actor, body["name"], versions, body["description"], body["experiment"])
        response.status = 201
        return {"ok": True, "set": set_page(calib_set, principal)}

    @api.route("/calib/sets/<name>", "GET", perm="read", tag="calib sets")
    def one_set(name, principal):
        """A set with its pins, history, the diff against the previously approved set and what you may do."""
        return {"ok": True, "set": set_page(get_set(name), principal)}

    @api.route("/calib/sets/<name>/pins", "PUT", perm="calib.write", body=PINS, tag="calib sets")
    def pins(name, principal, actor, body):
        """Add and remove pins of a draft (a pin replaces the one for the same detector, ctype and range)."""
        calib_set = change_pins(actor, principal, get_set(name), body["add"], body["remove"])
        return {"ok": True, "set": set_page(calib_set, principal)}

    @api.route("/calib/sets/<name>/propose", "POST", perm="calib.write", body=COMMENT, tag="calib sets")
    def propose(name, principal, actor, body):
        """Propose a draft for approval."""
        return act(name, "propose", principal, actor, body)

    @api.route("/calib/sets/<name>/withdraw", "POST", perm="calib.write", body=COMMENT, tag="calib sets")
    def withdraw(name, principal, actor, body):
        """Take a proposal back to draft (its proposer, or an admin)."""
        return act(name, "withdraw", principal, actor, body)

    @api.route("/calib/sets/<name>/approve", "POST", perm="calib.approve", body=COMMENT, tag="calib sets")
    def approve(name, principal, actor, body):
        """Approve a proposed set (an expert of the experiment's group, never its proposer). It becomes
        the default of the experiment's lookups; the set approved before it is superseded."""
        return act(name, "approve", principal, actor, body)

    @api.route("/calib/sets/<name>/reject", "POST", perm="calib.approve", body=COMMENT, tag="calib sets")
    def reject(name, principal, actor, body):
        """Reject a proposed set, saying why (a comment is required)."""
        return act(name, "reject", principal, actor, body)

    @api.route("/calib/sets/<name>/revise", "POST", perm="calib.write", body=REVISE, tag="calib sets")
    def revise_set(name, principal, actor, body):
        """A new draft with the same pins: how an approved or rejected set is changed."""
        calib_set = revise(actor, principal, get_set(name), body["name"])
        response.status = 201
        return {"ok": True, "set": set_page(calib_set, principal)}

    @api.route("/calib/sets/<name>/diff", "GET", perm="read", tag="calib sets",
               query=(("against", "the other set's name (default: the previously approved set)"),))
    def set_diff(name):
        """What changes from the other set to this one, per detector, ctype and range."""
        calib_set = get_set(name)
        against = query.text("against")
        other = get_set(against) if against else calib_set.previous_approved()
        if other is None:
            raise bad_request(f"There is no previously approved set to compare {name} with; name one with against.")
        return {"ok": True, "diff": diff(calib_set, other)}

    @api.route("/calib/sets/<name>/bundle.h5", "GET", perm="read", tag="calib sets")
    def set_bundle(name):
        """An approved set as one self-contained HDF5 file (a group per detector, in the store's layout)."""
        calib_set = get_set(name)
        with tempfile.NamedTemporaryFile(suffix=".h5") as out:
            bundle.write_bundle(store(), calib_set, out.name)
            data = open(out.name, "rb").read()
        return HTTPResponse(data, headers={"Content-Type": "application/x-hdf5",
                                           "Content-Disposition": f'attachment; filename="{name}.h5"'})

    @api.route("/calib/sets/<name>/psana.tar.gz", "GET", perm="read", tag="calib sets")
    def set_psana(name):
        """An approved set as a psana calibration tree (calib/<Group>/<source>/<ctype>/<runs>.data)."""
        data, _ = bundle.psana_tar(store(), get_set(name))
        return HTTPResponse(data, headers={"Content-Type": "application/gzip",
                                           "Content-Disposition": f'attachment; filename="{name}-psana.tar.gz"'})
