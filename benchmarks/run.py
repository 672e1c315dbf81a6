"""kamtui's performance suite: one command, one table, one JSON file.

    python benchmarks/run.py                       # 5,000, 25,000 and 100,000 contacts
    python benchmarks/run.py --quick               # 5,000 contacts, few runs (what CI runs)
    python benchmarks/run.py --sizes 100000 --only start,search

For each size, the demo book (``kamtui.demo.build_demo``, seed 2026, today
2026-11-24) is built once and cached in ``benchmarks/.cache/``. Every case
runs in a fresh Python process of its own (``--child``) on a private copy of
the book, so no case inherits another's caches, imports or memory. Each
case's logic lives in the per-area benchmark (``bench_*.py``), which can also
be run alone.

Cases (``--only`` takes their names):

========== ==============================================================
start      cold start of the real app in a pseudo-terminal until the first
           frame of Today (and of Contacts, once it exists); peak RSS once
           start-up work is done; heavy imports before the first paint
           (``bench_start.py``)
search     the directory's search per keystroke, cold, for 秀英 xiuying xy
           xiuyng (``bench_search.py``)
repaint    keystroke -> the frame showing the new rows, headless, in the
           Contacts screen once it exists, else in a stand-in screen (the real
           directory and table) (``bench_vtable.py``)
contact    a contact with 200 interactions and 50 purchases: the data a page
           shows, and opening the screen (``bench_contact.py``)
today      ``followup.refresh`` and ``followup.agenda`` (``bench_today.py``)
classify   ``classify_all`` with nothing cached (``bench_classify.py``)
cleanup    ``cleanup.review`` in a new process with ~300 contacts edited since
           the last saved its analysis (brought up to date), and with nothing
           cached (the analysis made from every contact) (``bench_cleanup.py``)
import     a CSV of as many rows as the size into an empty book
           (``bench_import.py``)
export     the whole book to CSV and XLSX (``bench_export.py``)
========== ==============================================================

Figures are median and p95 over repeated runs, in ms unless said; budgets
(at 100,000 contacts, and 25,000 for the cold start) are checked on the p95.
CPU times are printed beside wall times: on a busy machine they are the
steadier figures. The load average is recorded before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as common

SIZES = (5_000, 25_000, 100_000)
QUICK_SIZES = (5_000,)
CASES = (
    "start", "search", "repaint", "contact", "today", "classify", "cleanup", "import", "export",
)  # fmt: skip
SEARCH_QUERIES = ("秀英", "xiuying", "xy", "xiuyng")

# Repeats per case: (full, quick).
RUNS = {
    "start": (10, 3),
    "search": (40, 10),
    "repaint": (3, 1),
    "contact": (20, 5),
    "today": (7, 2),
    "classify": (9, 3),
    "cleanup": (5, 2),
    "import": (3, 1),
    "export_csv": (5, 1),
    "export_xlsx": (2, 1),
}


def has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


# ---- the cases (each runs in a child process) -----------------------------------------


def _book(source: Path, folder: Path, name: str):
    from kamtui import clock, i18n

    clock.freeze(common.TODAY)
    i18n.set_language("zh")
    return common.open_copy(source, folder / name)


def case_start(source: Path, runs: int, folder: Path) -> dict:
    import bench_start

    book = common.book_copy(source, folder / "start.db")
    return {
        "cold": bench_start.cold_start(book, runs, log=_log),
        "imports": bench_start.startup_imports(book),
        "memory": bench_start.peak_memory(book),
    }


def case_search(source: Path, runs: int, folder: Path) -> dict:
    import bench_search

    book = _book(source, folder, "search.db")
    try:
        return bench_search.directory_search(book, common.TODAY, runs)
    finally:
        book.close()


def case_repaint(source: Path, runs: int, folder: Path) -> dict:
    import bench_vtable

    words = list(SEARCH_QUERIES)
    if contacts_screen():  # hook: the Contacts screen, once it lands on main
        return asyncio.run(contacts_repaint(source, folder, words, runs))
    from kamtui import directory

    book = _book(source, folder, "repaint.db")
    try:
        d = directory.load(book, common.TODAY)
        gc.collect()
        gc.freeze()  # as the app does once the directory is built
        out = asyncio.run(bench_vtable.keystroke_repaint(d, words, rounds=runs))
    finally:
        book.close()
    out["screen"] = "stand-in (Input + VirtualTable over the real directory)"
    return out


def contacts_screen() -> bool:
    """True once the Contacts section exists (``kamtui/screens/contacts.py``)."""
    return has_module("kamtui.screens.contacts")


async def contacts_repaint(source: Path, folder: Path, words: list[str], rounds: int) -> dict:
    """Keystrokes in the real Contacts screen's search box, once its directory is loaded."""
    import bench_vtable

    from kamtui.app import KamtuiApp

    book = _book(source, folder, "repaint.db")

    async def setup(app, pilot):
        await pilot.press("2")
        screen = app.screen
        for _ in range(600):  # the directory is built in a worker (seconds at 100k)
            if getattr(screen, "directory", None) is not None and screen.result is not None:
                break
            await asyncio.sleep(0.05)
        await app.workers.wait_for_complete()  # start-up work and the search's warm-up
        await pilot.pause()
        return screen.search_box, screen.table

    try:
        out = await bench_vtable.keystroke_repaint(
            None, words, rounds=rounds, app=KamtuiApp(book), setup=setup
        )
    finally:
        book.close()
    out["screen"] = "Contacts screen (kamtui.screens.contacts)"
    return out


def case_contact(source: Path, runs: int, folder: Path) -> dict:
    import bench_contact

    return bench_contact.run(source, runs, folder)


def case_today(source: Path, runs: int, folder: Path) -> dict:
    import bench_today

    return bench_today.run(source, runs, folder)


def case_classify(source: Path, runs: int, folder: Path) -> dict:
    import bench_classify

    book = _book(source, folder, "classify.db")
    try:
        return bench_classify.cold_runs(book, runs, common.TODAY)
    finally:
        book.close()


def case_cleanup(source: Path, runs: int, folder: Path) -> dict:
    if not has_module("kamtui.cleanup"):
        return {"skipped": "kamtui/cleanup.py is not on this branch yet"}
    import bench_cleanup

    book = _book(source, folder, "cleanup.db")
    try:
        from kamtui import cleanup

        out = bench_cleanup.cold_runs(book, runs)
        cleanup.wait_saved(book)
    finally:
        book.close()
    # a new process's first review: nothing saved, the analysis a previous one
    # saved, and after ~300 contacts were edited since
    found = bench_cleanup.new_process_runs(book.path, folder, runs)
    for label, key in (("first", "process_first"), ("cold", "process_saved"),
                       ("cold after edits", "process_after_edits")):  # fmt: skip
        out[f"{key}_wall_ms"] = [wall for wall, _cpu, _main in found[label]]
        out[f"{key}_cpu_ms"] = [cpu for _wall, cpu, _main in found[label]]
    return out


def case_import(source: Path, runs: int, folder: Path, rows: int) -> dict:
    import bench_cleanup
    import bench_import

    totals, cpus, gaps, stages, reviews = [], [], [], {}, []

    def review_after(path: Path) -> None:
        """The clean-up's first review of the imported book, in a new process (what
        the seller waits for on opening it after the import)."""
        out = subprocess.run(
            [sys.executable, bench_cleanup.__file__, "--first-review", str(path)],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        reviews.append(json.loads(out.splitlines()[-1])[:2])

    for _ in range(runs):
        progress = bench_import.ProgressLog()
        times = bench_import.run(
            rows, "seller", False, progress=progress, time_keys=False, after=review_after
        )
        totals.append(times["total"][0] * 1000)
        cpus.append(times["total"][1] * 1000)
        gaps.append(progress.longest_gap * 1000)
        for stage in ("read", "plan", "write", "  duplicate analysis"):
            if stage in times:
                stages.setdefault(stage.strip(), []).append(times[stage][0] * 1000)
    return {
        "rows": rows,
        "wall_ms": totals,
        "cpu_ms": cpus,
        "stages_wall_ms": stages,
        "progress_calls": progress.calls,
        "longest_without_progress_ms": gaps,
        "review_after_wall_ms": [wall for wall, _cpu in reviews],
        "review_after_cpu_ms": [cpu for _wall, cpu in reviews],
    }


def case_export(source: Path, runs: tuple[int, int], folder: Path) -> dict:
    import bench_export

    book = _book(source, folder, "export.db")
    try:
        return {
            "csv": bench_export.export_times(book, "csv", runs[0], folder),
            "xlsx": bench_export.export_times(book, "xlsx", runs[1], folder),
        }
    finally:
        book.close()


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run_child(case: str, size: int, quick: bool, cache: Path) -> dict:
    """Run one case in this process (called with ``--child``)."""
    source = common.demo_book(size, cache=cache, log=_log)
    pick = 1 if quick else 0
    with tempfile.TemporaryDirectory(prefix="kamtui-bench-") as tmp:
        folder = Path(tmp)
        if case == "import":
            return case_import(source, RUNS["import"][pick], folder, size)
        if case == "export":
            runs = (RUNS["export_csv"][pick], RUNS["export_xlsx"][pick])
            return case_export(source, runs, folder)
        fn = globals()[f"case_{case}"]
        return fn(source, RUNS[case][pick], folder)


# ---- the parent: children, table, JSON ---------------------------------------------------

MARK = "@@kamtui-bench-result "


def spawn(case: str, size: int, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, __file__, "--child", case, "--sizes", str(size), "--cache", args.cache]
    if args.quick:
        cmd.append("--quick")
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: byte-compiled modules
    env["PYTHONPATH"] = str(common.ROOT)
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, env=env, timeout=args.timeout, cwd=common.ROOT
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {args.timeout} s"}
    took = time.perf_counter() - started
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARK):
            result = json.loads(line[len(MARK) :])
            result["case_seconds"] = round(took, 1)
            return result
    tail = (proc.stderr or proc.stdout)[-3000:]
    return {"error": f"exit {proc.returncode}: {tail}"}


def _stat(values: list[float] | None) -> dict | None:
    return common.summary(values) if values else None


def _get(d: dict, *path) -> Any:
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


def rows_for(results: dict[str, dict]) -> list[dict]:
    """The table's rows for one size: label, unit, median, p95, budget key."""
    rows: list[dict] = []
    parent = [""]

    def add(label, values=None, *, stat=None, unit="ms", budget=None, note=""):
        s = stat if stat is not None else _stat(values)
        if s is None:
            return
        if not label.startswith("  "):
            parent[0] = label
        key = label if not label.startswith("  ") else f"{parent[0]} /{label.strip()}"
        rows.append({"what": label, "key": key, "unit": unit, "median": s["median"],
                     "p95": s["p95"], "n": s.get("n", 1), "budget": budget,
                     "note": note})  # fmt: skip

    def one(value):
        return None if value is None else {"median": value, "p95": value, "n": 1}

    start = results.get("start", {})
    cold = _get(start, "cold") or {}
    if cold.get("today"):
        add("cold start → Today painted", stat=cold["today"], budget="cold_start")
        add("  CPU (all threads)", stat=cold["today_cpu"])
        add("  first start of the day (backup, reminders)", stat=one(cold.get("first_of_day_ms")))
    if cold.get("contacts_first"):
        add("cold start → Contacts painted (opened on Contacts)", stat=cold["contacts_first"],
            budget="cold_start")  # fmt: skip
        add("  CPU (all threads)", stat=cold["contacts_first_cpu"])
    if cold.get("contacts"):
        add("Contacts painted, 2 pressed as Today appears", stat=cold["contacts"])
        add("  → the whole book listed (directory built)", stat=cold["contacts_list"])
    search = results.get("search", {})
    for q in SEARCH_QUERIES:
        data = _get(search, "queries", q)
        if data:
            add(f"search {q!r} per keystroke, CPU", data["cpu_ms"], budget="search",
                note=f"{data['matches']:,} matches")  # fmt: skip
            add("  wall", data["wall_ms"])
    typed = _get(search, "typed_slowest_cpu_ms", "xiuying")
    if typed:
        add("  slowest keystroke typing xiuying, CPU", typed)
    build = _get(search, "build")
    if build:
        add("directory + index build (worker)", stat=one(build["wall_ms"]))
        add("  CPU", stat=one(build["cpu_ms"]))
    rep = results.get("repaint", {})
    if rep.get("latency"):
        add("keystroke → results repainted", rep["latency"], budget="repaint",
            note=rep.get("screen", "Contacts screen"))  # fmt: skip
        add("  CPU", rep["cpu"])
    con = results.get("contact", {})
    if con.get("warm_wall_ms"):
        add("contact page data (200 interactions, 50 buys)", con["warm_wall_ms"], budget="contact")
    if con.get("latency_ms"):
        add(f"open contact → frame ({con.get('screen')})", con["latency_ms"], budget="contact")
        add("  first open in the app (lazy imports)", stat=one(con["first_ms"]))
    today = results.get("today", {})
    if today.get("refresh_wall_ms"):
        both = [a + b for a, b in zip(today["refresh_wall_ms"], today["view_wall_ms"], strict=True)]
        add("Today agenda: refresh + agenda view", both, budget="worker",
            note=f"{today.get('agenda_items', 0):,} items")  # fmt: skip
        add("  refresh (worker), wall", today["refresh_wall_ms"])
        add("  refresh, CPU", today["refresh_cpu_ms"])
        add("  view + first 40 rows (UI thread), wall", today["view_wall_ms"])
        add("  followup.agenda, every item (kamtui today)", today["agenda_wall_ms"])
    cls = results.get("classify", {})
    if cls.get("wall_ms"):
        add("classify_all, nothing cached", cls["wall_ms"], budget="worker")
        add("  CPU", cls["cpu_ms"])
    clean = results.get("cleanup", {})
    if clean.get("process_after_edits_wall_ms"):
        # The usual review: a new process, the last one's analysis brought up to date
        # with the day's edits (kamtui/cleanup_update.py).
        add("clean-up review, ~300 contacts edited since the last",
            clean["process_after_edits_wall_ms"], budget="worker",
            note="new process, analysis brought up to date")  # fmt: skip
        add("  CPU", clean["process_after_edits_cpu_ms"])
        add("  nothing edited since (analysis loaded)", clean["process_saved_wall_ms"])
    if clean.get("wall_ms"):
        add("clean-up review, analysis made from every contact", clean["wall_ms"], budget="worker",
            note=f"none saved; {clean.get('candidates', 0):,} candidates")  # fmt: skip
        add("  CPU", clean["cpu_ms"])
        add("  first review in a process", stat=one(clean["first_wall_ms"]))
        if clean.get("process_first_wall_ms"):
            add("  new process, nothing saved", clean["process_first_wall_ms"])
    imp = results.get("import", {})
    if imp.get("wall_ms"):
        add(f"import {imp['rows']:,}-row CSV", imp["wall_ms"], budget="import",
            note=f"{imp.get('progress_calls', 0)} progress calls")  # fmt: skip
        add("  CPU (main process)", imp["cpu_ms"])
        add("  longest stretch without progress", imp["longest_without_progress_ms"])
        add("  duplicate analysis for the clean-up, at its end",
            _get(imp, "stages_wall_ms", "duplicate analysis"))  # fmt: skip
        if imp.get("review_after_wall_ms"):
            add("clean-up review, the first after the import", imp["review_after_wall_ms"],
                budget="worker", note="new process")  # fmt: skip
            add("  CPU", imp["review_after_cpu_ms"])
    exp = results.get("export", {})
    if _get(exp, "csv", "wall_ms"):
        add("export whole book → CSV", exp["csv"]["wall_ms"], budget="export_csv",
            note=f"{exp['csv']['mb']:.1f} MB")  # fmt: skip
    if _get(exp, "xlsx", "wall_ms"):
        add("export whole book → XLSX", exp["xlsx"]["wall_ms"], note=f"{exp['xlsx']['mb']:.1f} MB")
    mem = _get(start, "memory")
    if mem:
        add("peak RSS, book open, start-up done", stat=one(mem["vm_hwm_mb"]), unit="MB",
            budget="rss")  # fmt: skip
        if mem.get("cpu_s") is not None:
            add("  start-up work: CPU until idle (all threads)", stat=one(mem["cpu_s"] * 1000),
                note=f"idle {mem['settled_after_s']:.1f} s after the first paint")  # fmt: skip
    imports = _get(start, "imports")
    if imports:
        heavy = ", ".join(imports["heavy"]) or "none"
        add("imports before the first paint (-X importtime)", stat=one(imports["import_ms"]),
            note=f"heavy: {heavy}")  # fmt: skip
    return rows


# Budgets by key: {size: limit}; checked on the p95.
BUDGETS = {
    "cold_start": {100_000: 600, 25_000: 400},
    "search": {100_000: 10},
    "repaint": {100_000: 33},
    "contact": {100_000: 100},
    "worker": {100_000: 300},
    "import": {100_000: 5000},
    "export_csv": {100_000: 2000},
    "rss": {100_000: 200},
}


def verdict(row: dict, size: int) -> str:
    limit = BUDGETS.get(row["budget"] or "", {}).get(size)
    if limit is None:
        return ""
    return "✓" if row["p95"] <= limit else "✗"


def _num(x: float) -> str:
    if x != x:  # nan
        return "-"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.1f}"


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def table(by_size: dict[int, dict[str, dict]]) -> str:
    sizes = sorted(by_size)
    per_size = {size: rows_for(by_size[size]) for size in sizes}
    order: list[tuple[str, str, str]] = []
    for size in sizes:
        for r in per_size[size]:
            if (r["key"], r["what"], r["unit"]) not in order:
                order.append((r["key"], r["what"], r["unit"]))
    cells = {(size, r["key"]): r for size in sizes for r in per_size[size]}
    head = ["what (median / p95)", *(f"{s:,}" for s in sizes), "budget", "note"]
    lines = []
    for key, what, unit in order:
        line = [f"{what} ({unit})" if not what.startswith("  ") else what]
        budget, note = "", ""
        for size in sizes:
            r = cells.get((size, key))
            if r is None:
                line.append("")
                continue
            cell = _num(r["median"]) if r["n"] == 1 else f"{_num(r['median'])} / {_num(r['p95'])}"
            line.append(f"{cell} {verdict(r, size)}".rstrip())
            limits = BUDGETS.get(r["budget"] or "", {})
            if limits:
                budget = " ".join(f"≤{_num(v)}@{k // 1000}k" for k, v in sorted(limits.items()))
            note = r["note"] or note
        lines.append([*line, budget, note])
    widths = [max(_width(row[i]) for row in [head, *lines]) for i in range(len(head))]
    out = []
    for k, row in enumerate([head, *lines]):
        out.append(
            "  ".join(
                _pad(c, widths[i], right=0 < i <= len(sizes)) for i, c in enumerate(row)
            ).rstrip()
        )
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def over_budget(by_size: dict[int, dict[str, dict]]) -> list[str]:
    out = []
    for size, results in sorted(by_size.items()):
        for r in rows_for(results):
            if verdict(r, size) == "✗":
                limit = BUDGETS[r["budget"]][size]
                out.append(
                    f"{r['what'].strip()} at {size:,}: p95 {_num(r['p95'])} {r['unit']} "
                    f"(budget {_num(limit)}, {r['p95'] / limit:.1f}×)"
                )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="5,000 contacts, few runs (CI)")
    ap.add_argument("--sizes", help="comma-separated book sizes (default 5000,25000,100000)")
    ap.add_argument("--only", help=f"comma-separated cases: {','.join(CASES)}")
    ap.add_argument("--cache", default=str(common.CACHE_DIR), help="where built books are kept")
    ap.add_argument("--json", help="write the results here (default benchmarks/results/…)")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per case (1800)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    default = QUICK_SIZES if args.quick else SIZES
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else list(default)

    if args.child:
        result = run_child(args.child, sizes[0], args.quick, Path(args.cache))
        print(MARK + json.dumps(result, ensure_ascii=False, default=str), flush=True)
        return 0

    cases = args.only.split(",") if args.only else list(CASES)
    unknown = set(cases) - set(CASES)
    if unknown:
        ap.error(f"unknown cases: {', '.join(sorted(unknown))}")
    machine = common.machine_info()
    print(
        f"kamtui benchmarks: sizes {', '.join(f'{s:,}' for s in sizes)}; "
        f"{'quick' if args.quick else 'full'} runs; cases {', '.join(cases)}\n"
        f"machine: {machine['nproc']} CPUs, {machine['cpu']}, Python {machine['python']}, "
        f"SQLite {machine['sqlite']}, Textual {machine['textual']}; load {machine['load']}",
        flush=True,
    )
    for size in sizes:  # build (or find) the books first: their build is not timed
        common.demo_book(size, cache=Path(args.cache))
    started = datetime.now().astimezone()
    by_size: dict[int, dict[str, dict]] = {}
    errors = []
    for size in sizes:
        by_size[size] = {}
        for case in cases:
            print(f"  {size:>7,} {case:<9} load {common.load_average()} …", end=" ", flush=True)
            result = spawn(case, size, args)
            by_size[size][case] = result
            if "error" in result:
                errors.append(f"{case} at {size:,}: {result['error']}")
                print("ERROR", flush=True)
            else:
                print(f"{result.get('case_seconds', 0):.0f} s", flush=True)
    load_after = common.load_average()
    text = table(by_size)
    print()
    print(text)
    print(f"\nload average before {machine['load']}, after {load_after}")
    misses = over_budget(by_size)
    if misses:
        print("\nover budget:\n  " + "\n  ".join(misses))
    for e in errors:
        print(f"\nERROR {e}", file=sys.stderr)

    doc = {
        "started": started.isoformat(timespec="seconds"),
        "command": " ".join(["python", "benchmarks/run.py", *(argv or sys.argv[1:])]),
        "quick": args.quick,
        "machine": machine,
        "load_after": load_after,
        "git": _git_head(),
        "budgets": {k: {str(s): v for s, v in b.items()} for k, b in BUDGETS.items()},
        "sizes": {str(size): by_size[size] for size in sizes},
        "table": {str(size): rows_for(by_size[size]) for size in sizes},
        "over_budget": misses,
        "errors": errors,
    }
    if args.json:
        out = Path(args.json)
    else:
        stamp = started.strftime("%Y%m%d-%H%M%S")
        out = common.RESULTS_DIR / f"{stamp}-{'quick' if args.quick else 'full'}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n")
    print(f"\nresults: {out}")
    return 1 if errors else 0


def _git_head() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=common.ROOT,
            check=False,
        ).stdout.strip()
    except OSError:
        return ""


if __name__ == "__main__":
    sys.exit(main())
