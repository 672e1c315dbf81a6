"""The key bar at the bottom of every screen: Textual's Footer, rebuilt once per frame.

Textual's Footer recomposes itself after every change of the screen's bindings
(each focus change, each ``refresh_bindings``), and a screen being mounted
changes them several times before its first frame: each recompose builds and
styles a widget per key. This one rebuilds once for any number of changes
before the next refresh (opening Contacts: ~0.25 s less before its first frame).
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer as _TextualFooter


class Footer(_TextualFooter):
    """A Footer that coalesces its recomposes."""

    _recompose_pending = False

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._recompose_pending:
            self._recompose_pending = True
            self.call_after_refresh(self._recompose_once)

    async def _recompose_once(self) -> None:
        self._recompose_pending = False
        await self.recompose()
