"""The Contacts screen and the contact page on a big book: keystroke to repaint.

Run from the repository root:

    python benchmarks/bench_contacts.py [--size 100000] [--book PATH]

Without ``--book`` a demo book of ``--size`` contacts is built in a temporary
folder (about 10 s for 100,000). With ``--book`` a copy is made (SQLite's
backup API) and used: the bench adds one contact with 200 interactions and 50
purchases for the page measurements.

The app runs headless (``App.run_test``, 120×40). A frame is detected as in
``bench_vtable.py``: ``App._display`` is wrapped, the update is serialised as a
real terminal driver would, and a frame counts only if the widget measured
(the contact list, or the page header) was painted after the action started.

Reported:

* opening: app start -> the list of the whole book on screen (the directory
  is built in a worker, ~2 s at 100,000), then ``2`` pressed again later
  (switching back to a ready list).
* typing: for each key of some queries, the wall time from the key press to
  the frame showing the new results (includes the 60 Hz tick wait), and the
  time of the search alone (``Directory.find`` + ``set_rows``).
* the page: Enter on a contact with 200 interactions and 50 purchases -> the
  page on screen; ``load_page`` alone with the directory's classification and
  with ``classify_one`` (after a commit, nothing cached).
* after an action: ``app.contacts_changed([id], reclassify=True)`` (a purchase).
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TODAY = date(2026, 11, 24)
QUERIES = ("zhang", "wxy", "李娜", "#VIP stage:repeat", "13800", "xiuyng", "深圳 宝妈", "-fav owed")


def summary(label: str, values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return (
        f"{label:<40} median {statistics.median(values) * 1000:7.2f} ms   "
        f"p95 {p95 * 1000:7.2f} ms   max {values[-1] * 1000:7.2f} ms   (n={len(values)})"
    )


class Probe:
    """The first frame written after an action in which ``widget`` was painted."""

    def __init__(self, app) -> None:
        self.app = app
        self.armed = False
        self.ready = True
        self.painted = False
        self.done = asyncio.Event()
        self.frame = 0.0
        display = app._display

        def probe_display(screen, renderable):
            display(screen, renderable)
            if renderable is None:
                return
            renderable.render_segments(app.console)
            if self.armed and self.painted:
                self.frame = time.perf_counter()
                self.armed = False
                self.done.set()

        app._display = probe_display
        self._watched: set[int] = set()

    def watch(self, widget) -> None:
        if id(widget) in self._watched:
            return
        self._watched.add(id(widget))
        render_lines = widget.render_lines

        def probe_render_lines(crop):
            if self.armed and self.ready:
                self.painted = True
            return render_lines(crop)

        widget.render_lines = probe_render_lines

    def arm(self, ready: bool = True) -> None:
        """Start measuring; ``ready=False``: only paints after :attr:`ready` is set count
        (the table repainted with the input's echo is not the results yet)."""
        self.armed = True
        self.ready = ready
        self.painted = False
        self.done.clear()

    async def wait(self, timeout: float = 30.0) -> None:
        await asyncio.wait_for(self.done.wait(), timeout)


async def settle(app, pilot) -> None:
    from textual.worker import WorkerCancelled

    await pilot.pause()
    try:
        await app.workers.wait_for_complete()
    except WorkerCancelled:
        pass
    await pilot.pause()


def make_book(size: int, source: str | None) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="bench-contacts-"))
    path = folder / "book.db"
    if source:
        src = sqlite3.connect(source)
        dst = sqlite3.connect(path)
        src.backup(dst)
        dst.close()
        src.close()
        path.chmod(0o600)
        return path
    from kamtui.demo import build_demo
    from kamtui.store.db import Book

    t = time.perf_counter()
    book = Book(path)
    build_demo(book, size=size, seed=2026, today=TODAY)
    book.close()
    print(f"demo book of {size:,} contacts built in {time.perf_counter() - t:.1f} s")
    return path


def add_heavy_contact(book) -> int:
    from kamtui import contacts, interactions, purchases

    cid = contacts.create_contact(book, remark="压测客户-深圳-宝妈", city="深圳")
    for k in range(200):
        interactions.log_interaction(book, cid, "chat", f"第{k}次聊天", TODAY - timedelta(days=k))
    for k in range(50):
        purchases.record_purchase(book, cid, "面膜", "99", bought_on=TODAY - timedelta(days=9 * k))
    return cid


async def run(path: Path, verbose: bool = False) -> None:
    import gc

    from kamtui import clock, contactview
    from kamtui.app import KamtuiApp
    from kamtui.classify import forget
    from kamtui.store.db import Book

    clock.freeze(TODAY)
    book = Book(path)
    heavy = add_heavy_contact(book)
    print(f"{book.scalar('SELECT count(*) FROM contact'):,} contacts in the book")

    app = KamtuiApp(book, start="contacts")
    t0 = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        probe = Probe(app)
        while app.directory is None or getattr(app.screen, "result", None) is None:
            await asyncio.sleep(0.01)
        screen = app.screen
        probe.watch(screen.table)
        probe.arm()
        screen.table.refresh()
        await probe.wait()
        took = probe.frame - t0
        print(f"app start -> whole book listed: {took:.2f} s (the directory is built in a worker)")
        await settle(app, pilot)

        # Today and back: Today's refresh commits, so the directory is rebuilt in a
        # worker; the list shows the one it has meanwhile, then swaps.
        await pilot.press("1")
        await settle(app, pilot)
        stale = app.directory.stamp != book.stamp()
        probe.arm()
        t = time.perf_counter()
        await pilot.press("2")
        await probe.wait()
        took = (probe.frame - t) * 1000
        print(f"'2' from Today -> Contacts on screen: {took:.1f} ms (directory stale: {stale})")
        t = time.perf_counter()
        await settle(app, pilot)
        print(f"  ... rebuilt directory swapped in after {time.perf_counter() - t:.2f} s")

        # typing
        searches: list[float] = []
        original = screen.search

        def timed_search(keep: bool = False) -> None:
            t = time.perf_counter()
            original(keep)
            searches.append(time.perf_counter() - t)
            probe.ready = True

        screen.search = timed_search
        latencies: list[float] = []
        worst: tuple[float, str] = (0.0, "")
        await pilot.press("slash")
        gc_before = gc.get_stats()[2]["collections"]
        for query in QUERIES:
            typed = ""
            for ch in query:
                typed += ch
                await asyncio.sleep(0.05)  # a fast typist
                probe.arm(ready=False)
                t = time.perf_counter()
                await pilot.press("space" if ch == " " else ch)
                await probe.wait()
                lat = probe.frame - t
                latencies.append(lat)
                worst = max(worst, (lat, typed))
                if verbose:
                    took = searches[-1] * 1000 if searches else 0
                    print(f"    {typed!r:<22} {lat * 1000:6.1f} ms  (search {took:5.1f} ms)")
            print(f"  {query!r:<22} -> {len(screen.result):>6,} contacts")
            await pilot.press("ctrl+a", "ctrl+k")  # clear (end of line after home)
            await pilot.pause()
        print(summary("keystroke -> results on screen", latencies))
        print(summary("search + set_rows (UI thread)", searches))
        print(f"slowest keystroke: {worst[0] * 1000:.1f} ms at {worst[1]!r}")
        print(f"full GCs while typing: {gc.get_stats()[2]['collections'] - gc_before}")
        screen.search = original

        # the page of a contact with 200 interactions and 50 purchases
        await pilot.press("escape", "escape")
        await pilot.pause()
        opens: list[float] = []
        for _ in range(5):
            from kamtui.screens.contact_page import ContactPage, open_contact

            t = time.perf_counter()
            open_contact(app, heavy)
            while not isinstance(app.screen, ContactPage) or app.screen.data is None:
                await asyncio.sleep(0)
            probe.watch(app.screen.query_one("#page-header"))
            probe.arm()
            await probe.wait()
            opens.append(probe.frame - t)
            await pilot.press("escape")
            await pilot.pause()
        print(summary("open the page (200 touches, 50 buys)", opens))
        d = app.directory
        loads = []
        for _ in range(20):
            t = time.perf_counter()
            contactview.load_page(book, heavy, TODAY, classification=d.classification)
            loads.append(time.perf_counter() - t)
        print(summary("load_page (directory's classification)", loads))
        loads = []
        for _ in range(5):
            forget(book)
            t = time.perf_counter()
            contactview.load_page(book, heavy, TODAY)
            loads.append(time.perf_counter() - t)
        print(summary("load_page (classify_one, nothing cached)", loads))
        changes = []
        for _ in range(3):
            t = time.perf_counter()
            app.contacts_changed([heavy], reclassify=True)
            changes.append(time.perf_counter() - t)
        print(summary("contacts_changed(reclassify=True)", changes))
        changes = []
        for _ in range(10):
            t = time.perf_counter()
            app.contacts_changed([heavy])
            changes.append(time.perf_counter() - t)
        print(summary("contacts_changed(one contact)", changes))
    book.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--book", help="copy this book instead of building a demo book")
    parser.add_argument("-v", "--verbose", action="store_true", help="every keystroke")
    args = parser.parse_args()
    path = make_book(args.size, args.book)
    asyncio.run(run(path, args.verbose))


if __name__ == "__main__":
    main()
