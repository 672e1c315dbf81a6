"""The clean-up's duplicate analysis made right after a write of many contacts
(:func:`kamtui.cleanup.prepare`): an import, the undo of a big one, a bulk change in
the app. The next review then brings it up to date instead of making it from every
contact, and finds exactly what one made from every contact finds."""

from __future__ import annotations

import threading
import time

import pytest
from conftest import TODAY
from test_cleanup_saved import _digest
from test_cleanup_update import _new_process, _scratch
from test_contacts_screen import contacts_screen, settle, type_text
from test_import_apply import write_csv

from kamtui import cleanup, cleanup_update, contacts
from kamtui.app import PREPARE_AFTER, KamtuiApp
from kamtui.safety import undo_last


@pytest.fixture
def small_limits(monkeypatch):
    """The 600-contact demo book counts as a big one; more than 20 changes, as many."""
    monkeypatch.setattr(cleanup, "PREPARE_FROM", 100)
    monkeypatch.setattr(cleanup_update, "MOST_CHANGES", 20)


def _saved_state(book) -> list | None:
    import json

    found = book.query("SELECT key FROM cleanup_identity WHERE id = 1")
    return json.loads(found[0][0])[1:3] if found else None


def _state(book) -> list:
    return list(cleanup._contacts_state(book))


def _counting(monkeypatch) -> list:
    """A list that gets a 1 whenever an analysis is made from every contact."""
    made: list[int] = []
    scan_and_match = cleanup._scan_and_match

    def counted(*args, **kw):
        made.append(1)
        return scan_and_match(*args, **kw)

    monkeypatch.setattr(cleanup, "_scan_and_match", counted)
    return made


def _import(book, path, stages: list) -> None:
    from kamtui.importing import read_file
    from kamtui.importing.apply import apply_import, plan_import

    def progress(stage, done, total):
        stages.append(stage)

    apply_import(book, plan_import(book, read_file(path), progress=progress), progress=progress)


def test_prepare_makes_and_saves_the_analysis_the_next_review_loads(
    demo_book, small_limits, monkeypatch
):
    cleanup.forget_cache()
    assert _saved_state(demo_book) is None  # never reviewed
    told = []
    assert cleanup.prepare(demo_book, progress=lambda done, total: told.append((done, total)))
    assert told == [(0, 2), (1, 2), (2, 2)]
    assert _saved_state(demo_book) == _state(demo_book)
    assert not cleanup.prepare(demo_book)  # nothing due any more
    made = _counting(monkeypatch)
    got = _digest(cleanup.review(demo_book, TODAY))
    assert made == []  # the review took the prepared analysis
    assert _new_process(demo_book.path) == got  # and so does the next process
    assert made == []
    assert got == _scratch(demo_book.path)


def test_prepare_leaves_small_books_and_few_changes_alone(demo_book, small_limits, monkeypatch):
    cleanup.forget_cache()
    monkeypatch.setattr(cleanup, "PREPARE_FROM", 601)  # one more than the book holds
    assert not cleanup.prepare(demo_book)
    assert _saved_state(demo_book) is None
    monkeypatch.setattr(cleanup, "PREPARE_FROM", 600)
    assert cleanup.prepare(demo_book)

    ids = [r[0] for r in demo_book.query("SELECT id FROM contact WHERE archived = 0 LIMIT 25")]
    for cid in ids[:20]:  # as many as a review brings up to date
        contacts.update_contact(demo_book, cid, remark=f"改名{cid}")
    assert not cleanup.prepare(demo_book)
    cleanup.forget_cache(demo_book, saved=False)  # (a new process: only the saved one)
    assert not cleanup.prepare(demo_book)
    contacts.update_contact(demo_book, ids[20], remark="又改名")  # one more: made again
    assert cleanup.prepare(demo_book)
    assert _saved_state(demo_book) == _state(demo_book)
    made = _counting(monkeypatch)
    got = _digest(cleanup.review(demo_book, TODAY))
    assert made == []
    assert got == _scratch(demo_book.path)


def test_nothing_is_prepared_inside_a_transaction(demo_book, small_limits):
    cleanup.forget_cache()
    with demo_book.transaction():
        assert not cleanup.prepare(demo_book)
    assert _saved_state(demo_book) is None


def test_a_review_waits_for_a_prepare_under_way(demo_book, small_limits, monkeypatch):
    cleanup.forget_cache()
    made = _counting(monkeypatch)
    done = threading.Event()
    lock = cleanup._identity_lock(demo_book)
    with lock:  # a prepare under way (in another thread)
        threading.Thread(
            target=lambda: (cleanup.review(demo_book, TODAY), done.set()), daemon=True
        ).start()
        time.sleep(0.3)
        assert not done.is_set()
        assert made == []
    assert done.wait(10)


def test_a_review_in_a_transaction_does_not_wait_for_the_prepares_save(
    demo_book, small_limits, monkeypatch
):
    """The save needs the book's write lock: a review inside a write transaction,
    made while a prepare saves, takes the prepared analysis at once (it used to wait
    for the save, which waited for the transaction: 15 s, then nothing saved)."""
    cleanup.forget_cache()
    saving = threading.Event()
    save = cleanup._save_identity

    def signalled(book, ident):
        saving.set()
        save(book, ident)

    monkeypatch.setattr(cleanup, "_save_identity", signalled)
    made = _counting(monkeypatch)
    with demo_book.transaction():
        worker = threading.Thread(target=cleanup.prepare, args=(demo_book,), daemon=True)
        worker.start()
        assert saving.wait(10)
        started = time.perf_counter()
        found = _digest(cleanup.review(demo_book, TODAY))
        assert time.perf_counter() - started < 5
        assert made == [1]  # the prepare's only
    worker.join(20)
    assert not worker.is_alive()
    assert _saved_state(demo_book) == _state(demo_book)
    assert found == _scratch(demo_book.path)


def test_a_prepare_during_a_review_takes_its_analysis(demo_book, small_limits, monkeypatch):
    """Made once: a prepare while a review makes the analysis waits for it, then finds
    nothing due (and a closed book is left alone)."""
    cleanup.forget_cache()
    made = []
    scan_and_match = cleanup._scan_and_match
    inside = threading.Event()

    def slow(*args, **kwargs):
        made.append(1)
        inside.set()
        time.sleep(0.3)
        return scan_and_match(*args, **kwargs)

    monkeypatch.setattr(cleanup, "_scan_and_match", slow)
    reviewing = threading.Thread(target=cleanup.review, args=(demo_book, TODAY), daemon=True)
    reviewing.start()
    assert inside.wait(10)
    assert not cleanup.prepare(demo_book)
    reviewing.join(20)
    assert made == [1]
    demo_book.close()
    assert not cleanup.prepare(demo_book)


def _rows(n: int, start: int = 0) -> str:
    lines = ["姓名,微信号,手机"]
    for i in range(start, start + n):
        lines.append(f"客户{i:04d},wx_prep_{i},1380013{i:04d}")
    return "\n".join(lines)


def test_a_big_import_prepares_the_analysis(book, tmp_path, small_limits, monkeypatch):
    cleanup.forget_cache()
    stages: list[str] = []
    _import(book, write_csv(tmp_path, _rows(50), "small.csv"), stages)  # < PREPARE_FROM
    assert "write" in stages and "check" not in stages
    assert _saved_state(book) is None
    stages.clear()
    _import(book, write_csv(tmp_path, _rows(120, start=50), "big.csv"), stages)
    assert stages[-3:] == ["check"] * 3
    assert _saved_state(book) == _state(book)
    made = _counting(monkeypatch)
    got = _digest(cleanup.review(book, TODAY))
    assert made == []
    assert got == _scratch(book.path)

    stages.clear()
    _import(book, write_csv(tmp_path, _rows(30, start=170), "more.csv"), stages)
    assert stages[-1] == "check"  # 30 new contacts: more than a review brings up to date
    undo_last(book)  # and 30 erased
    assert cleanup.prepare(book)
    assert _saved_state(book) == _state(book)
    made.clear()
    got = _digest(cleanup.review(book, TODAY))
    assert made == []
    assert got == _scratch(book.path)


async def test_the_app_prepares_after_a_change_of_many_contacts(demo_book, monkeypatch):
    assert PREPARE_AFTER == cleanup_update.MOST_CHANGES
    calls = []
    monkeypatch.setattr(cleanup, "prepare", lambda book, *a, **kw: calls.append(book))
    monkeypatch.setattr("kamtui.app.PREPARE_AFTER", 3)
    app = KamtuiApp(demo_book)
    async with app.run_test(size=(140, 40)) as pilot:
        await contacts_screen(pilot, app)
        await type_text(pilot, "/-fav")
        await pilot.press("down", "space", "j", "space", "j", "space")
        await pilot.press("f", "y")  # three: not many
        await settle(pilot, app)
        assert calls == []
        await pilot.press("asterisk", "f", "y")  # every one shown
        await settle(pilot, app)
        assert calls == [demo_book]
        app.contacts_changed([1])  # one change, then two: three, not more than three
        app.contacts_changed([2, 3])
        await settle(pilot, app)
        assert calls == [demo_book]
        app.contacts_changed([4])  # four since the last
        await settle(pilot, app)
        assert calls == [demo_book, demo_book]


def test_a_big_demo_book_comes_with_its_analysis(tmp_path, monkeypatch):
    from kamtui.cli import main
    from kamtui.store.db import Book

    monkeypatch.setattr(cleanup, "PREPARE_FROM", 300)
    small, big = tmp_path / "small.db", tmp_path / "big.db"
    assert main(["--db", str(small), "demo", "--size", "200"]) == 0
    assert main(["--db", str(big), "demo", "--size", "400"]) == 0
    for path, made in ((small, False), (big, True)):
        b = Book(path)
        try:
            assert (_saved_state(b) == _state(b)) is made
        finally:
            b.close()
