"""Group commit: writers that arrive while another is writing hand their work to the next transaction, which
commits all of it at once. Each caller returns only when its own work is committed, so an answer still means
"stored"; hundreds of device controllers then cost a few transactions a second instead of hundreds.

A batch that fails is written again piece by piece, so one bad piece of work fails only its own caller."""

import threading


class GroupCommit:
    def __init__(self, write):
        self.write = write  # write([work, ...]) -> [result, ...], in one transaction
        self.lock = threading.Lock()
        self.pending = []
        self.busy = False

    def submit(self, work):
        ticket = _Ticket(work)
        with self.lock:
            self.pending.append(ticket)
            leading = not self.busy
            self.busy = True
        if not leading:
            ticket.wake.wait()  # woken when its work is committed, or to lead the next batch
            if ticket.done:
                return ticket.outcome()
        try:
            with self.lock:
                batch, self.pending = self.pending, []
            self._write(batch)
        finally:
            with self.lock:
                if self.pending:
                    self.pending[0].wake.set()  # the first who waits writes the next batch
                else:
                    self.busy = False
        return ticket.outcome()

    def _write(self, batch):
        try:
            for ticket, result in zip(batch, self.write([t.work for t in batch]), strict=True):
                ticket.result = result
        except Exception:  # noqa: BLE001 - the batch is rolled back; find whose work it was
            for ticket in batch:
                try:
                    ticket.result = self.write([ticket.work])[0]
                except Exception as error:  # noqa: BLE001 - handed to its own caller
                    ticket.error = error
        for ticket in batch:
            ticket.done = True
            ticket.wake.set()


class _Ticket:
    __slots__ = ("work", "result", "error", "done", "wake")

    def __init__(self, work):
        self.work, self.result, self.error, self.done = work, None, None, False
        self.wake = threading.Event()

    def outcome(self):
        if self.error is not None:
            raise self.error
        return self.result
