"""Today (section 1): who to message today, and getting through the list fast.

Overdue, today and the next days (``agenda.days_ahead``). The list shows at once
from the stored reminders; the automatic ones are derived again in a worker
thread and the list refreshes when that is done, so typing never waits.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from contextlib import nullcontext
from datetime import date, timedelta

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static
from textual.worker import get_current_worker

from kamtui import clock, followup
from kamtui.classify import classify_all, peek
from kamtui.dates import describe_relative, parse_date_input
from kamtui.i18n import t
from kamtui.screens.badges import stage_badge, tier_badge
from kamtui.screens.base import KamtuiScreen, plain
from kamtui.screens.widgets import Column, GroupRow, StyledRow, VirtualTable
from kamtui.screens.widgets.footer import Footer

# Imported when first used (not needed for the first paint): kamtui.reminders,
# kamtui.repeat, kamtui.screens.forms, kamtui.screens.contact_page.


def date_hint(today: date):
    """A form hint showing what a typed date means (明天 → 2026-11-25, tomorrow)."""

    def hint(text: str) -> str:
        d = parse_date_input(text, today, "due_on")
        return f"→ {d.isoformat()} {t(f'weekday.{d.weekday()}')} ({describe_relative(d, today)})"

    return hint


def repeat_hint(text: str) -> str:
    from kamtui.repeat import describe_repeat, parse_repeat

    rule = parse_repeat(text, "repeat")
    return f"→ {describe_repeat(rule)}" if rule else ""


def reminder_fields(today: date, *, due: str, note: str, repeat: str, manual: bool) -> list:
    from kamtui.screens.forms import Field

    fields = [
        Field(
            "due_on", t("today.field.due"), due, t("today.field.due_placeholder"), date_hint(today)
        ),
        Field("note", t("today.field.note"), note, t("today.field.note_placeholder")),
    ]
    if manual:
        fields.append(
            Field(
                "repeat",
                t("today.field.repeat"),
                repeat,
                t("today.field.repeat_placeholder"),
                repeat_hint,
            )
        )
    return fields


class _ItemsById(Mapping):
    """The agenda's items by reminder id, built as they are looked up."""

    def __init__(self, view: followup.AgendaView) -> None:
        self.view = view

    def __getitem__(self, reminder_id: int) -> followup.AgendaItem:
        item = self.view.get(reminder_id)
        if item is None:
            raise KeyError(reminder_id)
        return item

    def __contains__(self, reminder_id) -> bool:
        return self.view.index_of(reminder_id) is not None

    def __iter__(self):
        return iter(self.view.ids)

    def __len__(self) -> int:
        return len(self.view.ids)


class TodayScreen(KamtuiScreen):
    TITLE_KEY = "section.today"
    DEFAULT_CSS = """
    TodayScreen VirtualTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("d", "done", "today.key.done", id="today.done"),
        Binding("s", "snooze", "today.key.snooze", id="today.snooze"),
        Binding("n", "new", "today.key.new", id="today.new"),
        Binding("e", "edit", "today.key.edit", id="today.edit"),
        Binding("x", "dismiss", "today.key.dismiss", id="today.dismiss"),
        Binding("o", "open", "today.key.open", id="today.open", show=False),
        Binding("ctrl+r", "recompute", "today.key.recompute", id="today.recompute", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.agenda: followup.AgendaView | None = None
        self._cls = None
        self.items: Mapping[int, followup.AgendaItem] = {}
        self._layout: list[int | GroupRow] = []  # table row -> agenda index or group title
        self._loads = 0  # how many times the list was put on screen (see recompute)

    def compose(self) -> ComposeResult:
        yield Static("", id="today-header", classes="section-header")
        yield VirtualTable(
            [
                Column("fav", "", width=2),
                Column("name", t("today.col.name"), min_width=10, ratio=2),
                Column("stage", t("col.stage"), width=8),
                Column("tier", t("col.tier"), width=8),
                Column("kind", t("today.col.kind"), width=6),
                Column("reason", t("today.col.reason"), min_width=16, ratio=5),
                Column("when", t("today.col.when"), width=12),
                Column("last", t("today.col.last"), width=10),
            ],
            empty_message=t("today.empty"),
            id="agenda",
        )
        yield Static("", id="today-status", classes="status-line")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.load()
        # After the first frame: a worker started now would share the GIL with it.
        self.call_after_refresh(self.recompute)
        self.query_one(VirtualTable).focus()

    # ---- data -------------------------------------------------------------------

    @property
    def today(self) -> date:
        return clock.today()

    def reload(self) -> None:
        self.load(keep=True)
        self.recompute()

    def load(self, keep: bool = False, classification=None, view=None) -> None:
        """Show the stored agenda (fast: its order and counts; rows are built when shown).

        ``view``: the agenda already read (by the worker); else it is read here.
        """
        today = self.today
        self._loads += 1
        try:
            # The last classification stands in until the worker has a fresh one
            # (an action changes the book; badges should not blink meanwhile).
            self._cls = classification or peek(self.book, today) or self._cls
            if view is None:
                view = followup.agenda_view(self.book, today, classification=self._cls)
        except Exception as e:
            self.report(e)
            return
        self.agenda = view
        self.items = _ItemsById(view)
        layout: list[int | GroupRow] = []
        starts: list[int] = []  # per agenda index range: how many group rows come before
        counts = view.counts()
        for group in followup.GROUPS:
            n = counts[group]
            if not n:
                continue
            title = t(f"group.{group}", days=view.days_ahead)
            layout.append(GroupRow(f"{title} ({n:,})"))
            starts.append(len(starts) + 1)
            layout.extend(view.group_range(group))
        self._layout = layout

        def get_row(i: int):
            entry = layout[i]
            if isinstance(entry, GroupRow):
                return entry
            return self._row(view.item(entry), today)

        def row_key(i: int):
            entry = layout[i]
            return None if isinstance(entry, GroupRow) else view.ids[entry]

        bounds = [view.group_range(g).stop for g in followup.GROUPS if counts[g]]

        def index_of(key) -> int | None:
            index = view.index_of(key)
            if index is None:
                return None
            return index + starts[bisect_right(bounds, index)]

        table = self.query_one(VirtualTable)
        table.selected_keys = table.selected_keys & self.items.keys()
        # A list the seller has not moved in stays at its top (the group's title
        # shown) when it is redrawn: the morning's new reminders come in above.
        keep = keep and not (table.scroll_offset.y == 0 and (table.cursor_row or 0) <= 1)
        table.set_rows(len(layout), get_row, row_key=row_key, index_of=index_of, keep_key=keep)
        shown = {group: f"{n:,}" for group, n in counts.items()}
        self.query_one("#today-header", Static).update(
            Text(t("today.header", day=today.isoformat(), days=view.days_ahead, **shown))
        )
        self.mark_fresh()

    def _row(self, item: followup.AgendaItem, today: date):
        if item.overdue_days:
            when = t("today.overdue_days", days=item.overdue_days)
        else:
            when = describe_relative(item.due_on, today)
        if item.snoozed:
            when = "⏸ " + when
        last = item.last_contact_on.strftime("%y-%m-%d") if item.last_contact_on else "—"
        cells = (
            "★" if item.favourite else "",
            item.name,
            stage_badge(item.stage, self.app),
            tier_badge(item.tier, self.app),
            t(f"kind.{item.kind}"),
            item.reason,
            when,
            last,
        )
        if item.overdue_days:
            return StyledRow(cells, "warning")
        return cells

    @work(thread=True, exclusive=True, group="recompute")
    def recompute(self) -> None:
        """Derive automatic reminders off the UI thread, then show the new list.

        The new list is read here too (ordering 32,000 reminders takes ~0.1 s at
        100,000 contacts). It is shown only if no other list went on screen while
        it was read: an action shows its own list at once, and its own recompute
        follows, so an older read never replaces a newer one.
        """
        shown = self._loads
        try:
            with getattr(self.app, "heavy_work", nullcontext()):  # one whole-book job at a time
                had_badges = peek(self.book, self.today) is not None
                report = followup.refresh(self.book, self.today)
                cls = classify_all(self.book, self.today)  # badges for the list (cached)
                if report.created or report.obsoleted or not had_badges or self._cls is None:
                    view = followup.agenda_view(self.book, self.today, classification=cls)
                else:
                    view = None
        except Exception as e:  # shown, never raised into the UI
            self.app.call_from_thread(self.report, e)
            return
        if view is not None and not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, shown, cls, view)

    def _show(self, shown: int, cls, view) -> None:
        if self._loads == shown:  # nothing newer went on screen meanwhile
            self.load(True, cls, view)

    def action_recompute(self) -> None:
        self.recompute()

    # ---- which reminders an action applies to --------------------------------------

    def targets(self) -> list[followup.AgendaItem]:
        table = self.query_one(VirtualTable)
        selected = [self.items[k] for k in table.selected_keys if k in self.items]
        if selected:
            return selected
        key = table.cursor_key
        return [self.items[key]] if key in self.items else []

    def _after(self, message: str, contact_ids=()) -> None:
        table = self.query_one(VirtualTable)
        table.clear_selection()
        self.load(keep=True)
        if contact_ids:
            self.app.contacts_changed(contact_ids)
        self.recompute()  # triggers changed (a touch was logged…); badges follow
        self.notify(message, markup=False)

    # ---- actions ----------------------------------------------------------------------

    def action_done(self) -> None:
        from kamtui import reminders
        from kamtui.screens.forms import Field, FormModal

        items = self.targets()
        if not items:
            return
        today = self.today
        title = (
            t("today.done_title", name=items[0].name)
            if len(items) == 1
            else t("today.done_many_title", n=len(items))
        )

        def submit(values: dict[str, str]) -> list:
            return [
                reminders.complete(self.book, i.reminder_id, today, values["summary"])
                for i in items
            ]

        def finished(result) -> None:
            if result is None:
                return
            repeated = sum(1 for r in result if r)
            ids = {i.contact_id for i in items}
            self._after(t("today.done_message", n=len(result), repeated=repeated), ids)

        self.app.push_screen(
            FormModal(
                title,
                [
                    Field(
                        "summary",
                        t("today.field.summary"),
                        "",
                        t("today.field.summary_placeholder"),
                    )
                ],
                submit,
            ),
            finished,
        )

    def action_snooze(self) -> None:
        from kamtui import reminders
        from kamtui.screens.forms import ChoiceModal, Field, FormModal

        items = self.targets()
        if not items:
            return
        today = self.today
        options = [
            (today + timedelta(days=1), t("today.snooze_1d")),
            (today + timedelta(days=3), t("today.snooze_3d")),
            (today + timedelta(days=7), t("today.snooze_week")),
            ("typed", t("today.snooze_typed")),
        ]

        def snooze_to(day: date) -> int:
            for i in items:
                reminders.snooze(self.book, i.reminder_id, day)
            return len(items)

        def picked(choice) -> None:
            if choice is None:
                return
            if choice == "typed":
                self.app.push_screen(
                    FormModal(
                        t("today.snooze_title", n=len(items)),
                        [
                            Field(
                                "due_on",
                                t("today.field.until"),
                                "",
                                t("today.field.due_placeholder"),
                                date_hint(today),
                            )
                        ],
                        lambda v: snooze_to(parse_date_input(v["due_on"], today, "due_on")),
                    ),
                    lambda n: n and self._after(t("today.snoozed_message", n=n)),
                )
                return
            try:
                n = snooze_to(choice)
            except Exception as e:
                self.report(e)
                return
            self._after(t("today.snoozed_message", n=n))

        self.app.push_screen(ChoiceModal(t("today.snooze_title", n=len(items)), options), picked)

    def action_new(self) -> None:
        from kamtui.screens.picker import ContactPicker

        def picked(contact_id) -> None:
            if contact_id is not None:
                self.new_reminder_for(contact_id)

        self.app.push_screen(ContactPicker(t("today.pick_contact")), picked)

    def new_reminder_for(self, contact_id: int) -> None:
        from kamtui import reminders
        from kamtui.screens.forms import FormModal

        today = self.today

        def submit(v: dict[str, str]) -> int:
            due = parse_date_input(v["due_on"], today, "due_on")
            return reminders.add_reminder(
                self.book, contact_id, due, v["note"], rrule=v["repeat"] or None
            )

        from kamtui.contacts import display_names

        name = display_names(self.book, [contact_id]).get(contact_id, "")
        self.app.push_screen(
            FormModal(
                t("today.new_title", name=name),
                reminder_fields(today, due=t("today.default_due"), note="", repeat="", manual=True),
                submit,
            ),
            lambda rid: rid and self._after(t("today.created_message", name=name), [contact_id]),
        )

    def action_edit(self) -> None:
        from kamtui import reminders
        from kamtui.repeat import describe_repeat
        from kamtui.screens.forms import FormModal

        table = self.query_one(VirtualTable)
        item = self.items.get(table.cursor_key)
        if item is None:
            return
        today = self.today
        r = reminders.get_reminder(self.book, item.reminder_id)
        manual = r.kind == "manual"

        def submit(v: dict[str, str]) -> bool:
            changes = {
                "due_on": parse_date_input(v["due_on"], today, "due_on"),
                "note": v["note"],
            }
            if manual:
                changes["rrule"] = v["repeat"]
            reminders.update_reminder(self.book, r.id, **changes)
            return True

        self.app.push_screen(
            FormModal(
                t("today.edit_title", name=item.name),
                reminder_fields(
                    today,
                    due=r.effective_on.isoformat(),
                    note=r.note,
                    repeat=describe_repeat(r.rrule),
                    manual=manual,
                ),
                submit,
            ),
            lambda ok: ok and self._after(t("today.saved_message")),
        )

    def action_dismiss(self) -> None:
        from kamtui import reminders
        from kamtui.screens.forms import ConfirmModal

        items = self.targets()
        if not items:
            return
        manual = [i for i in items if i.kind == "manual"]

        def go(yes: bool | None = True) -> None:
            if not yes:
                return
            try:
                for i in items:
                    reminders.dismiss(self.book, i.reminder_id)
            except Exception as e:
                self.report(e)
                return
            self._after(t("today.dismissed_message", n=len(items)))

        if manual or len(items) > 1:
            question = (
                t("today.delete_manual_question", n=len(items))
                if manual
                else t("today.dismiss_question", n=len(items))
            )
            self.app.push_screen(ConfirmModal(question), go)
        else:
            go()

    def action_open(self) -> None:
        table = self.query_one(VirtualTable)
        item = self.items.get(table.cursor_key)
        if item is not None:
            self.open_contact(item.contact_id)

    @on(VirtualTable.Selected)
    def _selected(self, event: VirtualTable.Selected) -> None:
        item = self.items.get(event.key)
        if item is not None:
            self.open_contact(item.contact_id)

    def open_contact(self, contact_id: int) -> None:
        from kamtui.screens.contact_page import open_contact

        open_contact(self.app, contact_id)  # back here: on_screen_resume reloads if it changed

    @on(VirtualTable.Highlighted)
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        item = self.items.get(event.key)
        status = self.query_one("#today-status", Static)
        if item is None:
            status.update("")
            return
        extra = []
        if item.repeat:
            from kamtui.repeat import describe_repeat

            extra.append(t("today.repeats", rule=describe_repeat(item.repeat)))
        if item.kind == "manual" and item.note and item.note != item.reason:
            extra.append(item.note)
        line = f"{item.name}: {item.reason}" + ("  · " + "  · ".join(extra) if extra else "")
        status.update(plain(line, max_len=300))

    @on(VirtualTable.SelectionChanged)
    def _selection(self, event: VirtualTable.SelectionChanged) -> None:
        if event.keys:
            self.query_one("#today-status", Static).update(
                Text(t("today.selected", n=len(event.keys)))
            )
