"""Widgets shared by the kamtui screens.

``from kamtui.screens.widgets import VirtualTable`` works, but importing the
package alone does not import Textual (names are loaded on first use), so tools
that walk every package, like ``tests/test_boundaries.py``, stay light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kamtui.screens.widgets.vtable import Column, GroupRow, StyledRow, VirtualTable

_EXPORTS = {
    "Column": "kamtui.screens.widgets.vtable",
    "GroupRow": "kamtui.screens.widgets.vtable",
    "StyledRow": "kamtui.screens.widgets.vtable",
    "VirtualTable": "kamtui.screens.widgets.vtable",
}

__all__ = ["Column", "GroupRow", "StyledRow", "VirtualTable"]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
