"""Commands as emergency actions: every command of every module is also an action a reaction rule may run
(named like the command, `sipm.hv-off`), automatically after a delay or from an alert's button. The rule's maker
and whoever presses the button must hold the command's role in the rule's group; a dangerous command run by a
rule counts as confirmed by the rule."""

from ..auth.users import at_least, group_role
from ..errors import forbidden
from ..monitoring.actions import ACTIONS, Action, register


def _authorize(command):
    def authorize(principal, arguments, group=None):
        if not at_least(group_role(principal, group.id if group else None), command.role):
            raise forbidden(f"{command.key} is for {command.role}s of {group.name if group else 'the group'} and "
                            "those above them.")

    return authorize


def _runner(settings, command):
    def run(actor, device, arguments):
        """Start the command and return at once: the engine's round and the person's request do not wait for the
        utility (up to its timeout); the run log follows it."""
        from .runner import start

        (started,) = start(settings, actor, None, command.key, [device.name], arguments, confirm=True,
                           authorized=True)
        return f"started {command.key} on {device.name}: run {started.id}"

    return run


def register_actions(settings, modules):
    """Make every command an action (replacing those of modules loaded before)."""
    for name in [n for n, a in ACTIONS.items() if a.source != "portal"]:
        del ACTIONS[name]
    for module in modules.values():
        for command in module.commands.values():
            register(Action(command.key, command.summary, _runner(settings, command),
                            {a.name: a.help or a.type for a in command.args}, _authorize(command),
                            command.check_args, source=f"command module {module.name}"))
