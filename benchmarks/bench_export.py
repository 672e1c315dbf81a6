"""Export speed on a big book: 100,000 contacts to CSV (target ≤ 2 s), XLSX, vCard, JSON.

    python benchmarks/bench_export.py [--size 100000] [--formats csv,xlsx] [--keep DIR]

Builds the book with ``kamtui.demo.build_demo`` when that module exists,
else with bulk synthetic rows (accounts, tags, purchases, payments,
interactions, snippets) written with ``executemany``. Timings are for the
whole ``export_contacts`` call (queries + writing the file): wall clock, and
CPU time of this process (steadier when other work shares the machine).
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _common as common

from kamtui import clock, i18n
from kamtui.exporting import export_contacts
from kamtui.store.db import Book

TODAY = date(2026, 11, 24)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红燕"
CITIES = [("广东", "深圳"), ("广东", "广州"), ("浙江", "杭州"), ("上海", "上海"), ("四川", "成都")]
JOBS = ["宝妈", "教师", "护士", "程序员", "个体户", "白领", "学生", ""]
TAGS = [f"标签{i}" for i in range(30)] + ["VIP", "宝妈", "复购", "护肤", "母婴"]


def build_synthetic(book: Book, size: int, seed: int = 2026) -> None:
    rnd = random.Random(seed)
    now = "2026-01-01T00:00:00.000000+00:00"
    with book.transaction() as con:
        con.executemany(
            "INSERT INTO account (name, wechat_id, friend_cap, note, created_at) "
            "VALUES (?, '', 5000, '', ?)",
            [(f"微信{i}", now) for i in range(1, 4)],
        )
        con.executemany(
            "INSERT INTO tag (name, created_at) VALUES (?, ?)", [(n, now) for n in TAGS]
        )
        contacts = []
        for i in range(1, size + 1):
            prov, city = rnd.choice(CITIES)
            name = rnd.choice(SURNAMES) + "".join(rnd.choices(GIVEN, k=rnd.randint(1, 2)))
            added = TODAY - timedelta(days=rnd.randint(0, 1500))
            bmonth = rnd.randint(1, 12) if rnd.random() < 0.4 else None
            contacts.append(
                (
                    i,
                    rnd.randint(1, 3),
                    name + rnd.choice(["", "🌸", "姐", "哥"]),
                    f"{name}-{city}" if rnd.random() < 0.7 else "",
                    f"wx_{i:07d}" if rnd.random() < 0.6 else None,
                    f"+861{rnd.randint(3, 9)}{rnd.randint(0, 999_999_999):09d}"
                    if rnd.random() < 0.5
                    else None,
                    "中国",
                    prov,
                    city,
                    rnd.choice(JOBS),
                    rnd.choice(["m", "f", "f", ""]),
                    rnd.randint(1960, 2005) if bmonth and rnd.random() < 0.5 else None,
                    bmonth,
                    rnd.randint(1, 28) if bmonth else None,
                    int(bool(bmonth) and rnd.random() < 0.2),
                    rnd.choice(["朋友圈", "转介绍", "社群", "线下", ""]),
                    added.isoformat(),
                    "老客户, 喜欢护肤品\n上次问过面膜" if rnd.random() < 0.3 else "",
                    int(rnd.random() < 0.02),
                    now,
                    now,
                )
            )
        con.executemany(
            "INSERT INTO contact (id, account_id, nickname, remark, wechat_id, phone, country, "
            "province, city, occupation, gender, birth_year, birth_month, birth_day, birth_lunar, "
            "source, added_on, description, favourite, created_at, updated_at) "
            "VALUES (" + ", ".join("?" * 21) + ")",
            contacts,
        )
        links = set()
        for cid in range(1, size + 1):
            for _ in range(rnd.choice((0, 1, 1, 2, 3))):
                links.add((cid, rnd.randint(1, len(TAGS))))
        con.executemany("INSERT INTO contact_tag (contact_id, tag_id) VALUES (?, ?)", links)
        purchases, interactions, snippets = [], [], []
        pid = 0
        for cid in range(1, size + 1):
            if rnd.random() < 0.35:
                for _ in range(rnd.randint(1, 8)):
                    pid += 1
                    day = TODAY - timedelta(days=rnd.randint(0, 900))
                    amount = rnd.randint(30, 2000) * 100 * (-1 if rnd.random() < 0.03 else 1)
                    credit = int(rnd.random() < 0.05)
                    purchases.append(
                        (
                            pid,
                            cid,
                            "面膜",
                            1,
                            amount,
                            day.isoformat(),
                            credit,
                            (day + timedelta(days=30)).isoformat() if credit else None,
                            now,
                        )
                    )
            for _ in range(rnd.randint(0, 4)):
                day = TODAY - timedelta(days=rnd.randint(0, 700))
                interactions.append((cid, "chat", day.isoformat(), "聊了聊", now))
            if rnd.random() < 0.2:
                snippets.append((cid, "need", TODAY.isoformat(), "想要补水的面膜", now))
        con.executemany(
            "INSERT INTO purchase (id, contact_id, item, quantity, amount_fen, bought_on, credit, "
            "due_on, created_at, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '')",
            purchases,
        )
        con.executemany(
            "INSERT INTO payment (purchase_id, contact_id, paid_on, amount_fen, note, created_at) "
            "VALUES (?, ?, ?, ?, '', ?)",
            [(p[0], p[1], p[5], max(p[4] // 2, 0), now) for p in purchases if p[6]],
        )
        con.executemany(
            "INSERT INTO interaction (contact_id, kind, occurred_on, summary, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            interactions,
        )
        con.executemany(
            "INSERT INTO snippet (contact_id, kind, saved_on, text, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            snippets,
        )


def build(book: Book, size: int) -> str:
    if importlib.util.find_spec("kamtui.demo") is not None:
        from kamtui.demo import build_demo

        build_demo(book, size=size, seed=2026, today=TODAY)
        return "kamtui.demo.build_demo"
    build_synthetic(book, size)
    return "synthetic rows"


def export_times(book: Book, fmt: str, runs: int, folder: Path) -> dict:
    """``runs`` whole-book exports (archived contacts included) to ``fmt``: ms and MB."""
    out = folder / f"export.{fmt}"
    wall, cpu = [], []
    count = 0
    for _ in range(runs):
        took, used, result = common.timed(
            lambda: export_contacts(book, fmt, out, include_archived=True, today=TODAY)
        )
        wall.append(took * 1000)
        cpu.append(used * 1000)
        count = result.count
    size = out.stat().st_size / 1e6
    out.unlink()
    return {"wall_ms": wall, "cpu_ms": cpu, "contacts": count, "mb": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,xlsx,vcf,json")
    parser.add_argument("--keep", metavar="DIR", help="write the book and files here")
    args = parser.parse_args()
    i18n.set_language("zh")
    clock.freeze(TODAY)
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kamtui-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    book_path = folder / "bench.db"
    if book_path.exists():
        book = Book(book_path)
        how = "existing book"
    else:
        book = Book(book_path)
        start = time.perf_counter()
        how = build(book, args.size)
        print(f"built {args.size} contacts ({how}) in {time.perf_counter() - start:.1f} s")
    n = book.scalar("SELECT count(*) FROM contact")
    print(f"book: {n} contacts, {book.scalar('SELECT count(*) FROM purchase')} purchases")
    for fmt in args.formats.split(","):
        out = folder / f"export.{fmt}"
        start, cpu = time.perf_counter(), time.process_time()
        result = export_contacts(book, fmt, out, include_archived=True, today=TODAY)
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
        size_mb = out.stat().st_size / 1e6
        target = "  (target ≤ 2 s)" if fmt == "csv" else ""
        print(
            f"{fmt:5} {result.count:>7} contacts  {took:6.2f} s wall  {cpu:6.2f} s cpu  "
            f"{size_mb:6.1f} MB{target}"
        )
    book.close()


if __name__ == "__main__":
    main()
