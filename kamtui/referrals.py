"""Referrals (转介绍): who introduced whom. A referral counts when the person introduced buys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from kamtui import clock, validate
from kamtui.contacts import display_names, require_contact
from kamtui.errors import ValidationError
from kamtui.i18n import t
from kamtui.store import rows

if TYPE_CHECKING:
    from kamtui.store.db import Book


@dataclass(frozen=True)
class ReferralRow:
    id: int
    referrer_id: int
    referred_id: int
    referred_on: date
    note: str
    bought: bool  # the person introduced has bought (a positive purchase)


def set_referrer(
    book: Book,
    referred_id: int,
    referrer_id: int,
    *,
    referred_on: date | None = None,
    note: str = "",
    replace: bool = False,
) -> int:
    """Record that ``referrer_id`` introduced ``referred_id``; refuses loops."""
    if referred_id == referrer_id:
        raise ValidationError("referrer", t("err.referral_self"))
    with book.transaction() as con:
        require_contact(con, referred_id)
        require_contact(con, referrer_id)
        existing = con.execute(
            "SELECT id, referrer_id FROM referral WHERE referred_id = ?", (referred_id,)
        ).fetchone()
        names = display_names(
            book, [referred_id, referrer_id] + ([existing[1]] if existing else [])
        )
        if existing and not replace and existing[1] != referrer_id:
            raise ValidationError(
                "referrer",
                t("err.referral_exists", name=names[referred_id], referrer=names[existing[1]]),
            )
        # Walk up from the new referrer: meeting referred_id means a loop.
        seen, current = set(), referrer_id
        while current is not None and current not in seen:
            if current == referred_id:
                raise ValidationError("referrer", t("err.referral_cycle", name=names[referred_id]))
            seen.add(current)
            up = con.execute(
                "SELECT referrer_id FROM referral WHERE referred_id = ?", (current,)
            ).fetchone()
            current = up[0] if up else None
        data = {
            "referrer_id": referrer_id,
            "referred_on": referred_on or clock.today(),
            "note": validate.text(note, "note", max_len=2000),
        }
        if existing:
            rows.update(con, "referral", {"id": existing[0]}, data)
            return existing[0]
        return rows.insert(
            con, "referral", data | {"referred_id": referred_id, "created_at": rows.now_text()}
        )


def clear_referrer(book: Book, referred_id: int) -> None:
    with book.transaction() as con:
        con.execute("DELETE FROM referral WHERE referred_id = ?", (referred_id,))


_SQL = """
    SELECT r.id, r.referrer_id, r.referred_id, r.referred_on, r.note,
           EXISTS (SELECT 1 FROM purchase p WHERE p.contact_id = r.referred_id AND p.amount_fen > 0)
    FROM referral r
"""


def _row(r) -> ReferralRow:
    return ReferralRow(r[0], r[1], r[2], date.fromisoformat(r[3]), r[4], bool(r[5]))


def referred_by(book: Book, contact_id: int) -> ReferralRow | None:
    found = book.query(_SQL + " WHERE r.referred_id = ?", (contact_id,))
    return _row(found[0]) if found else None


def introduced(book: Book, contact_id: int) -> list[ReferralRow]:
    """Whom the contact introduced, newest first, with whether each has bought."""
    return [
        _row(r)
        for r in book.query(
            _SQL + " WHERE r.referrer_id = ? ORDER BY r.referred_on DESC, r.id DESC",
            (contact_id,),
        )
    ]
