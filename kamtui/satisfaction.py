"""Satisfaction: a five-level rating with a date (5 highly satisfied … 1 very dissatisfied)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from kamtui import clock, validate
from kamtui.contacts import require_contact
from kamtui.i18n import t
from kamtui.store import rows

if TYPE_CHECKING:
    from kamtui.store.db import Book

LEVELS = (5, 4, 3, 2, 1)


@dataclass(frozen=True)
class Rating:
    id: int
    contact_id: int
    rated_on: date
    level: int
    note: str

    @property
    def label(self) -> str:
        return t(f"satisfaction.{self.level}")


def rate(
    book: Book, contact_id: int, level, *, rated_on: date | None = None, note: str = ""
) -> int:
    lvl = validate.integer(level, "level", low=1, high=5)
    with book.transaction() as con:
        require_contact(con, contact_id)
        return rows.insert(
            con,
            "satisfaction",
            {
                "contact_id": contact_id,
                "rated_on": rated_on or clock.today(),
                "level": lvl,
                "note": validate.text(note, "note", max_len=2000),
                "created_at": rows.now_text(),
            },
        )


def history(book: Book, contact_id: int) -> list[Rating]:
    return [
        Rating(r[0], r[1], date.fromisoformat(r[2]), r[3], r[4])
        for r in book.query(
            "SELECT id, contact_id, rated_on, level, note FROM satisfaction "
            "WHERE contact_id = ? ORDER BY rated_on DESC, id DESC",
            (contact_id,),
        )
    ]
