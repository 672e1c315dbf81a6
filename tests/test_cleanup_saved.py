"""The clean-up's identity analysis saved in the book (migrations v0007, v0008): a
review from the saved analysis (brought up to date with what changed since) equals
one made from scratch, and a damaged one is never used."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from conftest import TODAY

from kamtui import cleanup
from kamtui.contacts import merge_contacts, purge_contact, update_contact
from kamtui.safety import undo_last


def _digest(found) -> list:
    out = []
    for c in (*found.candidates, *found.marked):
        evidence = [(e.text("en"), e.text("zh")) for e in c.evidence]
        out.append(
            (c.contact_id, c.account_id, c.name, c.reasons, c.partner_id, c.marked, evidence)
        )
    out.append([json.dumps(a.as_dict(), sort_keys=True) for a in found.accounts])
    out.append(found.kept)
    return out


def _from_scratch(book) -> list:
    cleanup.forget_cache(book)  # the saved analysis ignored once
    found = _digest(cleanup.review(book, TODAY))
    cleanup.wait_saved(book)
    return found


def _in_a_new_process(book, monkeypatch, *, loads: bool) -> list:
    """A review as a new process makes it: nothing remembered, the saved one if it fits."""
    made = []
    scan_and_match = cleanup._scan_and_match

    def counted(*args, **kw):
        made.append(1)
        return scan_and_match(*args, **kw)

    monkeypatch.setattr(cleanup, "_scan_and_match", counted)
    cleanup.forget_cache(book, saved=False)
    found = _digest(cleanup.review(book, TODAY))
    cleanup.wait_saved(book)
    monkeypatch.setattr(cleanup, "_scan_and_match", scan_and_match)
    assert bool(made) != loads, "loaded" if not loads else "made again"
    return found


def _check(book, monkeypatch, *, loads: bool) -> None:
    """What a new process finds (after whatever changed) equals what is made from
    scratch; then, the analysis saved, a new process loads it and finds it again."""
    got = _in_a_new_process(book, monkeypatch, loads=loads)
    assert got == _from_scratch(book)
    assert _in_a_new_process(book, monkeypatch, loads=True) == got


@pytest.fixture
def book(demo_book):
    cleanup.forget_cache()
    found = cleanup.review(demo_book, TODAY)
    cleanup.wait_saved(demo_book)
    assert found.candidates and any(c.has("duplicate") for c in found.candidates)
    assert demo_book.scalar("SELECT count(*) FROM cleanup_identity") == 1
    return demo_book


def test_a_review_from_the_saved_analysis_equals_one_made(book, monkeypatch):
    _check(book, monkeypatch, loads=True)


def test_the_saved_analysis_is_brought_up_to_date_never_used_stale(book, monkeypatch):
    found = cleanup.review(book, TODAY)
    dups = [c for c in found.candidates if c.has("duplicate")]
    # an edit: a remark changed (the next process loads the analysis and brings it
    # up to date: what it finds is what is made from scratch)
    update_contact(book, dups[0].contact_id, remark="完全不同的名字")
    _check(book, monkeypatch, loads=True)
    # archives from the clean-up, then undone
    cleanup.archive(book, [dups[1], dups[2]])
    _check(book, monkeypatch, loads=True)
    cleanup.undo_last(book)
    _check(book, monkeypatch, loads=True)
    # a merge, then undone (the general undo)
    merge_contacts(book, dups[3].partner_id, dups[3].contact_id)
    _check(book, monkeypatch, loads=True)
    undo_last(book, backup=False)
    _check(book, monkeypatch, loads=True)
    # decisions do not touch contacts: the saved analysis still fits as it is
    cleanup.keep(book, [dups[4]])
    _check(book, monkeypatch, loads=True)
    # a contact erased: the saved analysis goes with it (it held the name)
    purge_contact(book, dups[5].contact_id)
    assert book.scalar("SELECT count(*) FROM cleanup_identity") == 0
    _check(book, monkeypatch, loads=False)


def test_another_score_or_code_version_is_not_loaded(book, monkeypatch):
    made = []
    scan_and_match = cleanup._scan_and_match
    monkeypatch.setattr(
        cleanup, "_scan_and_match", lambda *a, **k: made.append(1) or scan_and_match(*a, **k)
    )
    rules = cleanup.Rules.from_settings(book)
    cleanup.forget_cache(book, saved=False)
    cleanup.review(book, TODAY, rules=replace(rules, duplicate_score=80))
    cleanup.wait_saved(book)
    assert made == [1]
    monkeypatch.setattr(cleanup, "_scan_and_match", scan_and_match)
    _check(book, monkeypatch, loads=False)  # made for 80: not for 90
    monkeypatch.setattr(cleanup, "_code_version", "another")
    _check(book, monkeypatch, loads=False)


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE cleanup_identity SET names = substr(names, 1, length(names) - 40)",
        "UPDATE cleanup_identity SET ids = substr(ids, 9)",
        "UPDATE cleanup_identity SET match_other = zeroblob(length(match_other))",
        "UPDATE cleanup_identity SET match_at = x'ffffffff' || substr(match_at, 5)",
        "UPDATE cleanup_identity SET match_how = x'07' || substr(match_how, 2)",
        "UPDATE cleanup_identity SET friends = '[[1, 1]]'",
        "UPDATE cleanup_identity SET friends = 'not json'",
        "UPDATE cleanup_identity SET names = x'ff00ff'",
        "UPDATE cleanup_identity SET matches = matches + 1",
        "UPDATE cleanup_identity SET checksum = ''",
    ],
)
def test_a_saved_analysis_that_does_not_line_up_is_ignored(book, monkeypatch, damage):
    expected = _from_scratch(book)
    with book.transaction() as con:
        con.execute(damage)
    assert _in_a_new_process(book, monkeypatch, loads=False) == expected
