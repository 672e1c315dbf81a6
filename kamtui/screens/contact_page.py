"""The contact page: everything about one contact, and every action on them by key.

Enter on a contact anywhere opens it through :func:`open_contact` (Contacts,
Today, Clean-up, Insights). The data comes from
:func:`kamtui.contactview.load_page` (one snapshot, a query per section); the
sections are Rich renderables built from ``Text`` (contact text is data, never
markup). Every action saves through the domain layer, tells the app's
directory (``app.contacts_changed``) and shows the page again.
"""

from __future__ import annotations

from datetime import date

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from kamtui import clock, contactview
from kamtui.classify import churn_name
from kamtui.fmt import money, safe
from kamtui.i18n import t
from kamtui.screens import contact_forms as forms
from kamtui.screens.badges import stage_badge, tier_badge
from kamtui.screens.base import KamtuiScreen
from kamtui.screens.forms import ChoiceModal, ConfirmModal
from kamtui.screens.widgets.footer import Footer

#: Timeline rows shown (the newest); the page says how many more there are.
TIMELINE_ROWS = 300
#: Characters of the description shown on the page (the form edits all of it).
DESCRIPTION_SHOWN = 2000


def open_contact(app, contact_id: int, on_close=None) -> None:
    """Open the contact page (the one way every screen opens a contact)."""
    app.push_screen(ContactPage(contact_id), on_close)


def _txt(value, style: str = "", max_len: int | None = 300) -> Text:
    return Text(safe(value, max_len=max_len), style=style)


def _rows(rows: list[tuple], right: tuple[int, ...] = ()) -> Text:
    """Rows of cells as one Text, columns padded to their widest cell (in terminal cells).

    Much cheaper to lay out than a Rich ``Table`` (no measuring pass per cell): a
    timeline of 200 touches renders in a few milliseconds. The last column is
    free (it wraps); columns in ``right`` are right-aligned.
    """
    cells = [[c if isinstance(c, Text) else Text(c) for c in row] for row in rows]
    ncols = max((len(r) for r in cells), default=0)
    widths = [max((r[j].cell_len for r in cells if j < len(r)), default=0) for j in range(ncols)]
    out = Text()
    for i, row in enumerate(cells):
        if i:
            out.append("\n")
        for j, cell in enumerate(row):
            if j == len(row) - 1:
                out.append_text(cell)
                break
            pad = " " * (widths[j] - cell.cell_len)
            if j in right:
                out.append(pad)
                out.append_text(cell)
            else:
                out.append_text(cell)
                out.append(pad)
            out.append("  ")
    return out


def _grid(*styles: str) -> Table:
    table = Table.grid(padding=(0, 2))
    for style in styles:
        table.add_column(style=style or None, no_wrap=style == "dim")
    return table


def _section(title: str, body: RenderableType | None, empty: str = "") -> Group:
    head = Text(title, style="bold underline")
    if body is None:
        return Group(head, Text(empty or t("page.none"), style="dim italic"), Text(""))
    return Group(head, body, Text(""))


class ContactPage(KamtuiScreen):
    """One contact: header, profile, snippets, timeline, purchases, referrals, reminders."""

    TITLE_KEY = "page.title"
    DEFAULT_CSS = """
    ContactPage #page-header { padding: 0 1; background: $boost; height: auto; }
    ContactPage #page-body { padding: 0 1; height: 1fr; }
    ContactPage #page-body > Static { height: auto; }
    """
    BINDINGS = [
        Binding("escape", "back", "key.back", id="page.back"),
        Binding("e", "edit", "page.key.edit", id="page.edit"),
        Binding("t", "tags", "page.key.tags", id="page.tags"),
        Binding("f", "favourite", "page.key.favourite", id="page.favourite"),
        Binding("n", "snippet", "page.key.snippet", id="page.snippet"),
        Binding("i", "interaction", "page.key.interaction", id="page.interaction"),
        Binding("p", "purchase", "page.key.purchase", id="page.purchase"),
        Binding("dollar_sign", "payment", "page.key.payment", id="page.payment"),
        Binding("r", "reminder", "page.key.reminder", id="page.reminder"),
        Binding("R", "referrer", "page.key.referrer", id="page.referrer"),
        Binding("s", "rate", "page.key.rate", id="page.rate"),
        Binding("a", "archive", "page.key.archive", id="page.archive"),
        Binding("y", "copy_remark", "page.key.copy_remark", id="page.copy_remark"),
        Binding("m", "merge", "page.key.merge", id="page.merge", show=False),
    ]

    def __init__(self, contact_id: int) -> None:
        super().__init__()
        self.contact_id = contact_id
        self.data: contactview.ContactPage | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="page-header")
        with VerticalScroll(id="page-body"):
            for name in (
                "profile",
                "snippets",
                "interactions",
                "purchases",
                "referrals",
                "reminders",
                "satisfaction",
            ):
                yield Static("", id=f"sec-{name}")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.load()
        self.query_one("#page-body").focus()

    # ---- data -------------------------------------------------------------------------

    @property
    def today(self) -> date:
        return clock.today()

    @property
    def name(self) -> str:
        return self.data.name if self.data else f"#{self.contact_id}"

    def _classification(self):
        """The app directory's classification (no recomputing) and whether it is current."""
        d = getattr(self.app, "directory", None)
        if d is None or d.classification is None or d.today != self.today:
            return None, False
        return d.classification, d.is_current()

    def reload(self) -> None:
        self.load()

    def load(self) -> None:
        """Show the contact at once: with the directory's classification, checked in a
        worker when the book changed since (classifying one contact of a big book
        reads every purchase for the value line: 0.1 s at 100,000 contacts)."""
        cls, fresh = self._classification()
        try:
            self.data = contactview.load_page(
                self.book, self.contact_id, self.today, classification=cls
            )
        except Exception as e:
            self.report(e)
            return
        self.sub_title = self.data.name
        self._show()
        self.mark_fresh()
        if cls is not None and not fresh:
            self._check_class()

    @work(thread=True, exclusive=True, group="page-class")
    def _check_class(self) -> None:
        from kamtui.classify import classify_one

        try:
            found = classify_one(self.book, self.contact_id, self.today)
        except Exception as e:
            self.app.call_from_thread(self.report, e)
            return
        self.app.call_from_thread(self._class_checked, found)

    def _class_checked(self, found) -> None:
        p = self.data
        if p is not None and p.id == found.contact_id and p.cls != found:
            contactview.set_class(self.book, p, found)
            self._show()

    # ---- rendering ------------------------------------------------------------------------

    def _show(self) -> None:
        p = self.data
        assert p is not None
        self.query_one("#page-header", Static).update(self._header(p))
        for name, renderable in (
            ("profile", self._profile(p)),
            ("snippets", self._snippets(p)),
            ("interactions", self._interactions(p)),
            ("purchases", self._purchases(p)),
            ("referrals", self._referrals(p)),
            ("reminders", self._reminders(p)),
            ("satisfaction", self._satisfaction(p)),
        ):
            self.query_one(f"#sec-{name}", Static).update(renderable)

    def _header(self, p: contactview.ContactPage) -> Group:
        f = p.fields
        line = Text()
        if f["favourite"]:
            line.append("★ ", style="bold yellow")
        line.append(safe(p.name, max_len=80), style="bold")
        if f["remark"] and f["nickname"] and f["nickname"] != p.name:
            line.append(f"  ({safe(f['nickname'], max_len=60)})", style="dim")
        line.append("  ")
        line.append_text(stage_badge(p.cls.stage))
        if p.cls.tier:
            line.append(" ")
            line.append_text(tier_badge(p.cls.tier))
        if f["archived"]:
            line.append("  ")
            line.append(t("page.archived"), style="reverse")
        if f["merged_into_id"]:
            line.append("  " + t("page.merged_into", id=f["merged_into_id"]), style="dim")
        lines: list[RenderableType] = [line]
        from kamtui.phone import display_phone

        region = " ".join(x for x in (f["province"], f["city"]) if x)
        facts = [
            (t("field.account"), f["account"]),
            (t("field.phone"), display_phone(f["phone"])),
            (t("field.wechat_id"), f["wechat_id"]),
            (t("field.region"), region),
            (t("field.occupation"), f["occupation"]),
        ]
        lines.append(self._facts(facts))
        tag_line = Text(t("field.tags") + ": ", style="dim")
        if p.tags:
            for i, tag in enumerate(p.tags):
                if i:
                    tag_line.append(" ")
                tag_line.append("#" + safe(tag, max_len=50), style="bold cyan")
        else:
            tag_line.append(t("page.none"), style="dim")
        lines.append(tag_line)
        birthday = self._birthday_text(p)
        if birthday:
            lines.append(Text(t("field.birthday") + ": ", style="dim") + Text(birthday))
        churn = p.cls.churn
        if churn is not None:
            style = {"active": "green", "at_risk": "yellow", "lost": "red"}.get(churn.status, "")
            churn_line = Text(t("page.churn") + ": ", style="dim")
            churn_line.append(churn_name(churn.status), style=f"bold {style}")
            churn_line.append("  " + churn.describe())
            lines.append(churn_line)
        remark = Text(t("page.remark_suggestion") + ": ", style="dim")
        if p.remark_suggestion:
            remark.append(p.remark_suggestion, style="bold")
            remark.append("  " + t("page.remark_copy_hint"), style="dim")
        else:
            remark.append(p.remark_problem or t("page.none"), style="dim")
        lines.append(remark)
        return Group(*lines)

    @staticmethod
    def _facts(facts: list[tuple[str, str | None]]) -> Text:
        out = Text()
        first = True
        for label, value in facts:
            if not value:
                continue
            if not first:
                out.append("  · ", style="dim")
            first = False
            out.append(label + " ", style="dim")
            out.append(safe(value, max_len=80))
        return out

    def _birthday_text(self, p: contactview.ContactPage) -> str:
        from kamtui.dates import format_birthday, lunar_label

        b = p.birthday
        if b is None:
            return ""
        text = format_birthday(b)
        nxt = p.next_birthday
        if not b.lunar and b.year:
            try:
                label = lunar_label(date(b.year, b.month, b.day))
            except ValueError:
                label = ""
            if label:
                text += f" ({label})"
        if nxt is not None:
            days = (nxt - p.today).days
            label = lunar_label(nxt) if not b.lunar else ""
            text += "  " + t("page.next_birthday", day=nxt.isoformat(), days=days)
            if label:
                text += f" ({label})"
        return text

    def _profile(self, p: contactview.ContactPage) -> Group:
        f = p.fields
        grid = _grid("dim", "")
        gender = t(f"gender.{f['gender']}") if f["gender"] else ""
        for label, value in (
            ("field.gender", gender),
            ("field.source", f["source"]),
            ("field.added_on", f["added_on"].isoformat() if f["added_on"] else ""),
            ("field.potential", f"{f['potential']}/5"),
            ("field.intent", t("yes") if f["intent"] else ""),
            ("field.is_ad", t("yes") if f["is_ad"] else ""),
            ("field.blocked_me", t("yes") if f["blocked_me"] else ""),
            (
                "field.last_moment_on",
                f["last_moment_on"].isoformat() if f["last_moment_on"] else "",
            ),
            ("field.picture_path", f["picture_path"] or ""),
            (
                "page.last_contact",
                p.last_contact.isoformat() if p.last_contact else t("page.never"),
            ),
        ):
            if value:
                grid.add_row(Text(t(label)), _txt(value))
        description = f["description"] or ""
        if description:
            shown = safe(description[:DESCRIPTION_SHOWN], one_line=False)
            body = Text(shown)
            if len(description) > DESCRIPTION_SHOWN:
                body.append(
                    "  " + t("page.description_more", n=len(description)), style="dim italic"
                )
            grid.add_row(Text(t("field.description")), body)
        return _section(t("page.sec.profile"), grid)

    def _snippets(self, p: contactview.ContactPage) -> Group:
        parts: list[RenderableType] = []
        for kind, items in p.snippets.items():
            if not items:
                continue
            rows = []
            for s in items:
                body = _txt(s.text, max_len=500)
                if s.closed:
                    body.stylize("strike dim")
                rows.append((Text(s.saved_on.isoformat(), style="dim"), body))
            parts.append(Text(f"{t(f'snippet.{kind}')} ({len(items)})", style="bold"))
            parts.append(_rows(rows))
        return _section(t("page.sec.snippets"), Group(*parts) if parts else None)

    def _interactions(self, p: contactview.ContactPage) -> Group:
        if not p.interactions:
            return _section(t("page.sec.interactions"), None)
        rows = []
        for i in p.interactions[:TIMELINE_ROWS]:
            kind = Text(t(f"interaction.{i.kind}"))
            if i.is_open:
                kind.append(" " + t("page.open"), style="bold red")
            rows.append(
                (Text(i.occurred_on.isoformat(), style="dim"), kind, _txt(i.summary, max_len=200))
            )
        grid = _rows(rows)
        more = len(p.interactions) - TIMELINE_ROWS
        body: RenderableType = grid
        if more > 0:
            body = Group(grid, Text(t("page.more", n=more), style="dim italic"))
        title = t("page.sec.interactions") + f" ({len(p.interactions)})"
        return _section(title, body)

    def _purchases(self, p: contactview.ContactPage) -> Group:
        tot = p.totals
        summary = Text()
        summary.append(t("page.lifetime") + " ", style="dim")
        summary.append(money(tot.lifetime_fen), style="bold")
        summary.append("  · " + t("page.last365") + " ", style="dim")
        summary.append(money(tot.last365_fen), style="bold")
        summary.append("  · " + t("page.owed") + " ", style="dim")
        summary.append(money(tot.owed_fen), style="bold red" if tot.owed_fen else "bold")
        summary.append(
            "  · " + t("page.orders", orders=tot.orders, days=tot.purchase_days), style="dim"
        )
        if not p.purchases:
            return _section(t("page.sec.purchases"), summary)
        rows = []
        for x in p.purchases[:TIMELINE_ROWS]:
            label = _txt(x.item, max_len=80)
            if x.quantity > 1:
                label.append(f" ×{x.quantity}")
            if x.credit:
                if x.owed_fen:
                    due = x.due_on.isoformat() if x.due_on else ""
                    label.append(
                        "  " + t("page.owes", amount=money(x.owed_fen), due=due), style="bold red"
                    )
                else:
                    label.append("  " + t("page.paid"), style="green")
            if x.note:
                label.append("  " + safe(x.note, max_len=80), style="dim")
            rows.append((Text(x.bought_on.isoformat(), style="dim"), money(x.amount_fen), label))
        grid = _rows(rows, right=(1,))
        more = len(p.purchases) - TIMELINE_ROWS
        parts: list[RenderableType] = [summary, grid]
        if more > 0:
            parts.append(Text(t("page.more", n=more), style="dim italic"))
        return _section(t("page.sec.purchases") + f" ({len(p.purchases)})", Group(*parts))

    def _referrals(self, p: contactview.ContactPage) -> Group:
        parts: list[RenderableType] = []
        if p.referred_by is not None:
            r = p.referred_by
            line = Text(t("page.referred_by") + " ", style="dim")
            line.append(safe(r.name, max_len=60), style="bold")
            line.append(f"  {r.row.referred_on.isoformat()}", style="dim")
            if r.row.note:
                line.append("  " + safe(r.row.note, max_len=100))
            parts.append(line)
        if p.introduced:
            bought = sum(1 for r in p.introduced if r.row.bought)
            parts.append(
                Text(t("page.introduced", n=len(p.introduced), bought=bought), style="dim")
            )
            rows = []
            for r in p.introduced:
                status = (
                    Text(t("page.bought"), style="green")
                    if r.row.bought
                    else Text(t("page.not_bought"), style="dim")
                )
                day = Text(r.row.referred_on.isoformat(), style="dim")
                rows.append((day, _txt(r.name, max_len=60), status))
            parts.append(_rows(rows))
        return _section(t("page.sec.referrals"), Group(*parts) if parts else None)

    def _reminders(self, p: contactview.ContactPage) -> Group:
        if not p.reminders:
            return _section(t("page.sec.reminders"), None)
        rows = []
        for r in p.reminders:
            when = r.effective_on
            style = "bold red" if when < p.today else ("bold" if when == p.today else "dim")
            rows.append(
                (
                    Text(when.isoformat(), style=style),
                    Text(t(f"kind.{r.kind}")),
                    _txt(p.reminder_reasons.get(r.id, r.note), max_len=200),
                )
            )
        return _section(t("page.sec.reminders"), _rows(rows))

    def _satisfaction(self, p: contactview.ContactPage) -> Group:
        if not p.ratings:
            return _section(t("page.sec.satisfaction"), None)
        rows = []
        for r in p.ratings:
            stars = "★" * r.level + "☆" * (5 - r.level)
            rows.append(
                (
                    Text(r.rated_on.isoformat(), style="dim"),
                    Text(f"{stars} {t(f'satisfaction.{r.level}')}"),
                    _txt(r.note, max_len=200),
                )
            )
        return _section(t("page.sec.satisfaction"), _rows(rows))

    # ---- after an action ---------------------------------------------------------------------

    def changed(self, message: str, *, reclassify: bool = False, also=()) -> None:
        """The contact changed: tell the directory, show the page again, say what happened."""
        ids = [self.contact_id, *also]
        self.app.contacts_changed(ids, reclassify=reclassify)
        self.load()
        self.notify(message, markup=False)

    # ---- actions ----------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss()

    def action_edit(self) -> None:
        forms.open_contact_form(
            self,
            self.contact_id,
            lambda _cid: self.changed(t("page.saved"), reclassify=True),
        )

    def action_tags(self) -> None:
        forms.open_tags_for(
            self, self.contact_id, self.name, lambda _ok: self.changed(t("page.tags_saved"))
        )

    def action_favourite(self) -> None:
        from kamtui.contacts import toggle_favourite

        try:
            now = toggle_favourite(self.book, self.contact_id)
        except Exception as e:
            self.report(e)
            return
        self.changed(t("page.pinned") if now else t("page.unpinned"))

    def action_snippet(self) -> None:
        def done(result) -> None:
            _sid, kind = result
            self.changed(t("page.snippet_saved"), reclassify=kind == "need")

        forms.open_snippet_form(self, self.contact_id, self.name, done)

    def action_interaction(self) -> None:
        forms.open_interaction_form(
            self, self.contact_id, self.name, lambda _id: self.changed(t("page.logged"))
        )

    def _referrer_ids(self) -> list[int]:
        p = self.data
        return [p.referred_by.other_id] if p is not None and p.referred_by else []

    def action_purchase(self) -> None:
        forms.open_purchase_form(
            self,
            self.contact_id,
            self.name,
            lambda _id: self.changed(
                t("page.purchase_saved"), reclassify=True, also=self._referrer_ids()
            ),
        )

    def action_payment(self) -> None:
        owed = self.data.totals.owed_fen if self.data else 0

        def done(applied) -> None:
            total = sum(fen for _pid, fen in applied)
            self.changed(t("page.payment_saved", amount=money(total)))

        forms.open_payment_form(self, self.contact_id, self.name, owed, done)

    def action_reminder(self) -> None:
        forms.open_reminder_form(
            self, self.contact_id, self.name, lambda _id: self.changed(t("page.reminder_saved"))
        )

    def action_rate(self) -> None:
        forms.open_rating(
            self, self.contact_id, self.name, lambda _lvl: self.changed(t("page.rated"))
        )

    def action_referrer(self) -> None:
        p = self.data
        if p is not None and p.referred_by is not None:
            options = [
                ("change", t("page.referrer_change")),
                ("clear", t("page.referrer_clear", name=safe(p.referred_by.name))),
            ]

            def chosen(choice) -> None:
                if choice == "change":
                    self._pick_referrer(replace=True)
                elif choice == "clear":
                    self._clear_referrer()

            self.app.push_screen(
                ChoiceModal(t("page.referrer_title", name=self.name), options), chosen
            )
            return
        self._pick_referrer(replace=False)

    def _pick_referrer(self, *, replace: bool) -> None:
        from kamtui import referrals
        from kamtui.screens.picker import ContactPicker

        old = self._referrer_ids()

        def picked(referrer_id) -> None:
            if referrer_id is None:
                return
            try:
                referrals.set_referrer(self.book, self.contact_id, referrer_id, replace=replace)
            except Exception as e:
                self.report(e)
                return
            self.changed(t("page.referrer_saved"), reclassify=True, also=[referrer_id, *old])

        self.app.push_screen(ContactPicker(t("page.referrer_pick", name=self.name)), picked)

    def _clear_referrer(self) -> None:
        from kamtui import referrals

        old = self._referrer_ids()
        try:
            referrals.clear_referrer(self.book, self.contact_id)
        except Exception as e:
            self.report(e)
            return
        self.changed(t("page.referrer_cleared"), reclassify=True, also=old)

    def action_archive(self) -> None:
        from kamtui.contacts import archive_contacts, restore_contacts

        archived = bool(self.data and self.data.fields["archived"])
        question = (
            t("page.restore_question", name=self.name)
            if archived
            else t("page.archive_question", name=self.name)
        )

        def answer(yes: bool | None) -> None:
            if not yes:
                return
            try:
                if archived:
                    restore_contacts(self.book, [self.contact_id])
                else:
                    archive_contacts(self.book, [self.contact_id])
            except Exception as e:
                self.report(e)
                return
            self.changed(
                t("page.restored") if archived else t("page.archived_message"), reclassify=True
            )

        self.app.push_screen(ConfirmModal(question), answer)

    def action_copy_remark(self) -> None:
        p = self.data
        if p is None or not p.remark_suggestion:
            self.notify(p.remark_problem if p else t("page.none"), severity="warning", markup=False)
            return
        self.app.copy_to_clipboard(p.remark_suggestion)
        self.notify(t("page.copied", text=p.remark_suggestion), markup=False)

    def action_merge(self) -> None:
        from kamtui.screens.contacts import merge_dialog
        from kamtui.screens.picker import ContactPicker

        modal = merge_dialog()
        if modal is None:
            self.notify(t("contacts.merge_unavailable"), severity="warning", markup=False)
            return

        def picked(other) -> None:
            if other is None or other == self.contact_id:
                return

            def merged(ok) -> None:
                if not ok:
                    return
                self.changed(t("contacts.merged"), reclassify=True, also=[other])
                survivor = self.data.fields["merged_into_id"] if self.data else None
                if survivor:  # this contact was merged away: show the one that stayed
                    self.contact_id = survivor
                    self.load()

            self.app.push_screen(modal(self.contact_id, other), merged)

        self.app.push_screen(ContactPicker(t("contacts.merge_pick", name=self.name)), picked)
