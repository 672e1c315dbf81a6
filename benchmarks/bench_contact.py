"""Opening one contact with a long history: 200 interactions and 50 purchases.

Run from the repository root:

    python benchmarks/bench_contact.py [--size 100000] [--runs 20]

A copy of the cached demo book gets one contact (:func:`busy_contact`) with 200
more interactions and 50 more purchases (some on credit, some paid), written
through the domain services. Then:

* data: everything a contact page shows (:func:`page_data`:
  ``kamtui.contactview.load_page``, with the book's classification at hand as the
  app's directory gives it): the profile, tags, totals, the timeline of
  interactions, purchases, snippets, referrals, reminders, satisfaction.
  ``warm`` are the reads after the first (measured after the screen, so the
  first read is not the process's first either).
* screen: in the real app (``App.run_test``, headless, 120×40), once its
  start-up work is done, the time from ``open_contact`` (what Enter on a contact
  calls everywhere) to the first frame written that shows the contact page (see
  ``bench_vtable.Probe`` for how frames are detected); on a branch without
  ``kamtui/screens/contact_page.py`` the quick look (``ContactPanel``) is
  measured instead (:data:`PAGE` says which). The first open is the
  first in the process: it pays the lazy imports the page needs (the typed
  record comes through SQLModel) and is reported apart.

The budget is 100 ms at 100,000 contacts.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as common

INTERACTIONS, PURCHASES = 200, 50
PAGE = (
    "contact_page"
    if importlib.util.find_spec("kamtui.screens.contact_page") is not None
    else "contact_panel"
)


def busy_contact(book, today: date = common.TODAY) -> int:
    """A contact of ``book`` given 200 interactions and 50 purchases; returns its id."""
    from kamtui import interactions, purchases

    n = book.scalar("SELECT count(*) FROM contact")
    cid = book.scalar(
        "SELECT id FROM contact WHERE archived = 0 AND id >= ? ORDER BY id LIMIT 1", (n // 2,)
    )
    kinds = ("chat", "call", "moments", "meeting", "gift", "chat", "chat", "visit")
    for k in range(INTERACTIONS):
        interactions.log_interaction(
            book,
            cid,
            kinds[k % len(kinds)],
            f"第{k + 1}次聊天: 问了面膜和精华的用法, 说下个月再买 🌸",
            today - timedelta(days=3 * k),
        )
    for k in range(PURCHASES):
        pid = purchases.record_purchase(
            book,
            cid,
            ("补水面膜", "精华液", "防晒霜", "洗面奶")[k % 4],
            f"{99 + 10 * k}.50",
            quantity=1 + k % 3,
            bought_on=today - timedelta(days=12 * k),
            credit=k % 10 == 0,
        )
        if k % 20 == 0:
            purchases.record_payment(
                book, cid, "50", paid_on=today - timedelta(days=12 * k - 3), purchase_id=pid
            )
    return cid


def page_data(book, cid: int, today: date = common.TODAY, classification=None):
    """Everything a contact page shows: ``kamtui.contactview.load_page`` (what the page
    calls; ``classification``: the app directory's, when it has one), else the domain
    functions one by one."""
    if importlib.util.find_spec("kamtui.contactview") is not None:
        from kamtui import contactview

        return contactview.load_page(book, cid, today, classification=classification)
    return _page_data_by_parts(book, cid, today)


def _page_data_by_parts(book, cid: int, today: date) -> dict:
    from kamtui import (
        classify,
        contacts,
        interactions,
        purchases,
        referrals,
        satisfaction,
        snippets,
        tags,
    )

    return {
        "contact": contacts.get_record(book, cid),  # plain sqlite3, as the quick look
        "tags": tags.contact_tags(book, cid),
        "totals": purchases.totals(book, cid, today),
        "interactions": interactions.list_interactions(book, cid),
        "purchases": purchases.list_purchases(book, cid),
        "snippets": snippets.list_snippets(book, cid),
        "referred_by": referrals.referred_by(book, cid),
        "introduced": referrals.introduced(book, cid),
        "ratings": satisfaction.history(book, cid),
        "class": classify.classify_one(book, cid, today),
    }


def data_times(book, cid: int, runs: int) -> dict:
    """First read in this process and ``runs`` reads after it, in ms (with the book's
    classification at hand, as the page has it from the app's directory)."""
    from kamtui.classify import classify_all

    cls = classify_all(book, common.TODAY)
    wall, cpu, _data = common.timed(lambda: page_data(book, cid, classification=cls))
    warm_wall, warm_cpu = common.repeat_ms(lambda: page_data(book, cid, classification=cls), runs)
    return {
        "first_wall_ms": wall * 1000,
        "first_cpu_ms": cpu * 1000,
        "warm_wall_ms": warm_wall,
        "warm_cpu_ms": warm_cpu,
    }


class ScreenProbe:
    """The first frame written for a screen of class ``cls`` after :meth:`arm`."""

    def __init__(self, app, cls) -> None:
        self.cls = cls
        self.armed = False
        self.done = asyncio.Event()
        self.frame_wall = 0.0
        self.frame_cpu = 0.0
        display = app._display

        def probe_display(screen, renderable):
            display(screen, renderable)
            if renderable is None or not self.armed or not isinstance(screen, self.cls):
                return
            renderable.render_segments(app.console)  # what a real terminal would be sent
            self.frame_wall = time.perf_counter()
            self.frame_cpu = time.process_time()
            self.armed = False
            self.done.set()

        app._display = probe_display

    def arm(self) -> None:
        self.armed = True
        self.done.clear()

    async def wait(self, timeout: float = 10.0) -> None:
        await asyncio.wait_for(self.done.wait(), timeout)


def _screen_class():
    if PAGE == "contact_page":  # the Contacts section's page
        from kamtui.screens import contact_page

        return contact_page.ContactPage
    from kamtui.screens.contact_panel import ContactPanel

    return ContactPanel


def _open(app, cid: int) -> None:
    if PAGE == "contact_page":
        from kamtui.screens.contact_page import open_contact

        open_contact(app, cid)  # what every screen calls on Enter
        return
    app.push_screen(_screen_class()(cid))


async def screen_times(book, cid: int, runs: int) -> dict:
    """Open the contact's screen in the real app ``runs`` + 1 times (the first counted apart)."""
    from kamtui.app import KamtuiApp

    cls = _screen_class()
    app = KamtuiApp(book)
    lat: list[float] = []
    cpu: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()  # start-up work (directory, agenda) done
        await pilot.pause()
        probe = ScreenProbe(app, cls)
        for _ in range(runs + 1):
            await asyncio.sleep(0.03)
            probe.arm()
            w0, c0 = time.perf_counter(), time.process_time()
            _open(app, cid)
            await probe.wait()
            lat.append((probe.frame_wall - w0) * 1000)
            cpu.append((probe.frame_cpu - c0) * 1000)
            app.pop_screen()
            await pilot.pause()
    return {
        "screen": PAGE,
        "first_ms": lat[0],
        "first_cpu_ms": cpu[0],
        "latency_ms": lat[1:],
        "cpu_ms": cpu[1:],
    }


def run(source: Path, runs: int, folder: Path) -> dict:
    """Both measures on a copy of ``source`` in ``folder``."""
    from kamtui import clock
    from kamtui.store.db import Book

    clock.freeze(common.TODAY)
    book = Book(common.book_copy(source, folder / "contact.db"))
    try:
        cid = busy_contact(book)
        # The screen first: its first open is the first in the process (lazy imports).
        out = {"contact_id": cid, **asyncio.run(screen_times(book, cid, runs))}
        out.update(data_times(book, cid, runs))
    finally:
        book.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kamtui-bench-") as tmp:
        res = run(common.demo_book(args.size), args.runs, Path(tmp))
    print(f"{args.size:,} contacts, contact #{res['contact_id']}; load {common.load_average()}")
    print(f"  data, first in the process: {res['first_wall_ms']:.1f} ms")
    for key in ("warm_wall_ms", "warm_cpu_ms", "latency_ms", "cpu_ms"):
        s = common.summary(res[key])
        print(f"  {key:<14} median {s['median']:7.1f}   p95 {s['p95']:7.1f}")
    print(f"  {res['screen']}: first open {res['first_ms']:.1f} ms")


if __name__ == "__main__":
    main()
