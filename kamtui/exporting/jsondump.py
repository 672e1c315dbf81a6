"""JSON: everything about the selected contacts, self-describing and versioned.

::

    {"format": "kamtui-export", "version": 1, "exported_at": "…", "today": "…",
     "money": "…", "value_365d_window": [from, to],
     "accounts": [...], "products": [...], "tags": [...],
     "contacts": [ {one contact per line}, ... ], "count": N}

A contact holds every column of the ``contact`` table (``phone`` in E.164,
``gender`` m/f/""), its account name, tags, last contact day, totals, who
referred it, and its snippets, interactions, purchases (with their payments),
reminders and satisfaction ratings. Two deliberate differences from the column
names, so that generic readers (which match keys loosely: ``birth_day`` reads as
"birthday", ``created_at`` as "date added") cannot misread them: the birthday is
``birthday`` (text kamtui parses: ``1990-05-01``, ``05-01``, ``农历三月初五``) plus
``birth`` ``{year, month, day, lunar, leap}``; the row timestamps are
``record_created_at`` / ``record_updated_at`` (``added_on`` is the day the friend
was added). Money is integer fen (``amount_fen``) plus the same
amount as a yuan string (``amount``: ``"120.50"``, returns ``"-35.00"``).
Days are ``YYYY-MM-DD``; timestamps are UTC ISO-8601 as stored.

Text is exact (nothing is stripped: JSON is the lossless format), but the file
never holds a raw control, bidi or line-separator character: those are written
as ``\\uXXXX`` escapes, so printing the file in a terminal is safe.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any, BinaryIO

from kamtui import clock
from kamtui.exporting import data
from kamtui.exporting.columns import birthday_text, yuan

FORMAT = "kamtui-export"
VERSION = 1

_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ud800-\udfff]")


def _escape_unsafe(text: str) -> str:
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def dumps(value: Any, **kw) -> str:
    """``json.dumps`` without raw control/bidi characters (escaped instead)."""
    return _escape_unsafe(json.dumps(value, ensure_ascii=False, **kw))


def _money(prefix: str, fen: int | None) -> dict[str, Any]:
    return {f"{prefix}_fen": fen, prefix: None if fen is None else yuan(fen)}


def _bool(v) -> bool:
    return bool(v)


_FLAGS = frozenset(("favourite", "intent", "is_ad", "blocked_me", "archived"))
#: Bookkeeping timestamps, renamed so that no generic reader takes "created_at" for
#: the day the friend was added (that is ``added_on``).
_STAMPS = {
    "archived_at": "archived_at",
    "created_at": "record_created_at",
    "updated_at": "record_updated_at",
}


def _meta(con, today: date) -> dict[str, Any]:
    accounts = [
        {
            "id": r[0],
            "name": r[1],
            "wechat_id": r[2],
            "friend_cap": r[3],
            "note": r[4],
            "created_at": r[5],
        }
        for r in con.execute(
            "SELECT id, name, wechat_id, friend_cap, note, created_at FROM account ORDER BY id"
        )
    ]
    products = [
        {
            "id": r[0],
            "name": r[1],
            "cycle_days": r[2],
            **_money("price", r[3]),
            **_money("cost", r[4]),
            "archived": _bool(r[5]),
            "created_at": r[6],
        }
        for r in con.execute(
            "SELECT id, name, cycle_days, price_fen, cost_fen, archived, created_at "
            "FROM product ORDER BY id"
        )
    ]
    tags = [r[0] for r in con.execute("SELECT name FROM tag ORDER BY name")]
    return {"accounts": accounts, "products": products, "tags": tags}


def _group(rows_iter, key_index: int = 0) -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = {}
    for r in rows_iter:
        out.setdefault(r[key_index], []).append(r)
    return out


class _Chunk:
    """Everything about one chunk of contacts, read with a fixed number of queries."""

    def __init__(self, con, ids: Sequence[int], today: date):
        scope = data.Scope(ids)
        self.base = data.fetch_base(con, scope)
        self.tags = data.fetch_tags(con, scope)
        self.last_contact = data.fetch_last_contact(con, scope)
        self.totals = data.fetch_purchase_totals(con, scope, today)
        self.owed = data.fetch_owed(con, scope)
        run = scope.run
        self.referrals = {
            r[1]: r
            for r in run(
                con,
                "SELECT referrer_id, referred_id, referred_on, note FROM referral WHERE {where}",
                "referred_id",
            )
        }
        self.snippets = _group(
            run(
                con,
                "SELECT contact_id, id, kind, saved_on, text, closed FROM snippet "
                "WHERE {where} ORDER BY contact_id, saved_on, id",
                "contact_id",
            )
        )
        self.interactions = _group(
            run(
                con,
                "SELECT contact_id, id, kind, occurred_on, summary, is_open, resolved_on "
                "FROM interaction WHERE {where} ORDER BY contact_id, occurred_on, id",
                "contact_id",
            )
        )
        self.purchases = _group(
            run(
                con,
                "SELECT contact_id, id, product_id, item, quantity, amount_fen, cost_fen, "
                "bought_on, credit, due_on, note, created_at FROM purchase "
                "WHERE {where} ORDER BY contact_id, bought_on, id",
                "contact_id",
            )
        )
        self.payments = _group(
            run(
                con,
                "SELECT y.purchase_id, y.id, y.contact_id, y.paid_on, y.amount_fen, y.note "
                "FROM payment y JOIN purchase p ON p.id = y.purchase_id "
                "WHERE {where} ORDER BY y.purchase_id, y.paid_on, y.id",
                "p.contact_id",
            )
        )
        self.reminders = _group(
            run(
                con,
                "SELECT contact_id, id, kind, due_on, note, rrule, status, snoozed_until, "
                "auto_key, data, done_at, created_at, updated_at FROM reminder "
                "WHERE {where} ORDER BY contact_id, due_on, id",
                "contact_id",
            )
        )
        self.ratings = _group(
            run(
                con,
                "SELECT contact_id, id, rated_on, level, note FROM satisfaction "
                "WHERE {where} ORDER BY contact_id, rated_on, id",
                "contact_id",
            )
        )

    def contact(self, cid: int) -> dict[str, Any] | None:
        row = self.base.get(cid)
        if row is None:
            return None
        F = data.F
        out: dict[str, Any] = {"id": cid}
        for name in data.BASE_FIELDS:
            if name.startswith("birth_") or name in _STAMPS:
                continue
            value = row[F[name]]
            out[name] = _bool(value) if name in _FLAGS else value
        out["account"] = row[F["account"]]
        year, month, day = row[F["birth_year"]], row[F["birth_month"]], row[F["birth_day"]]
        lunar, leap = bool(row[F["birth_lunar"]]), bool(row[F["birth_leap"]])
        out["birthday"] = birthday_text(year, month, day, lunar, leap) or None
        out["birth"] = (
            {"year": year, "month": month, "day": day, "lunar": lunar, "leap": leap}
            if month
            else None
        )
        for name, key in _STAMPS.items():
            out[key] = row[F[name]]
        out["tags"] = self.tags.get(cid, [])
        out["last_contact"] = self.last_contact.get(cid)
        lifetime, last365, orders, last_purchase = self.totals.get(cid, (0, 0, 0, None))
        out.update(_money("lifetime", lifetime))
        out.update(_money("value_365d", last365))
        out.update(_money("owed", self.owed.get(cid, 0)))
        out["orders"] = orders
        out["last_purchase"] = last_purchase
        ref = self.referrals.get(cid)
        out["referrer_id"] = ref[0] if ref else None
        out["referred_on"] = ref[2] if ref else None
        out["referral_note"] = ref[3] if ref else None
        out["snippets"] = [
            {"id": r[1], "kind": r[2], "saved_on": r[3], "text": r[4], "closed": _bool(r[5])}
            for r in self.snippets.get(cid, ())
        ]
        out["interactions"] = [
            {
                "id": r[1],
                "kind": r[2],
                "occurred_on": r[3],
                "summary": r[4],
                "is_open": _bool(r[5]),
                "resolved_on": r[6],
            }
            for r in self.interactions.get(cid, ())
        ]
        out["purchases"] = [self._purchase(r) for r in self.purchases.get(cid, ())]
        out["reminders"] = [
            {
                "id": r[1],
                "kind": r[2],
                "due_on": r[3],
                "note": r[4],
                "rrule": r[5],
                "status": r[6],
                "snoozed_until": r[7],
                "auto_key": r[8],
                "data": _json_or_text(r[9]),
                "done_at": r[10],
                "created_at": r[11],
                "updated_at": r[12],
            }
            for r in self.reminders.get(cid, ())
        ]
        out["satisfaction"] = [
            {"id": r[1], "rated_on": r[2], "level": r[3], "note": r[4]}
            for r in self.ratings.get(cid, ())
        ]
        return out

    def _purchase(self, r: tuple) -> dict[str, Any]:
        payments = self.payments.get(r[1], ())
        paid = sum(p[4] for p in payments)
        credit = _bool(r[8])
        owed = max(r[5] - paid, 0) if credit else 0
        return {
            "id": r[1],
            "product_id": r[2],
            "item": r[3],
            "quantity": r[4],
            **_money("amount", r[5]),
            **_money("cost", r[6]),
            "bought_on": r[7],
            "credit": credit,
            "due_on": r[9],
            "note": r[10],
            "created_at": r[11],
            **_money("paid", paid),
            **_money("owed", owed),
            "payments": [
                {
                    "id": p[1],
                    "contact_id": p[2],
                    "paid_on": p[3],
                    **_money("amount", p[4]),
                    "note": p[5],
                }
                for p in payments
            ],
        }


def _json_or_text(value: str | None):
    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return value


def write_json(
    book,
    ids: Sequence[int],
    out: BinaryIO,
    *,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the contacts ``ids`` (in order) and the book's accounts and products as JSON."""
    today = today or clock.today()
    written = 0
    with book.snapshot() as con:
        meta = _meta(con, today)
        head = {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": clock.now().isoformat(timespec="seconds"),
            "today": today.isoformat(),
            "money": "amounts in fen (integer, 1 yuan = 100 fen) as *_fen, and in yuan as text",
            "value_365d_window": [(today - timedelta(days=365)).isoformat(), today.isoformat()],
        }
        body = dumps(head, indent=2)[:-2]  # leave the object open
        out.write(body.encode("utf-8"))
        for key in ("accounts", "products", "tags"):
            out.write(f',\n  "{key}": {dumps(meta[key])}'.encode())
        out.write(b',\n  "contacts": [')
        first = True
        for start in range(0, len(ids), data.SMALL_SELECTION):
            part = ids[start : start + data.SMALL_SELECTION]
            chunk = _Chunk(con, part, today)
            buf = []
            for cid in part:
                contact = chunk.contact(cid)
                if contact is None:
                    continue
                buf.append(("\n    " if first else ",\n    ") + dumps(contact))
                first = False
                written += 1
            out.write("".join(buf).encode("utf-8"))
            if progress is not None:
                progress(start + len(part), len(ids))
        out.write(f'\n  ],\n  "count": {written}\n}}\n'.encode())
    return written
