"""Pick a contact: type a name, pinyin, initials, WeChat ID or phone digits."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from kamtui.i18n import t
from kamtui.screens.base import KamtuiModal
from kamtui.screens.widgets import Column, VirtualTable

SHOWN = 200  # rows fetched for the list; the count says how many matched


class ContactPicker(KamtuiModal):
    """Returns the chosen contact id (None on Esc). Archived contacts are left out."""

    DEFAULT_CSS = """
    ContactPicker { align: center middle; }
    ContactPicker > Vertical {
        width: 80; max-width: 95%; height: 24; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    ContactPicker .dialog-title { text-style: bold; }
    ContactPicker VirtualTable { height: 1fr; }
    ContactPicker #picker-status { color: $text-muted; height: 1; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "key.cancel", id="picker.cancel"),
        Binding("down", "focus_list", "picker.key.list", id="picker.list", show=False),
    ]

    def __init__(self, title: str, query: str = "") -> None:
        super().__init__()
        self.picker_title = title
        self.initial = query
        self.directory = None
        self.ids: list[int] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.picker_title), classes="dialog-title")
            yield Input(self.initial, placeholder=t("picker.placeholder"), id="picker-query")
            yield VirtualTable(
                [
                    Column("fav", "", width=2),
                    Column("name", t("picker.col.name"), min_width=10, ratio=2),
                    Column("account", t("picker.col.account"), min_width=6, ratio=1),
                    Column("tags", t("picker.col.tags"), min_width=6, ratio=1),
                ],
                empty_message=t("picker.loading"),
                multi_select=False,
                id="picker-list",
            )
            yield Static("", id="picker-status")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.app.with_directory(self._ready)

    def _ready(self, directory) -> None:
        self.directory = directory
        self.query_one(VirtualTable).empty_message = t("picker.none")
        self._search(self.query_one(Input).value)

    @on(Input.Changed, "#picker-query")
    def _changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    def _search(self, text: str) -> None:
        d = self.directory
        if d is None:
            return
        result = d.find(text)
        self.ids = list(result[:SHOWN])
        rows = []
        for cid in self.ids:
            e = d.entries[cid]
            rows.append(("★" if e.favourite else "", e.name, e.account, " ".join(e.tags)))
        self.query_one(VirtualTable).set_data(rows, keys=self.ids)
        self.query_one("#picker-status", Static).update(Text(t("picker.count", n=len(result))))

    @on(Input.Submitted, "#picker-query")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        key = self.query_one(VirtualTable).cursor_key
        if key is not None:
            self.dismiss(key)

    @on(VirtualTable.Selected)
    def _selected(self, event: VirtualTable.Selected) -> None:
        if event.key is not None:
            self.dismiss(event.key)

    def action_focus_list(self) -> None:
        self.query_one(VirtualTable).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
