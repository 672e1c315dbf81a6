"""The contact page: opened with Enter, every action by key, the page and the list follow."""

import io
from datetime import date, timedelta

from rich.console import Console

from kamtui import classify, contacts, contactview, interactions, purchases, referrals, tags
from kamtui.app import KamtuiApp
from kamtui.screens.contact_forms import TagModal
from kamtui.screens.contact_page import ContactPage, open_contact
from kamtui.screens.forms import ChoiceModal, ConfirmModal, FormModal
from kamtui.screens.picker import ContactPicker

T = date(2026, 11, 24)
SIZE = (140, 50)


async def settle(pilot, app):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def type_text(pilot, text: str):
    await pilot.press(*["space" if c == " " else c for c in text])
    await pilot.pause()


def rendered(widget, width: int = 200) -> str:
    console = Console(width=width, file=io.StringIO(), record=True)
    console.print(widget.content)
    return console.export_text()


def page_text(app) -> str:
    screen = app.screen
    assert isinstance(screen, ContactPage)
    parts = [rendered(screen.query_one("#page-header"))]
    for name in (
        "profile",
        "snippets",
        "interactions",
        "purchases",
        "referrals",
        "reminders",
        "satisfaction",
    ):
        parts.append(rendered(screen.query_one(f"#sec-{name}")))
    return "\n".join(parts)


async def open_by_search(pilot, app, query: str) -> ContactPage:
    await settle(pilot, app)
    await pilot.press("2")
    await settle(pilot, app)
    await type_text(pilot, "/" + query)
    await pilot.press("enter")
    await settle(pilot, app)
    assert isinstance(app.screen, ContactPage)
    return app.screen


async def test_snippet_purchase_and_tag_update_the_page_and_the_list(demo_book):
    cid = contacts.create_contact(demo_book, remark="测试王-杭州", city="杭州", occupation="花店")
    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_by_search(pilot, app, "测试王")
        assert page.contact_id == cid
        text = page_text(app)
        assert "friend" in text and "Lifetime ¥0" in text
        assert "Suggested remark: H-测试王-杭州-花店" in text
        # a need snippet: the friend becomes a prospect
        await pilot.press("n")
        assert isinstance(app.screen, ChoiceModal)
        await pilot.press("3")  # need
        form = app.screen
        assert isinstance(form, FormModal)
        await type_text(pilot, "想要补水面膜")
        await pilot.press("enter", "enter")  # next field (date: today), then save
        await settle(pilot, app)
        text = page_text(app)
        assert "Need (1)" in text and "想要补水面膜" in text and "prospect" in text
        assert app.directory.stage(cid) == "prospect"
        # a purchase: now a buyer, with totals
        await pilot.press("p")
        form = app.screen
        form.query_one("#field-item").value = "补水面膜"
        form.query_one("#field-amount").value = "¥1,299.50"
        form.query_one("#field-quantity").value = "2"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        text = page_text(app)
        assert "Lifetime ¥1,299.50" in text and "Last 365 days ¥1,299.50" in text
        assert "补水面膜 ×2" in text and "buyer" in text
        assert app.directory.stage(cid) == "buyer" and app.directory.tier(cid)
        assert page.data.remark_suggestion.startswith("Y")
        # a tag, picked by typing
        await pilot.press("t")
        assert isinstance(app.screen, TagModal)
        await type_text(pilot, "VIP")
        await pilot.press("enter")
        await pilot.pause()
        assert "VIP" in app.screen.current  # the dialog stays open for more
        await type_text(pilot, "回头客")
        await pilot.press("enter", "escape")
        await settle(pilot, app)
        assert set(tags.contact_tags(demo_book, cid)) == {"VIP", "回头客"}
        assert "#VIP #回头客" in page_text(app)
        assert set(app.directory.entries[cid].tags) == {"VIP", "回头客"}
        # back on the list, it shows the new stage, tier and tags
        await pilot.press("escape")
        await settle(pilot, app)
        screen = app.screen
        assert type(screen).__name__ == "ContactsScreen"
        row = screen.table.get_row(0)
        assert screen.table.row_key(0) == cid and row[2].plain == "buyer"
        assert "VIP" in row[4]


async def test_tag_toggle_removes_and_typo_finds_existing(demo_book):
    cid = contacts.create_contact(demo_book, remark="测试李")
    tags.tag_contacts(demo_book, [cid], ["宝妈"])
    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        open_contact(app, cid)
        await settle(pilot, app)
        await pilot.press("t")
        modal = app.screen
        assert modal.shown[0] == ("宝妈", False) and "✓" in str(
            modal.query_one("OptionList").get_option_at_index(0).prompt
        )
        await pilot.press("enter")  # removes it
        await pilot.pause()
        assert "宝妈" not in modal.current
        await type_text(pilot, "laokehu")  # 老客户 by pinyin
        assert modal.shown[0] == ("老客户", False)
        await pilot.press("escape")
        await settle(pilot, app)
        assert tags.contact_tags(demo_book, cid) == []


async def test_bad_amount_is_refused_with_what_was_typed(demo_book):
    cid = contacts.create_contact(demo_book, remark="测试赵")
    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        open_contact(app, cid)
        await settle(pilot, app)
        await pilot.press("p")
        form = app.screen
        form.query_one("#field-item").value = "面霜"
        form.query_one("#field-amount").value = "一百块"
        form.query_one("#field-bought_on").value = "昨天"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert "一百块" in rendered(form.query_one("#error-amount"))
        assert form.value("amount") == "一百块" and form.value("item") == "面霜"
        assert purchases.list_purchases(demo_book, cid) == []
        form.query_one("#field-amount").value = "100"
        form.query_one("#field-bought_on").value = "下下下周"  # not understood
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form and "下下下周" in rendered(form.query_one("#error-bought_on"))
        form.query_one("#field-bought_on").value = "昨天"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        (p,) = purchases.list_purchases(demo_book, cid)
        assert (p.amount_fen, p.bought_on) == (10000, T - timedelta(days=1))


async def test_credit_sale_then_payment(demo_book):
    cid = contacts.create_contact(demo_book, remark="测试钱")
    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        open_contact(app, cid)
        await settle(pilot, app)
        await pilot.press("dollar_sign")
        await pilot.pause()
        assert isinstance(app.screen, ContactPage)  # nothing owed: no form
        await pilot.press("p")
        form = app.screen
        form.query_one("#field-item").value = "礼盒"
        form.query_one("#field-amount").value = "300"
        form.query_one("#field-credit").value = "是"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "Owed ¥300" in page_text(app)
        assert app.directory.entries[cid].owed
        await pilot.press("dollar_sign")
        form = app.screen
        assert isinstance(form, FormModal) and form.value("amount") == "300"
        form.query_one("#field-amount").value = "500"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form and "500" in rendered(form.query_one("#error-amount"))
        form.query_one("#field-amount").value = "120"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "Owed ¥180" in page_text(app)
        await pilot.press("dollar_sign", "ctrl+s")
        await settle(pilot, app)
        assert "Owed ¥0" in page_text(app) and not app.directory.entries[cid].owed


async def test_interaction_reminder_rating_favourite_and_copy(demo_book):
    cid = contacts.create_contact(demo_book, remark="测试孙-苏州-宝妈", city="苏州")
    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        open_contact(app, cid)
        await settle(pilot, app)
        await pilot.press("i", "2")  # a call
        await type_text(pilot, "问了发货时间")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        (i,) = interactions.list_interactions(demo_book, cid)
        assert (i.kind, i.summary, i.occurred_on) == ("call", "问了发货时间", T)
        assert app.directory.entries[cid].last_contact == T.isoformat()
        await pilot.press("r")
        form = app.screen
        form.query_one("#field-note").value = "问问效果"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        text = page_text(app)
        assert "问问效果" in text and "问了发货时间" in text
        assert app.directory.entries[cid].next_follow_up == (T + timedelta(days=1)).isoformat()
        await pilot.press("s", "1")  # highly satisfied
        await settle(pilot, app)
        assert "★★★★★ highly satisfied" in page_text(app)
        await pilot.press("f")
        await settle(pilot, app)
        assert app.directory.entries[cid].favourite and "★ 测试孙" in page_text(app)
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == "H-测试孙-苏州"  # no occupation: no job part
        assert app.clipboard == contactview.suggest_remark(demo_book, cid, T)


async def test_referrer_picked_by_pinyin_then_their_stage_moves(demo_book):
    referrer = contacts.create_contact(demo_book, remark="测试介绍人")
    cid = contacts.create_contact(demo_book, remark="测试新朋友")
    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        open_contact(app, cid)
        await settle(pilot, app)
        await pilot.press("R")
        assert isinstance(app.screen, ContactPicker)
        await settle(pilot, app)
        await type_text(pilot, "csjsr")
        await pilot.press("enter")
        await settle(pilot, app)
        assert referrals.referred_by(demo_book, cid).referrer_id == referrer
        assert "Referred by 测试介绍人" in page_text(app)
        await pilot.press("p")
        form = app.screen
        form.query_one("#field-item").value = "面膜"
        form.query_one("#field-amount").value = "99"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.directory.stage(referrer) == "referrer"  # their introduction bought
        await pilot.press("escape")
        await settle(pilot, app)
        open_contact(app, referrer)
        await settle(pilot, app)
        text = page_text(app)
        assert "Introduced 1; 1 bought" in text and "测试新朋友" in text
        assert "referrer" in text


async def test_archive_restore_from_the_page_and_undo_on_the_list(demo_book):
    cid = contacts.create_contact(demo_book, remark="测试周")
    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_by_search(pilot, app, "测试周")
        await pilot.press("a")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await settle(pilot, app)
        assert page.data.fields["archived"] and "archived" in page_text(app)
        assert app.directory.entries[cid].archived
        await pilot.press("escape")
        await settle(pilot, app)
        assert cid not in [app.screen.table.row_key(i) for i in range(app.screen.table.row_count)]
        await pilot.press("u", "y")  # the list undoes the page's archive
        await settle(pilot, app)
        assert not app.directory.entries[cid].archived
        assert demo_book.scalar("SELECT archived FROM contact WHERE id = ?", (cid,)) == 0


async def test_edit_from_the_page(demo_book):
    cid = contacts.create_contact(demo_book, remark="测试吴", phone="13800138000")
    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        open_contact(app, cid)
        await settle(pilot, app)
        await pilot.press("e")
        form = app.screen
        assert form.value("phone") == "138 0013 8000"  # shown as sellers write it
        form.query_one("#field-birthday").value = "农历三月初五"
        form.query_one("#field-potential").value = "9"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert "between 1 and 5" in rendered(form.query_one("#error-potential"))
        form.query_one("#field-potential").value = "5"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        row = demo_book.query(
            "SELECT phone, birth_month, birth_day, birth_lunar, potential FROM contact "
            "WHERE id = ?",
            (cid,),
        )[0]
        assert row == ("+8613800138000", 3, 5, 1, 5)
        assert "Birthday: 农历三月初五" in page_text(app) or "lunar 3/5" in page_text(app)


async def test_a_long_history_is_all_there(book, frozen_today):
    cid = contacts.create_contact(book, remark="老客户")
    for k in range(200):
        interactions.log_interaction(book, cid, "chat", f"第{k}次", T - timedelta(days=k))
    for k in range(50):
        purchases.record_purchase(book, cid, "面膜", "10", bought_on=T - timedelta(days=14 * k))
    page = contactview.load_page(book, cid, T)
    assert len(page.interactions) == 200 and len(page.purchases) == 50
    assert page.totals.lifetime_fen == 50 * 1000 and page.totals.orders == 50
    assert page.totals.last365_fen == sum(1000 for k in range(50) if 14 * k < 365)
    assert page.totals == purchases.totals(book, cid, T)  # the same as the purchases module
    assert page.cls == classify.classify_one(book, cid, T)
    app = KamtuiApp(book)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        open_contact(app, cid)
        await settle(pilot, app)
        text = page_text(app)
        assert "Interactions (200)" in text and "第199次" in text
        assert "Purchases (50)" in text


async def test_hostile_contact_page(demo_book):
    hostile = demo_book.query("SELECT id FROM contact WHERE remark = '[@click=app.quit]'")[0][0]
    long_one = demo_book.query("SELECT id FROM contact WHERE length(description) >= 10000")[0][0]
    demo_book_summary = "[reverse]她说[/reverse] \x1b[2J清屏"
    interactions.log_interaction(demo_book, hostile, "chat", demo_book_summary, T)
    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        open_contact(app, hostile)
        await settle(pilot, app)
        text = page_text(app)
        assert "[@click=app.quit]" in text and "[reverse]她说[/reverse] [2J清屏" in text
        assert "\x1b" not in text
        await pilot.press("y")  # even copied literally
        assert app.clipboard.startswith("H-[@click=app.quit]")
        await pilot.press("escape")
        open_contact(app, long_one)
        await settle(pilot, app)
        text = page_text(app)
        assert "10000 characters" in text
        assert app.is_running


async def test_enter_on_today_opens_the_page_and_keys_are_in_help(demo_book):
    from kamtui.screens.help import binding_rows

    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        item = app.screen.items[app.screen.query_one("VirtualTable").cursor_key]
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ContactPage) and app.screen.contact_id == item.contact_id
        rows = {desc: keys for keys, desc in binding_rows(app.screen)}
        for desc, key in (
            ("Edit", "e"),
            ("Tags", "t"),
            ("Favourite", "f"),
            ("Save a snippet", "n"),
            ("Log a touch", "i"),
            ("Purchase", "p"),
            ("Payment", "$"),
            ("Reminder", "r"),
            ("Referred by", "R"),
            ("Satisfaction", "s"),
            ("Archive / restore", "a"),
            ("Copy suggested remark", "y"),
            ("Back", "Esc"),
        ):
            assert rows[desc] == key, desc
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Purchase", "Payment", "Copy suggested remark", "Referred by"} <= titles
        await pilot.press("escape")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "TodayScreen"


async def test_old_contact_panel_name_opens_the_page(demo_book):
    from kamtui.screens.contact_panel import ContactPanel

    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.push_screen(ContactPanel(1))
        await settle(pilot, app)
        assert isinstance(app.screen, ContactPage) and app.screen.data.id == 1


async def test_page_opens_at_once_then_corrects_a_stale_stage(demo_book):
    """Changes the directory was not told about (another process): the page shows the
    directory's classification at once and corrects it from a worker."""
    cid = contacts.create_contact(demo_book, remark="测试郑")
    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("2")
        await settle(pilot, app)
        from kamtui.store.db import Book

        with Book(demo_book.path) as other:  # another process, behind the app's back
            purchases.record_purchase(other, cid, "面膜", "50")
        open_contact(app, cid)
        await settle(pilot, app)
        assert app.screen.data.cls.stage == "buyer"
        assert "buyer" in page_text(app) and "Lifetime ¥50" in page_text(app)


async def test_merge_from_the_page_shows_the_survivor_with_both_histories(demo_book):
    a = contacts.create_contact(demo_book, remark="测试合并甲", phone="13800138000")
    b = contacts.create_contact(demo_book, remark="测试合并乙", city="杭州")
    interactions.log_interaction(demo_book, a, "chat", "甲的聊天", T)
    purchases.record_purchase(demo_book, b, "面膜", "88", bought_on=T)
    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        open_contact(app, a)
        await settle(pilot, app)
        await pilot.press("m")
        assert isinstance(app.screen, ContactPicker)
        await settle(pilot, app)
        await type_text(pilot, "测试合并乙")
        await pilot.press("enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "MergeModal"
        await pilot.press("enter")
        await settle(pilot, app)
        page = app.screen
        assert isinstance(page, ContactPage) and page.contact_id == a
        text = page_text(app)
        assert "甲的聊天" in text and "Lifetime ¥88" in text and "buyer" in text
        assert page.data.fields["city"] == "杭州"  # an empty field filled from the other
        assert app.directory.entries[b].archived
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("2")
        await settle(pilot, app)
        await pilot.press("u", "y")  # one undo step
        await settle(pilot, app)
        assert not app.directory.entries[b].archived
        assert purchases.list_purchases(demo_book, b)[0].amount_fen == 8800
