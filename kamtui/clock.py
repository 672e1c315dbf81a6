"""Today and now, in one place, so tests and demos can freeze them.

``KAMTUI_TODAY=2026-11-24`` in the environment freezes the date for a whole
process (demo screenshots, shell tests); :func:`freeze` does it in-process.
"""

from __future__ import annotations

import os
from datetime import date, datetime, time

_frozen: date | None = None


def freeze(day: date | None) -> None:
    """Freeze :func:`today` at ``day`` (None unfreezes)."""
    global _frozen
    _frozen = day


def today() -> date:
    if _frozen is not None:
        return _frozen
    env = os.environ.get("KAMTUI_TODAY")
    if env:
        return date.fromisoformat(env)
    return date.today()


def now() -> datetime:
    """The current moment, timezone-aware in the local zone (on the frozen day if frozen)."""
    current = datetime.now().astimezone()
    day = today()
    if day != current.date():
        current = datetime.combine(day, time(12, 0)).astimezone()
    return current
