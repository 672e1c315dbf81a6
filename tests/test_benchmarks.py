"""The performance suite still runs: ``benchmarks/run.py --quick`` on a 5,000-contact book.

No timing is asserted here (CI machines are noisy): only that every case ran,
produced figures, and that the table and the JSON file were written.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_script(name: str, *args: str) -> subprocess.CompletedProcess:
    """``benchmarks/<name>`` run as the README says, with no book of the seller's;
    fails the test with its output if it fails."""
    env = dict(os.environ)
    env.pop("KAMTUI_DB", None)
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / name), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def test_quick_suite_runs(tmp_path):
    out = tmp_path / "results.json"
    proc = run_script("run.py", "--quick", "--cache", str(tmp_path / "cache"), "--json", str(out))
    assert "cold start → Today painted" in proc.stdout
    doc = json.loads(out.read_text())
    assert doc["quick"] is True and doc["errors"] == []
    assert doc["machine"]["nproc"] >= 1
    results = doc["sizes"]["5000"]
    cases = ("start", "search", "repaint", "contact", "today", "classify", "cleanup", "import")
    for case in (*cases, "export"):
        assert case in results and "error" not in results[case], case
    assert results["cleanup"]["wall_ms"] and results["classify"]["wall_ms"]
    assert results["start"]["cold"]["today"]["n"] >= 1
    assert results["start"]["memory"]["vm_hwm_mb"] > 0
    assert set(results["search"]["queries"]) == {"秀英", "xiuying", "xy", "xiuyng"}
    assert all(q["matches"] > 0 for q in results["search"]["queries"].values())
    assert results["repaint"]["latency"]
    assert results["contact"]["warm_wall_ms"] and results["contact"]["latency_ms"]
    assert results["today"]["agenda_items"] > 0
    assert results["import"]["rows"] == 5000 and results["import"]["progress_calls"] > 0
    # 5,000 contacts: the import makes the clean-up's analysis, the review after it loads it
    assert results["import"]["stages_wall_ms"]["duplicate analysis"]
    assert results["import"]["review_after_wall_ms"]
    assert results["export"]["csv"]["contacts"] == 5000
    whats = {row["what"].strip() for row in doc["table"]["5000"]}
    assert "keystroke → results repainted" in whats
    # The built book is cached for the next run.
    assert list((tmp_path / "cache").glob("demo-5000-s2026-v*.db"))


def test_today_check_runs_and_finds_the_same_reminders(tmp_path):
    cache = str(tmp_path / "cache")
    proc = run_script("check_today.py", "--size", "5000", "--days", "4", "--cache", cache)
    assert proc.stdout.count("reading everything)") == 4
    assert proc.stdout.rstrip().endswith("the same every day")
