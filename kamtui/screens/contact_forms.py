"""The contact book's dialogs: the contact form, purchases, payments, interactions,
snippets, reminders, ratings, and the tag picker.

Each ``open_*`` function pushes its dialog(s) over ``screen`` and calls
``done(result)`` once something was saved (never on Esc). Validation is the
domain layer's: a :class:`~kamtui.errors.ValidationError` shows under the
field it names, in the seller's language, with what was typed kept
(:class:`~kamtui.screens.forms.FormModal`); nothing is saved half-way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from kamtui import clock, validate
from kamtui.errors import KamtuiError, ValidationError
from kamtui.fmt import money, safe
from kamtui.i18n import t
from kamtui.screens.base import KamtuiModal
from kamtui.screens.forms import ChoiceModal, Field, FormModal

if TYPE_CHECKING:
    from kamtui.screens.base import KamtuiScreen

Done = Callable[[Any], None]


def _today() -> date:
    return clock.today()


def _date_hint(today: date):
    from kamtui.screens.today import date_hint

    return date_hint(today)


def _day(text: str, today: date, field: str, default: date | None = None) -> date | None:
    from kamtui.dates import parse_date_input

    if not str(text).strip():
        return default
    return parse_date_input(text, today, field)


def _push(screen: KamtuiScreen, modal, done: Done | None) -> None:
    def finished(result) -> None:
        if result is not None and result is not False and done is not None:
            done(result)

    screen.app.push_screen(modal, finished)


# ---- the contact form ------------------------------------------------------------------


def _phone_hint(text: str) -> str:
    from kamtui.phone import display_phone, normalize_phone

    e164 = normalize_phone(text)
    return f"→ {display_phone(e164)}  ({e164})" if e164 else ""


def _gender_hint(text: str) -> str:
    from kamtui.contacts import GENDERS

    g = GENDERS.get(text.strip().lower())
    if g is None:
        raise ValidationError("gender", "")
    return f"→ {t(f'gender.{g}')}"


def _birthday_hint(today: date):
    def hint(text: str) -> str:
        from kamtui.dates import format_birthday, next_birthday, parse_birthday

        b = parse_birthday(text, "birthday")
        if b is None:
            return ""
        nxt = next_birthday(b, today)
        return t(
            "contacts.hint.birthday",
            birthday=format_birthday(b),
            next=nxt.isoformat(),
            days=(nxt - today).days,
        )

    return hint


def _account_hint(book):
    def hint(text: str) -> str:
        from kamtui.accounts import resolve_account

        resolve_account(book, text)
        return "✓"

    return hint


def _yes_no_hint(text: str) -> str:
    return "→ " + (t("yes") if validate.boolean(text) else t("no"))


def contact_fields(book, values: dict[str, str], *, new: bool) -> list[Field]:
    from kamtui.accounts import list_accounts

    today = _today()
    accounts = " / ".join(a.name for a in list_accounts(book)[:6])
    spec: list[tuple[str, str, Callable | None]] = [
        ("remark", t("contacts.ph.remark"), None),
        ("nickname", t("contacts.ph.nickname"), None),
        ("wechat_id", "", None),
        ("phone", t("contacts.ph.phone"), _phone_hint),
        ("account", accounts, _account_hint(book)),
    ]
    if new:
        spec.append(("tags", t("contacts.ph.tags"), None))
    spec += [
        ("province", "", None),
        ("city", "", None),
        ("occupation", "", None),
        ("gender", t("contacts.ph.gender"), _gender_hint),
        ("birthday", t("contacts.ph.birthday"), _birthday_hint(today)),
        ("source", t("contacts.ph.source"), None),
        ("potential", t("contacts.ph.potential"), None),
        ("intent", t("contacts.ph.yes_no"), _yes_no_hint),
        ("description", "", None),
    ]
    return [
        Field(name, validate.label(name), values.get(name, ""), placeholder, hint)
        for name, placeholder, hint in spec
    ]


def open_contact_form(screen: KamtuiScreen, contact_id: int | None, done: Done) -> None:
    """New contact (``contact_id`` None) or edit one; ``done(contact_id)`` once saved."""
    from kamtui import contactview

    book = screen.book
    try:
        before = {} if contact_id is None else contactview.form_values(book, contact_id)
    except KamtuiError as e:
        screen.report(e)
        return
    if contact_id is None:
        title = t("contacts.new_title")
    else:
        from kamtui.fmt import display_name

        title = t("contacts.edit_title", name=display_name(before["remark"], before["nickname"]))

    def submit(values: dict[str, str]) -> int:
        return contactview.save_contact_form(book, contact_id, values, before)

    fields = contact_fields(book, before, new=contact_id is None)
    _push(screen, FormModal(safe(title), fields, submit), done)


# ---- purchases and payments ---------------------------------------------------------------


def _money_hint(text: str) -> str:
    fen = validate.parse_money(text, "amount", allow_negative=True)
    return "→ " + money(fen) + (f"  {t('contacts.hint.return')}" if fen < 0 else "")


def _item_hint(book):
    def hint(text: str) -> str:
        from kamtui.purchases import find_product

        p = find_product(book, text.strip())
        if p is None:
            return t("contacts.hint.new_item")
        price = money(p.price_fen) if p.price_fen is not None else "—"
        cycle = t("contacts.hint.cycle", days=p.cycle_days) if p.cycle_days else ""
        return t("contacts.hint.product", name=p.name, price=price) + cycle

    return hint


def open_purchase_form(screen: KamtuiScreen, contact_id: int, name: str, done: Done) -> None:
    from kamtui import purchases

    book = screen.book
    today = _today()
    products = " / ".join(p.name for p in purchases.list_products(book)[:5])
    fields = [
        Field("item", t("field.item"), "", products or t("contacts.ph.item"), _item_hint(book)),
        Field("amount", t("field.amount"), "", t("contacts.ph.amount"), _money_hint),
        Field("quantity", t("field.quantity"), "1"),
        Field("bought_on", t("field.date"), "", t("contacts.ph.today"), _date_hint(today)),
        Field("credit", t("contacts.field.credit"), t("no"), t("contacts.ph.yes_no"), _yes_no_hint),
        Field("due_on", t("field.due_on"), "", t("contacts.ph.due"), _date_hint(today)),
        Field("cost", t("field.cost"), "", t("contacts.ph.cost"), _money_hint),
        Field("note", t("field.note")),
    ]

    def submit(v: dict[str, str]) -> int:
        day = _day(v["bought_on"], today, "bought_on", today)
        credit = validate.boolean(v["credit"])
        due = _day(v["due_on"], today, "due_on") if credit else None
        return purchases.record_purchase(
            book,
            contact_id,
            v["item"],
            v["amount"],
            quantity=v["quantity"] or 1,
            cost=v["cost"] or None,
            bought_on=day,
            credit=credit,
            due_on=due,
            note=v["note"],
        )

    _push(screen, FormModal(t("contacts.purchase_title", name=safe(name)), fields, submit), done)


def open_payment_form(
    screen: KamtuiScreen, contact_id: int, name: str, owed_fen: int, done: Done
) -> None:
    from kamtui import purchases

    if owed_fen <= 0:
        screen.notify(t("contacts.nothing_owed", name=safe(name)), markup=False)
        return
    book = screen.book
    today = _today()
    fields = [
        Field("amount", t("field.amount"), money(owed_fen, symbol=False), "", _money_hint),
        Field("paid_on", t("field.date"), "", t("contacts.ph.today"), _date_hint(today)),
        Field("note", t("field.note")),
    ]

    def submit(v: dict[str, str]):
        return purchases.record_payment(
            book,
            contact_id,
            v["amount"],
            paid_on=_day(v["paid_on"], today, "paid_on", today),
            note=v["note"],
        )

    title = t("contacts.payment_title", name=safe(name), owed=money(owed_fen))
    _push(screen, FormModal(title, fields, submit), done)


# ---- interactions, snippets, reminders, ratings --------------------------------------------


def open_interaction_form(screen: KamtuiScreen, contact_id: int, name: str, done: Done) -> None:
    from kamtui import interactions

    book = screen.book
    today = _today()

    def picked(kind) -> None:
        if kind is None:
            return
        fields = [
            Field("summary", t("field.summary"), "", t("contacts.ph.summary")),
            Field("occurred_on", t("field.date"), "", t("contacts.ph.today"), _date_hint(today)),
        ]

        def submit(v: dict[str, str]) -> int:
            day = _day(v["occurred_on"], today, "occurred_on", today)
            return interactions.log_interaction(book, contact_id, kind, v["summary"], day)

        title = t("contacts.interaction_title", name=safe(name), kind=t(f"interaction.{kind}"))
        _push(screen, FormModal(title, fields, submit), done)

    options = [(k, t(f"interaction.{k}")) for k in interactions.KINDS]
    screen.app.push_screen(
        ChoiceModal(t("contacts.interaction_kind", name=safe(name)), options), picked
    )


def open_snippet_form(screen: KamtuiScreen, contact_id: int, name: str, done: Done) -> None:
    from kamtui import snippets

    book = screen.book
    today = _today()

    def picked(kind) -> None:
        if kind is None:
            return
        fields = [
            Field("text", t("field.text"), "", t(f"contacts.ph.snippet_{kind}")),
            Field("saved_on", t("field.date"), "", t("contacts.ph.today"), _date_hint(today)),
        ]

        def submit(v: dict[str, str]) -> tuple[int, str]:
            day = _day(v["saved_on"], today, "saved_on", today)
            return snippets.add_snippet(book, contact_id, kind, v["text"], day), kind

        title = t("contacts.snippet_title", name=safe(name), kind=t(f"snippet.{kind}"))
        _push(screen, FormModal(title, fields, submit), done)

    options = [(k, t(f"snippet.{k}")) for k in snippets.KINDS]
    screen.app.push_screen(
        ChoiceModal(t("contacts.snippet_kind", name=safe(name)), options), picked
    )


def open_reminder_form(screen: KamtuiScreen, contact_id: int, name: str, done: Done) -> None:
    from kamtui import reminders
    from kamtui.screens.today import reminder_fields

    book = screen.book
    today = _today()

    def submit(v: dict[str, str]) -> int:
        due = _day(v["due_on"], today, "due_on")
        if due is None:
            raise ValidationError("due_on", t("err.required", field=t("field.due_on")))
        return reminders.add_reminder(book, contact_id, due, v["note"], rrule=v["repeat"] or None)

    fields = reminder_fields(today, due=t("today.default_due"), note="", repeat="", manual=True)
    _push(screen, FormModal(t("today.new_title", name=safe(name)), fields, submit), done)


def open_rating(screen: KamtuiScreen, contact_id: int, name: str, done: Done) -> None:
    from kamtui import satisfaction

    def picked(level) -> None:
        if level is None:
            return
        try:
            satisfaction.rate(screen.book, contact_id, level)
        except Exception as e:
            screen.report(e)
            return
        done(level)

    options = [(lvl, t(f"satisfaction.{lvl}")) for lvl in satisfaction.LEVELS]
    screen.app.push_screen(ChoiceModal(t("contacts.rate_title", name=safe(name)), options), picked)


# ---- tags --------------------------------------------------------------------------------


class TagModal(KamtuiModal):
    """Pick a tag: type to filter (exact, prefix, pinyin, typos), Enter picks.

    With ``toggle`` (one contact), Enter adds the tag or removes it (✓ marks the
    contact's tags) and the dialog stays open; it returns True if anything
    changed. Without it, it returns the name picked (existing or new).
    ``allow_new``: offer to create the tag typed.
    """

    DEFAULT_CSS = """
    TagModal { align: center middle; }
    TagModal > Vertical {
        width: 64; max-width: 95%; height: 24; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    TagModal .dialog-title { text-style: bold; }
    TagModal OptionList { height: 1fr; border: none; }
    TagModal #tag-error { color: $error; height: auto; }
    TagModal #tag-help { color: $text-muted; height: auto; }
    """
    BINDINGS = [
        Binding("escape", "close", "key.close", id="tags.close"),
        Binding("down", "move(1)", "contacts.key.tag_next", id="tags.next", show=False),
        Binding("up", "move(-1)", "contacts.key.tag_prev", id="tags.prev", show=False),
    ]

    def __init__(
        self,
        title: str,
        names: list[tuple[str, int]],
        *,
        current: set[str] | None = None,
        toggle: Callable[[str], set[str]] | None = None,
        allow_new: bool = True,
    ) -> None:
        super().__init__()
        self.tag_title = title
        self.counts = dict(names)
        self.names = [n for n, _ in names]
        self.current = set(current or ())
        self.toggle = toggle
        self.allow_new = allow_new
        self.changed = False
        self.shown: list[tuple[str, bool]] = []  # (name, is new)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.tag_title), classes="dialog-title")
            yield Input(placeholder=t("contacts.tag_placeholder"), id="tag-query")
            yield OptionList(id="tag-list")
            yield Static("", id="tag-error")
            help_key = "contacts.tag_help_toggle" if self.toggle else "contacts.tag_help_pick"
            yield Static(Text(t(help_key)), id="tag-help")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._fill("")

    def _fill(self, text: str) -> None:
        from kamtui import contactview
        from kamtui.searchkey import fold

        ranked = contactview.rank_tags(self.names, text)
        typed = text.strip().lstrip("#").strip()
        shown: list[tuple[str, bool]] = [(n, False) for _, n in ranked]
        if (
            typed
            and self.allow_new
            and not any(fold(n) == fold(typed) for n in self.names)
            and not any(fold(n) == fold(typed) for n in self.current)
        ):
            # A new tag is offered first unless an existing one starts with what was
            # typed or spells it in pinyin (then it comes last).
            close = bool(ranked) and ranked[0][0] <= 2
            shown.insert(len(shown) if close else 0, (typed, True))
        self.shown = shown
        options = []
        for name, new in shown:
            if new:
                label = Text(t("contacts.tag_new", name=safe(name)), style="italic")
            else:
                mark = "✓ " if name in self.current else "  "
                label = Text(f"{mark}{safe(name)}")
                label.append(f"  ({self.counts.get(name, 0)})", style="dim")
            options.append(Option(label))
        ol = self.query_one(OptionList)
        ol.clear_options()
        ol.add_options(options)
        if options:
            ol.highlighted = 0

    @on(Input.Changed, "#tag-query")
    def _changed(self, event: Input.Changed) -> None:
        self.query_one("#tag-error", Static).update("")
        self._fill(event.value)

    @on(Input.Submitted, "#tag-query")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        ol = self.query_one(OptionList)
        if ol.highlighted is not None:
            self._pick(ol.highlighted)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._pick(event.option_index)

    def action_move(self, step: int) -> None:
        ol = self.query_one(OptionList)
        if step > 0:
            ol.action_cursor_down()
        else:
            ol.action_cursor_up()

    def _pick(self, index: int) -> None:
        from kamtui.tags import clean_tag_name

        if not 0 <= index < len(self.shown):
            return
        name, _new = self.shown[index]
        error = self.query_one("#tag-error", Static)
        try:
            name = clean_tag_name(name)
            if self.toggle is None:
                self.dismiss(name)
                return
            self.current = set(self.toggle(name))
        except KamtuiError as e:
            error.update(Text(e.message))
            return
        except Exception as e:
            self.app.report_unexpected(e)
            return
        self.changed = True
        if name not in self.names:
            self.names.insert(0, name)
        self.counts[name] = self.counts.get(name, 0) + (1 if name in self.current else -1)
        key = "contacts.tag_added" if name in self.current else "contacts.tag_removed"
        error.update(Text(t(key, name=safe(name)), style="green"))
        self.query_one(Input).value = ""
        self._fill("")

    def action_close(self) -> None:
        self.dismiss(self.changed if self.toggle is not None else None)


def open_tags_for(screen: KamtuiScreen, contact_id: int, name: str, done: Done) -> None:
    """Add or remove tags of one contact (the dialog stays open for several)."""
    from kamtui import tags

    book = screen.book
    current = set(tags.contact_tags(book, contact_id))

    def toggle(tag: str) -> set[str]:
        have = tags.contact_tags(book, contact_id)
        same = [x for x in have if x.lower() == tag.lower()]
        if same:
            tags.untag_contacts(book, [contact_id], same)
        else:
            tags.tag_contacts(book, [contact_id], [tag])
        return set(tags.contact_tags(book, contact_id))

    modal = TagModal(
        t("contacts.tags_title", name=safe(name)),
        tags.list_tags(book),
        current=current,
        toggle=toggle,
    )
    _push(screen, modal, done)
