"""The key help (``?`` or F1): every binding active on the current screen."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from kamtui.i18n import t
from kamtui.screens.base import KamtuiModal, tr

_KEY_NAMES = {
    "question_mark": "?",
    "asterisk": "*",
    "dollar_sign": "$",
    "space": "space",
    "escape": "Esc",
    "enter": "Enter",
    "slash": "/",
    "plus": "+",
    "minus": "-",
}


def key_label(key: str) -> str:
    """How a key is written for people: ``ctrl+p`` → ``Ctrl+P``, ``question_mark`` → ``?``."""
    parts = key.split("+")
    modified = len(parts) > 1
    out = []
    for p in parts:
        if p in _KEY_NAMES:
            out.append(_KEY_NAMES[p])
        elif p in ("ctrl", "shift", "alt"):
            out.append(p.capitalize())
        elif len(p) > 1:
            out.append(p.upper() if p.startswith("f") and p[1:].isdigit() else p.capitalize())
        else:
            out.append(p.upper() if modified else p)  # Ctrl+O, but g and G differ
    return "+".join(out)


def binding_rows(screen) -> list[tuple[str, str]]:
    """(keys, description) of every binding the screen answers to, grouped by action."""
    by_action: dict[tuple[str, str], list[str]] = {}
    for key, active in screen.active_bindings.items():
        binding: Binding = active.binding
        if not binding.description:
            continue
        by_action.setdefault((binding.action, tr(binding.description)), []).append(
            key_label(binding.key_display or key)
        )
    return [(" / ".join(keys), desc) for (_action, desc), keys in by_action.items()]


class HelpScreen(KamtuiModal):
    """All keys of the screen below, in the current language."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 72; max-width: 95%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 1 2;
    }
    """
    BINDINGS = [
        Binding("escape,question_mark,f1,q", "dismiss", "key.close", id="help.close"),
    ]

    def __init__(self, target) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for keys, desc in binding_rows(self.target):
            table.add_row(Text(keys), Text(desc))
        with VerticalScroll():
            yield Static(Text(t("help.title"), style="bold"), id="help-title")
            yield Static(table, id="help-table")
            yield Static(Text(t("help.footer"), style="dim"))

    def action_dismiss(self, result=None) -> None:
        self.dismiss(result)
