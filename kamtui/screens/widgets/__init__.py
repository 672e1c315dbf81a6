"""Widgets shared by the kamtui screens."""

from kamtui.screens.widgets.vtable import Column, GroupRow, StyledRow, VirtualTable

__all__ = ["Column", "GroupRow", "StyledRow", "VirtualTable"]
