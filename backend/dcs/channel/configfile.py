"""The channel's configuration file (TOML), read once at start: what to read from ACNET and how, where the records
go, who may call the listener, and which portal devices get the readings.

Every problem is reported as one sentence naming the file and the key, and the channel does not start."""

import ipaddress
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .blocks import NAME

MODES = ("callback", "polling", "mixed")
SINKS = ("tcp", "files")
PROTOCOLS = ("acknowledged", "plain")
METHOD = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,63}")
TIMER = re.compile(r"timer:(\d+(\.\d+)?)")
MAX_DEVICES = 64
KINDS = {str: "text", int: "a whole number", float: "a number", list: "a list", bool: "true or false"}


class ChannelConfigError(ValueError):
    """A configuration file the channel cannot run with; the message says which key and why."""


@dataclass(frozen=True)
class Listener:
    host: str = "127.0.0.1"
    port: int = 8092
    url: str = ""  # how the source reaches the listener (default http://host:port/RPC2)
    method: str = "dcs.spill"
    max_body_bytes: int = 1024**2
    max_connections: int = 16
    max_connections_per_client: int = 4
    request_timeout_s: float = 10.0
    rate_per_s: float = 20.0  # requests per client address per second, with bursts of `burst`
    burst: int = 40

    @property
    def path(self):
        return urlsplit(self.url).path or "/"


@dataclass(frozen=True)
class Sink:
    kind: str = "tcp"
    host: str = "127.0.0.1"
    port: int = 9090
    protocol: str = "acknowledged"
    directory: Path | None = None  # kind = files
    spool: Path = Path("spool")
    spool_max_bytes: int = 1024**3


@dataclass(frozen=True)
class Portal:
    url: str
    token: str
    devices: dict  # ACNET name -> portal device; the parameter is the ACNET name
    heartbeat_device: str = ""
    every_s: float = 1.0


@dataclass(frozen=True)
class ChannelConfig:
    path: Path
    mode: str
    source_url: str
    addresses: tuple  # ip networks allowed to call the listener
    secret: str
    timeout_s: float
    keepalive_s: float
    listener: Listener
    trigger: str  # E:SPILL (an event device) or timer:SECONDS
    in_spill: tuple  # devices read by callback
    out_of_spill: tuple  # devices read by polling
    poll_every_s: float | None
    poll_after_spill_s: float | None
    sink: Sink
    portal: Portal | None = None


class _Table:
    """One TOML table, handing out its keys checked, and refusing the keys nobody asked for."""

    def __init__(self, where, data, name):
        if not isinstance(data, dict):
            raise ChannelConfigError(f"{where}: [{name}] must be a table")
        self.where, self.data, self.name, self.used = where, data, name, set()

    def _fail(self, key, text):
        raise ChannelConfigError(f"{self.where}: {self.name + '.' if self.name else ''}{key} {text}")

    def get(self, key, kind, default=None, required=False, minimum=None, maximum=None, choices=None):
        self.used.add(key)
        if key not in self.data:
            if required:
                self._fail(key, "is missing")
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            self._fail(key, f"must be {KINDS[kind]}, not {value!r}")
        if minimum is not None and value < minimum or maximum is not None and value > maximum:
            self._fail(key, f"must be between {minimum} and {maximum}, not {value}")
        if choices and value not in choices:
            self._fail(key, f"must be one of {', '.join(choices)}, not {value!r}")
        return value

    def table(self, key, required=False):
        self.used.add(key)
        if key not in self.data:
            if required:
                raise ChannelConfigError(f"{self.where}: the [{key}] table is missing")
            return None
        return _Table(self.where, self.data[key], f"{self.name + '.' if self.name else ''}{key}")

    def done(self):
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            self._fail(unknown[0], "is not a setting the channel knows (a typo?)")


def _devices(table, key):
    names = table.get(key, list, required=True)
    if not names or len(names) > MAX_DEVICES:
        table._fail(key, f"must list 1 to {MAX_DEVICES} ACNET devices")
    for name in names:
        if not isinstance(name, str) or not NAME.fullmatch(name):
            table._fail(key, f"holds {name!r}, which is not an ACNET name like M:OUTTMP")
    if len(set(names)) != len(names):
        table._fail(key, "names a device twice")
    return tuple(names)


def _http_url(table, key, default=None, required=False):
    url = table.get(key, str, default=default, required=required)
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        table._fail(key, f"must be an http:// URL with a host, not {url!r}")
    return url


def networks(texts):
    """The IP networks of addresses or networks (10.0.0.5, 10.0.0.0/24, ::1), or a ValueError naming a bad one.
    Names are not accepted: a name can be made to point anywhere."""
    found = []
    for text in texts:
        try:
            found.append(ipaddress.ip_network(text, strict=False))
        except (TypeError, ValueError):
            raise ValueError(f"{text!r} is not an IP address or network (like 10.0.0.5 or 10.0.0.0/24; names are "
                             "not accepted: a name can be made to point anywhere)") from None
    return tuple(found)


def host_port(text):
    """(host, port) of HOST:PORT ([::1]:9090 for IPv6), or a ValueError."""
    host, sep, port = text.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{text!r} is not HOST:PORT")
    return host, int(port)


def _networks(table, host):
    if "addresses" not in table.data:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            table._fail("addresses", f"is needed: the URL names the host {host!r}, and the listener takes calls "
                                     "from IP addresses or networks only")
    texts = table.get("addresses", list, default=[host])
    try:
        found = networks(texts)
    except ValueError as error:
        table._fail("addresses", f"holds {error}")
    if not found:
        table._fail("addresses", "must name at least one address the source calls from")
    return found


def _read_secret(where, base, path, what):
    file = (base / path).resolve()
    try:
        text = file.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise ChannelConfigError(f"{where}: cannot read the {what} file {file}: "
                                 f"{getattr(error, 'strerror', None) or error}") from None
    if not text or len(text) > 256 or any(c.isspace() for c in text):
        raise ChannelConfigError(f"{where}: the {what} file {file} must hold one word of 1 to 256 characters")
    return text


def _address(table, key, default):
    text = table.get(key, str, default=default)
    try:
        return host_port(text)
    except ValueError:
        table._fail(key, f"must be HOST:PORT, not {text!r}")


def load(path):
    """The checked configuration in the file at path (relative paths in it are relative to the file)."""
    path = Path(path)
    where = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ChannelConfigError(f"{where}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ChannelConfigError(f"{where}: cannot read it: {getattr(error, 'strerror', None) or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ChannelConfigError(f"{where}: not valid TOML: {error}") from None
    return parse(data, path)


def parse(data, path):
    where, base = str(path), Path(path).resolve().parent
    top = _Table(where, data, "")
    mode = top.get("mode", str, required=True, choices=MODES)

    source = top.table("source", required=True)
    source_url = _http_url(source, "url", required=True)
    addresses = _networks(source, urlsplit(source_url).hostname)
    secret_file = source.get("secret_file", str, default="")
    secret = _read_secret(where, base, secret_file, "secret") if secret_file else ""
    timeout_s = source.get("timeout_s", float, default=5.0, minimum=0.1, maximum=60)
    keepalive_s = source.get("keepalive_s", float, default=2.0, minimum=0.05, maximum=600)
    source.done()

    trigger, in_spill, listener = "", (), Listener()
    callback = top.table("callback", required=mode != "polling")
    if mode == "polling" and callback is not None:
        raise ChannelConfigError(f"{where}: mode is polling, so there is no [callback] table (use mixed)")
    if callback is not None:
        trigger = callback.get("trigger", str, default="E:SPILL")
        timer = TIMER.fullmatch(trigger)
        if not NAME.fullmatch(trigger) and not (timer and 0.05 <= float(timer.group(1)) <= 3600):
            callback._fail("trigger", f"must be an event device like E:SPILL or timer:SECONDS (0.05 to 3600), "
                                      f"not {trigger!r}")
        in_spill = _devices(callback, "devices")
        callback.done()
        table = top.table("listener") or _Table(where, {}, "listener")
        host = table.get("host", str, default="127.0.0.1")
        port = table.get("port", int, default=8092, minimum=0, maximum=65535)
        if "url" not in table.data and host in ("0.0.0.0", "::", ""):
            table._fail("url", f"is needed when the listener listens on every address ({host!r}): say how the "
                               "source reaches it, like http://daq-beam01.example.org:8092/RPC2")
        url = _http_url(table, "url", default=f"http://{host}:{port}/RPC2")
        method = table.get("method", str, default="dcs.spill")
        if not METHOD.fullmatch(method):
            table._fail("method", f"must be a method name like dcs.spill, not {method!r}")
        listener = Listener(host, port, url, method,
                            table.get("max_body_bytes", int, default=1024**2, minimum=1024, maximum=64 * 1024**2),
                            table.get("max_connections", int, default=16, minimum=1, maximum=1024),
                            table.get("max_connections_per_client", int, default=4, minimum=1, maximum=1024),
                            table.get("request_timeout_s", float, default=10.0, minimum=0.1, maximum=600),
                            table.get("rate_per_s", float, default=20.0, minimum=0.1, maximum=10_000),
                            table.get("burst", int, default=40, minimum=1, maximum=100_000))
        table.done()
    elif top.table("listener") is not None:
        raise ChannelConfigError(f"{where}: mode is polling, so there is no [listener] table")

    out_of_spill, every_s, after_s = (), None, None
    polling = top.table("polling", required=mode != "callback")
    if mode == "callback" and polling is not None:
        raise ChannelConfigError(f"{where}: mode is callback, so there is no [polling] table (use mixed)")
    if polling is not None:
        out_of_spill = _devices(polling, "devices")
        every_s = polling.get("every_s", float, minimum=0.05, maximum=86400)
        after_s = polling.get("after_spill_s", float, minimum=0.0, maximum=3600)
        if mode == "polling" and after_s is not None:
            polling._fail("after_spill_s", "needs callbacks: use mode = \"mixed\", or every_s")
        if every_s is None and after_s is None:
            polling._fail("every_s", "or after_spill_s must say when to poll")
        polling.done()
    both = set(in_spill) & set(out_of_spill)
    if both:
        raise ChannelConfigError(f"{where}: {min(both)} is read both by callback and by polling")

    sink_table = top.table("sink", required=True)
    kind = sink_table.get("kind", str, required=True, choices=SINKS)
    host, port, protocol, directory = "127.0.0.1", 9090, "acknowledged", None
    if kind == "tcp":
        host, port = _address(sink_table, "address", "127.0.0.1:9090")
        protocol = sink_table.get("protocol", str, default="acknowledged", choices=PROTOCOLS)
    else:
        directory = base / sink_table.get("directory", str, required=True)
    spool = base / sink_table.get("spool", str, default="spool")
    spool_mb = sink_table.get("spool_max_mb", int, default=1024, minimum=1, maximum=1024**2)
    sink_table.done()
    sink = Sink(kind, host, port, protocol, directory, spool, spool_mb * 1024**2)

    portal = None
    portal_table = top.table("portal")
    if portal_table is not None:
        url = _http_url(portal_table, "url", required=True).rstrip("/")
        token = _read_secret(where, base, portal_table.get("token_file", str, required=True), "token")
        heartbeat_device = portal_table.get("heartbeat_device", str, default="")
        every = portal_table.get("every_s", float, default=1.0, minimum=0.1, maximum=600)
        mapping = portal_table.table("devices")
        devices = {}
        if mapping is not None:
            for name in list(mapping.data):
                if name not in in_spill + out_of_spill:
                    mapping._fail(name, "is not one of the devices the channel reads")
                devices[name] = mapping.get(name, str)
            mapping.done()
        portal_table.done()
        portal = Portal(url, token, devices, heartbeat_device, every)
    top.done()
    return ChannelConfig(Path(path), mode, source_url, addresses, secret, timeout_s, keepalive_s, listener, trigger,
                         in_spill, out_of_spill, every_s, after_s, sink, portal)
