"""Group commit: writers that arrive while another is writing hand their work to the next transaction, which
commits all of it at once. Each caller returns only when its own work is committed, so an answer still means
"stored"; hundreds of device controllers then cost a few transactions a second instead of hundreds.

A batch that fails is written again piece by piece, so one bad piece of work fails only its own caller."""

import threading


class GroupCommit:
    def __init__(self, write):
        self.write = write  # write([work, ...]) -> [result, ...], in one transaction
        self.condition = threading.Condition()
        self.pending = []
        self.busy = False

    def submit(self, work):
        ticket = _Ticket(work)
        with self.condition:
            self.pending.append(ticket)
            while self.busy and not ticket.done:
                self.condition.wait()
            if ticket.done:
                return ticket.outcome()
            self.busy = True
            batch, self.pending = self.pending, []
        try:
            self._write(batch)
        finally:
            with self.condition:
                self.busy = False
                self.condition.notify_all()
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


class _Ticket:
    __slots__ = ("work", "result", "error", "done")

    def __init__(self, work):
        self.work, self.result, self.error, self.done = work, None, None, False

    def outcome(self):
        if self.error is not None:
            raise self.error
        return self.result
