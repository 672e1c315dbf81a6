"""How fast the whole book is classified: ``classify_all`` at 100,000 contacts.

Run from the repository root:

    python benchmarks/bench_classify.py [--contacts 100000] [--runs 15] [--keep PATH]

The budget: stages, tiers and churn for every contact in at most 300 ms on the
2-core development machine, because the contacts list, the ``stage:``/``tier:``
filters, Today's badges and the Insights screen all read the same
classification (it is cached until the book changes, so this is the cost after
every change).

Data: ``--generator demo`` (the default) is the demo business of
``kamtui.demo.build_demo`` at N contacts; ``--generator synthetic`` a denser
book built here with bulk inserts: N contacts on three accounts (2% archived),
45% buyers with some six sale lines each over three years (some on credit, 3%
returns, 60% with a cost), more of them long gone, 10% flagged with intent, 8%
referred, 30% with a saved snippet, tags. Building 100,000 contacts takes
10-15 s; ``--keep PATH`` keeps the book (and reuses it when it exists).

Reported, each over ``--runs`` runs after one warm-up: wall and CPU time of
``classify_all(cached=False)`` (median, p95, min), cold (the gaps of every
repeat buyer worked out anew) and as after an edit (the gaps of unchanged
purchase histories remembered from the run before); then once each: the
value line alone (what a contact page pays on a cold cache), ``classify_one``,
``insights.figures``, ``save_review`` and ``movements``. CPU time is the
steadier figure when other processes share the machine.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _common as common

from kamtui import classify, insights
from kamtui.store.db import Book

TODAY = date(2026, 11, 24)


def build_synthetic(book: Book, size: int, seed: int, today: date = TODAY) -> dict[str, int]:
    """A believable book for timing: bulk inserts in one transaction."""
    rnd = random.Random(seed)
    contacts, purchases, referrals, snippets, links = [], [], [], [], []
    pid = 0
    for cid in range(1, size + 1):
        added = today - timedelta(days=rnd.randint(0, 1500))
        contacts.append(
            (
                cid,
                rnd.randint(1, 3),
                f"客户{cid}",
                added.isoformat(),
                int(rnd.random() < 0.10),
                rnd.choice((1, 2, 3, 3, 3, 3, 4, 4, 5)),
                int(rnd.random() < 0.02),
            )
        )
        if rnd.random() < 0.45:
            lines = 1 + int(rnd.expovariate(1 / 8.5))
            gap = rnd.randint(7, 120)
            start = rnd.randint(0, 1100)
            costed = rnd.random() < 0.6
            days_ago = start
            for k in range(lines):
                if k:
                    days_ago -= max(0, int(rnd.gauss(gap, gap / 3)))  # 0: same day
                if days_ago < 0:
                    break
                amount = int(rnd.lognormvariate(9.5, 0.9))
                if rnd.random() < 0.03:
                    amount = -amount
                credit = int(rnd.random() < 0.02)
                day = today - timedelta(days=days_ago)
                pid += 1
                purchases.append(
                    (
                        pid,
                        cid,
                        "面膜",
                        amount,
                        amount * 6 // 10 if costed else None,
                        day.isoformat(),
                        credit,
                        (day + timedelta(days=30)).isoformat() if credit else None,
                    )
                )
        if rnd.random() < 0.30:
            snippets.append(
                (
                    cid,
                    rnd.choice(("need", "hobby", "job", "worry")),
                    today.isoformat(),
                    "……",
                    int(rnd.random() < 0.5),
                )
            )
        for tag in rnd.sample(range(1, 21), rnd.choice((0, 1, 1, 2, 3))):
            links.append((cid, tag))
    referred = rnd.sample(range(1, size + 1), size * 8 // 100)
    for r in referred:
        referrer = rnd.randint(1, size)
        if referrer != r:
            referrals.append((referrer, r, today.isoformat()))
    with book.transaction() as con:
        con.executemany(
            "INSERT INTO account (id, name, friend_cap) VALUES (?, ?, 50000)",
            [(i, f"微信{i}") for i in (1, 2, 3)],
        )
        con.executemany(
            "INSERT INTO contact (id, account_id, nickname, added_on, intent, potential, "
            "archived) VALUES (?, ?, ?, ?, ?, ?, ?)",
            contacts,
        )
        con.executemany(
            "INSERT INTO purchase (id, contact_id, item, amount_fen, cost_fen, bought_on, "
            "credit, due_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            purchases,
        )
        con.executemany(
            "INSERT INTO referral (referrer_id, referred_id, referred_on) VALUES (?, ?, ?)",
            referrals,
        )
        con.executemany(
            "INSERT INTO snippet (contact_id, kind, saved_on, text, closed) VALUES (?, ?, ?, ?, ?)",
            snippets,
        )
        con.executemany(
            "INSERT INTO tag (id, name) VALUES (?, ?)", [(i, f"标签{i}") for i in range(1, 21)]
        )
        con.executemany("INSERT INTO contact_tag (contact_id, tag_id) VALUES (?, ?)", links)
    return {"contacts": size, "purchases": len(purchases), "referrals": len(referrals)}


def build_demo(book: Book, size: int, seed: int) -> dict[str, int]:
    from kamtui.demo import build_demo as demo

    summary = demo(book, size=size, seed=seed, today=TODAY)
    return {"contacts": summary.contacts, "purchases": summary.purchases}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def _timed(fn) -> tuple[float, float, object]:
    w, c = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - w, time.process_time() - c, result


def cold_runs(book: Book, runs: int, today: date = TODAY) -> dict[str, list[float]]:
    """``classify_all(cached=False)`` with nothing remembered (a new process), ``runs`` times.

    One untimed warm-up first (the page cache, the date table); ms of wall and CPU.
    """
    classify.classify_all(book, today, cached=False)

    def before() -> None:
        classify.forget(book)
        classify._GAP_MEMO.clear()

    wall, cpu = common.repeat_ms(
        lambda: classify.classify_all(book, today, cached=False), runs, before
    )
    return {"wall_ms": wall, "cpu_ms": cpu}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--contacts", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--generator", choices=("demo", "synthetic"), default="demo")
    p.add_argument("--keep", metavar="PATH", help="keep the book here (reused if present)")
    args = p.parse_args()

    if args.keep:
        path = Path(args.keep)
        fresh = not path.exists()
    else:
        path = Path(tempfile.mkdtemp(prefix="kamtui-bench-")) / "book.db"
        fresh = True
    book = Book(path)
    if fresh:
        t0 = time.perf_counter()
        if args.generator == "demo":
            built = build_demo(book, args.contacts, args.seed)
        else:
            built = build_synthetic(book, args.contacts, args.seed)
        print(f"built {built} in {time.perf_counter() - t0:.1f} s: {path}")
    counts = {
        t: book.scalar(f"SELECT count(*) FROM {t}")
        for t in ("contact", "purchase", "referral", "snippet")
    }
    print(f"book: {counts}")

    classify.classify_all(book, TODAY, cached=False)  # warm-up: page cache, date table
    times: dict[str, tuple[list[float], list[float]]] = {"cold": ([], []), "warm": ([], [])}
    result = None
    for _ in range(args.runs):
        for kind in ("cold", "warm"):
            if kind == "cold":
                classify._GAP_MEMO.clear()
            wall, cpu, result = _timed(lambda: classify.classify_all(book, TODAY, cached=False))
            times[kind][0].append(wall)
            times[kind][1].append(cpu)
    cls = result
    print(
        f"classified: {cls.contacts} contacts, {len(cls.buyers)} buyers, "
        f"basis {cls.line.basis}; stages {cls.stage_counts()}; tiers {cls.tier_counts()}; "
        f"churn {cls.churn_counts()}"
    )

    def row(label, values):
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(
            f"  {label:<34} median {_ms(statistics.median(values))}   p95 {_ms(p95)}   "
            f"min {_ms(ordered[0])}"
        )

    print(f"classify_all (cached=False), {args.runs} runs each:")
    row("cold (no gap memo): wall", times["cold"][0])
    row("cold (no gap memo): cpu", times["cold"][1])
    row("after an edit (gap memo): wall", times["warm"][0])
    row("after an edit (gap memo): cpu", times["warm"][1])
    verdict = "within" if statistics.median(times["cold"][0]) <= 0.300 else "OVER"
    print(f"  budget 300 ms: cold median wall {verdict}")

    wall, cpu, _ = _timed(lambda: classify.classify_all(book, TODAY))
    print(f"classify_all (cached)         {_ms(wall)}")
    some = next(iter(cls.buyers))
    classify.forget(book)
    wall, cpu, _ = _timed(lambda: classify.value_line(book, TODAY))
    print(f"value_line (cold)             {_ms(wall)}  cpu {_ms(cpu)}")
    wall, cpu, _ = _timed(lambda: classify.classify_one(book, some, TODAY))
    print(f"classify_one (line cached)    {_ms(wall)}  cpu {_ms(cpu)}")
    classify.forget(book)
    wall, cpu, _ = _timed(lambda: insights.figures(book, TODAY))
    print(f"figures (cold)                {_ms(wall)}  cpu {_ms(cpu)}")
    wall, cpu, _ = _timed(lambda: insights.figures(book, TODAY))
    print(f"figures (classification cached) {_ms(wall)}  cpu {_ms(cpu)}")
    if not args.keep:  # (a kept book is not changed)
        wall, cpu, review = _timed(lambda: insights.save_review(book, TODAY))
        print(f"save_review ({review.contacts} entries) {_ms(wall)}  cpu {_ms(cpu)}")
        wall, cpu, _ = _timed(lambda: insights.movements(book, TODAY + timedelta(days=30)))
        print(f"movements (30 days later)     {_ms(wall)}  cpu {_ms(cpu)}")
    book.close()
    if not args.keep:
        shutil.rmtree(path.parent, ignore_errors=True)  # the temporary folder made above
    return 0


if __name__ == "__main__":
    sys.exit(main())
