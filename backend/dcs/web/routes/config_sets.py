""""Good" configuration sets and their approval (the workflow calibration sets use), and run-mode
recipes: list, create, edit, propose, approve, reject, revise, diff and apply."""

from bottle import response

from ... import approval
from ...auth.users import at_least, get_group, group_role, require_role
from ...configs.models import MODES
from ...configs.recipes import (apply_recipe, change_entries, create_recipe, entries_of, entry_versions, get_recipe,
                                list_recipes)
from ...configs.sets import (apply_set, change_pins, create_set, diff, get_set, list_sets, pin_dict, pins_of, revise,
                             snapshot, versions_by_id)
from ...errors import bad_request
from .. import query
from ..fields import Body, Int, List, Str

OWNER_TEXT = Str(min_len=3, max_len=210, description="type:<dettype> or device:<name>")
NEW_SET = Body(name=Str(min_len=1, max_len=100), group=Str(min_len=1, max_len=64),
               description=Str(max_len=4000, default=""),
               versions=List(Int(minimum=1), max_items=20000, default=[]),
               snapshot=List(OWNER_TEXT, max_items=20000, default=[],
                             description="owners whose active versions to pin"))
PINS = Body(add=List(Int(minimum=1), max_items=20000, default=[]), remove=List(Int(minimum=1), max_items=20000,
                                                                              default=[]))
COMMENT = Body(comment=Str(max_len=4000, default=""))
REVISE = Body(name=Str(min_len=1, max_len=100))
ENTRY = Body(owner=OWNER_TEXT, version=Int(minimum=1))
NEW_RECIPE = Body(name=Str(min_len=1, max_len=100), mode=Str(choices=MODES), group=Str(min_len=1, max_len=64),
                  description=Str(max_len=4000, default=""), entries=List(ENTRY, max_items=20000, default=[]),
                  from_set=Str(max_len=100, required=False, description="take the entries of this set's pins"))
ENTRIES = Body(set=List(ENTRY, max_items=20000, default=[]), remove=List(OWNER_TEXT, max_items=20000, default=[]))


def set_page(config_set, principal):
    page = {**config_set.to_dict(), "pins": [pin_dict(v) for v in pins_of(config_set)],
            **approval.page(config_set, principal, diff)}
    page["can"]["apply"] = config_set.state == "approved" and at_least(group_role(principal, config_set.group_id),
                                                                       "operator")
    return page


def recipe_page(recipe, principal):
    role = group_role(principal, recipe.group_id)
    return {**recipe.to_dict(), "entries": entries_of(recipe),
            "can": {"edit": at_least(role, "expert"), "apply": at_least(role, "operator")}}


def act(name, action, principal, actor, body):
    found = approval.transition(actor, principal, get_set(name), action, body["comment"])
    return {"ok": True, "set": set_page(found, principal)}


def register(api):
    @api.route("/config-sets", "GET", perm="read", tag="config sets",
               query=(("group", "a group's sets"), ("state", "draft, proposed, approved, rejected or superseded")))
    def sets():
        """Configuration sets, newest first."""
        return {"ok": True, "sets": [s.to_dict() for s in list_sets(query.text("group"), query.text("state"))]}

    @api.route("/config-sets", "POST", perm="configs.write", body=NEW_SET, tag="config sets")
    def new_set(principal, actor, body):
        """A new draft for a group: from version ids and/or a snapshot of the owners' active versions."""
        require_role(principal, get_group(body["group"]), "member", f"the group {body['group']}")
        versions = versions_by_id(body["versions"]) + snapshot(body["snapshot"])
        config_set = create_set(actor, body["name"], versions, body["description"], body["group"])
        response.status = 201
        return {"ok": True, "set": set_page(config_set, principal)}

    @api.route("/config-sets/<name>", "GET", perm="read", tag="config sets")
    def one_set(name, principal):
        """A set with its pins, history, the diff against the previously approved set and what you may do."""
        return {"ok": True, "set": set_page(get_set(name), principal)}

    @api.route("/config-sets/<name>/pins", "PUT", perm="configs.write", body=PINS, tag="config sets")
    def pins(name, principal, actor, body):
        """Add and remove pins of a draft (a pin replaces the one of the same owner)."""
        config_set = change_pins(actor, principal, get_set(name), body["add"], body["remove"])
        return {"ok": True, "set": set_page(config_set, principal)}

    @api.route("/config-sets/<name>/propose", "POST", perm="configs.write", body=COMMENT, tag="config sets")
    def propose(name, principal, actor, body):
        """Propose a draft for approval."""
        return act(name, "propose", principal, actor, body)

    @api.route("/config-sets/<name>/withdraw", "POST", perm="configs.write", body=COMMENT, tag="config sets")
    def withdraw(name, principal, actor, body):
        """Take a proposal back to draft (its proposer, or an admin)."""
        return act(name, "withdraw", principal, actor, body)

    @api.route("/config-sets/<name>/approve", "POST", perm="configs.approve", body=COMMENT, tag="config sets")
    def approve(name, principal, actor, body):
        """Approve a proposed set (an expert of its group, never its proposer). The group's set
        approved before it is superseded."""
        return act(name, "approve", principal, actor, body)

    @api.route("/config-sets/<name>/reject", "POST", perm="configs.approve", body=COMMENT, tag="config sets")
    def reject(name, principal, actor, body):
        """Reject a proposed set, saying why (a comment is required)."""
        return act(name, "reject", principal, actor, body)

    @api.route("/config-sets/<name>/revise", "POST", perm="configs.write", body=REVISE, tag="config sets")
    def revise_set(name, principal, actor, body):
        """A new draft with the same pins: how an approved or rejected set is changed."""
        config_set = revise(actor, principal, get_set(name), body["name"])
        response.status = 201
        return {"ok": True, "set": set_page(config_set, principal)}

    @api.route("/config-sets/<name>/apply", "POST", perm="configs.activate", body=COMMENT, tag="config sets")
    def apply(name, principal, actor, body):
        """Activate every version an approved set pins (operators of its group); all or nothing."""
        config_set = get_set(name)
        require_role(principal, config_set.group, "operator", f"the configuration set {name}")
        changed = apply_set(actor, config_set, body["comment"])
        return {"ok": True, "activated": changed, "set": set_page(config_set, principal)}

    @api.route("/recipes", "GET", perm="read", tag="recipes", query=(("mode", "PHYSICS, COSMICS or CALIBRATION"),))
    def recipes():
        """Run-mode recipes, by mode and name."""
        mode = query.text("mode")
        if mode is not None and mode not in MODES:
            raise bad_request(f"The mode must be one of {', '.join(MODES)}.")
        return {"ok": True, "recipes": [r.to_dict() for r in list_recipes(mode)]}

    @api.route("/recipes", "POST", perm="topology.write", body=NEW_RECIPE, tag="recipes")
    def new_recipe(principal, actor, body):
        """A recipe for a run mode (experts of its group): entries {owner, version}, or a set's pins."""
        require_role(principal, get_group(body["group"]), "expert", f"the group {body['group']}")
        versions = entry_versions(body["entries"])
        if body.get("from_set"):
            versions = pins_of(get_set(body["from_set"])) + versions
        recipe = create_recipe(actor, body["name"], body["mode"], body["description"], body["group"], versions)
        response.status = 201
        return {"ok": True, "recipe": recipe_page(recipe, principal)}

    @api.route("/recipes/<name>", "GET", perm="read", tag="recipes")
    def recipe(name, principal):
        """A recipe with its entries, each with the version active now and whether applying would change it."""
        return {"ok": True, "recipe": recipe_page(get_recipe(name), principal)}

    @api.route("/recipes/<name>/entries", "PUT", perm="topology.write", body=ENTRIES, tag="recipes")
    def entries(name, principal, actor, body):
        """Set (add or replace) and remove entries of a recipe."""
        found = get_recipe(name)
        require_role(principal, found.group, "expert", f"the recipe {name}")
        return {"ok": True, "recipe": recipe_page(change_entries(actor, found, body["set"], body["remove"]), principal)}

    @api.route("/recipes/<name>/apply", "POST", perm="configs.activate", body=COMMENT, tag="recipes")
    def apply_mode(name, principal, actor, body):
        """Switch to the recipe's run mode: activate each entry not active yet (operators); all or nothing."""
        found = get_recipe(name)
        require_role(principal, found.group, "operator", f"the recipe {name}")
        changed = apply_recipe(actor, found, body["comment"])
        return {"ok": True, "activated": changed, "recipe": recipe_page(found, principal)}
