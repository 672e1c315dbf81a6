"""Reminders: manual follow-ups (optionally repeating) and the automatic ones.

This module holds the stored reminders; the agenda and the automatic rules
build on it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from kamtui import validate
from kamtui.contacts import require_contact
from kamtui.errors import NotFound
from kamtui.i18n import t
from kamtui.store import rows

if TYPE_CHECKING:
    from kamtui.store.db import Book

KINDS = (
    "manual",
    "aftersale",
    "repurchase",
    "birthday_soon",
    "birthday",
    "prospect",
    "dormant",
    "owed",
    "thanks",
)
STATUSES = ("open", "done", "dismissed", "obsolete", "deleted")


@dataclass(frozen=True)
class ReminderRow:
    id: int
    contact_id: int
    kind: str
    due_on: date
    note: str
    rrule: str | None
    status: str
    snoozed_until: date | None
    auto_key: str | None
    data: dict[str, Any]
    done_at: datetime | None

    @property
    def effective_on(self) -> date:
        """The day it shows up: the snooze date when snoozed, else the due date."""
        return self.snoozed_until or self.due_on


_SQL = (
    "SELECT id, contact_id, kind, due_on, note, rrule, status, snoozed_until, auto_key, data, "
    "done_at FROM reminder"
)


def _row(r) -> ReminderRow:
    return ReminderRow(
        r[0], r[1], r[2], date.fromisoformat(r[3]), r[4], r[5], r[6],
        rows.to_date(r[7]), r[8], json.loads(r[9]) if r[9] else {}, rows.to_datetime(r[10]),
    )  # fmt: skip


def add_reminder(
    book: Book, contact_id: int, due_on: date, note: str = "", *, rrule: str | None = None
) -> int:
    """A manual reminder; ``rrule`` is a repeat rule as typed (每2周, weekly, FREQ=…)."""
    from kamtui.repeat import parse_repeat, pin_rule

    note = validate.text(note, "note", max_len=2000)
    due = validate.iso_date(due_on, "due_on")
    rule = parse_repeat(rrule, "repeat") if rrule else None
    rrule = pin_rule(rule, due) if rule else None
    with book.transaction() as con:
        require_contact(con, contact_id)
        stamp = rows.now_text()
        return rows.insert(
            con,
            "reminder",
            {
                "contact_id": contact_id,
                "kind": "manual",
                "due_on": due,
                "note": note,
                "rrule": rrule or None,
                "status": "open",
                "created_at": stamp,
                "updated_at": stamp,
            },
        )


def get_reminder(book: Book, reminder_id: int) -> ReminderRow:
    found = book.query(_SQL + " WHERE id = ?", (reminder_id,))
    if not found:
        raise NotFound(t("err.reminder_unknown", value=reminder_id))
    return _row(found[0])


def for_contact(book: Book, contact_id: int, *, open_only: bool = True) -> list[ReminderRow]:
    sql = _SQL + " WHERE contact_id = ?"
    if open_only:
        sql += " AND status = 'open'"
    return [
        _row(r)
        for r in book.query(sql + " ORDER BY coalesce(snoozed_until, due_on), id", (contact_id,))
    ]


# ---- acting on reminders ------------------------------------------------------------

# The interaction logged when a reminder is done, by reminder kind.
DONE_INTERACTION = {
    "aftersale": "visit",
    "birthday": "chat",
    "birthday_soon": "chat",
    "prospect": "chat",
    "dormant": "chat",
    "thanks": "chat",
}


def complete(book: Book, reminder_id: int, today: date, summary: str = "") -> date | None:
    """Mark done: log an interaction dated ``today``; a repeating one moves to its next date.

    Returns the next due date of a repeating reminder (None otherwise).
    """
    from kamtui.interactions import log_interaction
    from kamtui.repeat import next_occurrence

    r = get_reminder(book, reminder_id)
    summary = validate.text(summary, "summary", max_len=2000)
    if not summary:
        from kamtui.followup import reason_text

        summary = reason_text(r, today)
    with book.transaction() as con:
        log_interaction(
            book, r.contact_id, DONE_INTERACTION.get(r.kind, "followup"), summary, today
        )
        stamp = rows.now_text()
        nxt = None
        if r.rrule and r.status == "open":
            anchor = date.fromisoformat(r.data["anchor"]) if r.data.get("anchor") else r.due_on
            nxt = next_occurrence(r.rrule, max(today, r.due_on), anchor)
        if nxt is not None:
            data = r.data | {"anchor": anchor.isoformat(), "last_done": today.isoformat()}
            rows.update(
                con,
                "reminder",
                {"id": reminder_id},
                {
                    "due_on": nxt,
                    "snoozed_until": None,
                    "data": json.dumps(data, ensure_ascii=False),
                    "updated_at": stamp,
                },
            )
        else:
            rows.update(
                con,
                "reminder",
                {"id": reminder_id},
                {"status": "done", "done_at": stamp, "updated_at": stamp},
            )
    return nxt


def snooze(book: Book, reminder_id: int, until: date) -> None:
    """Move a reminder to ``until`` (it keeps its own due date for reference)."""
    until = validate.iso_date(until, "due_on")
    get_reminder(book, reminder_id)
    with book.transaction() as con:
        rows.update(
            con,
            "reminder",
            {"id": reminder_id},
            {"snoozed_until": until, "updated_at": rows.now_text()},
        )


def dismiss(book: Book, reminder_id: int) -> None:
    """Drop a reminder without logging anything.

    An automatic one does not come back until its trigger changes (its key
    stays taken); a manual one is deleted (kept as status ``deleted``).
    """
    r = get_reminder(book, reminder_id)
    status = "deleted" if r.kind == "manual" else "dismissed"
    with book.transaction() as con:
        rows.update(
            con, "reminder", {"id": reminder_id}, {"status": status, "updated_at": rows.now_text()}
        )


def update_reminder(book: Book, reminder_id: int, **changes) -> None:
    """Edit ``due_on``, ``note``, ``rrule`` (text as typed; "" removes it) or ``contact_id``."""
    from kamtui.repeat import parse_repeat, pin_rule

    r = get_reminder(book, reminder_id)
    data: dict[str, Any] = {}
    due = r.due_on
    if "due_on" in changes:
        due = validate.iso_date(changes["due_on"], "due_on")
        data["due_on"] = due
        data["snoozed_until"] = None
    if "note" in changes:
        data["note"] = validate.text(changes["note"], "note", max_len=2000)
    if "rrule" in changes:
        if r.kind != "manual" and changes["rrule"]:
            from kamtui.errors import ValidationError

            raise ValidationError("repeat", t("err.repeat_auto"))
        rule = parse_repeat(changes["rrule"], "repeat") if changes["rrule"] else None
        data["rrule"] = pin_rule(rule, due) if rule else None
        extra = dict(r.data)
        extra.pop("anchor", None)
        data["data"] = json.dumps(extra, ensure_ascii=False) if extra else None
    if "contact_id" in changes:
        data["contact_id"] = int(changes["contact_id"])
    unknown = set(changes) - {"due_on", "note", "rrule", "contact_id"}
    if unknown:
        from kamtui.errors import ValidationError

        name = sorted(unknown)[0]
        raise ValidationError(name, t("err.unknown_field", value=name))
    if not data:
        return
    data["updated_at"] = rows.now_text()
    with book.transaction() as con:
        if "contact_id" in data:
            require_contact(con, data["contact_id"])
        rows.update(con, "reminder", {"id": reminder_id}, data)


def delete_reminder(book: Book, reminder_id: int) -> None:
    """Remove a manual reminder (kept with status ``deleted``); automatic ones are dismissed."""
    dismiss(book, reminder_id)
