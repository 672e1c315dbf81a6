"""The key bar at the bottom of every screen: Textual's Footer, rebuilt once per frame.

Textual's Footer recomposes itself after every change of the screen's bindings
(each focus change, each ``refresh_bindings``), and a screen being mounted
changes them several times before its first frame: each recompose builds and
styles a widget per key. This one rebuilds once for any number of changes
before the next refresh (opening Contacts: ~0.25 s less before its first frame),
and not at all when the keys shown and their states are the same as before.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer as _TextualFooter


class Footer(_TextualFooter):
    """A Footer that coalesces its recomposes."""

    _recompose_pending = False
    _last_shown: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._recompose_pending:
            self._recompose_pending = True
            self.call_after_refresh(self._recompose_once)

    async def _recompose_once(self) -> None:
        self._recompose_pending = False
        if not self.is_attached:  # (its screen closed meanwhile)
            return
        shown = self._shown()
        if shown == self._last_shown:
            return  # the same keys, in the same states: nothing to rebuild
        self._last_shown = shown
        await self.recompose()

    def _shown(self) -> tuple:
        """What :meth:`compose` would show: each shown binding, enabled or not."""
        active = self.screen.active_bindings
        keys = tuple(
            (b.key, b.key_display, b.description, b.action, b.group, enabled, tooltip)
            for _node, b, enabled, tooltip in active.values()
            if b.show
        )
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        return keys, (palette[1].key, palette[2]) if palette else None
