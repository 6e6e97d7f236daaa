"""Run-mode recipes: for a run mode (PHYSICS, COSMICS, CALIBRATION), which configuration version each
device (or type default) takes. Applying a recipe activates all of them in one transaction: either
every version passes its schema and is activated, or nothing changes."""

from ..audit import record
from ..auth.users import get_group
from ..db import database
from ..errors import bad_request, conflict
from ..names import set_name
from ..timeutil import now_ns
from .models import MODES, ConfigVersion, Recipe, RecipeEntry
from .versions import activate, active_version, get_version, owner_of

MAX_ENTRIES = 20_000


get_recipe = Recipe.named


def list_recipes(mode=None):
    query = Recipe.select().order_by(Recipe.mode, Recipe.name)
    if mode:
        query = query.where(Recipe.mode == mode)
    return list(query)


def _check_mode(mode):
    if mode not in MODES:
        raise bad_request(f"The run mode must be one of {', '.join(MODES)}.",
                          errors=[{"field": "mode", "error": f"One of {', '.join(MODES)}."}])
    return mode


def entry_versions(entries):
    """[{owner, version: number}] -> [ConfigVersion], each checked; one per owner (the last wins)."""
    if not isinstance(entries, list) or len(entries) > MAX_ENTRIES:
        raise bad_request(f"Entries are a list of at most {MAX_ENTRIES} {{owner, version}} objects.")
    chosen = {}
    for entry in entries:
        if not isinstance(entry, dict) or set(entry) != {"owner", "version"}:
            raise bad_request("Each entry is an object {owner, version}: owner type:<dettype> or device:<name>, "
                              "version a number.")
        owner = owner_of(entry["owner"])
        chosen[owner.key] = get_version(owner, entry["version"])
    return list(chosen.values())


def create_recipe(actor, name, mode, description="", group=None, versions=()):
    set_name(name, "recipe")
    _check_mode(mode)
    owner_group = get_group(group) if group else None
    with database.atomic():
        if Recipe.select().where(Recipe.name == name).exists():
            raise conflict(f"A recipe named {name!r} exists already.", errors=[{"field": "name", "error": "Taken."}])
        recipe = Recipe.create(name=name, mode=mode, description=description, group=owner_group,
                               created_by=actor.label, created_ns=now_ns())
        for version in {v.owner: v for v in versions}.values():
            RecipeEntry.create(recipe=recipe, owner=version.owner, version=version)
        record(actor, "recipe.create", "recipe", name, f"created recipe {name} for {mode}",
               after={"mode": mode, "entries": {v.owner: v.number for v in versions}})
    return recipe


def change_entries(actor, recipe, add=(), remove=()):
    """Set (add or replace) entries and remove owners' entries."""
    adding = entry_versions(list(add))
    removing = [owner_of(owner).key for owner in remove]
    with database.atomic():
        for version in adding:
            RecipeEntry.delete().where(RecipeEntry.recipe == recipe, RecipeEntry.owner == version.owner).execute()
            RecipeEntry.create(recipe=recipe, owner=version.owner, version=version)
        if removing:
            RecipeEntry.delete().where(RecipeEntry.recipe == recipe, RecipeEntry.owner.in_(removing)).execute()
        if recipe.entries.count() > MAX_ENTRIES:
            raise bad_request(f"A recipe holds at most {MAX_ENTRIES} entries.")
        record(actor, "recipe.entries", "recipe", recipe.name, f"changed the entries of recipe {recipe.name}",
               after={"set": {v.owner: v.number for v in adding}, "removed": removing})
    return recipe


def entries_of(recipe):
    """[{owner, number, version_id, active, differs}] sorted by owner."""
    rows = (RecipeEntry.select(RecipeEntry, ConfigVersion).join(ConfigVersion)
            .where(RecipeEntry.recipe == recipe).order_by(RecipeEntry.owner))
    out = []
    for entry in rows:
        active = active_version(entry.owner)
        out.append({"owner": entry.owner, "number": entry.version.number, "version_id": entry.version_id,
                    "comment": entry.version.comment, "active": active.number if active else None,
                    "differs": active is None or active.id != entry.version_id})
    return out


def apply_recipe(actor, recipe, comment=""):
    """Activate every entry that is not active yet; all or nothing. Returns the owners changed."""
    changed = []
    with database.atomic():
        for entry in RecipeEntry.select(RecipeEntry, ConfigVersion).join(ConfigVersion).where(
                RecipeEntry.recipe == recipe).order_by(RecipeEntry.owner):
            owner = owner_of(entry.owner)
            if activate(actor, owner, entry.version.number, comment, via=f"recipe {recipe.name}",
                        skip_active=True) is not None:
                changed.append({"owner": owner.key, "number": entry.version.number})
        recipe.applied_by, recipe.applied_ns = actor.label, now_ns()
        recipe.save()
        record(actor, "recipe.apply", "recipe", recipe.name,
               f"applied recipe {recipe.name} ({recipe.mode}): {len(changed)} configuration(s) activated",
               after={"activated": changed})
    return changed
