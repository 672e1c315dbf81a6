"""Shared fixtures: a temporary book, a frozen date."""

from __future__ import annotations

import os
from datetime import date

import pytest

from kamtui import clock, i18n
from kamtui.store.db import Book

TODAY = date(2026, 11, 24)


@pytest.fixture(autouse=True)
def _isolate(tmp_path, monkeypatch):
    """Every test: its own data dir, English messages, the real date unless frozen."""
    monkeypatch.setenv("KAMTUI_DB", str(tmp_path / "env-book.db"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("KAMTUI_TODAY", raising=False)
    i18n.set_language("en")
    clock.freeze(None)
    yield
    clock.freeze(None)
    i18n.set_language("en")


@pytest.fixture
def frozen_today():
    clock.freeze(TODAY)
    return TODAY


@pytest.fixture
def book(tmp_path):
    b = Book(tmp_path / "book.db")
    yield b
    b.close()


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory):
    """The 600-contact demo book, built once per test session (seed 2026, frozen today)."""
    from kamtui.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    b = Book(path)
    build_demo(b, size=600, seed=2026, today=TODAY)
    b.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    b.close()
    return path


@pytest.fixture
def demo_book(_demo_template, tmp_path):
    """A private copy of the demo book; today is frozen at 2026-11-24."""
    import shutil

    path = tmp_path / "demo.db"
    shutil.copy(_demo_template, path)
    path.chmod(0o600)
    clock.freeze(TODAY)
    b = Book(path)
    yield b
    b.close()


def count_forks(monkeypatch) -> list[int]:
    """From now on, each ``os.fork`` (which still forks) adds a 1 to the list returned."""
    forks: list[int] = []
    real_fork = os.fork

    def counting_fork():
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", counting_fork)
    return forks
