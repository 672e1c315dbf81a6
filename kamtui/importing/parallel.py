"""Sharing a big import's work with a forked helper process, chunk by chunk.

The work is cut into chunks ``0 .. count-1`` whose results do not depend on
each other. This process takes them from the first on; a forked child computes
them from the last one backwards. The child writes each result (pickled) into an
anonymous in-memory file (``memfd``) the two share, and says where it is with a
short message on a pipe (the pipe never fills, so the child never waits). This
process looks at the pipe, without waiting, only when it asks for a chunk: no
thread here competes with it for the interpreter, which on a busy machine made
each result cost tens of milliseconds of waiting.

Where the two meet, the child is stopped (killed: it only computes) and what it
already sent is used: the two cores share the work whatever each one's speed,
and this process never waits for the child. The child never touches the book and
leaves with ``os._exit``; if anything goes wrong with it, this process simply
computes the missing chunks itself, so the results are the same either way.

Work this process needs only later (it has something else to do first) is better
done from the first chunk on (``ahead=True``): the child is then ahead of this
process when it starts taking chunks, and stays ahead if it is the quicker, so
that this process computes none; the first time this process has to compute a
chunk itself (it caught up with the child), it says so in the shared file and
the child goes on from the last chunk backwards, as above.

Only where forking is plain and safe (:func:`can_fork`): Linux, one thread (the
command line; the app, with its worker threads, does all the work itself).
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import struct
import sys
import threading
from collections.abc import Callable
from typing import Any

# Chunk number, offset and size of its pickled result, 1 if the child was going backwards.
_MESSAGE = struct.Struct("<IQIB")
# The shared file's first bytes: byte 0 is set by this process when it has computed a
# chunk itself (it caught up with a child working ahead); results are written after.
_HEADER = 8


def can_fork() -> bool:
    """Linux and a single thread: a forked child is an exact copy that can compute."""
    return (
        sys.platform.startswith("linux")
        and hasattr(os, "memfd_create")
        and threading.active_count() == 1
    )


class FromBothEnds:
    """``work(chunk)`` for chunks ``0 .. count-1``, shared with a forked child.

    Call :meth:`theirs` for each chunk in order: it returns the child's result, or
    ``None`` when this process must compute the chunk itself. Always :meth:`close`
    (also on errors): it stops and reaps the child and closes the shared file.
    ``ahead``: the child starts with the first chunk (see the module's doc).
    """

    def __init__(self, count: int, work: Callable[[int], Any], *, ahead: bool = False):
        self.count = count
        self.ahead = ahead
        self.caught_up = False  # this process computed a chunk the child had not sent
        self.pid = 0
        self.pipe = -1  # the read end of the child's messages
        self.file = -1  # the shared in-memory file of results
        self.pending = b""  # the start of a message not read whole yet
        self.done: dict[int, tuple[int, int]] = {}  # chunk -> (offset, size) in the file
        self.lowest = count  # the lowest chunk the child sent going down
        self.met = False
        if count > 1:
            try:
                self._fork(work)
            except OSError:  # no memory, too many processes...: all the work here
                self.close()

    def _fork(self, work: Callable[[int], Any]) -> None:
        self.file = os.memfd_create("kamtui-import", os.MFD_CLOEXEC)
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            raise
        if pid == 0:  # the child: compute, send, leave without running any cleanup
            status = 1
            try:
                os.close(read_end)
                _child(work, self.count, self.file, write_end, self.ahead)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        os.set_blocking(read_end, False)
        self.pid, self.pipe = pid, read_end

    def _receive(self) -> None:
        """Every whole message on the pipe now (without waiting)."""
        if self.pipe < 0:
            return
        data = self.pending
        while True:
            try:
                got = os.read(self.pipe, 65536)
            except BlockingIOError:
                break
            if not got:  # the child is gone
                os.close(self.pipe)
                self.pipe = -1
                break
            data += got
        size = _MESSAGE.size
        whole = len(data) - len(data) % size
        for start in range(0, whole, size):
            chunk, offset, length, down = _MESSAGE.unpack_from(data, start)
            if 0 <= chunk < self.count:
                self.done[chunk] = (offset, length)
                if down:
                    self.lowest = min(self.lowest, chunk)
        self.pending = data[whole:]

    def theirs(self, chunk: int) -> Any:
        """The child's result for ``chunk`` (asked in increasing order), or None."""
        if self.file < 0:
            return None
        if not self.met:
            self._receive()
            if self.lowest <= chunk + 1:
                # We met: the child has sent everything after this chunk (and is on
                # this one, or done with it). Nothing more is needed from it: it is
                # stopped at once, never waited for; what it sent is read to the end.
                self.met = True
                self._stop()
                self._receive()
        where = self.done.pop(chunk, None)
        if where is None:
            if self.ahead and not self.caught_up and not self.met:
                # This process computes this chunk: a child working ahead now goes on
                # from the last chunk backwards instead (it reads this before each chunk).
                self.caught_up = True
                with contextlib.suppress(OSError):
                    os.pwrite(self.file, b"\x01", 0)
            return None
        offset, length = where
        try:
            data = os.pread(self.file, length, offset)
            return pickle.loads(data) if len(data) == length else None
        except Exception:  # a damaged result: compute the chunk here
            return None

    def _stop(self) -> None:
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)  # it only computes: nothing to clean up
            os.waitpid(self.pid, 0)
            self.pid = 0

    def close(self) -> None:
        """Stop and reap the child; close the pipe and the shared file."""
        self._stop()
        for fd in (self.pipe, self.file):
            if fd >= 0:
                os.close(fd)
        self.pipe = self.file = -1
        self.done.clear()


#: The helper's niceness. On a free core it makes no difference; on a busy machine
#: (where this process's share of the CPU does not grow with its number of processes)
#: the helper takes what this process leaves instead of taking turns with it: the
#: import is then about as fast as without a helper, not slower.
HELPER_NICE = 10


def _child(work: Callable[[int], Any], count: int, file: int, pipe: int, ahead: bool) -> None:
    """In the helper process: each chunk's result, the last first, until killed (or
    until this process has gone: the pipe is broken). ``ahead``: from the first chunk
    on while this process has not caught up, then from the last one backwards."""
    # No cyclic garbage collection: a collection walks (and so writes to, copying them
    # from the parent) every object the child shares with this process; a full one
    # took ~0.2 s in the middle of the search keys' helper. It leaves with os._exit.
    gc.disable()
    with contextlib.suppress(OSError):
        os.nice(HELPER_NICE)
    offset = _HEADER
    first = 0
    if ahead:
        while first < count and os.pread(file, 1, 0) != b"\x01":
            offset = _send(work, first, False, file, pipe, offset)
            if offset < 0:
                return
            first += 1
    for chunk in range(count - 1, first - 1, -1):
        offset = _send(work, chunk, True, file, pipe, offset)
        if offset < 0:
            return


def _send(work: Callable[[int], Any], chunk: int, down: bool, file: int, pipe: int, offset: int):
    """In the helper process: ``work(chunk)`` written at ``offset`` and told; the next
    offset, or -1 if this process has gone."""
    data = pickle.dumps(work(chunk), protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(data)
    written = 0
    while written < len(data):
        written += os.pwrite(file, view[written:], offset + written)
    try:
        os.write(pipe, _MESSAGE.pack(chunk, offset, len(data), down))  # atomic: 17 bytes
    except BrokenPipeError:
        return -1
    return offset + len(data)
