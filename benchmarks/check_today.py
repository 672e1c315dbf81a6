"""Check the Today refresh that reads only what changed against one reading everything.

Run from the repository root:

    python benchmarks/check_today.py [--size 100000] [--days 12]

Two copies of the cached demo book go through the same days: each day a
refresh (horizons of 0 to 14 days, days skipped as a seller away would), then
a few hundred of a seller's edits on random contacts (sales dated in the past,
conversations, birthdays, archives, credit sales, needs, referrals, dismissed
reminders), the same on both. One copy refreshes as the app does (what changed
since its last run, ``followup_change``); on the other, the kept purchase days
are forgotten before each refresh, so it reads the whole book. After each
refresh the two books' automatic reminders (keys, status, due days, data) must
be the same. Exits 1 at the first day they differ, printing what differs.
(``tests/test_followup_changes.py`` does the same on the 600-contact demo book.)
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as common

SQL = (
    "SELECT auto_key, status, due_on, data FROM reminder "
    "WHERE auto_key IS NOT NULL ORDER BY auto_key"
)


def _edit(book, rng: random.Random, day, top: int) -> None:
    from kamtui import contacts, interactions, purchases, referrals, reminders, snippets
    from kamtui.errors import KamtuiError

    for _ in range(120):
        cid, what = rng.randint(1, top), rng.randrange(8)
        ago = timedelta(days=rng.randint(0, 60))
        soon = day + timedelta(days=rng.randint(-5, 12))
        try:
            if what == 0:
                item = rng.choice(["面膜", "玫瑰精华"])
                purchases.record_purchase(book, cid, item, "99", bought_on=day - ago)
            elif what == 1:
                interactions.log_interaction(book, cid, "chat", "", day - ago)
            elif what == 2:
                contacts.update_contact(book, cid, birthday=f"{soon.month:02d}-{soon.day:02d}")
            elif what == 3:
                contacts.archive_contacts(book, [cid])
            elif what == 4:
                purchases.record_purchase(
                    book, cid, "面膜", "120", bought_on=day - timedelta(days=40), credit=True,
                    due_on=soon,
                )  # fmt: skip
            elif what == 5:
                snippets.add_snippet(book, cid, "need", "想了解")
            elif what == 6:
                referrals.set_referrer(book, cid, rng.randint(1, top))
            else:
                open_ = reminders.for_contact(book, cid)
                if open_:
                    reminders.dismiss(book, open_[0].id)
        except KamtuiError:  # (a contact gone, already referred…: the same on both)
            pass


def run(source: Path, days: int, folder: Path) -> int:
    from kamtui import clock, followup
    from kamtui.store.db import Book

    kept = Book(common.book_copy(source, folder / "kept.db"))
    whole = Book(common.book_copy(source, folder / "whole.db"))
    try:
        top = kept.scalar("SELECT max(id) FROM contact")
        day = common.TODAY
        for step in range(days):
            clock.freeze(day)
            with whole.transaction() as con:
                con.execute('DELETE FROM setting WHERE "key" = ?', (followup._FACTS_KEY,))
            pick = random.Random(step)
            ahead = pick.choice([None, None, 3, 0, 14])
            a = followup.refresh(kept, day, days_ahead=ahead)
            b = followup.refresh(whole, day, days_ahead=ahead)
            here, there = set(kept.query(SQL)), set(whole.query(SQL))
            print(f"{day}  horizon {ahead if ahead is not None else 'setting'}: "
                  f"{a.created:,} made, {a.obsoleted:,} obsolete "
                  f"({b.created:,}, {b.obsoleted:,} reading everything)")  # fmt: skip
            if here != there:
                print("  only when reading what changed:", sorted(here - there)[:5])
                print("  only when reading everything:", sorted(there - here)[:5])
                return 1
            for book in (kept, whole):
                _edit(book, random.Random(100 + step), day, top)
            day += timedelta(days=pick.choice([1, 1, 2, 4]))
    finally:
        kept.close()
        whole.close()
    print("the same every day")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=12)
    parser.add_argument("--cache", type=Path, default=None, help="where demo books are kept")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kamtui-check-") as tmp:
        sys.exit(run(common.demo_book(args.size, cache=args.cache), args.days, Path(tmp)))


if __name__ == "__main__":
    main()
