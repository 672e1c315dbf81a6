"""Insights (section 4): the contact book as customer assets (客户分析).

Who the platinum customers are, who is slipping away, where the seller's time
should go (80/20). One scrolling page of panels:

* the 80/20 headline ("the top 20% bring N% of the revenue": the number of
  ``kamtui stats --json``'s ``top_value_share``) and the key figures;
* the stage funnel (friend → prospect → buyer → repeat → referrer) with the
  conversion between steps, and the 2×2 tier matrix (current value ×
  potential) with counts, share of value and what to do with each tier;
* the Pareto curve as cumulative bars with the top-20% mark, and revenue and
  new buyers per month for the last 12 months;
* lists (Enter opens the contact): churn risk with the numbers behind it,
  moves since the last review with the reason (``S`` saves a review), money
  owed;
* each WeChat account's friends against its cap.

Everything comes from :func:`kamtui.insights.figures` and
:func:`kamtui.insights.movements`, computed in a thread worker (a quarter of a
second on 100,000 contacts once the classification is cached, about a second
when it is not) while the header says "computing…"; the page keeps showing the
last figures meanwhile, and the lists' rows are formatted there too.
``a``/``t`` filter by account or tag (as ``figures(account=, tag=)``), ``c``
clears. The page computes again when the seller comes back after the book
changed.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import date
from math import ceil

from rich import box
from rich.cells import cell_len
from rich.columns import Columns
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from kamtui import clock, insights
from kamtui.classify import stage_name, tier_name
from kamtui.fmt import money, safe
from kamtui.i18n import t
from kamtui.screens.base import KamtuiScreen, plain
from kamtui.screens.charts import (
    BarRow,
    ChartStyles,
    ChartView,
    ColumnRow,
    bar,
    bar_chart,
    column_chart,
    short_money,
)
from kamtui.screens.forms import ChoiceModal, ConfirmModal
from kamtui.screens.widgets import Column, StyledRow, VirtualTable
from kamtui.screens.widgets.footer import Footer

LIMIT = 100
"""Rows in the churn-risk and owed lists (the summaries give the full counts)."""

WIDE = 110
"""From this many columns, panels go two by two."""

NEARLY_FULL = 0.9
"""An account this full is marked (⚠ and the warning colour)."""


def pct(x: float | None) -> str:
    """76% (as ``kamtui stats``: whole percent); ``-`` for no value."""
    return "-" if x is None else f"{x * 100:.0f}%"


def month_label(month: str) -> str:
    """``2026-11`` → 11月 / Nov."""
    return t(f"insights.month.{int(month[5:7])}")


def _column(key: str, label: str, width: int, align: str = "left") -> Column:
    """A fixed column at least as wide as its label (in either language)."""
    text = t(label)
    return Column(key, text, width=max(width, cell_len(text)), align=align)


def open_contact(screen: KamtuiScreen, contact_id: int) -> None:
    """The contact page when there is one, else the quick-look panel."""
    try:
        contact_page = importlib.import_module("kamtui.screens.contact_page")
    except ModuleNotFoundError as e:  # not written yet: only that may fall back
        if e.name != "kamtui.screens.contact_page":
            raise
        from kamtui.screens.contact_panel import ContactPanel

        screen.app.push_screen(ContactPanel(contact_id))
    else:
        contact_page.open_contact(screen.app, contact_id)


@dataclass(frozen=True)
class Loaded:
    """What the worker hands to the page."""

    figures: insights.Figures
    moves: insights.Movements
    high_potential: int
    at_risk_factor: float
    stamp: tuple
    risk: ListData
    moved: ListData
    owed: ListData


@dataclass(frozen=True)
class ListData:
    """A list's rows, their keys, and each row in full for the status line.

    Built in the worker: a review long ago can mean tens of thousands of moves,
    too many to format on the UI thread.
    """

    rows: list
    keys: list
    lines: dict


class Panel(Vertical):
    """A titled box of the page; a panel without a list takes the focus itself."""

    def __init__(self, title: str, *children, focusable: bool = False, **kwargs) -> None:
        super().__init__(*children, **kwargs)
        self.border_title = title
        self.can_focus = focusable


class InsightsScreen(KamtuiScreen):
    TITLE_KEY = "section.insights"
    DEFAULT_CSS = """
    InsightsScreen #insights-body { height: 1fr; }
    InsightsScreen .pair { height: auto; width: 1fr; layout: horizontal; }
    InsightsScreen.narrow .pair { layout: vertical; }
    InsightsScreen Panel {
        height: auto;
        width: 1fr;
        padding: 0 1;
        border: round $foreground 30%;
        border-title-color: $text-muted;
    }
    InsightsScreen Panel:focus, InsightsScreen Panel:focus-within {
        border: round $accent;
        border-title-color: $text-accent;
        border-title-style: bold;
    }
    InsightsScreen Panel VirtualTable { height: 12; background: $background; }
    InsightsScreen.narrow Panel VirtualTable { height: 9; }
    InsightsScreen .summary { height: auto; color: $text-muted; }
    InsightsScreen #headline { height: auto; color: $text-accent; text-style: bold; }
    InsightsScreen #kpi { height: auto; }
    InsightsScreen #why { height: auto; color: $text-muted; }
    """
    BINDINGS = [
        Binding("r", "refresh", "insights.key.refresh", id="insights.refresh"),
        Binding("S", "save_review", "insights.key.review", id="insights.review"),
        Binding("a", "filter_account", "insights.key.account", id="insights.account"),
        Binding("t", "filter_tag", "insights.key.tag", id="insights.tag"),
        Binding("c", "clear_filters", "insights.key.clear", id="insights.clear"),
        Binding("tab", "app.focus_next", "insights.key.next", id="insights.next", show=False),
        Binding(
            "shift+tab",
            "app.focus_previous",
            "insights.key.previous",
            id="insights.previous",
            show=False,
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.account: tuple[int, str] | None = None  # (id, name)
        self.tag: str | None = None
        self.loaded: Loaded | None = None
        self.computing = False
        self._generation = 0

    @property
    def figures(self) -> insights.Figures | None:
        return self.loaded.figures if self.loaded else None

    # ---- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="insights-header", classes="section-header")
        with VerticalScroll(id="insights-body", can_focus=False):
            with Panel(t("insights.panel.headline"), id="p-headline", focusable=True):
                yield Static(Text(t("insights.computing")), id="headline")
                yield Static("", id="kpi")
                yield Static(Text(t("insights.kpi.why")), id="why")
            with Panel(t("insights.panel.tiers"), id="p-tiers", focusable=True):
                yield ChartView(id="tier-chart")
            with Horizontal(classes="pair"):
                with Panel(t("insights.panel.funnel"), id="p-funnel", focusable=True):
                    yield ChartView(id="funnel-chart")
                with Panel(t("insights.panel.pareto"), id="p-pareto", focusable=True):
                    yield ChartView(id="pareto-chart")
            with Panel(t("insights.panel.months"), id="p-months", focusable=True):
                yield ChartView(id="months-chart")
            with Panel(t("insights.panel.risk"), id="p-risk"):
                yield Static("", id="risk-summary", classes="summary")
                yield VirtualTable(
                    [
                        Column("name", t("insights.col.name"), min_width=8, ratio=3),
                        _column("tier", "insights.col.tier", 8),
                        _column("value", "insights.col.value", 11, "right"),
                        _column("gap", "insights.col.gap", 9, "right"),
                        _column("since", "insights.col.since", 7, "right"),
                        _column("ratio", "insights.col.ratio", 5, "right"),
                        _column("last", "insights.col.last", 10),
                    ],
                    empty_message=t("insights.computing"),
                    multi_select=False,
                    id="risk-table",
                )
            with Panel(t("insights.panel.moves"), id="p-moves"):
                yield Static("", id="moves-summary", classes="summary")
                yield VirtualTable(
                    [
                        Column("name", t("insights.col.name"), min_width=8, ratio=2),
                        _column("aspect", "insights.col.aspect", 6),
                        Column("move", t("insights.col.move"), width=24),
                        Column("reason", t("insights.col.reason"), min_width=10, ratio=4),
                        _column("tier", "insights.col.tier_now", 8),
                    ],
                    empty_message=t("insights.computing"),
                    multi_select=False,
                    id="moves-table",
                )
            with Panel(t("insights.panel.owed"), id="p-owed"):
                yield Static("", id="owed-summary", classes="summary")
                yield VirtualTable(
                    [
                        Column("name", t("insights.col.name"), min_width=8, ratio=2),
                        _column("owed", "insights.col.owed", 10, "right"),
                        _column("since", "insights.col.owed_since", 10),
                        _column("due", "insights.col.due", 10),
                        Column("state", t("insights.col.state"), min_width=8, ratio=1),
                    ],
                    empty_message=t("insights.computing"),
                    multi_select=False,
                    id="owed-table",
                )
            with Panel(t("insights.panel.accounts"), id="p-accounts", focusable=True):
                yield ChartView(id="accounts-chart")
        yield Static("", id="insights-status", classes="status-line")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.set_class(self.app.size.width < WIDE, "narrow")
        self.query_one("#p-headline").focus()
        self.computing = True
        self._header()
        # paint the page first: the worker then has the processor to itself
        self.call_after_refresh(self.compute)

    def on_resize(self, event) -> None:
        self.set_class(event.size.width < WIDE, "narrow")

    # ---- computing ----------------------------------------------------------------------

    def reload(self) -> None:
        self.compute()

    def compute(self) -> None:
        """Work the figures out again (in a thread); the page shows them when ready."""
        self._generation += 1
        self.computing = True
        self._header()
        account = self.account[0] if self.account else None
        self._compute(self._generation, clock.today(), account, self.tag)

    @work(thread=True, exclusive=True, group="insights")
    def _compute(self, generation: int, today: date, account: int | None, tag: str | None):
        from kamtui.classify import Rules

        try:
            stamp = self.book.stamp()
            f = insights.figures(
                self.book, today, account=account, tag=tag, pareto_points=10, limit=LIMIT
            )
            moves = insights.movements(self.book, today, account=account, tag=tag)
            rules = Rules.from_book(self.book)
            loaded = Loaded(
                f,
                moves,
                rules.high_potential,
                float(rules.at_risk_factor),
                stamp,
                risk=_risk_list(f),
                moved=_moves_list(moves),
                owed=_owed_list(f),
            )
        except Exception as e:
            self.app.call_from_thread(self._failed, generation, e)
            return
        self.app.call_from_thread(self._show, generation, loaded)

    def _failed(self, generation: int, error: Exception) -> None:
        if generation != self._generation:
            return
        self.computing = False
        from kamtui.errors import KamtuiError

        if isinstance(error, KamtuiError) and (self.account or self.tag):
            # the account or tag went away meanwhile: show everything again
            self.account = self.tag = None
            self.notify(
                t("insights.filter_failed", error=error.message), severity="warning", markup=False
            )
            self.compute()
            return
        self._header()
        self.report(error)

    def _show(self, generation: int, loaded: Loaded) -> None:
        if generation != self._generation:
            return  # a newer computation is on its way
        self.loaded = loaded
        self.computing = False
        self._stamp = loaded.stamp  # the book as it was when the figures were read
        f = loaded.figures
        self._header()
        self._show_headline(f)
        self.query_one("#funnel-chart", ChartView).show(_funnel_chart(f))
        self.query_one("#tier-chart", ChartView).show(_tier_chart(f, loaded.high_potential))
        self.query_one("#pareto-chart", ChartView).show(_pareto_chart(f))
        self.query_one("#months-chart", ChartView).show(_months_chart(f))
        self.query_one("#accounts-chart", ChartView).show(_accounts_chart(f))
        self._show_risk(f, loaded.at_risk_factor, loaded.risk)
        self._show_moves(loaded.moves, loaded.moved)
        self._show_owed(f, loaded.owed)
        self._status_for(self.focused)

    # ---- header and headline ---------------------------------------------------------------

    def _header(self) -> None:
        f = self.figures
        text = Text()
        if f is not None:
            text.append(
                t(
                    "insights.header",
                    day=f.today.isoformat(),
                    days=f.window_days,
                    basis=t(f"cmd.stats.basis.{f.basis}"),
                )
            )
        else:
            text.append(t("section.insights"))
        if self.account or self.tag:
            text.append("  ·  " + t("insights.filters"))
            if self.account:
                text.append(t("insights.filter_account"))
                text.append(safe(self.account[1]), style="reverse")
                text.append(" ")
            if self.tag:
                text.append(t("insights.filter_tag"))
                text.append(safe(self.tag), style="reverse")
            text.append(t("insights.clear_hint"))
        if self.computing:
            text.append("  ·  " + t("insights.computing"), style="italic")
        self.query_one("#insights-header", Static).update(text)

    def _show_headline(self, f: insights.Figures) -> None:
        basis = t(f"cmd.stats.basis.{f.basis}")
        if f.top_value_share is None:
            headline = t("insights.headline_none")
        else:
            headline = t(
                "insights.headline",
                share=pct(f.top_share),
                n=f"{f.top_count:,}",
                value_share=pct(f.top_value_share),
                basis=basis,
            )
        self.query_one("#headline", Static).update(Text(headline))
        parts = [
            t("insights.kpi.contacts", n=f"{f.contacts:,}"),
            t("insights.kpi.buyers", n=f"{f.buyers:,}"),
            t("insights.kpi.repeat", rate=pct(f.repeat_rate)),
            t(
                "insights.kpi.referrals",
                bought=f"{f.referred_bought:,}",
                referred=f"{f.referred:,}",
                rate=pct(f.referral_conversion),
            ),
            t(
                "insights.kpi.revenue",
                days=f.window_days,
                revenue=money(f.revenue_window_fen),
                orders=f"{f.orders:,}",
            ),
            t(
                "insights.kpi.aov",
                aov=money(f.average_order_fen) if f.average_order_fen is not None else "-",
            ),
            t("insights.kpi.owed", value=money(f.owed_total_fen), n=f"{f.debtors:,}"),
            t("insights.kpi.churn", **{k: f"{v:,}" for k, v in f.churn.items()}),
        ]
        if f.line_fen is not None:
            parts.append(t("insights.kpi.line", value=money(f.line_fen), days=f.window_days))
        # laid out in columns that fit the width, like `ls`
        self.query_one("#kpi", Static).update(
            Columns([Text(p) for p in parts], padding=(0, 3), column_first=True)
        )

    # ---- lists ------------------------------------------------------------------------------

    def _show_risk(self, f: insights.Figures, factor: float, data: ListData) -> None:
        n = f.churn.get("at_risk", 0)
        shown = t("insights.shown", n=len(f.at_risk)) if n > len(f.at_risk) else ""
        summary = t(
            "insights.risk.summary",
            n=f"{n:,}",
            shown=shown,
            lost=f"{f.churn.get('lost', 0):,}",
            factor=f"{factor:g}",
        )
        if any(r.one_time for r in f.at_risk):
            summary += "\n" + t("insights.risk.note")
        self.query_one("#risk-summary", Static).update(Text(summary))
        table = self.query_one("#risk-table", VirtualTable)
        table.empty_message = t("insights.risk.none")
        table.set_data(data.rows, keys=data.keys, keep_key=True)

    def _show_moves(self, moves: insights.Movements, data: ListData) -> None:
        table = self.query_one("#moves-table", VirtualTable)
        summary = self.query_one("#moves-summary", Static)
        review = moves.review
        if review is None:
            summary.update(Text(t("insights.moves.none_yet")))
            table.empty_message = t("insights.moves.empty")
            table.set_data([], keys=[])
            table.display = False
            return
        table.display = True
        counts = {a: 0 for a in insights.ASPECTS}
        for m in moves.moves:
            counts[m.aspect] += 1
        summary.update(
            Text(
                t(
                    "insights.moves.since",
                    id=review.id,
                    day=review.taken_on.isoformat(),
                    ago=(moves.today - review.taken_on).days,
                    **{k: f"{v:,}" for k, v in counts.items()},
                )
            )
        )
        table.empty_message = t("insights.moves.empty")
        table.set_data(data.rows, keys=data.keys, keep_key=True)

    def _show_owed(self, f: insights.Figures, data: ListData) -> None:
        shown = t("insights.shown", n=len(f.owed)) if f.debtors > len(f.owed) else ""
        self.query_one("#owed-summary", Static).update(
            Text(
                t(
                    "insights.owed.summary",
                    total=money(f.owed_total_fen),
                    n=f"{f.debtors:,}",
                    shown=shown,
                )
            )
        )
        table = self.query_one("#owed-table", VirtualTable)
        table.empty_message = t("insights.owed.none")
        table.set_data(data.rows, keys=data.keys, keep_key=True)

    # ---- opening a contact, the status line -------------------------------------------------

    @on(VirtualTable.Selected)
    def _selected(self, event: VirtualTable.Selected) -> None:
        key = event.key
        if isinstance(key, tuple):  # moves: (contact id, aspect)
            key = key[0]
        if isinstance(key, int):
            open_contact(self, key)

    @on(VirtualTable.Highlighted)
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        if event.control.has_focus:
            self._status_for(event.control)

    def on_descendant_focus(self, event) -> None:
        widget = event.widget
        self._status_for(widget)
        # show the whole panel (its title and summary), then the focused part of it
        panel = next((a for a in widget.ancestors_with_self if isinstance(a, Panel)), None)
        if panel is not None and panel is not widget:
            body = self.query_one("#insights-body", VerticalScroll)
            self.call_after_refresh(body.scroll_to_widget, panel, animate=False, top=True)
            self.call_after_refresh(widget.scroll_visible, animate=False)

    def _status_for(self, widget) -> None:
        status = self.query_one("#insights-status", Static)
        if not isinstance(widget, VirtualTable):
            status.update(Text(t("insights.status.panel")))
            return
        line = self._row_line(widget)
        status.update(plain(line, max_len=300) if line else Text(t("insights.status.list")))

    def _row_line(self, table: VirtualTable) -> str:
        """The highlighted row in full (columns cut long names and reasons)."""
        key = table.cursor_key
        if key is None or self.loaded is None:
            return ""
        data = {
            "risk-table": self.loaded.risk,
            "moves-table": self.loaded.moved,
            "owed-table": self.loaded.owed,
        }.get(table.id or "")
        return data.lines.get(key, "") if data else ""

    # ---- actions ------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.compute()

    def action_filter_account(self) -> None:
        from kamtui.accounts import list_accounts

        try:
            accounts = list_accounts(self.book)
        except Exception as e:
            self.report(e)
            return
        if not accounts:
            self.notify(t("insights.filter.no_accounts"), markup=False)
            return
        options: list = [(None, t("insights.filter.all_accounts"))]
        options += [
            ((a.id, a.name), t("insights.filter.option", name=a.name, n=f"{a.friends:,}"))
            for a in accounts
        ]

        def picked(choice) -> None:
            if choice is None and self.account is None:
                return
            self.account = choice
            self.compute()

        self.app.push_screen(ChoiceModal(t("insights.filter.account_title"), options), picked)

    def action_filter_tag(self) -> None:
        from kamtui.tags import list_tags

        try:
            tags = list_tags(self.book)
        except Exception as e:
            self.report(e)
            return
        if not tags:
            self.notify(t("insights.filter.no_tags"), markup=False)
            return
        options: list = [(None, t("insights.filter.all_tags"))]
        options += [(name, t("insights.filter.option", name=name, n=f"{n:,}")) for name, n in tags]

        def picked(choice) -> None:
            if choice is None and self.tag is None:
                return
            self.tag = choice
            self.compute()

        self.app.push_screen(ChoiceModal(t("insights.filter.tag_title"), options), picked)

    def action_clear_filters(self) -> None:
        if not (self.account or self.tag):
            self.notify(t("insights.no_filters"), markup=False)
            return
        self.account = self.tag = None
        self.notify(t("insights.filters_cleared"), markup=False)
        self.compute()

    def action_save_review(self) -> None:
        review = self.loaded.moves.review if self.loaded else None
        last = t("insights.review.last", day=review.taken_on.isoformat()) if review else ""

        def answered(yes: bool | None) -> None:
            if yes:
                self.notify(t("insights.review.saving"), markup=False)
                self._save_review(clock.today())

        self.app.push_screen(ConfirmModal(t("insights.review.question", last=last)), answered)

    @work(thread=True, exclusive=True, group="insights-review")
    def _save_review(self, today: date) -> None:
        try:
            review = insights.save_review(self.book, today)
        except Exception as e:
            self.app.call_from_thread(self.report, e)
            return
        self.app.call_from_thread(self._review_saved, review)

    def _review_saved(self, review: insights.Review) -> None:
        self.notify(
            t(
                "insights.review.saved",
                id=review.id,
                contacts=f"{review.contacts:,}",
                buyers=f"{review.buyers:,}",
            ),
            markup=False,
        )
        self.compute()


# ---- the charts ------------------------------------------------------------------------------


def _risk_list(f: insights.Figures) -> ListData:
    rows, keys, lines = [], [], {}
    for r in f.at_risk:
        gap = _num(r.usual_gap_days)
        rows.append(
            (
                r.name,
                tier_name(r.tier),
                money(r.value_fen),
                t("insights.days_default" if r.one_time else "insights.days", n=gap),
                t("insights.days", n=r.days_since),
                f"×{r.ratio:.1f}",
                r.last_purchase.isoformat(),
            )
        )
        keys.append(r.contact_id)
        words = "classify.churn_default" if r.one_time else "classify.churn_usual"
        lines[r.contact_id] = f"{r.name}: " + t(words, gap=gap, days=r.days_since)
    return ListData(rows, keys, lines)


def _moves_list(moves: insights.Movements) -> ListData:
    rows, keys, lines = [], [], {}
    aspects = {a: t(f"insights.aspect.{a}") for a in insights.ASPECTS}
    tiers = {tier: tier_name(tier) for tier in (*insights.TIERS, None)}
    for m in moves.moves:
        arrow = "↑ " if m.direction > 0 else "↓ " if m.direction < 0 else "  "
        label = m.label()
        cells = (m.name, aspects[m.aspect], arrow + label, m.reason, tiers.get(m.tier, ""))
        hint = "success" if m.direction > 0 else "warning" if m.direction < 0 else None
        rows.append(StyledRow(cells, hint) if hint else cells)
        key = (m.contact_id, m.aspect)
        keys.append(key)
        lines[key] = f"{m.name}: {label} · {m.reason}"
    return ListData(rows, keys, lines)


def _owed_list(f: insights.Figures) -> ListData:
    rows, keys, lines = [], [], {}
    for o in f.owed:
        cells = _owed_cells(o)
        if o.archived:
            rows.append(StyledRow(cells, "dim"))
        elif o.overdue_days:
            rows.append(StyledRow(cells, "warning"))
        else:
            rows.append(cells)
        keys.append(o.contact_id)
        since = t("insights.owed.since", day=cells[2])
        due = t("insights.owed.due", day=cells[3])
        lines[o.contact_id] = f"{o.name}: " + " · ".join((cells[1], since, due, cells[4]))
    return ListData(rows, keys, lines)


def _owed_cells(o: insights.OwedRow) -> tuple[str, ...]:
    """Name, amount, since, due day, state (overdue, not due, archived)."""
    if o.due_on is None:
        state = t("insights.owed.no_due")
    elif o.overdue_days:
        state = t("insights.owed.overdue", n=o.overdue_days)
    else:
        state = t("insights.owed.not_due")
    if o.archived:
        state += " · " + t("insights.owed.archived")
    return (
        o.name,
        money(o.owed_fen),
        o.since.isoformat() if o.since else "—",
        o.due_on.isoformat() if o.due_on else "—",
        state,
    )


def _num(x: float) -> str:
    """38 / 27.5 (usual gaps are whole or half days)."""
    return f"{x:g}"


def _funnel_chart(f: insights.Figures):
    steps = f.funnel_steps()
    rows = [
        BarRow(
            stage_name(s.stage),
            s.reached,
            (f"{s.reached:,}", pct(s.conversion) if i else "", f"{s.count:,}"),
        )
        for i, s in enumerate(steps)
    ]
    header = (
        t("insights.funnel.reached"),
        t("insights.funnel.conversion"),
        t("insights.funnel.at_stage"),
    )

    def draw(width: int, styles: ChartStyles):
        chart = bar_chart(rows, width, styles, header=header)
        return Group(chart, Text(t("insights.funnel.note"), style=styles.muted))

    return draw


# (high value, high potential) -> tier, as the matrix is drawn
_MATRIX = (("platinum", "gold"), ("iron", "lead"))


def _tier_chart(f: insights.Figures, high_potential: int):
    basis = t(f"cmd.stats.basis.{f.basis}")

    def cell(tier: str, styles: ChartStyles) -> Text:
        n = f.tiers.get(tier, 0)
        share = f.tier_share(tier)
        text = Text()
        text.append(tier_name(tier), style=styles.get(tier))
        text.append("  ")
        text.append(
            t("insights.tiers.count", n=f"{n:,}", share=pct(n / f.buyers if f.buyers else None))
        )
        text.append("\n")
        text.append(t("insights.tiers.value", basis=basis) + " ")
        drawn = bar(share or 0, 1.0, 10)
        text.append(drawn, style=styles.get(tier))
        text.append("░" * (10 - len(drawn)), style=styles.track)
        text.append(" ")
        text.append(pct(share), style=styles.number)
        text.append("\n")
        text.append(t(f"insights.tiers.advice.{tier}"), style=styles.muted)
        return text

    def draw(width: int, styles: ChartStyles):
        table = Table(
            box=box.ROUNDED,
            show_lines=True,
            expand=True,
            padding=(0, 1),
            border_style=styles.muted,
            header_style=styles.label,
        )
        table.add_column(Text(""), ratio=1)
        table.add_column(Text(t("insights.tiers.high_potential", n=high_potential)), ratio=3)
        table.add_column(Text(t("insights.tiers.low_potential")), ratio=3)
        labels = (
            t("insights.tiers.high_value", share=pct(f.top_share)),
            t("insights.tiers.low_value"),
        )
        for label, (high, low) in zip(labels, _MATRIX, strict=True):
            table.add_row(Text(label, style=styles.muted), cell(high, styles), cell(low, styles))
        return table

    return draw


def _pareto_rows(f: insights.Figures) -> list[BarRow]:
    """Cumulative bars at each 10% of buyers; the top-share row is marked, with the
    headline's value."""
    n = f.buyers
    points = [p for p in f.pareto if p[0] > 0]
    top = f.top_share
    if not any(abs(share - top) < 1e-9 for share, _ in points):
        points.append((top, f.top_value_share or 0.0))
        points.sort()
    mark = t("insights.pareto.mark", share=pct(top))
    rows = []
    for share, value in points:
        marked = abs(share - top) < 1e-9
        if marked and f.top_value_share is not None:
            value = f.top_value_share
        count = f.top_count if marked else min(n, ceil(round(n * share, 9)))
        rows.append(
            BarRow(
                t("insights.pareto.top", share=pct(share)),
                value,
                (f"{count:,}", pct(value), mark if marked else ""),
                maximum=1.0,
                style="highlight" if marked else "bar",
                bold=marked,
            )
        )
    return rows


def _pareto_chart(f: insights.Figures):
    basis = t(f"cmd.stats.basis.{f.basis}")
    rows = _pareto_rows(f) if f.buyers else []
    header = (t("insights.pareto.buyers"), t("insights.pareto.value", basis=basis), "")
    note = t("insights.pareto.note", days=f.window_days, basis=basis)

    def draw(width: int, styles: ChartStyles):
        if not rows:
            return Text(t("insights.pareto.none"), style=styles.muted)
        return Group(
            bar_chart(rows, width, styles, header=header, track="░"),
            Text(note, style=styles.muted),
        )

    return draw


def _months_chart(f: insights.Figures):
    months = f.months
    values = [m.revenue_fen for m in months]
    best = max(months, key=lambda m: (m.revenue_fen, m.month))
    summary = t(
        "insights.months.summary",
        first=months[0].month,
        last=months[-1].month,
        revenue=money(sum(values)),
        new=f"{sum(m.new_buyers for m in months):,}",
        best_month=best.month,
        best=money(best.revenue_fen),
    )

    def draw(width: int, styles: ChartStyles):
        rows = [
            ColumnRow(t("insights.months.revenue"), [short_money(v) for v in values]),
            ColumnRow("", [month_label(m.month) for m in months], style="muted"),
            ColumnRow(t("insights.months.new_buyers"), [f"{m.new_buyers:,}" for m in months]),
        ]
        chart = column_chart(
            values, width, styles, height=6, rows=rows, highlight=[len(months) - 1]
        )
        if chart is None:  # too narrow for twelve columns: one bar per month
            chart = bar_chart(
                [
                    BarRow(
                        m.month,
                        m.revenue_fen,
                        (money(m.revenue_fen), t("insights.months.new_n", n=m.new_buyers)),
                        style="highlight" if i == len(months) - 1 else "bar",
                    )
                    for i, m in enumerate(months)
                ],
                width,
                styles,
            )
        return Group(chart, Text(summary, style=styles.muted))

    return draw


def _accounts_chart(f: insights.Figures):
    rows = [
        BarRow(
            a.name,
            a.friends,
            (
                f"{a.friends:,}/{a.cap:,}",
                pct(a.used_share) + (" ⚠" if a.used_share >= NEARLY_FULL else "  "),
                (
                    t("insights.accounts.free", n=f"{a.free:,}")
                    if a.free >= 0
                    else t("insights.accounts.over", n=f"{-a.free:,}")
                ),
            ),
            maximum=a.cap,
            style="warning" if a.used_share >= NEARLY_FULL else "bar",
            bold=a.used_share >= NEARLY_FULL,
        )
        for a in f.accounts
    ]

    def draw(width: int, styles: ChartStyles):
        if not rows:
            return Text(t("insights.accounts.none"), style=styles.muted)
        return Group(
            bar_chart(rows, width, styles, track="░"),
            Text(t("insights.accounts.note"), style=styles.muted),
        )

    return draw
