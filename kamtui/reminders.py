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

KINDS = ("manual", "aftersale", "repurchase", "birthday", "prospect", "dormant", "owed", "thanks")
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
