"""The merge dialog: two contacts side by side, each field picked with the keyboard.

Shared by every screen that merges (the clean-up queue, the contacts list):

    self.app.push_screen(MergeModal(keep_id, drop_id), lambda merged: ...)

The left contact stays; the right one is merged into it and archived (nothing
is lost, and ``u`` undoes the merge: one step). For each field the seller
picks a side with ←/→ (or h/l, space to switch); ``s`` swaps who stays. The
result column shows what the survivor will hold, following
:func:`kamtui.contacts.merge_contacts`: an empty field is filled from the
other side, the day added is the earlier and the last Moments post the later
(unless a side is picked), descriptions are joined. Both histories' counts
are shown, and what the survivor will have. Dismisses with True once merged.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from kamtui import accounts, cleanup, contacts
from kamtui.dates import Birthday, format_birthday
from kamtui.errors import KamtuiError
from kamtui.fmt import display_name, safe
from kamtui.i18n import t
from kamtui.phone import display_phone
from kamtui.screens.base import KamtuiModal
from kamtui.screens.widgets import Column, StyledRow, VirtualTable

# What the dialog offers, in order: (field, the merge_contacts fields it stands for).
FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("remark", ("remark",)),
    ("nickname", ("nickname",)),
    ("account", ("account_id",)),
    ("wechat_id", ("wechat_id",)),
    ("phone", ("phone",)),
    ("country", ("country",)),
    ("province", ("province",)),
    ("city", ("city",)),
    ("occupation", ("occupation",)),
    ("gender", ("gender",)),
    ("birthday", ("birthday",)),
    ("source", ("source",)),
    ("added_on", ("added_on",)),
    ("last_moment_on", ("last_moment_on",)),
    ("potential", ("potential",)),
    ("description", ("description",)),
    ("picture_path", ("picture_path",)),
)
AUTO = {"added_on": "merge.auto_earliest", "last_moment_on": "merge.auto_latest"}


def _value(c, field: str) -> Any:
    if field == "birthday":
        if c.birth_month is None:
            return None
        return Birthday.from_row(
            c.birth_year, c.birth_month, c.birth_day, c.birth_lunar, c.birth_leap
        )
    if field == "account":
        return c.account_id
    return getattr(c, field)


def _empty(value: Any) -> bool:
    return value is None or value == ""


class MergeModal(KamtuiModal):
    """Merge ``drop_id`` into ``keep_id`` (the seller may swap them)."""

    DEFAULT_CSS = """
    MergeModal { align: center middle; }
    MergeModal > Vertical {
        width: 110; max-width: 98%; height: auto; max-height: 95%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    MergeModal .dialog-title { text-style: bold; padding: 0 0 1 0; }
    MergeModal #merge-fields { height: auto; max-height: 20; }
    MergeModal .merge-note { color: $text-muted; }
    """
    BINDINGS = [
        Binding("left,h", "side('left')", "merge.key.left", id="merge.left"),
        Binding("right,l", "side('right')", "merge.key.right", id="merge.right"),
        Binding("space", "side('other')", "merge.key.toggle", id="merge.toggle"),
        Binding("s", "swap", "merge.key.swap", id="merge.swap"),
        Binding("enter,ctrl+s", "merge", "merge.key.merge", id="merge.merge", priority=True),
        Binding("escape", "cancel", "key.cancel", id="merge.cancel"),
    ]

    def __init__(self, keep_id: int, drop_id: int) -> None:
        super().__init__()
        self.keep_id = keep_id
        self.drop_id = drop_id
        self.records: dict[int, Any] = {}
        self.histories: dict[int, cleanup.History] = {}
        self.account_names: dict[int, str] = {}
        # field -> "left" / "right": which side's value the survivor takes
        self.choice: dict[str, str] = {}
        self.shown: list[str] = []

    # ---- data ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(t("merge.title")), classes="dialog-title")
            yield Static("", id="merge-sides")
            yield VirtualTable(
                [
                    Column("field", t("merge.col.field"), width=14),
                    Column("left", "", ratio=1, min_width=12),
                    Column("right", "", ratio=1, min_width=12),
                    Column("result", t("merge.result"), ratio=1, min_width=12),
                ],
                multi_select=False,
                id="merge-fields",
            )
            yield Static("", id="merge-history", classes="merge-note")
            yield Static(Text(t("merge.flags")), classes="merge-note")
            yield Static(Text(t("merge.help"), style="dim"), classes="merge-note")

    def on_mount(self) -> None:
        try:
            self.records = {
                cid: contacts.get_contact(self.book, cid) for cid in (self.keep_id, self.drop_id)
            }
            self.histories = cleanup.history(self.book, [self.keep_id, self.drop_id])
            self.account_names = {a.id: a.name for a in accounts.list_accounts(self.book)}
        except Exception as e:
            self._report(e)
            self.dismiss(None)
            return
        self._defaults()
        self._show(keep_cursor=False)
        self.query_one(VirtualTable).focus()

    @property
    def left(self):
        return self.records[self.keep_id]

    @property
    def right(self):
        return self.records[self.drop_id]

    def _defaults(self) -> None:
        self.choice = {}
        self.shown = []
        for field, _cols in FIELDS:
            a, b = _value(self.left, field), _value(self.right, field)
            if _empty(a) and _empty(b):
                continue
            self.shown.append(field)
            self.choice[field] = "right" if _empty(a) and not _empty(b) else "left"

    # ---- what the survivor gets ----------------------------------------------------

    def take(self) -> list[str]:
        """Fields the survivor takes from the right contact (for merge_contacts)."""
        out = []
        for field in self.shown:
            if self.choice.get(field) != "right":
                continue
            a, b = _value(self.left, field), _value(self.right, field)
            if a != b or field in AUTO:
                out.extend(dict(FIELDS)[field])
        return out

    def result(self, field: str) -> tuple[Any, str]:
        """(value, how) of ``field`` after the merge; how is "" or a message key."""
        a, b = _value(self.left, field), _value(self.right, field)
        if self.choice.get(field) == "right":
            return b, ""
        if field == "added_on":
            return min(x for x in (a, b) if x), "merge.auto_earliest"
        if field == "last_moment_on":
            dates = [x for x in (a, b) if x]
            return (max(dates) if dates else None), "merge.auto_latest"
        if field == "description" and b and b not in (a or ""):
            return f"{a}\n{b}".strip(), "merge.auto_both"
        if _empty(a):
            return b, ""
        return a, ""

    def shown_value(self, field: str, value: Any) -> str:
        if _empty(value):
            return "—"
        if field == "account":
            return self.account_names.get(value, f"#{value}")
        if field == "phone":
            return display_phone(value)
        if field == "gender":
            return t(f"gender.{value}")
        if field == "birthday":
            return format_birthday(value)
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return safe(value, max_len=200)

    # ---- drawing ------------------------------------------------------------------

    def _display_name(self, c) -> str:
        return display_name(c.remark, c.nickname, c.id)

    def _show(self, keep_cursor: bool = True) -> None:
        left, right = self.left, self.right
        table = self.query_one(VirtualTable)
        table.set_columns(
            [
                Column("field", t("merge.col.field"), width=14),
                Column("left", Text(t("merge.keep", id=left.id)), ratio=1, min_width=12),
                Column("right", Text(t("merge.drop", id=right.id)), ratio=1, min_width=12),
                Column("result", t("merge.result"), ratio=1, min_width=12),
            ]
        )
        rows = []
        for field in self.shown:
            a, b = _value(left, field), _value(right, field)
            value, how = self.result(field)
            side = self.choice[field]
            shown = self.shown_value(field, value)
            if how:
                shown = f"{shown}  ({t(how)})"
            cells = (
                t(f"field.{field}"),
                ("◀ " if side == "left" else "  ") + self.shown_value(field, a),
                ("▶ " if side == "right" else "  ") + self.shown_value(field, b),
                shown,
            )
            rows.append(StyledRow(cells, "dim") if a == b else cells)
        table.set_data(rows, keys=list(self.shown), keep_key=keep_cursor)
        sides = Text()
        sides.append(f"◀ #{left.id} ", style="bold")
        sides.append(safe(self._display_name(left), max_len=40))
        sides.append("      ")
        sides.append(f"▶ #{right.id} ", style="bold")
        sides.append(safe(self._display_name(right), max_len=40))
        self.query_one("#merge-sides", Static).update(sides)
        h_left, h_right = self.histories[left.id], self.histories[right.id]
        history = Text()
        history.append(f"◀ {self._history(h_left)}\n▶ {self._history(h_right)}\n")
        history.append(t("merge.history_after", history=self._history(h_left + h_right)))
        self.query_one("#merge-history", Static).update(history)

    def _history(self, h: cleanup.History) -> str:
        return t(
            "merge.history",
            interactions=h.interactions,
            purchases=h.purchases,
            snippets=h.snippets,
            reminders=h.reminders,
            tags=h.tags,
            referrals=h.referrals,
        )

    # ---- keys -----------------------------------------------------------------------

    def action_side(self, side: str) -> None:
        field = self.query_one(VirtualTable).cursor_key
        if field not in self.choice:
            return
        if side == "other":
            side = "right" if self.choice[field] == "left" else "left"
        self.choice[field] = side
        self._show()

    def action_swap(self) -> None:
        self.keep_id, self.drop_id = self.drop_id, self.keep_id
        self._defaults()
        self._show()

    def action_merge(self) -> None:
        try:
            contacts.merge_contacts(self.book, self.keep_id, self.drop_id, self.take())
        except Exception as e:
            self._report(e)
            return
        self.dismiss(True)

    def _report(self, error: Exception) -> None:
        if isinstance(error, KamtuiError):
            self.notify(error.message, severity="error", markup=False)
        else:
            self.app.report_unexpected(error)

    def action_cancel(self) -> None:
        self.dismiss(None)
