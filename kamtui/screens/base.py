"""Shared pieces of every kamtui screen.

* Bindings are declared once, with an ``id`` and a message key as their
  description; :func:`translate_bindings` turns the keys into text in the
  current language when a screen or widget is created. The footer, the help
  screen (``?``) and the command palette all read the same bindings.
* :class:`KamtuiScreen` reloads its data when the seller comes back to it and
  the book changed meanwhile (in this process or another one), and shows
  domain errors as messages, never tracebacks.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.binding import BindingsMap
from textual.screen import ModalScreen, Screen

from kamtui.errors import KamtuiError
from kamtui.fmt import safe
from kamtui.i18n import has, t

if TYPE_CHECKING:
    from kamtui.store.db import Book


def tr(text: str) -> str:
    """A message key in the current language; Textual's own English descriptions
    ("Focus Next"…) in the current language too; other text unchanged."""
    if not text:
        return text
    if has(text):
        return t(text)
    if has(f"textual.{text}"):
        return t(f"textual.{text}")
    return text


def translate_bindings(bindings: BindingsMap) -> BindingsMap:
    """A copy of ``bindings`` with descriptions and tooltips in the current language."""
    keys = {
        key: [
            replace(b, description=tr(b.description), tooltip=tr(b.tooltip)) for b in key_bindings
        ]
        for key, key_bindings in bindings.key_to_bindings.items()
    }
    return BindingsMap.from_keys(keys)


class TranslatedBindings:
    """Mixin for screens and widgets: descriptions of BINDINGS are message keys."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._bindings = translate_bindings(self._bindings)


def plain(value: Any, max_len: int | None = None) -> Text:
    """Contact data as a Rich Text that is never parsed as markup."""
    return Text(safe(value, max_len=max_len))


class KamtuiScreen(TranslatedBindings, Screen):
    """A top-level section or a page pushed on top of one."""

    #: message key of the screen's title (shown in the header line)
    TITLE_KEY = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._stamp: tuple[int, int] | None = None

    @property
    def book(self) -> Book:
        return self.app.book

    def on_mount(self) -> None:
        if self.TITLE_KEY:
            self.title = t(self.TITLE_KEY)

    def on_screen_resume(self) -> None:
        stamp = self.book.stamp()
        if self._stamp is not None and stamp != self._stamp:
            self.reload()
        self._stamp = stamp

    def mark_fresh(self) -> None:
        """Call after loading data: the screen now shows the book as it is."""
        self._stamp = self.book.stamp()

    def reload(self) -> None:
        """Load the screen's data again (the book changed). Screens override this."""

    def report(self, error: Exception) -> None:
        """Show an error to the seller in their language (never a traceback)."""
        if isinstance(error, KamtuiError):
            self.notify(error.message, severity="error", markup=False, timeout=8)
        else:
            self.app.report_unexpected(error)


class KamtuiModal(TranslatedBindings, ModalScreen):
    """A dialog over the current screen."""

    @property
    def book(self) -> Book:
        return self.app.book
