"""How fast a big contacts file imports into an empty book: read, plan, write.

Run from the repository root:

    python benchmarks/bench_import.py [--rows 100000] [--layout seller|memotrace] [--profile]

A CSV is generated in a temporary directory (realistic Chinese names, remark
names like 莉莉-深圳-美容院, WeChat IDs, mainland mobiles, tags, regions; the
seller layout adds added-on dates, birthdays, last-order dates and totals), then
imported into an empty book exactly as ``kamtui import --yes`` does:
``read_file`` -> ``plan_import`` -> ``apply_import`` (backup, one transaction
with undo recording, search keys, purchases). Prints each stage's wall time and
the total (wall clock and this process's CPU time: on a busy machine the CPU
time is the fairer figure); the target is 5 s for 100,000 rows on a 2-core
machine. Forked helper processes share the work on the second core (only on
Linux, in a process without threads, as the command line; see
``kamtui.importing.parallel``), so the CPU figures are this process's share,
which depends on how much CPU the helpers get:

- "read": from 20,000 rows on, a helper cleans rows too, chunk by chunk from the
  last row backwards, until it meets this process (``kamtui.importing.reader``);
  ``--serial-clean`` turns it off;
- "plan" and "write": from 20,000 records on, a helper started by the plan builds
  the names' part of the search keys (the pinyin, most of their cost) from the
  first record on while the plan is made and the rows are written, ahead of the
  write, which takes them; should the write catch up with it, the write builds
  the keys it reached and the helper goes on from the last record backwards
  (``kamtui.importing.apply``, ``_NameKeys``). The search keys are timed inside
  "write" (this process's share: none where the second core is free);
  ``--serial-keys`` turns the helper off to see the whole cost.

``--again`` imports the same file a second time (every row matched, nothing
new: the cost of a re-import); ``--profile`` prints the top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import os
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤欧阳司马上官"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬燕彬斌宇浩凯鹏辉晨宁欣悦"
    "婷雪琳颖佳怡子涵梓萱诺雨桐思琪嘉俊博文轩泽昊然一鸣晓慧丹蕾倩薇梦瑶"
)
NICKS = ("🌸", "小", "阿", "Lucy", "Amy", "大", "～", "Coco", "宝宝", "老")
CITIES = (
    ("广东", "深圳"),
    ("广东", "广州"),
    ("浙江", "杭州"),
    ("浙江", "温州"),
    ("上海", "浦东新区"),
    ("北京", "朝阳"),
    ("四川", "成都"),
    ("江苏", "南京"),
    ("湖北", "武汉"),
    ("福建", "厦门"),
)
JOBS = ("美容院", "宝妈", "茶叶", "服装", "教师", "护士", "程序员", "会计", "代购", "")
TAGS = ("VIP", "老客户", "回头客", "潜在客户", "宝妈", "护肤", "批发", "新客", "转介绍", "已流失")
# Mainland mobile prefixes in use (the third digit included).
MOBILE = (*(f"3{d}" for d in range(10)), "50", "51", "52", "53", "55", "56", "57", "58", "59")
MOBILE += ("66", "76", "77", "78", *(f"8{d}" for d in range(10)), "98", "99")
SOURCES = ("朋友圈", "抖音", "转介绍", "线下", "展会", "小红书")


def person(rnd: random.Random, i: int) -> dict:
    sur = rnd.choice(SURNAMES)
    name = sur + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2, 2))))
    province, city = rnd.choice(CITIES)
    job = rnd.choice(JOBS)
    remark = rnd.choice((name, f"{name}-{city}-{job}" if job else name, f"{name[1:]}姐"))
    nick = rnd.choice(NICKS) + name[-1] if rnd.random() < 0.6 else name
    return {
        "name": name,
        "remark": remark,
        "nick": nick,
        "wechat": f"{rnd.choice(('wx', 'lily', 'tea', 'mm', 'shop'))}_{i:07d}",
        "wxid": f"wxid_{rnd.getrandbits(48):012x}",
        "phone": f"1{rnd.choice(MOBILE)}{rnd.randrange(10**8):08d}",
        "province": province,
        "city": city,
        "tags": ",".join(rnd.sample(TAGS, rnd.choice((0, 1, 1, 2, 3)))),
        "job": job,
        "gender": rnd.choice(("男", "女", "女", "")),
    }


def write_seller(path: Path, rows: int, seed: int = 2026) -> None:
    rnd = random.Random(seed)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "姓名",
                "微信号",
                "手机",
                "性别",
                "地区",
                "职业",
                "生日",
                "添加时间",
                "来源",
                "备注",
                "标签",
                "最近下单",
                "累计金额",
            ]
        )
        for i in range(rows):
            p = person(rnd, i)
            bought = rnd.random() < 0.4
            w.writerow(
                [
                    p["remark"],
                    p["wechat"],
                    p["phone"],
                    p["gender"],
                    f"{p['province']} {p['city']}",
                    p["job"],
                    f"{rnd.randint(1960, 2004)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
                    if rnd.random() < 0.5
                    else "",
                    f"{rnd.randint(2019, 2026)}/{rnd.randint(1, 12)}/{rnd.randint(1, 28)}",
                    rnd.choice(SOURCES),
                    rnd.choice(("喜欢护肤品", "要发票", "", "", "晚上回消息", "不喜欢被打扰")),
                    p["tags"],
                    f"2026-{rnd.randint(1, 10):02d}-{rnd.randint(1, 28):02d}" if bought else "",
                    f"{rnd.randint(50, 20000)}.{rnd.randint(0, 99):02d}" if bought else "",
                ]
            )


def write_memotrace(path: Path, rows: int, seed: int = 2026) -> None:
    rnd = random.Random(seed)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "UserName",
                "Alias",
                "Type",
                "Remark",
                "NickName",
                "PYInitial",
                "RemarkPYInitial",
                "smallHeadImgUrl",
                "bigHeadImgUrl",
                "label",
                "gender",
                "telephone",
                "signature",
                "country/region",
                "province",
                "city",
            ]
        )
        for i in range(rows):
            p = person(rnd, i)
            w.writerow(
                [
                    p["wxid"],
                    p["wechat"] if rnd.random() < 0.7 else "",
                    3,
                    p["remark"] if rnd.random() < 0.8 else "",
                    p["nick"],
                    "",
                    "",
                    f"https://wx.qlogo.cn/mmhead/{i}/132",
                    f"https://wx.qlogo.cn/mmhead/{i}/0",
                    p["tags"],
                    rnd.choice((1, 2, 0)),
                    p["phone"] if rnd.random() < 0.3 else "",
                    rnd.choice(("爱生活，爱美丽", "", "", "做自己")),
                    "CN",
                    p["province"],
                    p["city"],
                ]
            )


class ProgressLog:
    """Counts progress calls and the longest stretch without one (what a progress bar shows)."""

    def __init__(self) -> None:
        self.calls = 0
        self.last = time.perf_counter()
        self.longest_gap = 0.0
        self.first_seen: dict[str, float] = {}  # stage -> when first told

    def restart(self) -> None:
        self.last = time.perf_counter()
        self.first_seen.clear()

    def __call__(self, *args) -> None:
        now = time.perf_counter()
        if args and isinstance(args[0], str):  # (a stage; read_file tells numbers only)
            self.first_seen.setdefault(args[0], now)
        self.calls += 1
        self.longest_gap = max(self.longest_gap, now - self.last)
        self.last = now

    def end(self) -> None:
        self(None)
        self.calls -= 1


def run(
    rows: int,
    layout: str,
    again: bool,
    progress: ProgressLog | None = None,
    time_keys: bool = True,
    after: Callable[[Path], None] | None = None,
) -> dict[str, tuple[float, float | None]]:
    """Import a generated file of ``rows`` rows into an empty book: seconds per stage.

    ``progress`` (optional) is given to every stage; its longest gap covers the
    whole import (reading, planning, writing) and it times the clean-up's duplicate
    analysis made at the end of the write ("check", see ``kamtui.cleanup.prepare``).
    ``time_keys``: time the search keys inside "write" (a wrapper around
    ``build_search_key``; off for the suite). ``after(path)``: called with the book
    imported into, closed.
    """
    from kamtui.importing import read_file
    from kamtui.importing.apply import apply_import, plan_import
    from kamtui.store.db import Book

    times: dict[str, tuple[float, float | None]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{layout}-{rows}.csv"
        t0 = time.perf_counter()
        (write_seller if layout == "seller" else write_memotrace)(path, rows)
        print(
            f"generated {path.name}: {path.stat().st_size / 1e6:.1f} MB in "
            f"{time.perf_counter() - t0:.2f} s"
        )
        book = Book(Path(tmp) / "book.db")
        rounds = 2 if again else 1
        for n in range(rounds):
            tag = "" if n == 0 else " (again)"
            keys = _time_search_keys() if time_keys else [float("nan")]
            if progress is not None:
                progress.restart()
            t0, c0 = time.perf_counter(), time.process_time()
            result = read_file(path, progress=progress)
            t1, c1 = time.perf_counter(), time.process_time()
            plan = plan_import(book, result, progress=progress)
            t2, c2 = time.perf_counter(), time.process_time()
            report = apply_import(book, plan, progress=progress)
            t3, c3 = time.perf_counter(), time.process_time()
            if progress is not None:
                progress.end()
            times[f"read{tag}"] = (t1 - t0, c1 - c0)
            times[f"plan{tag}"] = (t2 - t1, c2 - c1)
            times[f"write{tag}"] = (t3 - t2, c3 - c2)
            times[f"  search keys{tag}"] = (keys[0], None)
            if progress is not None and "check" in progress.first_seen:
                times[f"  duplicate analysis{tag}"] = (t3 - progress.first_seen["check"], None)
            times[f"total{tag}"] = (t3 - t0, c3 - c0)
            print(
                f"round {n + 1}: {len(result.records)} records, {result.rejected} rejected; "
                f"created {report.created}, updated {report.updated}, "
                f"unchanged {report.unchanged}, purchases {report.purchases}"
            )
        book.close()
        if after is not None:
            after(book.path)
    return times


_key_time = [0.0]


def _time_search_keys() -> list[float]:
    """Wrap build_search_key (as the apply step uses it) to time it inside 'write'."""
    import kamtui.searchkey as sk

    _key_time[0] = 0.0
    if not getattr(sk.build_search_key, "_timed", False):
        real = sk.build_search_key

        def timed(**kw):
            t = time.perf_counter()
            try:
                return real(**kw)
            finally:
                _key_time[0] += time.perf_counter() - t

        timed._timed = True
        sk.build_search_key = timed
    return _key_time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--layout", choices=("seller", "memotrace"), default="seller")
    parser.add_argument("--again", action="store_true", help="import the same file twice")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--serial-keys", action="store_true", help="no helper for the keys")
    parser.add_argument("--serial-clean", action="store_true", help="no helper for cleaning")
    args = parser.parse_args()
    if args.serial_clean:
        import kamtui.importing.reader as reader_mod

        reader_mod.PARALLEL_CLEAN_FROM = 10**12
    if args.serial_keys:
        import kamtui.importing.apply as apply_mod

        apply_mod.PARALLEL_KEYS_FROM = 10**12
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
    times = run(args.rows, args.layout, args.again, progress=ProgressLog())
    if args.profile:
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(20)
    print(f"{'':<22} {'wall':>8} {'cpu':>8}   (load average {os.getloadavg()[0]:.1f})")
    for name, (wall, cpu) in times.items():
        cpu_text = f"{cpu:7.2f}s" if cpu is not None else ""
        print(f"{name:<22} {wall:7.2f}s {cpu_text:>8}")


if __name__ == "__main__":
    main()
