"""How long the clean-up rules take over a whole book of 100,000 contacts.

Run from the repository root:

    python benchmarks/bench_cleanup.py [--size 100000] [--runs 10] [--digest]

The book is the demo generator's (``kamtui.demo.build_demo``, seed 2026, today
2026-11-24). Building 100,000 contacts takes about ten seconds, so the built
book is kept in ``benchmarks/.cache/`` and copied for each run of this script.

What is measured (``kamtui.cleanup.review``: every rule over the whole book,
the queue ordered and grouped, the account summaries), wall and CPU time:

* first: the first review in a fresh process, with no saved identity analysis
  (loads pypinyin's character table and rapidfuzz once, fills the sound table for
  the characters met, reads and matches every contact); "save" is how long the
  analysis then takes to be saved in the book, in another thread, after the
  review is made (wall ms from the review's end, not in the review's time);
* cold: the first review in a fresh process, with the analysis a previous process
  saved (the app's usual case: the seller opens kamtui and presses 3);
* cold after edits: the same after ~300 contacts were edited since (a remark
  changed): the saved analysis is stale, so the review makes it again;
* recompute: a review with nothing remembered in the process nor saved
  (``forget_cache`` and the saved row deleted), in the process of the rows below;
* warm: a review while no contact changed (decisions, Moments entries and
  purchases do not count: the flag rules always run);
* after keep / after archive: a review after keeping, then archiving, one
  candidate from the clean-up (archives made there update what is remembered).

The budget is 300 ms at 100,000 contacts, first and cold included. Each line
gives the median and the 95th percentile over ``--runs`` runs (the first review
in as many fresh processes), wall and CPU (every thread of the process). The
machine's load is printed before and after: on a busy two-core machine the
second thread that runs the flag rules gains little, and wall time follows the
load. ``--digest`` prints a digest of the whole review (every candidate with its
reasons, partner and evidence in both languages, the account summaries), to
show that a change leaves the result alone.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as common

TODAY = common.TODAY


def timed(fn):
    """fn's answer, wall ms, CPU ms of every thread, CPU ms of this thread."""
    wall, cpu, main = time.perf_counter(), time.process_time(), time.thread_time()
    result = fn()
    return (
        result,
        (time.perf_counter() - wall) * 1000,
        (time.process_time() - cpu) * 1000,
        (time.thread_time() - main) * 1000,
    )


def digest(found) -> str:
    """A digest of everything the review shows (see the module doc)."""
    h = hashlib.sha256()
    for c in (*found.candidates, *found.marked):
        evidence = [(e.text("en"), e.text("zh")) for e in c.evidence]
        row = (c.contact_id, c.account_id, c.name, c.reasons, c.partner_id, c.marked, evidence)
        h.update(json.dumps(row, ensure_ascii=False).encode())
    for a in found.accounts:
        h.update(json.dumps(a.as_dict(), ensure_ascii=False, sort_keys=True).encode())
    h.update(str(found.kept).encode())
    return h.hexdigest()[:16]


def cold_runs(book, runs: int, today: date = TODAY) -> dict:
    """The first review in the process, then ``runs`` reviews with nothing remembered
    (``forget_cache``) and ``runs`` warm ones: ms of wall and CPU, and the queue's size."""
    from kamtui import cleanup

    found, first_wall, first_cpu, _main = timed(lambda: cleanup.review(book, today))

    def before() -> None:
        cleanup.wait_saved(book)  # (the last review's analysis saved: not timed)
        cleanup.forget_cache(book)

    wall, cpu = common.repeat_ms(lambda: cleanup.review(book, today), runs, before)
    cleanup.wait_saved(book)
    warm_wall, warm_cpu = common.repeat_ms(lambda: cleanup.review(book, today), runs)
    return {
        "first_wall_ms": first_wall,
        "first_cpu_ms": first_cpu,
        "wall_ms": wall,
        "cpu_ms": cpu,
        "warm_wall_ms": warm_wall,
        "warm_cpu_ms": warm_cpu,
        "candidates": len(found.candidates),
    }


def first_review(path: str) -> None:
    """In a fresh process: the first review (what a seller waits for on opening it),
    then how long its analysis takes to be saved (if it made one)."""
    from kamtui import clock

    clock.freeze(TODAY)
    from kamtui import cleanup
    from kamtui.store.db import Book

    book = Book(Path(path))
    _, wall, cpu, main = timed(lambda: cleanup.review(book, TODAY))
    start = time.perf_counter()
    cleanup.wait_saved(book)
    saved = (time.perf_counter() - start) * 1000
    book.close()
    print(json.dumps([wall, cpu, main, saved]))


def forget_saved(path: Path) -> None:
    """Delete the identity analysis saved in the book (the next process makes it)."""
    con = sqlite3.connect(path)
    with con:
        con.execute("DELETE FROM cleanup_identity")
    con.close()


def edit_contacts(path: Path, run: int, count: int = 300) -> None:
    """A day's edits: ``count`` contacts spread over the book get a new remark."""
    from kamtui.store.rows import now_text

    con = sqlite3.connect(path)
    with con:
        top = con.execute("SELECT max(id) FROM contact").fetchone()[0]
        ids = [1 + (k * top // count + run * 7) % top for k in range(count)]
        con.executemany(
            "UPDATE contact SET remark = iif(remark != '', remark, nickname) || ?, "
            "updated_at = ? WHERE id = ?",
            [(f" {'abcdefghij'[run % 10]}", now_text(), cid) for cid in ids],
        )
    con.close()


def check_brought_up_to_date(path: Path) -> None:
    """The saved analysis brought up to date with ~300 edits gives the review made
    from scratch (else this exits)."""
    from kamtui import cleanup
    from kamtui.store.db import Book

    made = []
    scan_and_match = cleanup._scan_and_match
    cleanup._scan_and_match = lambda *a, **k: made.append(1) or scan_and_match(*a, **k)
    book = Book(path)
    try:
        brought = digest(cleanup.review(book, TODAY))
        cleanup.wait_saved(book)
        if made:
            raise SystemExit("the saved analysis was not brought up to date: made again")
        cleanup.forget_cache(book)  # (and the saved one ignored)
        scratch = digest(cleanup.review(book, TODAY))
        cleanup.wait_saved(book)
    finally:
        cleanup._scan_and_match = scan_and_match
        cleanup.forget_cache(book)
        book.close()
    if brought != scratch:
        raise SystemExit(f"brought up to date {brought} != made from scratch {scratch}")
    print(f"after edits: brought up to date = made from scratch ({brought})")


def new_process_runs(path: Path, folder: Path, runs: int) -> dict[str, list[tuple]]:
    """The first review in a new process on the book at ``path`` (closed), ``runs``
    times each: with nothing saved ("first", which saves its analysis; "save
    (after)" is that save's ms), with the analysis a previous process saved
    ("cold"), and after ~300 contacts were edited since ("cold after edits").
    (wall, CPU, calling thread) ms per run; the book is as it was afterwards."""
    results: dict[str, list[tuple[float, ...]]] = {}

    def in_new_process(label: str) -> None:
        out = subprocess.run(
            [sys.executable, __file__, "--first-review", str(path)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        wall, cpu, main, saved = json.loads(out.splitlines()[-1])
        results.setdefault(label, []).append((wall, cpu, main))
        if label == "first":
            results.setdefault("save (after)", []).append((saved, 0.0, 0.0))

    for _ in range(runs):
        forget_saved(path)
        in_new_process("first")  # saves its analysis for the next
    for _ in range(runs):
        in_new_process("cold")
    copy = folder / "edited.db"
    shutil.copy(path, copy)  # the edits go to a copy: the rows below read the book
    for run in range(runs):
        edit_contacts(path, run)
        in_new_process("cold after edits")
    edit_contacts(path, runs)
    check_brought_up_to_date(path)
    shutil.copy(copy, path)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return results


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--digest", action="store_true", help="print a digest of the review")
    parser.add_argument("--first-review", metavar="BOOK", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.first_review:
        first_review(args.first_review)
        return

    from kamtui import clock

    clock.freeze(TODAY)
    source = common.demo_book(args.size)
    folder = Path(tempfile.mkdtemp(prefix="kamtui-bench-"))
    load_before = os.getloadavg()
    try:
        path = folder / "book.db"
        shutil.copy(source, path)
        os.chmod(path, 0o600)
        from kamtui.store.db import Book

        book = Book(path)  # migrates a cached book built by an older schema
        book.close()
        results = new_process_runs(path, folder, args.runs)

        book = Book(path)
        from kamtui import cleanup

        def record(label: str, fn):
            result, wall, cpu, main = timed(fn)
            results.setdefault(label, []).append((wall, cpu, main))
            return result

        # The saved analysis, loaded, must give what is made from scratch.
        cleanup.forget_cache(book)
        loaded = cleanup.review(book, TODAY)
        for _ in range(args.runs):
            cleanup.forget_cache(book)
            forget_saved(path)
            found = record("recompute", lambda: cleanup.review(book, TODAY))
            cleanup.wait_saved(book)
        if digest(loaded) != digest(found):
            raise SystemExit(f"loaded {digest(loaded)} != made {digest(found)}")
        if args.digest:
            print(f"digest of the review: {digest(found)} (made and loaded)")
        for _ in range(args.runs):
            found = record("warm", lambda: cleanup.review(book, TODAY))
        for n in range(args.runs):
            cleanup.keep(book, [found.candidates[n]])
            found = record("after keep", lambda: cleanup.review(book, TODAY))
            cleanup.archive(book, [found.candidates[n]])
            found = record("after archive", lambda: cleanup.review(book, TODAY))
        book.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    counts = found.counts()
    print(f"\n{args.size:,} contacts: {len(found.candidates):,} candidates {counts}")
    load_after = os.getloadavg()
    print(
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after"
        f" (5 min: {load_after[1]:.2f}) on {os.cpu_count()} CPUs\n"
    )
    print(
        "CPU: every thread of the process; main: the thread that called review (what"
        "\nthe wall time would be with a core free for the threads that read)\n"
    )
    head = f"{'review':<16} {'runs':>4} {'wall ms (median / p95)':>24}"
    print(f"{head} {'cpu ms (median / p95)':>24} {'main ms (median / p95)':>24}")
    order = ["first", "save (after)", "cold", "cold after edits", "recompute"]
    for label, samples in sorted(
        results.items(),
        key=lambda r: (r[0] not in order, order.index(r[0]) if r[0] in order else 0),
    ):
        cols = [[sample[k] for sample in samples] for k in range(3)]
        print(
            f"{label:<16} {len(samples):>4}"
            + "".join(f" {statistics.median(c):>11.0f} / {p95(c):<10.0f}" for c in cols)
        )


if __name__ == "__main__":
    main()
