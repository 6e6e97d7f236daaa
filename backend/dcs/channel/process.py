"""The beam monitor channel: ACNET readings in, one raw data record per callback or poll out.

- Callbacks (in-spill): the channel registers its trigger, devices and listener with the source and keeps the
  registration alive: it asks the source for its status every keepalive_s, and registers again when the source
  restarted (a new boot id) or dropped the registration. Each accepted callback is a spill: the spill count goes
  up by one and the record holds an in-spill block.
- Polls (out-of-spill): every every_s, and/or after_spill_s after each spill; the record holds an out-of-spill
  block and the spill count of the most recent callback.
- A record is in the disk spool (written and fsynced) before the callback is answered, so a callback the source
  counts as delivered is never lost; the sink thread sends the spool on in order. Header times only go forward
  (by a nanosecond when needed), and the spill count and last time survive restarts in the spool.
"""

import json
import logging
import os
import threading
import time

from ..timeutil import NS
from . import acnet, sinks
from .blocks import IN_SPILL, OUT_OF_SPILL, Record, encode
from .listener import Listener, Refusal
from .portal import PortalFeed
from .spool import Spool, SpoolFull

log = logging.getLogger("dcs.channel")
REGISTER_WAIT_S = 2.0
MAX_SKEW_NS = 86400 * NS  # a source time further than this from the host's clock is refused, not recorded


class Channel:
    def __init__(self, config):
        self.config = config
        # one client per thread: a client keeps its connection open and is not to be shared
        self.source = acnet.Client(config.source_url, config.timeout_s)  # the registrar's
        self.polling_source = acnet.Client(config.source_url, config.timeout_s)
        self.spool = Spool(config.sink.spool, config.sink.spool_max_bytes)
        last = self.spool.last_header()
        self.spill = last[2] if last else 0
        self.last_ns = last[0] * NS + last[1] if last else 0
        self.lock = threading.Lock()  # one record at a time: counts, times and spool order agree
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        self.registration, self.boot, self.registering = None, None, False
        self.source_up = self.polls_ok = None
        self.unpolled_since = None  # monotonic time of the first spill since the last poll
        self.counts = {"spills": 0, "polls": 0, "failed_polls": 0, "refused_records": 0}
        self.state_file = config.sink.spool / "registration.json"
        if config.sink.kind == "tcp":
            self.sink = sinks.TcpSink(self.spool, config.sink.host, config.sink.port, config.sink.protocol)
        else:
            self.sink = sinks.FileSink(self.spool, config.sink.directory)
        self.listener = None
        if config.in_spill:
            try:
                self.listener = Listener(config.listener, config.addresses, config.secret, self.on_callback)
            except OSError as error:
                self.spool.close()
                raise OSError(f"cannot listen on {config.listener.host}:{config.listener.port}: "
                              f"{error.strerror or error}") from None
        self.portal = PortalFeed(config.portal, self.summary) if config.portal else None
        self.threads = []

    # --- records ------------------------------------------------------------------------------------------

    def _record(self, major, devices, candidate_ns):
        """Spool one record; the spill count and time move on only once it is safely on disk."""
        with self.lock:
            stamp = max(candidate_ns, self.last_ns + 1)
            spill = self.spill + 1 if major == IN_SPILL else self.spill
            record = Record(stamp // NS, stamp % NS, spill,
                            in_spill=devices if major == IN_SPILL else (),
                            out_of_spill=devices if major == OUT_OF_SPILL else ())
            self.spool.append(encode(record))
            self.spill, self.last_ns = spill, stamp
        if self.portal is not None:
            self.portal.add(devices)
        return spill

    def on_callback(self, registration, event, readings):
        """A callback from the source: a spill. Answers True once its record is in the spool."""
        if not self._is_ours(registration):
            raise Refusal(404, "unknown registration: this listener did not register it (or registered anew)")
        if not isinstance(event, dict) or not isinstance(event.get("seconds"), int) \
                or not isinstance(event.get("millis"), int) or not 0 <= event["millis"] < 1000:
            raise Refusal(400, "the event must be a struct with whole seconds and millis")
        stamp = event["seconds"] * NS + event["millis"] * 1_000_000
        if abs(stamp - time.time_ns()) > MAX_SKEW_NS:
            raise Refusal(400, f"the event time {event['seconds']} is more than a day away from this host's clock")
        try:
            devices = acnet.device_data(readings, self.config.in_spill)
        except ValueError as error:
            raise Refusal(400, f"bad readings: {error}") from None
        if not devices:
            raise Refusal(400, "the callback holds no readings")
        try:
            spill = self._record(IN_SPILL, devices, stamp)
        except (SpoolFull, OSError) as error:
            self.counts["refused_records"] += 1
            log.error("cannot keep spill data: %s", error)
            raise Refusal(503, "the channel cannot store the record now") from None
        self.counts["spills"] += 1
        with self.changed:
            if self.unpolled_since is None:  # a poll is due after_spill_s after the first spill not yet polled
                self.unpolled_since = time.monotonic()
            self.changed.notify_all()
        log.debug("spill %d: %d devices", spill, len(devices))
        return True

    def poll(self):
        try:
            devices = acnet.device_data(self.polling_source.read(self.config.out_of_spill),
                                        self.config.out_of_spill)
            if not devices:
                raise ValueError("the source answered no readings")
            # stamped by the source's clock, like a spill: the latest of the devices' own time stamps
            stamp = max(d.seconds * NS + d.millis * 1_000_000 for d in devices)
            if abs(stamp - time.time_ns()) > MAX_SKEW_NS:
                raise ValueError(f"the readings' time {stamp // NS} is more than a day away from this host's clock")
            self._record(OUT_OF_SPILL, devices, stamp)
        except (acnet.SourceError, ValueError, SpoolFull, OSError) as error:
            self.counts["failed_polls"] += 1
            if self.polls_ok is not False:
                log.warning("polling failed: %s; the next polls are tried as planned", error)
            self.polls_ok = False
            return False
        if self.polls_ok is False:
            log.info("polling works again")
        self.polls_ok = True
        self.counts["polls"] += 1
        return True

    # --- the registration ---------------------------------------------------------------------------------

    def _is_ours(self, registration):
        deadline = time.monotonic() + REGISTER_WAIT_S
        with self.changed:  # a callback may overtake the answer to our own register call
            while self.registering and registration != self.registration and time.monotonic() < deadline:
                self.changed.wait(deadline - time.monotonic())
            return registration is not None and registration == self.registration

    def _source_state(self, up, why=""):
        if up != self.source_up:
            if up:
                log.info("the source at %s answers", self.config.source_url)
            else:
                log.warning("the source at %s: %s; trying again every %g s", self.config.source_url, why,
                            self.config.keepalive_s)
            self.source_up = up

    def _saved_registration(self):
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return {}

    def _save_registration(self):
        temporary = self.state_file.with_suffix(".tmp")
        temporary.write_text(json.dumps({"id": self.registration, "boot": self.boot}))
        os.replace(temporary, self.state_file)

    def keep_registered(self):
        """Called every keepalive_s: (re-)register when the source restarted or forgot us."""
        try:
            status = self.source.status()
        except acnet.SourceError as error:
            self._source_state(False, str(error))
            return
        self._source_state(True)
        if self.registration is not None and status["boot"] == self.boot \
                and self.registration in status["registrations"]:
            return
        saved = self._saved_registration() if self.registration is None else {}
        if saved.get("boot") == status["boot"] and saved.get("id") in status["registrations"]:
            self._try(self.source.unregister, saved["id"])  # the last run's: its callbacks would be refused
        why = ("registering" if self.boot is None else
               "the source restarted; registering again" if status["boot"] != self.boot else
               "the source dropped the registration; registering again")
        with self.changed:
            self.registering = True
        try:
            answer = self.source.register(self.config.trigger, self.config.in_spill, self.config.listener.url,
                                          self.config.listener.method, self.config.secret)
        except acnet.SourceError as error:
            self._source_state(False, str(error))
            answer = None
        with self.changed:
            self.registering = False
            if answer is not None:
                self.registration, self.boot = answer["id"], answer["boot"]
            self.changed.notify_all()
        if answer is not None:
            try:
                self._save_registration()
            except OSError as error:  # only the next start's clean-up needs it
                log.warning("cannot save the registration in %s: %s", self.state_file, error)
            log.info("%s: registration %s for %d devices on %s, callbacks to %s", why, self.registration,
                     len(self.config.in_spill), self.config.trigger, self.config.listener.url)

    @staticmethod
    def _try(call, *args):
        try:
            call(*args)
        except acnet.SourceError as error:
            log.warning("%s", error)

    # --- threads ------------------------------------------------------------------------------------------

    def _forever(self, step, wait):
        """Run step until stopped, waiting `wait` seconds between; a step that fails in a way nobody foresaw
        is logged with its traceback and tried again, so the thread never dies quietly."""
        while not self.stopping.is_set():
            try:
                step()
            except Exception:  # noqa: BLE001 - keep taking data whatever one step ran into
                log.exception("unexpected error in %s; trying again", threading.current_thread().name)
                self.stopping.wait(1.0)
            self.stopping.wait(wait)

    def _poll_when_due(self):
        every, after = self.config.poll_every_s, self.config.poll_after_spill_s
        with self.changed:
            due = [self.last_poll + every] if every else []
            if after is not None and self.unpolled_since is not None:
                due.append(self.unpolled_since + after)
            wait = min(due) - time.monotonic() if due else 1.0
            if wait > 0:
                self.changed.wait(min(wait, 1.0))
                return
            self.unpolled_since = None
        self.last_poll = time.monotonic()
        self.poll()

    def summary(self):
        pending, _ = self.spool.pending()
        sink = self.sink.status()
        return (f"spill {self.spill}; {self.counts['spills']} spills and {self.counts['polls']} polls since start; "
                f"{pending} records waiting; sink {'up' if sink.get('connected', True) else 'down'}")

    def start(self):
        self.sink.start()
        if self.listener is not None:
            self.listener.start()
            self.threads.append(threading.Thread(target=self._forever,
                                                 args=(self.keep_registered, self.config.keepalive_s),
                                                 name="dcs-channel-registrar", daemon=True))
        if self.config.out_of_spill:
            self.last_poll = time.monotonic()
            self.threads.append(threading.Thread(target=self._forever, args=(self._poll_when_due, 0),
                                                 name="dcs-channel-poller", daemon=True))
        if self.portal is not None:
            self.portal.start()
        for thread in self.threads:
            thread.start()
        return self

    def stop(self):
        """Stop taking data, unregister, and give the sink a moment to send what is waiting (the rest stays in
        the spool for the next start)."""
        self.stopping.set()
        with self.changed:
            self.changed.notify_all()
        if self.listener is not None:
            self.listener.stop()
        for thread in self.threads:
            thread.join(10)
        if self.registration is not None:
            self._try(self.source.unregister, self.registration)
        if self.portal is not None:
            self.portal.stop()
        self.sink.stop()
        self.spool.close()
