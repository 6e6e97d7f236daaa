"""The command-module plugin API: a module names the device types it applies to and declares its commands, each
with a typed argument schema (ranges, choices, units), the role that may run it, a danger level and a timeout.

    from dcs.commands.modules import Arg, Module

    module = Module("sipm", "SiPM HV controller boards", device_types=("sipm",))

    @module.command("set-hv", "Set a channel's bias voltage", role="operator", danger="confirm", timeout_s=30,
                    args=[Arg("channel", "int", minimum=0, maximum=31), Arg("volts", "float", 0, 60, unit="V")])
    def set_hv(ctx, channel, volts):
        return ctx.run(["sipm-ctl", "--state", ctx.state_file, "set-hv", str(channel), f"{volts:.2f}"])

Modules come from the entry point group `dcs.commands` (installed packages) and from `*.py` files in the
modules folder (DCS_COMMAND_MODULES), each defining a module-level `module`. Arguments are checked against the
schema before anything runs; a command returns a `Reply` (see textutil) or text.
"""

import importlib.metadata
import importlib.util
import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..auth.permissions import GROUP_ROLES
from ..errors import bad_request, not_found

log = logging.getLogger(__name__)

NAME = re.compile(r"[a-z][a-z0-9-]{0,39}")
TYPES = ("int", "float", "str", "bool", "choice")
DANGERS = ("safe", "confirm")  # confirm: the person must say yes (the UI asks, the API and CLI need confirm)


@dataclass(frozen=True)
class Arg:
    name: str
    type: str = "str"
    minimum: float = None
    maximum: float = None
    unit: str = ""
    choices: tuple = ()
    default: object = None
    help: str = ""
    max_len: int = 200

    def __post_init__(self):
        if not NAME.fullmatch(self.name.replace("_", "-")) or self.type not in TYPES:
            raise ValueError(f"bad argument declaration {self.name!r} of type {self.type!r}")

    @property
    def required(self):
        return self.default is None

    def check(self, value):
        """The value as the command gets it, or ValueError with the end of a sentence."""
        if self.type in ("int", "float"):
            if isinstance(value, str):
                try:
                    value = int(value) if self.type == "int" else float(value)
                except ValueError:
                    raise ValueError(f"must be a {'whole ' if self.type == 'int' else ''}number, not {value!r}") \
                        from None
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"must be a number, not {value!r}")
            try:
                finite = math.isfinite(value)
            except OverflowError:  # an integer beyond any float
                finite = False
            if not finite:
                raise ValueError("must be a finite number")
            if self.type == "int" and not float(value).is_integer():
                raise ValueError(f"must be a whole number, not {value!r}")
            value = int(value) if self.type == "int" else float(value)
            unit = f" {self.unit}" if self.unit else ""
            if self.minimum is not None and value < self.minimum:
                raise ValueError(f"must be at least {self.minimum:g}{unit} (it is {value:g}{unit})")
            if self.maximum is not None and value > self.maximum:
                raise ValueError(f"must be at most {self.maximum:g}{unit} (it is {value:g}{unit})")
            return value
        if self.type == "bool":
            if isinstance(value, str) and value.lower() in ("true", "yes", "1", "false", "no", "0"):
                return value.lower() in ("true", "yes", "1")
            if not isinstance(value, bool):
                raise ValueError(f"must be true or false, not {value!r}")
            return value
        if not isinstance(value, str):
            raise ValueError(f"must be text, not {value!r}")
        if self.type == "choice" and value not in self.choices:
            raise ValueError(f"must be one of {', '.join(map(str, self.choices))}, not {value!r}")
        if len(value) > self.max_len or any(ord(c) < 32 for c in value):
            raise ValueError(f"must be one line of at most {self.max_len} characters")
        if value.startswith("-"):  # a utility would take it for one of its options
            raise ValueError("must not start with '-'")
        return value

    def to_dict(self):
        return {"name": self.name, "type": self.type, "minimum": self.minimum, "maximum": self.maximum,
                "unit": self.unit, "choices": list(self.choices), "default": self.default,
                "required": self.required, "help": self.help}


@dataclass(frozen=True)
class Command:
    module: str
    name: str
    summary: str
    run: object  # run(ctx, **arguments) -> Reply or text
    args: tuple = ()
    role: str = "operator"
    danger: str = "safe"
    timeout_s: float = 30.0
    conflicts: bool = True  # holds the device: no other such command runs on it meanwhile

    @property
    def key(self):
        return f"{self.module}.{self.name}"

    def check_args(self, given):
        """The arguments as the command gets them; a 400 listing every problem by argument, before anything runs."""
        if not isinstance(given, dict):
            raise bad_request("The arguments must be an object of name: value.")
        known = {a.name: a for a in self.args}
        problems = [{"field": name, "error": "is not an argument of " + self.key} for name in given if name not in known]
        clean = {}
        for arg in self.args:
            if arg.name not in given or given[arg.name] in (None, ""):
                if arg.required:
                    problems.append({"field": arg.name, "error": "is required"})
                else:
                    clean[arg.name] = arg.default
                continue
            try:
                clean[arg.name] = arg.check(given[arg.name])
            except ValueError as error:
                problems.append({"field": arg.name, "error": str(error)})
        if problems:
            listed = "; ".join(f"{p['field']} {p['error']}" for p in problems)
            raise bad_request(f"{self.key} was not run: {listed}.", errors=problems)
        return clean

    def to_dict(self):
        return {"module": self.module, "name": self.name, "key": self.key, "summary": self.summary,
                "args": [a.to_dict() for a in self.args], "role": self.role, "danger": self.danger,
                "timeout_s": self.timeout_s}


@dataclass
class Module:
    name: str
    description: str
    device_types: tuple = ()
    commands: dict = field(default_factory=dict)
    source: str = ""

    def __post_init__(self):
        if not NAME.fullmatch(self.name):
            raise ValueError(f"a module name is lower-case letters, digits and '-': {self.name!r}")

    def command(self, name, summary, args=(), role="operator", danger="safe", timeout_s=30.0, conflicts=True):
        """Declare a command: decorates its function run(ctx, **arguments)."""
        if not NAME.fullmatch(name):
            raise ValueError(f"a command name is lower-case letters, digits and '-': {name!r}")
        if role not in GROUP_ROLES or danger not in DANGERS or not 0 < timeout_s <= 3600:
            raise ValueError(f"command {name}: role, danger or timeout out of range")

        def register(func):
            self.commands[name] = Command(self.name, name, summary, func, tuple(args), role, danger, float(timeout_s),
                                          conflicts)
            return func

        return register

    def applies_to(self, device):
        return not self.device_types or device.type.name in self.device_types

    def to_dict(self):
        return {"name": self.name, "description": self.description, "device_types": list(self.device_types),
                "source": self.source, "commands": [c.to_dict() for c in self.commands.values()]}


_LOADED = {}


def load(settings, reload=False):
    """{name: Module} from the entry points of group dcs.commands and the modules folder (a module that fails to
    load is logged and left out; two of the same name: the first wins and the other is logged)."""
    if _LOADED and not reload:
        return _LOADED
    found = {}

    def add(module, source):
        if not isinstance(module, Module):
            log.error("command module %s defines no Module named 'module'; left out", source)
            return
        if module.name in found:
            log.error("command module %s from %s is already loaded from %s; left out", module.name, source,
                      found[module.name].source)
            return
        module.source = source
        found[module.name] = module

    for entry in importlib.metadata.entry_points(group="dcs.commands"):
        try:
            add(entry.load(), f"entry point {entry.value}")
        except Exception:  # noqa: BLE001 - one broken plugin must not keep the portal from starting
            log.exception("command module entry point %s failed to load; left out", entry.value)
    folder = Path(settings.command_modules)
    if folder.is_dir():
        for path in sorted(folder.glob("*.py")):
            if not re.fullmatch(r"[a-z][a-z0-9_]*\.py", path.name):
                continue
            try:
                spec = importlib.util.spec_from_file_location(f"dcs_command_module_{path.stem}", path)
                loaded = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(loaded)
                add(getattr(loaded, "module", None), str(path))
            except Exception:  # noqa: BLE001
                log.exception("command module %s failed to load; left out", path)
    _LOADED.clear()
    _LOADED.update(found)
    from .reactions import register_actions  # every command is also an emergency action

    register_actions(settings, _LOADED)
    return _LOADED


def get_command(settings, key):
    """The command named module.command, or a 404 listing what there is."""
    modules = load(settings)
    module_name, _, name = (key or "").partition(".")
    module = modules.get(module_name)
    if module is None:
        raise not_found(f"There is no command module {module_name!r}; the modules are "
                        f"{', '.join(sorted(modules)) or 'none'}.")
    command = module.commands.get(name)
    if command is None:
        raise not_found(f"The module {module_name} has no command {name!r}; it has "
                        f"{', '.join(sorted(module.commands))}.")
    return module, command
