"""A quick look at one contact: profile, recent interactions and purchases.

The quick-look dialog gave way to the contact page (:mod:`kamtui.screens.contact_page`);
``ContactPanel`` now opens that page, and :func:`contact_summary` stays for reuse.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from kamtui import clock, contacts, interactions, purchases, tags
from kamtui.dates import Birthday, format_birthday
from kamtui.fmt import display_name, money, safe
from kamtui.i18n import t
from kamtui.phone import display_phone
from kamtui.screens.contact_page import ContactPage


def contact_summary(book, contact_id: int) -> Group:
    """Profile, last interactions and purchases as Rich renderables (text is never markup)."""
    c = contacts.get_record(book, contact_id)  # plain sqlite3: no SQLModel import on a first look
    today = clock.today()
    head = Text(safe(display_name(c.remark, c.nickname, c.id)), style="bold")
    if c.favourite:
        head = Text("★ ", style="bold") + head
    if c.remark and c.nickname:
        head.append(f"  ({safe(c.nickname)})", style="dim")
    profile = Table.grid(padding=(0, 2))
    profile.add_column(style="dim", no_wrap=True)
    profile.add_column()
    b = Birthday.from_row(c.birth_year, c.birth_month, c.birth_day, c.birth_lunar, c.birth_leap)
    region = " ".join(x for x in (c.province, c.city) if x)
    for label, value in (
        ("field.wechat_id", c.wechat_id),
        ("field.phone", display_phone(c.phone)),
        ("field.region", region),
        ("field.occupation", c.occupation),
        ("field.birthday", format_birthday(b) if b else ""),
        ("field.tags", "  ".join(tags.contact_tags(book, contact_id))),
        ("field.source", c.source),
        ("field.description", c.description),
    ):
        if value:
            profile.add_row(Text(t(label)), Text(safe(value, max_len=300)))
    totals = purchases.totals(book, contact_id, today)
    money_line = Text(
        t(
            "panel.totals",
            lifetime=money(totals.lifetime_fen),
            year=money(totals.last365_fen),
            owed=money(totals.owed_fen),
        )
    )
    inter = Table.grid(padding=(0, 2))
    inter.add_column(no_wrap=True, style="dim")
    inter.add_column(no_wrap=True)
    inter.add_column()
    for i in interactions.list_interactions(book, contact_id, limit=8):
        inter.add_row(
            Text(i.occurred_on.isoformat()),
            Text(t(f"interaction.{i.kind}")),
            Text(safe(i.summary, max_len=120)),
        )
    buys = Table.grid(padding=(0, 2))
    buys.add_column(no_wrap=True, style="dim")
    buys.add_column()
    buys.add_column(justify="right", no_wrap=True)
    for p in purchases.list_purchases(book, contact_id)[:8]:
        label = f"{safe(p.item)} ×{p.quantity}" if p.quantity > 1 else safe(p.item)
        if p.owed_fen:
            label += " " + t("panel.owed", amount=money(p.owed_fen))
        buys.add_row(Text(p.bought_on.isoformat()), Text(label), Text(money(p.amount_fen)))
    parts = [head, Text(""), profile, Text(""), money_line]
    parts += [Text(""), Text(t("panel.interactions"), style="bold"), inter]
    parts += [Text(""), Text(t("panel.purchases"), style="bold"), buys]
    return Group(*parts)


class ContactPanel(ContactPage):
    """The contact page under its old name: screens that still push ``ContactPanel``
    get the full page (new code calls :func:`kamtui.screens.contact_page.open_contact`)."""
