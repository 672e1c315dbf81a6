"""Today's agenda over a whole book: deriving the reminders, then listing them.

Run from the repository root:

    python benchmarks/bench_today.py [--size 100000] [--runs 7]

What the Today screen does when the app starts, on a copy of the cached demo book:

* refresh: ``followup.refresh`` (derive the automatic reminders, create the new
  ones, retire the stale ones) as on the first start of a day (the last run is
  set back to yesterday before each run, and 300 contacts are noted as changed
  since, as a day's work would: a commit, so the refresh never takes its
  "nothing changed since" shortcut), with nothing cached in the process (it
  reads no classification: the dormant rule counts the purchase days it needs).
  It runs in a worker thread in the app, which then classifies the book for the
  list's badges (``bench_classify.py`` times that).
* agenda: ``followup.agenda`` with the classification at hand (every open
  reminder up to the agenda's horizon, with names, reasons, stages and tiers),
  what ``kamtui today`` prints;
* view: what the Today screen does on the UI thread when it shows the list:
  ``followup.agenda_view`` (the order and counts) and the first 40 items.

The first refresh of a book (a new book, or one never opened in the app) is
timed once apart: it derives every reminder the data calls for.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as common


def _forget(book) -> None:
    from kamtui import classify

    classify.forget(book)
    classify._GAP_MEMO.clear()


DAY_OF_CHANGES = 300  # contacts a day's work touches (sales, chats, edits), noted as changed


def _set_last_run(book, day) -> None:
    """As if the last refresh ran on ``day`` and a day's work followed: the
    buyers' kept purchase days are of that day, and ``DAY_OF_CHANGES`` contacts
    (spread over the book) are noted as changed since."""
    from kamtui import followup, settings

    with book.transaction() as con:
        ahead = settings.get(book, "agenda.days_ahead")
        for key, value in (
            (followup._LAST_RUN_KEY, day),
            (followup._FACTS_KEY, day),
            (followup._WINDOW_KEY, day + timedelta(days=ahead)),
        ):
            con.execute(
                'INSERT INTO setting ("key", value) VALUES (?, ?) '
                'ON CONFLICT ("key") DO UPDATE SET value = excluded.value',
                (key, json.dumps(value.isoformat())),
            )
        top = con.execute("SELECT max(id) FROM contact").fetchone()[0]
        step = max(1, top // DAY_OF_CHANGES)
        con.executemany(
            "INSERT INTO followup_change (contact_id) VALUES (?)",
            [(cid,) for cid in range(1, top + 1, step)][:DAY_OF_CHANGES],
        )


def run(source: Path, runs: int, folder: Path) -> dict:
    from kamtui import classify, clock, followup, i18n
    from kamtui.store.db import Book

    clock.freeze(common.TODAY)
    i18n.set_language("zh")
    today = common.TODAY
    book = Book(common.book_copy(source, folder / "today.db"))
    try:
        wall, cpu, report = common.timed(lambda: followup.refresh(book, today))
        out: dict = {
            "first_refresh_ms": wall * 1000,
            "first_refresh_cpu_ms": cpu * 1000,
            "created": report.created,
        }

        def before() -> None:
            _set_last_run(book, today - timedelta(days=1))
            _forget(book)

        out["refresh_wall_ms"], out["refresh_cpu_ms"] = common.repeat_ms(
            lambda: followup.refresh(book, today), runs, before
        )
        cls = classify.classify_all(book, today)
        out["agenda_wall_ms"], out["agenda_cpu_ms"] = common.repeat_ms(
            lambda: followup.agenda(book, today, classification=cls), runs
        )
        out["agenda_items"] = len(followup.agenda(book, today, classification=cls).items)

        def first_screen() -> None:  # what the Today screen does: the order, 40 rows
            view = followup.agenda_view(book, today, classification=cls)
            for i in range(min(40, len(view))):
                view.item(i)

        out["view_wall_ms"], out["view_cpu_ms"] = common.repeat_ms(first_screen, runs)
    finally:
        book.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kamtui-bench-") as tmp:
        res = run(common.demo_book(args.size), args.runs, Path(tmp))
    print(f"{args.size:,} contacts; load {common.load_average()}")
    print(f"  first refresh: {res['first_refresh_ms']:.0f} ms ({res['created']} reminders made)")
    for key in ("refresh_wall_ms", "refresh_cpu_ms", "agenda_wall_ms", "view_wall_ms"):
        s = common.summary(res[key])
        print(f"  {key:<16} median {s['median']:7.1f}   p95 {s['p95']:7.1f}")
    print(f"  agenda items: {res['agenda_items']:,}")


if __name__ == "__main__":
    main()
