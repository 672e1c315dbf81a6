"""How long the clean-up rules take over a whole book of 100,000 contacts.

Run from the repository root:

    python benchmarks/bench_cleanup.py [--size 100000] [--runs 5]

The book is the demo generator's (``kamtui.demo.build_demo``, seed 2026, today
2026-11-24). Building 100,000 contacts takes about ten seconds, so the built
book is kept in ``benchmarks/.cache/`` (``_common.demo_book``) and copied for
each run of this script. ``benchmarks/run.py`` calls :func:`cold_runs`.

What is measured (``kamtui.cleanup.review``: every rule over the whole book,
the queue ordered and grouped, the account summaries), wall and CPU time:

* first: the first review in the process (loads pypinyin's character table and
  rapidfuzz once, fills the sound table for the characters met);
* cold: a review with nothing remembered (``forget_cache``): what a review
  costs after a contact changed elsewhere (an edit, an import, a merge);
* warm: a review while no contact changed (decisions, Moments entries and
  purchases do not count: the flag rules always run);
* after keep / after archive: a review after keeping, then archiving, one
  candidate from the clean-up (archives made there update what is remembered).

The budget is 300 ms at 100,000 contacts. The machine's load is printed: on a
busy two-core machine the second thread that runs the flag rules gains little.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as common

TODAY = common.TODAY


def timed(fn):
    wall, cpu, result = common.timed(fn)
    return result, wall * 1000, cpu * 1000


def cold_runs(book, runs: int, today: date = TODAY) -> dict:
    """The first review in the process, then ``runs`` reviews with nothing remembered
    (``forget_cache``) and ``runs`` warm ones: ms of wall and CPU, and the queue's size."""
    from kamtui import cleanup

    found, first_wall, first_cpu = timed(lambda: cleanup.review(book, today))

    def before() -> None:
        cleanup.forget_cache(book)

    wall, cpu = common.repeat_ms(lambda: cleanup.review(book, today), runs, before)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from kamtui import clock

    clock.freeze(TODAY)
    source = common.demo_book(args.size)
    folder = Path(tempfile.mkdtemp(prefix="kamtui-bench-"))
    try:
        book = common.open_copy(source, folder / "book.db")
        from kamtui import cleanup

        results: dict[str, list[tuple[float, float]]] = {}

        def record(label: str, fn):
            result, wall, cpu = timed(fn)
            results.setdefault(label, []).append((wall, cpu))
            return result

        found = record("first", lambda: cleanup.review(book, TODAY))
        for _ in range(args.runs):
            cleanup.forget_cache(book)
            record("cold", lambda: cleanup.review(book, TODAY))
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
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs\n")
    print(f"{'review':<14} {'wall ms (min / median)':>24} {'cpu ms (min / median)':>24}")
    for label, samples in results.items():
        walls, cpus = [w for w, _ in samples], [c for _, c in samples]
        print(
            f"{label:<14} {min(walls):>11.0f} / {statistics.median(walls):<10.0f}"
            f" {min(cpus):>11.0f} / {statistics.median(cpus):<10.0f}"
        )


if __name__ == "__main__":
    main()
