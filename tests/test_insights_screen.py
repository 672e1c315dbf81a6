"""The Insights screen, driven with the keys a seller presses (Pilot, demo book, frozen date)."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

from rich.cells import cell_len

from kamtui import accounts, classify, contacts, insights, purchases, tags
from kamtui.app import KamtuiApp
from kamtui.screens.charts import ChartView
from kamtui.screens.forms import ChoiceModal, ConfirmModal
from kamtui.screens.widgets import VirtualTable

T = date(2026, 11, 24)


async def settle(pilot, app):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def open_insights(pilot, app):
    await settle(pilot, app)
    await pilot.press("4")
    await settle(pilot, app)
    screen = app.screen
    assert type(screen).__name__ == "InsightsScreen"
    return screen


def text_of(screen, selector: str) -> str:
    """What a Static shows, as plain text."""
    from rich.console import Console

    content = screen.query_one(selector).content
    if isinstance(content, str):
        return content
    console = Console(width=200, record=True, color_system=None, file=io.StringIO())
    console.print(content)
    return console.export_text()


def chart_text(screen, selector: str) -> str:
    """What a ChartView shows, as plain text (drawn at its width)."""
    view = screen.query_one(selector, ChartView)
    drawn = view.draw(view.content_region.width)
    from rich.console import Console

    console = Console(
        width=view.content_region.width, record=True, color_system=None, file=io.StringIO()
    )
    console.print(drawn)
    return console.export_text()


def rows_of(table: VirtualTable) -> list:
    out = []
    for i in range(table.row_count):
        row = table.get_row(i)
        out.append(tuple(str(c) for c in (row.cells if hasattr(row, "cells") else row)))
    return out


def pct(x: float) -> str:
    return f"{x * 100:.0f}%"


async def test_headline_is_the_stats_figure(demo_book, capsys):
    app = KamtuiApp(demo_book)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_insights(pilot, app)
        f = insights.figures(demo_book, T)
        assert f.top_value_share is not None
        assert screen.figures.top_value_share == f.top_value_share
        headline = text_of(screen, "#headline")
        expected = f"The top 20% of buyers ({f.top_count}) bring {pct(f.top_value_share)}"
        assert expected in headline
        # the Pareto chart marks the same share on its top-20% row
        marked = [x for x in chart_text(screen, "#pareto-chart").splitlines() if "◀" in x]
        assert len(marked) == 1 and pct(f.top_value_share) in marked[0]
        assert marked[0].lstrip().startswith("top 20%")
        # the other panels show the same figures
        funnel = chart_text(screen, "#funnel-chart")
        for step in f.funnel_steps():
            assert f"{step.reached:,}" in funnel
        tiers = chart_text(screen, "#tier-chart")
        for tier in classify.TIERS:
            assert f"{f.tiers[tier]} · {pct(f.tiers[tier] / f.buyers)} of buyers" in tiers
            assert pct(f.tier_share(tier)) in tiers
        assert "Personal, strategic attention" in tiers and "Review why" in tiers
        months = chart_text(screen, "#months-chart")
        assert "Nov" in months and str(f.months[-1].new_buyers) in months
        f = insights.figures(demo_book, T, limit=100)  # the screen lists up to 100
        risk = rows_of(screen.query_one("#risk-table", VirtualTable))
        assert [r[0] for r in risk] == [r.name for r in f.at_risk]
        owed = rows_of(screen.query_one("#owed-table", VirtualTable))
        assert len(owed) == len(f.owed) and owed[0][1] == f"¥{f.owed[0].owed_fen // 100:,}"
    # …and it is the number `kamtui stats --json` prints (run once the app has let go of stdout)
    from kamtui.cli import main

    capsys.readouterr()
    assert main(["--db", str(demo_book.path), "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["top_value_share"] == f.top_value_share


async def test_chinese_labels(demo_book):
    from kamtui import i18n

    i18n.set_language("zh")
    app = KamtuiApp(demo_book)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_insights(pilot, app)
        f = screen.figures
        assert f"前 20% 的客户 ({f.top_count} 位) 贡献了 {pct(f.top_value_share)} 的营收" in (
            text_of(screen, "#headline")
        )
        tiers = chart_text(screen, "#tier-chart")
        assert "白金" in tiers and "重点经营" in tiers and "看看原因" in tiers
        assert "11月" in chart_text(screen, "#months-chart")


async def test_account_filter_then_tag_filter_then_clear(demo_book):
    app = KamtuiApp(demo_book)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_insights(pilot, app)
        whole = insights.figures(demo_book, T)
        first, second = accounts.list_accounts(demo_book)[:2]
        await pilot.press("a")
        assert isinstance(app.screen, ChoiceModal)
        await pilot.press("2")  # 1 is "all accounts"
        await settle(pilot, app)
        expected = insights.figures(demo_book, T, account=first.id)
        f = screen.figures
        assert f.account == first.name
        assert (f.contacts, f.buyers, f.stages, f.tiers) == (
            expected.contacts,
            expected.buyers,
            expected.stages,
            expected.tiers,
        )
        assert f.contacts < whole.contacts
        assert f.accounts == expected.accounts and [a.name for a in f.accounts] == [first.name]
        capacity = chart_text(screen, "#accounts-chart")
        assert f"{first.friends:,}/{first.friend_cap:,}" in capacity and second.name not in capacity
        assert f"account: {first.name}" in text_of(screen, "#insights-header")
        assert f"Contacts {expected.contacts:,}" in text_of(screen, "#kpi")

        tag, _n = tags.list_tags(demo_book)[0]
        await pilot.press("t")
        assert isinstance(app.screen, ChoiceModal)
        await pilot.press("2")
        await settle(pilot, app)
        both = insights.figures(demo_book, T, account=first.id, tag=tag)
        assert (screen.figures.contacts, screen.figures.stages) == (both.contacts, both.stages)
        assert f"tag: {tag}" in text_of(screen, "#insights-header")

        await pilot.press("c")
        await settle(pilot, app)
        assert screen.figures.account is None and screen.figures.tag is None
        assert screen.figures.contacts == whole.contacts
        assert "account:" not in text_of(screen, "#insights-header")


async def test_save_review_then_purchases_show_moves(demo_book):
    cls = classify.classify_all(demo_book, T)
    once = next(
        cid
        for cid, (first, last) in sorted(cls.buyers.items())
        if first == last and cls.stage_of(cid) == "buyer" and cid not in cls.archived
    )
    friend = next(
        r
        for r in range(1, 600)
        if cls.stage_of(r) == "friend" and not cls.is_buyer(r) and r not in cls.archived
    )
    app = KamtuiApp(demo_book)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_insights(pilot, app)
        assert "No review saved yet" in text_of(screen, "#moves-summary")
        await pilot.press("S")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await settle(pilot, app)
        review = insights.last_review(demo_book)
        assert review is not None and review.taken_on == T
        assert f"Since review #{review.id}" in text_of(screen, "#moves-summary")
        assert screen.loaded.moves.moves == []

        # the seller records sales elsewhere (domain calls), then comes back
        await pilot.press("1")
        await settle(pilot, app)
        purchases.record_purchase(demo_book, once, "面膜", 300, bought_on=T)
        purchases.record_purchase(demo_book, friend, "面膜", 5000, bought_on=T)
        await pilot.press("4")
        await settle(pilot, app)
        assert app.screen is screen
        expected = insights.movements(demo_book, T)
        shown = {(m.contact_id, m.aspect, m.before, m.after) for m in screen.loaded.moves.moves}
        assert shown == {(m.contact_id, m.aspect, m.before, m.after) for m in expected.moves}
        assert (once, "stage", "buyer", "repeat") in shown
        assert (friend, "stage", "friend", "buyer") in shown
        table = screen.query_one("#moves-table", VirtualTable)
        rows = rows_of(table)
        names = contacts.display_names(demo_book, [once, friend])
        stage_row = next(r for r in rows if r[0] == names[once] and r[1] == "stage")
        assert stage_row[2] == "↑ buyer → repeat buyer"
        assert stage_row[3].startswith("bought again on 2026-11-24")
        new_buyer = next(r for r in rows if r[0] == names[friend] and r[1] == "tier")
        assert "new buyer" in new_buyer[3]


async def test_enter_on_churn_risk_row_opens_the_contact(demo_book):
    app = KamtuiApp(demo_book)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_insights(pilot, app)
        table = screen.query_one("#risk-table", VirtualTable)
        for _ in range(10):
            if table.has_focus:
                break
            await pilot.press("tab")
        assert table.has_focus
        f = screen.figures
        top = f.at_risk[0]
        assert table.cursor_key == top.contact_id
        status = text_of(screen, "#insights-status")
        assert top.name in status and f"{top.days_since} days since" in status
        row = rows_of(table)[0]
        assert row[4] == f"{top.days_since} d" and row[5] == f"×{top.ratio:.1f}"
        await pilot.press("j", "enter")
        await pilot.pause()
        opened = app.screen
        assert type(opened).__name__ in ("ContactPanel", "ContactPage")
        assert opened.contact_id == f.at_risk[1].contact_id
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_small_terminal_scrolls_and_reaches_every_panel(demo_book):
    app = KamtuiApp(demo_book)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_insights(pilot, app)
        assert screen.has_class("narrow")
        body = screen.query_one("#insights-body")
        assert body.max_scroll_y > 0 and body.scroll_y == 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 0
        # Tab reaches the last panel and brings it into view
        last = screen.query_one("#p-accounts")
        for _ in range(12):
            if last.has_focus:
                break
            await pilot.press("tab")
        await pilot.pause()
        assert last.has_focus
        assert body.scroll_y > 0 and body.region.contains_region(last.region)
        # every chart fits the narrow width (cells: Chinese labels are two wide)
        for view in screen.query(ChartView):
            width = view.content_region.width
            drawn = chart_text(screen, f"#{view.id}")
            assert all(cell_len(line.rstrip()) <= width for line in drawn.splitlines())
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert not screen.has_class("narrow")


async def test_computing_state_and_refresh(demo_book):
    app = KamtuiApp(demo_book)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_insights(pilot, app)
        assert "computing" not in text_of(screen, "#insights-header")
        screen.compute()
        assert screen.computing and "computing…" in text_of(screen, "#insights-header")
        await settle(pilot, app)
        assert not screen.computing
        purchases.record_purchase(demo_book, screen.figures.at_risk[0].contact_id, "面膜", 10)
        await pilot.press("r")
        await settle(pilot, app)
        assert screen.figures.churn == insights.figures(demo_book, T).churn


async def test_help_lists_the_keys(demo_book):
    app = KamtuiApp(demo_book)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_insights(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        from kamtui.screens.help import binding_rows

        rows = {desc: keys for keys, desc in binding_rows(app.screen.target)}
        assert rows["Save a review"] == "S" and rows["Refresh"] == "r"
        assert rows["Filter by account"] == "a" and rows["Filter by tag"] == "t"
        assert rows["Clear filters"] == "c" and rows["Next panel"] == "Tab"


async def test_light_theme(demo_book):
    app = KamtuiApp(demo_book)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_insights(pilot, app)
        view = screen.query_one("#pareto-chart", ChartView)
        dark = view.chart_styles()
        app.theme = "textual-light"
        await pilot.pause()
        light = view.chart_styles()
        assert light.bar.color != dark.bar.color and light.highlight.color != dark.highlight.color
        assert "◀" in app.export_screenshot()  # the chart is drawn in the new colours


async def test_hostile_names_show_literally(book, frozen_today):
    hostile = "[@click=app.quit]坏人\x1b[31m"
    accounts.create_account(book, "[b]号[/b]")
    cid = contacts.create_contact(
        book, nickname=hostile, account="[b]号[/b]", tags=["[red]标签"], potential=5
    )
    purchases.record_purchase(book, cid, "面膜", 300, bought_on=T - timedelta(days=100))
    purchases.record_purchase(
        book, cid, "面膜", 80, bought_on=T - timedelta(days=100), credit=True, due_on=T
    )
    insights.save_review(book, T - timedelta(days=120))
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_insights(pilot, app)
        risk = rows_of(screen.query_one("#risk-table", VirtualTable))
        name = contacts.display_names(book, [cid])[cid]  # the control character is gone
        assert name.startswith("[@click=app.quit]坏人") and risk[0][0] == name
        assert rows_of(screen.query_one("#owed-table", VirtualTable))[0][0] == risk[0][0]
        assert "[b]号[/b]" in chart_text(screen, "#accounts-chart")
        await pilot.press("a", "2")
        await settle(pilot, app)
        assert "account: [b]号[/b]" in text_of(screen, "#insights-header")
        await pilot.press("t", "2")
        await settle(pilot, app)
        assert "tag: [red]标签" in text_of(screen, "#insights-header")
        assert screen.figures.contacts == 1
        screen.query_one("#risk-table").focus()  # scrolls it into view
        await pilot.pause()
        shot = app.export_screenshot().replace("&#91;", "[").replace("&#93;", "]")
        assert "[@click=app.quit]坏人" in shot and "[b]号[/b]" in shot
        assert app.is_running
