"""The actions a reaction may run: a name, what it does, the arguments it takes, and a function
`run(actor, device, arguments) -> one line saying what happened`. The portal's own actions are here;
command modules add theirs to the same table."""

from dataclasses import dataclass, field

from ..errors import DcsError, bad_request


@dataclass(frozen=True)
class Action:
    name: str
    description: str
    run: object  # run(actor, device, arguments) -> str
    arguments: dict = field(default_factory=dict)  # name -> what it is (all required)
    authorize: object = None  # authorize(principal, arguments, group): a 403 unless the principal may do it by hand
    checker: object = None  # checker(arguments): the action's own check, instead of "all text, all required"
    source: str = "portal"  # or the command module it comes from

    def check(self, arguments):
        if not isinstance(arguments, dict):
            raise bad_request("The action's arguments must be a JSON object.")
        if self.checker is not None:
            self.checker(arguments)
            return arguments
        unknown = sorted(set(arguments) - set(self.arguments))
        missing = sorted(set(self.arguments) - set(arguments))
        if unknown or missing:
            parts = ([f"unknown: {', '.join(unknown)}"] if unknown else []) + (
                [f"missing: {', '.join(missing)}"] if missing else [])
            raise bad_request(f"The action {self.name} takes {', '.join(self.arguments) or 'no arguments'} "
                              f"({'; '.join(parts)}).")
        for name, value in arguments.items():
            if not isinstance(value, str) or not 0 < len(value) <= 200:
                raise bad_request(f"The argument {name} of {self.name} must be text of 1 to 200 characters.")
        return arguments

    def to_dict(self):
        return {"name": self.name, "description": self.description, "arguments": self.arguments,
                "source": self.source}


ACTIONS = {}


def register(action):
    ACTIONS[action.name] = action
    return action


def get_action(name):
    found = ACTIONS.get(name) if isinstance(name, str) else None
    if found is None:
        raise bad_request(f"There is no action named {name!r}; the actions are {', '.join(sorted(ACTIONS))}.")
    return found


def _apply_recipe(actor, device, arguments):
    from ..configs.recipes import apply_recipe, get_recipe

    recipe = get_recipe(arguments["recipe"])
    changed = apply_recipe(actor, recipe, comment=f"reaction to an alert of {device.name}")
    return f"applied the recipe {recipe.name} ({recipe.mode}): {len(changed)} configuration(s) activated"


def _may_apply_recipe(principal, arguments, group=None):
    from ..auth.users import require_role
    from ..configs.recipes import get_recipe

    recipe = get_recipe(arguments["recipe"])
    require_role(principal, recipe.group, "operator", f"the recipe {recipe.name}")


def _pause_heartbeats(actor, device, arguments):
    from ..timeutil import NS, now_ns
    from .heartbeats import pause

    minutes = arguments["minutes"]
    if not minutes.isdigit() or not 1 <= int(minutes) <= 24 * 60:
        raise DcsError(400, "minutes must be a whole number from 1 to 1440.")
    pause(actor, device, now_ns() + int(minutes) * 60 * NS, "paused by a reaction")
    return f"paused the heartbeat watch of {device.name} for {minutes} minutes"


register(Action("config.apply-recipe", "Activate every configuration of a run-mode recipe (for example a safe "
                "state with the high voltage at zero).", _apply_recipe, {"recipe": "the recipe's name"},
                authorize=_may_apply_recipe))
register(Action("heartbeat.pause", "Pause the device's heartbeat watch (maintenance) for some minutes.",
                _pause_heartbeats, {"minutes": "how long, 1 to 1440"}))
