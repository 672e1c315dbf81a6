"""Ordered schema steps, one module each: ``vNNNN_<what>.py`` with ``upgrade(conn)``.

Step N brings a book from ``PRAGMA user_version`` N-1 to N. Steps are frozen
once released; a change to the schema is a new step.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

_STEP = re.compile(r"^v(\d{4})_\w+$")


def steps() -> list[tuple[int, str]]:
    """(version, module name) of every step, in order. Imports nothing."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        m = _STEP.match(info.name)
        if m:
            found.append((int(m.group(1)), info.name))
    found.sort()
    versions = [v for v, _ in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migration steps are not numbered 1..N: {versions}")
    return found


def latest() -> int:
    return len(steps())


def load(name: str):
    return importlib.import_module(f"{__name__}.{name}")
