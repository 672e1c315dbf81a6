"""Shared fixtures: a temporary book, a frozen date."""

from __future__ import annotations

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
