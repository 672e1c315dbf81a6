"""Sharing a big import's work with a forked helper process, chunk by chunk.

The work is cut into chunks ``0 .. count-1`` whose results do not depend on
each other. This process takes them from the first on; a forked child computes
them from the last one backwards and sends each result (pickled) through a pipe,
which a thread here reads as it comes (so the child never waits on a full pipe).
Where the two meet, the child is stopped (killed: it only computes): the two
cores share the work whatever each one's speed, and this process never waits for
the child. The child only computes (it never touches the
book, and leaves with ``os._exit``); if anything goes wrong with it, this process
simply computes the missing chunks itself, so the results are the same either way.

Only where forking is plain and safe (:func:`can_fork`): Linux, one thread (the
command line; the app, with its worker threads, does all the work itself).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import struct
import sys
import threading
from collections.abc import Callable
from typing import Any

_HEAD = struct.Struct("<II")  # chunk number, size of the pickled result


def can_fork() -> bool:
    """Linux and a single thread: a forked child is an exact copy that can compute."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


class FromBothEnds:
    """``work(chunk)`` for chunks ``0 .. count-1``, shared with a forked child.

    Call :meth:`theirs` for each chunk in order: it returns the child's result, or
    ``None`` when this process must compute the chunk itself. Always :meth:`close`
    (also on errors): it stops and reaps the child and joins the reader thread.
    """

    def __init__(self, count: int, work: Callable[[int], Any]):
        self.count = count
        self.pid = 0
        self.stop_fd = -1
        self.reader: threading.Thread | None = None
        self.inbox: list[tuple[int, bytes]] = []  # (chunk, pickled result) from the reader
        self.done: dict[int, bytes] = {}  # chunk -> pickled result of the child
        self.lowest = count  # the lowest chunk received (the child sends them going down)
        self.met = False
        if count > 1:
            self._fork(work)

    def _fork(self, work: Callable[[int], Any]) -> None:
        data_r, data_w = os.pipe()
        stop_r, stop_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: compute, send, leave without running any cleanup
            status = 1
            try:
                os.close(data_r)
                os.close(stop_w)
                _child(work, self.count, data_w, stop_r)
                status = 0
            finally:
                os._exit(status)
        os.close(data_w)
        os.close(stop_r)
        self.pid, self.stop_fd = pid, stop_w
        self.reader = threading.Thread(
            target=self._read, args=(data_r,), name="import-helper", daemon=True
        )
        self.reader.start()

    def _read(self, fd: int) -> None:
        """The reader thread: every whole message of the child into ``inbox``."""
        with os.fdopen(fd, "rb") as f:
            while True:
                head = f.read(_HEAD.size)
                if len(head) < _HEAD.size:
                    return
                chunk, size = _HEAD.unpack(head)
                data = f.read(size)
                if len(data) < size:
                    return
                self.inbox.append((chunk, data))  # one append: safe across threads

    def _take_inbox(self) -> None:
        while self.inbox:
            chunk, data = self.inbox.pop(0)
            if 0 <= chunk < self.count:
                self.done[chunk] = data
                self.lowest = min(self.lowest, chunk)

    def theirs(self, chunk: int) -> Any:
        """The child's result for ``chunk`` (asked in increasing order), or None."""
        if not self.pid and not self.done:
            return None
        if not self.met:
            self._take_inbox()
            if chunk in self.done or self.lowest <= chunk + 1:
                # We met: the child has sent everything after this chunk (and is on this
                # one, or done with it). Nothing more is needed from it: it is stopped
                # at once, never waited for (on a busy machine its current chunk could
                # take long); what it sent is still read to the end of the pipe.
                self.met = True
                self._finish()
                self._take_inbox()
        data = self.done.pop(chunk, None)
        if data is None:
            return None
        try:
            return pickle.loads(data)
        except Exception:  # a damaged message: compute the chunk here
            return None

    def _finish(self) -> None:
        if self.stop_fd >= 0:
            os.close(self.stop_fd)
            self.stop_fd = -1
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)  # it only computes: nothing to clean up
            os.waitpid(self.pid, 0)
            self.pid = 0
        if self.reader is not None:
            self.reader.join()
            self.reader = None

    def close(self) -> None:
        """Stop and reap the child, join the reader; forget what was not used."""
        self._finish()
        self.inbox.clear()
        self.done.clear()


def _child(work: Callable[[int], Any], count: int, out: int, stop: int) -> None:
    """In the helper process: each chunk's result, the last first, until told to stop
    (the end of the ``stop`` pipe; :meth:`FromBothEnds.close` also kills it)."""
    with os.fdopen(out, "wb") as f:
        for chunk in range(count - 1, -1, -1):
            if select.select([stop], [], [], 0)[0]:
                return
            data = pickle.dumps(work(chunk), protocol=pickle.HIGHEST_PROTOCOL)
            try:
                f.write(_HEAD.pack(chunk, len(data)))
                f.write(data)
                f.flush()
            except BrokenPipeError:
                return
