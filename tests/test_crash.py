"""Crash safety: a process killed (SIGKILL) in the middle of a big write leaves a
sound book holding all of the change or none of it.

Each round copies a closed template book, starts a child that does the real
write (``tests/helpers_proc.py``), waits for a marker the child prints from
inside the transaction, and kills it:

* ``begin``: at once when the write transaction has begun (always mid-transaction),
* ``middle``: after a random delay (mid-way through the statements),
* ``commit``: a random moment after ``COMMIT`` starts: while the WAL is being
  written and synced, or during the checkpoint that follows a big commit, or
  once the child is done (then the whole change must be there).

``KAMTUI_CRASH_LOOPS`` (default 2) repeats the three modes; the report's
20-round figures come from ``KAMTUI_CRASH_LOOPS=7``.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from kamtui.cli import main
from kamtui.store.db import Book
from tests.helpers_proc import ROOT, child_env, fill_book, spawn_args

LOOPS = int(os.environ.get("KAMTUI_CRASH_LOOPS", "2"))
MODES = ("begin", "middle", "commit")
ARCHIVE_N = 20_000
IMPORT_N = 60_000


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    folder = tmp_path_factory.mktemp("templates")
    return {
        "archive": fill_book(folder / "archive.db", ARCHIVE_N),
        "import": fill_book(folder / "import.db", 500),
    }


def fresh_copy(template: Path, folder: Path, n: int) -> Path:
    """A private copy of a closed, checkpointed template (a test fixture, not a live book)."""
    path = folder / f"round{n}" / "book.db"
    path.parent.mkdir()
    shutil.copy(template, path)
    return path


def run_and_kill(
    args: list[str], mode: str, rnd: random.Random, middle_max: float, commit_max: float
) -> str:
    """Start the child, kill it per ``mode``; returns what it printed last
    (``@DONE …`` if it finished before the kill landed)."""
    proc = subprocess.Popen(
        args,
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(120, proc.kill)
    watchdog.start()
    want = "@COMMIT" if mode == "commit" else "@BEGIN"
    seen = []
    try:
        for line in proc.stdout:
            seen.append(line.strip())
            if line.strip() == want:
                if mode == "middle":
                    time.sleep(rnd.uniform(0, middle_max))
                elif mode == "commit":  # half the time within the WAL write itself
                    time.sleep(rnd.uniform(0, rnd.choice((0.005, commit_max))))
                os.kill(proc.pid, signal.SIGKILL)
                break
        proc.wait()
    finally:
        watchdog.cancel()
        rest = proc.stdout.read()
        proc.stdout.close()
        err = proc.stderr.read()
        proc.stderr.close()
    assert want in seen, f"the child never reached {want}: {seen} {err}"
    if proc.returncode == 0:  # it finished before the signal landed
        assert "@DONE" in rest, (rest, err)
        return "@DONE"
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, err)
    return [line for line in [*seen, *rest.splitlines()] if line.strip()][-1]


def assert_sound(path: Path, capsys) -> None:
    assert main(["--db", str(path), "check"]) == 0, capsys.readouterr()
    capsys.readouterr()


def test_kill_during_bulk_archive_is_all_or_nothing(templates, tmp_path, capsys):
    rnd = random.Random()
    outcomes = Counter()
    for n, mode in enumerate(MODES * LOOPS):
        path = fresh_copy(templates["archive"], tmp_path, n)
        last = run_and_kill(spawn_args("archive", path), mode, rnd, middle_max=0.3, commit_max=0.15)
        assert_sound(path, capsys)
        book = Book(path)
        archived = book.scalar("SELECT count(*) FROM contact WHERE archived = 1")
        actions = book.query(
            "SELECT a.label, (SELECT count(*) FROM undo_row r WHERE r.action_id = a.id) "
            "FROM undo_action a"
        )
        control = book.scalar("SELECT action_id FROM undo_control")
        book.close()
        assert control is None
        if archived == 0:
            assert actions == [], mode
            outcomes[(mode, "none")] += 1
        else:
            assert archived == ARCHIVE_N, f"{mode}: {archived} of {ARCHIVE_N} archived"
            assert actions == [(f"archive {ARCHIVE_N} contacts", ARCHIVE_N)]
            outcomes[(mode, "all")] += 1
        if mode == "begin":
            assert archived == 0  # killed inside the transaction, for sure
        if last.startswith("@DONE"):
            assert archived == ARCHIVE_N
    print("\narchive kill outcomes:", dict(outcomes))


def test_kill_during_big_import_is_all_or_nothing(templates, tmp_path, capsys):
    """The import engine's write pattern: one transaction, executemany of 60,000 rows.

    (``kamtui import`` is not on main yet; once it is, run it here the same way.)
    """
    rnd = random.Random()
    outcomes = Counter()
    for n, mode in enumerate(MODES * LOOPS):
        path = fresh_copy(templates["import"], tmp_path, n)
        last = run_and_kill(
            spawn_args("import", path, IMPORT_N), mode, rnd, middle_max=1.5, commit_max=0.3
        )
        assert_sound(path, capsys)
        book = Book(path)
        total = book.scalar("SELECT count(*) FROM contact")
        imported = book.scalar("SELECT count(*) FROM contact WHERE nickname LIKE '导入%'")
        actions = book.scalar("SELECT count(*) FROM undo_action")
        book.close()
        assert imported in (0, IMPORT_N), f"{mode}: {imported} of {IMPORT_N} imported"
        assert total == 500 + imported
        assert actions == (1 if imported else 0)
        outcomes[(mode, "all" if imported else "none")] += 1
        if mode == "begin":
            assert imported == 0
        if last.startswith("@DONE"):
            assert imported == IMPORT_N
    print("\nimport kill outcomes:", dict(outcomes))
