"""The channel's readings into the portal's monitoring, so beam devices get plots and limits like any other device.

Each ACNET device named under [portal.devices] becomes the parameter of that name on its portal device (an array
gives the mean of its values). Readings are posted to /api/readings in batches; the channel's own heartbeat goes
to /api/heartbeats for [portal] heartbeat_device. The raw blocks are the record: when the portal is down, readings
wait in memory (at most MAX_WAITING, the oldest dropped first and counted), and a batch the portal refuses (say, a
parameter nobody defined yet) is logged with the portal's sentence and dropped, since sending it again cannot help.
"""

import json
import logging
import threading
import urllib.error
import urllib.request
from collections import deque

from ..timeutil import NS, iso

log = logging.getLogger("dcs.channel")
MAX_WAITING = 100_000
BATCH = 5_000
HEARTBEAT_EVERY_S = 10.0


class PortalFeed:
    def __init__(self, portal, status):
        self.portal, self.status = portal, status  # status(): the channel's one-line state, for its heartbeat
        self.waiting, self.retry = deque(maxlen=MAX_WAITING), []
        self.lock, self.stopping = threading.Lock(), threading.Event()
        self.sent = self.dropped = self.refused = 0
        self.up, self.last_refusal, self.thread = True, None, None

    def add(self, devices):
        rows = []
        for data in devices:
            device = self.portal.devices.get(data.name)
            if device and data.values:
                value = sum(data.values) / len(data.values)
                rows.append({"device": device, "parameter": data.name,
                             "t": iso(data.seconds * NS + data.millis * 1_000_000), "value": float(value)})
        with self.lock:
            overflow = max(0, len(self.waiting) + len(rows) - MAX_WAITING)
            self.dropped += overflow
            self.waiting.extend(rows)

    def _post(self, path, body):
        request = urllib.request.Request(self.portal.url + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "Authorization": f"Bearer {self.portal.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def _send(self, path, body):
        """True when the portal took it or refused it for good; False when it should be tried again."""
        try:
            self._post(path, body)
        except urllib.error.HTTPError as error:
            try:
                message = json.load(error).get("error", {}).get("message", "")
            except (ValueError, AttributeError):
                message = ""
            if error.code >= 500 or error.code == 429:
                return self._down(f"the portal answered {error.code}")
            if message != self.last_refusal:
                log.warning("the portal refused %s (%s): %s", path, error.code, message or error.reason)
                self.last_refusal = message
            self.refused += 1
            return True
        except (OSError, ValueError) as error:
            return self._down(str(getattr(error, "reason", error)))
        if not self.up:
            log.info("the portal at %s answers again", self.portal.url)
            self.up = True
        return True

    def _down(self, why):
        if self.up:
            log.warning("cannot send readings to the portal at %s: %s; keeping them (at most %d) until it is back",
                        self.portal.url, why, MAX_WAITING)
            self.up = False
        return False

    def flush(self):
        while True:
            with self.lock:
                batch = self.retry or [self.waiting.popleft() for _ in range(min(BATCH, len(self.waiting)))]
                self.retry = []
            if not batch:
                return
            if not self._send("/api/readings", {"readings": batch}):
                self.retry = batch
                return
            self.sent += len(batch)

    def beat(self):
        if self.portal.heartbeat_device:
            self._send("/api/heartbeats", {"device": self.portal.heartbeat_device, "status": self.status()[:200]})

    def run(self):
        since_beat = HEARTBEAT_EVERY_S
        while not self.stopping.wait(self.portal.every_s):
            since_beat += self.portal.every_s
            if since_beat >= HEARTBEAT_EVERY_S:
                self.beat()
                since_beat = 0.0
            self.flush()
        self.flush()

    def start(self):
        self.thread = threading.Thread(target=self.run, name="dcs-channel-portal", daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(15)
