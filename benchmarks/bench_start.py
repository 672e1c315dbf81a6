"""Cold start and memory of the real app: ``python -m kamtui --db BOOK`` in a pseudo-terminal.

Run from the repository root:

    python benchmarks/bench_start.py [--size 100000] [--runs 10]

How the first paint is detected
-------------------------------
Each run starts a new Python process on a pseudo-terminal (``pty.fork``; the
terminal is 120×40, ``TERM=xterm-256color``, Chinese interface, the date frozen
at the demo book's day) and reads everything the app writes. Textual writes a
frame as text with escape sequences between style changes; the Today screen's
header line (``今日 2026-11-24 · 逾期 …``) is one style, so its text appears
verbatim in the output when, and only when, a frame showing the Today screen
with its agenda loaded has been written to the terminal. The time from just
before ``fork`` to the moment that text is read is the cold start: the
interpreter, every import, opening the book, the first screen's queries and
the first frame, as a seller would see them (minus the terminal emulator's own
drawing). The process's CPU time (user + system, all threads, from
``/proc/<pid>/stat``; 10 ms ticks) at that moment is recorded too: on a busy
machine it is the steadier figure. Then ``ctrl+q`` quits the app.

The first run on a book copy is a warm-up and is not counted: it takes the
day's backup and derives the day's reminders for the first time, which a
seller pays once a day (reported as ``first of the day``). The OS file cache is
warm for the counted runs (a seller opens kamtui more than once a day).

Contacts (section 2) as the first screen: one more process per run, started with
``--open contacts``, timed to the Contacts screen's first frame (its header,
:data:`CONTACTS_MARKER`). And after Today: once Today is painted the key ``2``
is sent; the times from the process start to the first frame of the Contacts
screen and to the first frame showing the whole book's list (the header's
total, once the directory built in a worker has arrived) are measured too.

Memory: one more process; after the first paint, the app is left alone until it
has done all its start-up work (the directory, i.e. the search index, is built
in a worker, the day's reminders are derived): its CPU time stops growing for
a whole second. Then ``VmHWM`` (the peak resident set) and ``VmRSS`` are read
from ``/proc/<pid>/status``.

Imports: one more process under ``python -X importtime`` (its report goes to
the terminal too, before the first frame): which modules were imported before
the first paint, and whether any of the heavy ones that must stay off the
start-up path (:data:`HEAVY`) was among them.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as common

TODAY_MARKER = f"今日 {common.TODAY.isoformat()} · ".encode()
# The Contacts screen's header: painted at once, with the book's total once the list
# is there (the directory, built in a worker, has arrived).
CONTACTS_MARKER: bytes | None = "联系人 · 共 ".encode()


def contacts_list_marker(total: int) -> bytes:
    return f"联系人 · 共 {total:,} 位".encode()


HEAVY = ("sqlmodel", "sqlalchemy", "pypinyin", "openpyxl", "rapidfuzz", "phonenumbers")
COLS, ROWS = 120, 40


def contacts_section() -> bool:
    """True once the app has a Contacts section (key 2) and its marker is known."""
    if CONTACTS_MARKER is None:
        return False
    from kamtui.app import SECTIONS

    return any(s.name == "contacts" for s in SECTIONS)


class AppProcess:
    """The app in a pseudo-terminal; everything it writes is kept in ``self.out``."""

    def __init__(
        self, book: Path, *, python_flags: tuple[str, ...] = (), args: tuple[str, ...] = ()
    ) -> None:
        env = dict(os.environ)
        env.update(
            TERM="xterm-256color",
            COLUMNS=str(COLS),
            LINES=str(ROWS),
            KAMTUI_TODAY=common.TODAY.isoformat(),
            LANG="zh_CN.UTF-8",
            PYTHONPATH=str(common.ROOT),
        )
        env.pop("TEXTUAL", None)
        # An installed kamtui has byte-compiled modules: let the app write and use them
        # (the first, uncounted run writes them).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        argv = [sys.executable, *python_flags, "-m", "kamtui", "--lang", "zh", "--db", str(book)]
        argv += args
        self.out = bytearray()
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: size the terminal, then become the app
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
                os.chdir(common.ROOT)
                os.execve(sys.executable, argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.status: int | None = None

    def read(self, timeout: float) -> bool:
        """Read what is there (waiting up to ``timeout``); False once the app has closed it."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 1 << 16)
        except OSError:
            return False
        self.out += chunk
        return bool(chunk)

    def wait_for(self, marker: bytes, limit: float = 60.0, start: int = 0) -> float | None:
        """Seconds since the process started when ``marker`` was first read (None: never)."""
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            if self.out.find(marker, max(0, start - len(marker))) >= 0:
                return time.perf_counter() - self.started
            start = len(self.out)
            if not self.read(0.2):
                return None
        return None

    def cpu(self) -> float:
        return common.proc_cpu_seconds(self.pid)

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def wait_idle(self, quiet: float = 1.0, limit: float = 120.0) -> float:
        """Wait until the process's CPU time stops growing for ``quiet`` s; returns the wait."""
        t0 = time.perf_counter()
        last = self.cpu()
        quiet_since = time.perf_counter()
        while time.perf_counter() - t0 < limit:
            self.read(0.05)
            now_cpu = self.cpu()
            if now_cpu - last > 0.02:  # more than two ticks: still working
                last = now_cpu
                quiet_since = time.perf_counter()
            elif time.perf_counter() - quiet_since >= quiet:
                break
        return time.perf_counter() - t0

    def quit(self, limit: float = 15.0) -> int | None:
        """ctrl+q, then wait for the exit (killed after ``limit`` s)."""
        try:
            self.send(b"\x11")
        except OSError:
            pass
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.status = os.waitstatus_to_exitcode(status)
                break
            self.read(0.1)
        else:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)
        return self.status

    def tail(self, n: int = 1500) -> str:
        return bytes(self.out[-n:]).decode("utf-8", "replace")


def _painted(app: AppProcess, marker: bytes, what: str) -> float:
    took = app.wait_for(marker)
    if took is None:
        app.quit(5)
        raise RuntimeError(f"the app did not paint {what}; its last output:\n{app.tail()}")
    return took


def book_total(book: Path) -> int:
    import sqlite3

    con = sqlite3.connect(f"file:{book}?mode=ro", uri=True)
    try:
        return con.execute("SELECT count(*) FROM contact").fetchone()[0]
    finally:
        con.close()


def one_start(book: Path, *, contacts: bool = False) -> dict[str, float]:
    """One cold start: seconds and CPU seconds to Today; with ``contacts``, the key 2 is
    sent as soon as Today is painted, then the times to the Contacts screen's first
    frame and to the frame showing the whole book's list."""
    total = book_total(book) if contacts else 0
    app = AppProcess(book)
    result: dict[str, float] = {}
    try:
        result["today"] = _painted(app, TODAY_MARKER, "Today")
        result["today_cpu"] = app.cpu()
        if contacts and CONTACTS_MARKER:
            mark = len(app.out)
            sent = time.perf_counter() - app.started
            app.send(b"2")
            took = app.wait_for(CONTACTS_MARKER, start=mark)
            listed = app.wait_for(contacts_list_marker(total), start=mark)
            if took is None or listed is None:
                raise RuntimeError(f"no Contacts list after key 2:\n{app.tail()}")
            result["contacts"] = took
            result["contacts_after_key"] = took - sent
            result["contacts_list"] = listed
    finally:
        code = app.quit()
    if code not in (0, None):
        raise RuntimeError(f"the app exited with {code}:\n{app.tail()}")
    return result


def one_contacts_start(book: Path) -> dict[str, float]:
    """One cold start opening on Contacts (``kamtui --open contacts``, or the
    ``ui.start_section`` setting): seconds and CPU seconds to its first frame."""
    app = AppProcess(book, args=("--open", "contacts"))
    try:
        result = {"contacts_first": _painted(app, CONTACTS_MARKER, "Contacts")}
        result["contacts_first_cpu"] = app.cpu()
    finally:
        code = app.quit()
    if code not in (0, None):
        raise RuntimeError(f"the app exited with {code}:\n{app.tail()}")
    return result


def cold_start(book: Path, runs: int, log=print) -> dict:
    """``runs`` counted cold starts on ``book`` after one warm-up (the day's first start):
    opening on Today (then pressing 2), and opening on Contacts."""
    contacts = contacts_section()
    first = one_start(book, contacts=contacts)
    log(f"    first start of the day: {first['today'] * 1000:.0f} ms")
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        found = one_start(book, contacts=contacts)
        if contacts:
            found |= one_contacts_start(book)
        for key, value in found.items():
            samples.setdefault(key, []).append(value * 1000)
    out = {key: common.summary(values) for key, values in samples.items()}
    out["first_of_day_ms"] = first["today"] * 1000
    return out


def peak_memory(book: Path) -> dict:
    """Peak and current RSS (MB) of the app once its start-up work is done."""
    app = AppProcess(book)
    try:
        _painted(app, TODAY_MARKER, "Today")
        waited = app.wait_idle()
        status = common.proc_status(app.pid)
        cpu = app.cpu()
    finally:
        app.quit()
    return {
        "vm_hwm_mb": status.get("VmHWM", 0) / 1024,
        "vm_rss_mb": status.get("VmRSS", 0) / 1024,
        "settled_after_s": max(0.0, waited - 1.0),  # minus the quiet second that ends the wait
        "cpu_s": cpu,
    }


_IMPORT_LINE = re.compile(rb"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|( *)(\S+)")


def startup_imports(book: Path) -> dict:
    """Modules imported before the first paint (``-X importtime``) and the heavy ones among them."""
    app = AppProcess(book, python_flags=("-X", "importtime"))
    try:
        _painted(app, TODAY_MARKER, "Today")
        app.read(0.1)
    finally:
        app.quit()
    before = bytes(app.out[: app.out.find(TODAY_MARKER)])
    modules: list[tuple[str, int, int]] = []
    for m in _IMPORT_LINE.finditer(before):
        modules.append((m.group(4).decode(), int(m.group(1)), len(m.group(3))))
    total_us = sum(self_us for _, self_us, _ in modules)
    heavy = sorted({name.split(".")[0] for name, _, _ in modules if name.split(".")[0] in HEAVY})
    top = {}  # top-level packages by self time
    for name, self_us, _ in modules:
        pkg = name.split(".")[0]
        top[pkg] = top.get(pkg, 0) + self_us
    biggest = sorted(top.items(), key=lambda kv: -kv[1])[:8]
    return {
        "modules": len(modules),
        "import_ms": total_us / 1000,
        "heavy": heavy,
        "top_ms": {k: round(v / 1000, 1) for k, v in biggest},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    source = common.demo_book(args.size)
    with tempfile.TemporaryDirectory(prefix="kamtui-bench-") as tmp:
        book = common.book_copy(source, Path(tmp) / "book.db")
        print(f"{args.size:,} contacts; load average {common.load_average()}")
        res = cold_start(book, args.runs)
        for key, s in res.items():
            if isinstance(s, dict):
                print(f"  {key:<20} median {s['median']:7.0f}   p95 {s['p95']:7.0f}   (n={s['n']})")
        print(f"  imports before the first paint: {startup_imports(book)}")
        print(f"  memory: {peak_memory(book)}")


if __name__ == "__main__":
    main()
