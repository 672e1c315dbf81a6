"""Products, purchases and payments. Money is integer fen.

A purchase is paid at once unless sold on credit (赊账): then it is owed,
with a due date, until payments cover it. Returns are negative amounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from kamtui import clock, validate
from kamtui.contacts import require_contact
from kamtui.errors import NotFound, ValidationError
from kamtui.fmt import money
from kamtui.i18n import t
from kamtui.store import rows

if TYPE_CHECKING:
    from kamtui.store.db import Book


@dataclass(frozen=True)
class ProductRow:
    id: int
    name: str
    cycle_days: int | None
    price_fen: int | None
    cost_fen: int | None
    archived: bool


@dataclass(frozen=True)
class PurchaseRow:
    id: int
    contact_id: int
    product_id: int | None
    item: str
    quantity: int
    amount_fen: int
    cost_fen: int | None
    bought_on: date
    credit: bool
    due_on: date | None
    note: str
    paid_fen: int  # payments received against it (credit sales)

    @property
    def owed_fen(self) -> int:
        return max(self.amount_fen - self.paid_fen, 0) if self.credit else 0


@dataclass(frozen=True)
class Totals:
    lifetime_fen: int
    last365_fen: int
    owed_fen: int
    orders: int
    purchase_days: int
    first_on: date | None
    last_on: date | None


# ---- products ---------------------------------------------------------------


def _money_or_none(value, field: str) -> int | None:
    if value is None or value == "":
        return None
    return validate.parse_money(value, field)


def create_product(book: Book, name: str, *, cycle_days=None, price=None, cost=None) -> int:
    name = validate.text(name, "product", required=True, max_len=200)
    data = {
        "name": name,
        "cycle_days": None
        if cycle_days in (None, "")
        else validate.integer(cycle_days, "cycle_days", low=0, high=3650),
        "price_fen": _money_or_none(price, "price"),
        "cost_fen": _money_or_none(cost, "cost"),
        "created_at": rows.now_text(),
    }
    with book.transaction() as con:
        if con.execute("SELECT 1 FROM product WHERE name = ?", (name,)).fetchone():
            raise ValidationError("product", t("err.product_exists", value=name))
        return rows.insert(con, "product", data)


def update_product(book: Book, product_id: int, **changes) -> None:
    data = {}
    for key, value in changes.items():
        if key == "name":
            data["name"] = validate.text(value, "product", required=True, max_len=200)
        elif key == "cycle_days":
            data["cycle_days"] = (
                None if value in (None, "") else validate.integer(value, key, low=0, high=3650)
            )
        elif key == "price":
            data["price_fen"] = _money_or_none(value, "price")
        elif key == "cost":
            data["cost_fen"] = _money_or_none(value, "cost")
        elif key == "archived":
            data["archived"] = validate.boolean(value)
        else:
            raise ValidationError(key, t("err.unknown_field", value=key))
    with book.transaction() as con:
        if not rows.update(con, "product", {"id": product_id}, data) and data:
            raise NotFound(t("err.product_unknown", value=product_id))


def list_products(book: Book, *, include_archived: bool = False) -> list[ProductRow]:
    sql = "SELECT id, name, cycle_days, price_fen, cost_fen, archived FROM product"
    if not include_archived:
        sql += " WHERE archived = 0"
    return [ProductRow(*r[:5], bool(r[5])) for r in book.query(sql + " ORDER BY name")]


def find_product(book: Book, name: str) -> ProductRow | None:
    r = book.query(
        "SELECT id, name, cycle_days, price_fen, cost_fen, archived FROM product "
        "WHERE name = ? OR lower(name) = lower(?) ORDER BY name = ? DESC LIMIT 1",
        (name, name, name),
    )
    return ProductRow(*r[0][:5], bool(r[0][5])) if r else None


# ---- purchases ----------------------------------------------------------------


def record_purchase(
    book: Book,
    contact_id: int,
    item: str,
    amount=None,
    *,
    quantity=1,
    cost=None,
    bought_on: date | None = None,
    credit: bool = False,
    due_on: date | None = None,
    note: str = "",
) -> int:
    """Record a sale. ``item`` matching a product links it (price × quantity if no amount).

    ``amount`` is the line total in yuan, as typed (``120.50``, ``¥1,200``) or a
    number (``120`` is ¥120); it is stored as integer fen. A negative amount
    records a return. Credit sales need a due date (default:
    30 days after the purchase).
    """
    item = validate.text(item, "item", required=True, max_len=200)
    qty = validate.integer(quantity, "quantity", low=1, high=100_000)
    product = find_product(book, item)
    if amount is None or amount == "":
        if product is None or product.price_fen is None:
            raise ValidationError("amount", t("err.required", field=t("field.amount")))
        amount_fen = product.price_fen * qty
    else:
        amount_fen = validate.parse_money(amount, "amount", allow_negative=True)
    cost_fen = _money_or_none(cost, "cost")
    if cost_fen is None and product is not None and product.cost_fen is not None:
        cost_fen = product.cost_fen * qty * (-1 if amount_fen < 0 else 1)
    day = bought_on or clock.today()
    if credit and due_on is None:
        due_on = day + timedelta(days=30)
    data = {
        "contact_id": contact_id,
        "product_id": product.id if product else None,
        "item": product.name if product else item,
        "quantity": qty,
        "amount_fen": amount_fen,
        "cost_fen": cost_fen,
        "bought_on": day,
        "credit": bool(credit),
        "due_on": due_on if credit else None,
        "note": validate.text(note, "note", max_len=2000),
        "created_at": rows.now_text(),
    }
    with book.transaction() as con:
        require_contact(con, contact_id)
        return rows.insert(con, "purchase", data)


_PURCHASE_SQL = """
    SELECT p.id, p.contact_id, p.product_id, p.item, p.quantity, p.amount_fen, p.cost_fen,
           p.bought_on, p.credit, p.due_on, p.note,
           coalesce((SELECT sum(y.amount_fen) FROM payment y WHERE y.purchase_id = p.id), 0)
    FROM purchase p
"""


def _purchase(r) -> PurchaseRow:
    return PurchaseRow(
        r[0], r[1], r[2], r[3], r[4], r[5], r[6],
        date.fromisoformat(r[7]), bool(r[8]), rows.to_date(r[9]), r[10], r[11],
    )  # fmt: skip


def list_purchases(book: Book, contact_id: int) -> list[PurchaseRow]:
    return [
        _purchase(r)
        for r in book.query(
            _PURCHASE_SQL + " WHERE p.contact_id = ? ORDER BY p.bought_on DESC, p.id DESC",
            (contact_id,),
        )
    ]


def get_purchase(book: Book, purchase_id: int) -> PurchaseRow:
    r = book.query(_PURCHASE_SQL + " WHERE p.id = ?", (purchase_id,))
    if not r:
        raise NotFound(t("err.purchase_unknown", value=purchase_id))
    return _purchase(r[0])


def totals(book: Book, contact_id: int, today: date | None = None) -> Totals:
    """Lifetime and last-365-days spend, money owed, orders and purchase days."""
    today = today or clock.today()
    since = (today - timedelta(days=365)).isoformat()
    r = book.query(
        """
        SELECT coalesce(sum(amount_fen), 0),
               coalesce(sum(CASE WHEN bought_on > ? AND bought_on <= ? THEN amount_fen END), 0),
               count(*), count(DISTINCT CASE WHEN amount_fen > 0 THEN bought_on END),
               min(bought_on), max(bought_on)
        FROM purchase WHERE contact_id = ?
        """,
        (since, today.isoformat(), contact_id),
    )[0]
    return Totals(
        lifetime_fen=r[0],
        last365_fen=r[1],
        owed_fen=owed_total(book, contact_id),
        orders=r[2],
        purchase_days=r[3],
        first_on=rows.to_date(r[4]),
        last_on=rows.to_date(r[5]),
    )


def owed_total(book: Book, contact_id: int | None = None) -> int:
    """Money still owed (by one contact, or by everyone)."""
    sql = """
        SELECT coalesce(sum(max(p.amount_fen - coalesce(
            (SELECT sum(y.amount_fen) FROM payment y WHERE y.purchase_id = p.id), 0), 0)), 0)
        FROM purchase p WHERE p.credit = 1
    """
    if contact_id is None:
        return book.scalar(sql)
    return book.scalar(sql + " AND p.contact_id = ?", (contact_id,))


def owed_purchases(book: Book, contact_id: int | None = None) -> list[PurchaseRow]:
    """Credit purchases not yet paid in full, oldest due first."""
    sql = _PURCHASE_SQL + " WHERE p.credit = 1"
    params: tuple = ()
    if contact_id is not None:
        sql += " AND p.contact_id = ?"
        params = (contact_id,)
    found = [_purchase(r) for r in book.query(sql + " ORDER BY p.due_on, p.id", params)]
    return [p for p in found if p.owed_fen > 0]


def record_payment(
    book: Book,
    contact_id: int,
    amount,
    *,
    paid_on: date | None = None,
    purchase_id: int | None = None,
    note: str = "",
) -> list[tuple[int, int]]:
    """Money received from a contact against what they owe.

    With ``purchase_id`` it pays that purchase; otherwise it pays the oldest
    owed purchases first. Paying more than is owed is refused. Returns
    (purchase id, fen applied) pairs.
    """
    amount_fen = validate.parse_money(amount, "amount")
    if amount_fen <= 0:
        raise ValidationError("amount", t("err.money_invalid", value=amount))
    day = paid_on or clock.today()
    with book.transaction() as con:
        require_contact(con, contact_id)
        if purchase_id is not None:
            p = get_purchase(book, purchase_id)
            if p.contact_id != contact_id:
                raise NotFound(t("err.purchase_unknown", value=purchase_id))
            if not p.credit:
                raise ValidationError("amount", t("err.not_credit", value=purchase_id))
            owed = [p]
        else:
            owed = owed_purchases(book, contact_id)
        available = sum(p.owed_fen for p in owed)
        if amount_fen > available:
            raise ValidationError(
                "amount",
                t("err.payment_too_much", amount=money(amount_fen), owed=money(available)),
            )
        applied = []
        left = amount_fen
        for p in owed:
            if left <= 0:
                break
            part = min(left, p.owed_fen)
            if part <= 0:
                continue
            rows.insert(
                con,
                "payment",
                {
                    "purchase_id": p.id,
                    "contact_id": contact_id,
                    "paid_on": day,
                    "amount_fen": part,
                    "note": validate.text(note, "note", max_len=2000),
                    "created_at": rows.now_text(),
                },
            )
            applied.append((p.id, part))
            left -= part
        return applied
