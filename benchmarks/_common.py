"""What every kamtui benchmark shares: the cached demo books, statistics, timing, machine facts.

* :func:`demo_book` builds a book with ``kamtui.demo.build_demo`` once and keeps it
  in ``benchmarks/.cache/`` (git-ignored), keyed by size, seed, schema version and
  a hash of the generator's code (the demo generator, the search keys it stores,
  the schema steps): a change to any of them builds a new book, and older books
  of the same size and seed are deleted. 100,000 contacts take ~9 s to build.
* :func:`book_copy` copies a cached book with SQLite's backup API (benchmarks that
  write, or open the book in the app, work on a copy; the cached file is never
  opened for writing).
* :func:`summary` gives median / p95 / min / max of repeated timings.
"""

from __future__ import annotations

import hashlib
import os
import platform
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TODAY = date(2026, 11, 24)  # the demo books' day; benchmark processes freeze it
SEED = 2026
CACHE_DIR = ROOT / "benchmarks" / ".cache"
RESULTS_DIR = ROOT / "benchmarks" / "results"

# What the cached books depend on, besides size and seed.
_GENERATOR_SOURCES = ("kamtui/demo.py", "kamtui/searchkey.py", "kamtui/store/migrations")


# ---- statistics --------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank on the sorted values)."""
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(values: list[float]) -> dict[str, float]:
    """Median, p95, min, max and count of ``values`` (kept in their unit)."""
    if not values:
        return {"median": float("nan"), "p95": float("nan"), "min": float("nan"),
                "max": float("nan"), "n": 0}  # fmt: skip
    return {
        "median": statistics.median(values),
        "p95": pct(values, 95),
        "min": min(values),
        "max": max(values),
        "n": len(values),
    }


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall seconds, process CPU seconds, result) of ``fn()``."""
    w, c = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - w, time.process_time() - c, result


def repeat_ms(fn: Callable[[], Any], runs: int, before: Callable[[], Any] | None = None):
    """Wall and CPU milliseconds of ``runs`` calls of ``fn`` (``before`` untimed each time)."""
    wall, cpu = [], []
    for _ in range(runs):
        if before is not None:
            before()
        w, c, _ = timed(fn)
        wall.append(w * 1000)
        cpu.append(c * 1000)
    return wall, cpu


# ---- the machine --------------------------------------------------------------------


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def machine_info() -> dict[str, Any]:
    import textual

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "textual": textual.__version__,
        "platform": platform.platform(),
        "load": load_average(),
    }


# ---- books ------------------------------------------------------------------------


def generator_hash() -> str:
    """A short hash of the code the cached books depend on."""
    h = hashlib.sha256()
    for name in _GENERATOR_SOURCES:
        path = ROOT / name
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for f in files:
            h.update(str(f.relative_to(ROOT)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:10]


def schema_version() -> int:
    from kamtui.store import migrations

    return migrations.latest()


def demo_book(
    size: int,
    seed: int = SEED,
    cache: Path | None = None,
    log: Callable[[str], None] = print,
) -> Path:
    """The demo book of ``size`` contacts (seed ``seed``, today :data:`TODAY`), cached."""
    from kamtui.demo import build_demo
    from kamtui.store.db import Book

    cache = Path(cache or CACHE_DIR)
    cache.mkdir(parents=True, exist_ok=True)
    stem = f"demo-{size}-s{seed}"
    path = cache / f"{stem}-v{schema_version()}-{generator_hash()}.db"
    if path.exists():
        return path
    for old in cache.glob(f"{stem}-v*.db"):  # built by older code
        old.unlink(missing_ok=True)
    log(f"building the demo book: {size:,} contacts, seed {seed} -> {path.name}")
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    book = Book(tmp)
    try:
        build_demo(book, size=size, seed=seed, today=TODAY)
    finally:
        book.close()
    con = sqlite3.connect(tmp)  # every connection of the Book closed: one self-contained file
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.execute("PRAGMA journal_mode = DELETE")
    finally:
        con.close()
    os.replace(tmp, path)
    log(f"  built in {time.perf_counter() - started:.1f} s")
    return path


def book_copy(source: Path, dest: Path) -> Path:
    """A private copy of ``source`` at ``dest`` through SQLite's backup API."""
    from kamtui.store.backup import copy_database

    dest = Path(dest)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dest}{suffix}").unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        copy_database(src, dest, verify=False)
    finally:
        src.close()
    return dest


def open_copy(source: Path, dest: Path):
    """A :class:`~kamtui.store.db.Book` on a fresh copy of ``source``."""
    from kamtui.store.db import Book

    return Book(book_copy(source, dest))


# ---- processes ----------------------------------------------------------------------


def proc_status(pid: int | str = "self") -> dict[str, int]:
    """The memory lines of ``/proc/<pid>/status`` in kB (VmRSS, VmHWM, …)."""
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Vm"):
                    key, value = line.split(":", 1)
                    out[key] = int(value.split()[0])
    except (OSError, ValueError):
        pass
    return out


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (its threads included)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
