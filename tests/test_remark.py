"""The suggested WeChat remark name (备注): the template, collapsing parts, the name part."""

from datetime import date

import pytest

from kamtui import classify, contacts, contactview, purchases, settings, tags
from kamtui.contactview import person_name, render_remark
from kamtui.errors import ValidationError

T = date(2026, 11, 24)
TEMPLATE = "{stage_code}{tier_code}-{name}-{city}-{job}"
FULL = {"stage_code": "F", "tier_code": "B", "name": "张三", "city": "广州", "job": "宝妈"}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (FULL, "FB-张三-广州-宝妈"),
        (FULL | {"tier_code": ""}, "F-张三-广州-宝妈"),  # no tier: the code shrinks
        (FULL | {"city": ""}, "FB-张三-宝妈"),  # a missing middle part takes its dash
        (FULL | {"job": ""}, "FB-张三-广州"),  # no trailing dash
        (FULL | {"city": "", "job": ""}, "FB-张三"),
        (FULL | {"stage_code": "", "tier_code": ""}, "张三-广州-宝妈"),  # no leading dash
        (FULL | {"name": "", "city": ""}, "FB-宝妈"),
        ({"job": "宝妈"}, "宝妈"),
        ({}, ""),
        (FULL | {"city": "  广 \n 州 "}, "FB-张三-广 州-宝妈"),  # spaces collapse
        (FULL | {"name": "\x1b[31m张三\x1b[0m"}, "FB-张三-广州-宝妈"),  # no escapes
        (FULL | {"job": "很" * 50}, "FB-张三-广州-" + "很" * contactview.PART_MAX),
    ],
)
def test_default_template(values, expected):
    out = render_remark(TEMPLATE, values)
    assert out == expected
    assert "--" not in out and not out.startswith("-") and not out.endswith("-")


@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        ("【{stage}】{name}", {"stage": "复购客户", "name": "张三"}, "【复购客户】张三"),
        ("【{stage}】{name}", {"stage": "", "name": ""}, ""),
        ("{name} {city}/{job}", {"name": "张三", "city": "", "job": "宝妈"}, "张三/宝妈"),
        ("{name} {city}/{job}", {"name": "张三", "city": "广州", "job": ""}, "张三 广州"),
        ("{name}({phone4})", {"name": "张三", "phone4": "8000"}, "张三(8000)"),
        ("{name}({phone4})", {"name": "张三", "phone4": ""}, "张三"),  # brackets go with it
        ("【{stage}】{name}", {"stage": "", "name": "张三"}, "张三"),
        ("{name}（{job}）-{city}", {"name": "张三", "job": "", "city": "广州"}, "张三-广州"),
        ("VIP", {}, "VIP"),
    ],
)
def test_other_templates(template, values, expected):
    assert render_remark(template, values) == expected


def test_bad_templates_name_the_setting():
    with pytest.raises(ValidationError) as err:
        render_remark("{stage_code}-{nmae}", FULL)
    assert err.value.field == "remark.template" and "nmae" in err.value.message
    assert "{city}" in err.value.message  # says what can be used
    with pytest.raises(ValidationError) as err:
        render_remark("{name", FULL)
    assert "braces" in err.value.message


@pytest.mark.parametrize(
    ("remark", "nickname", "expected"),
    [
        ("张三-广州-宝妈", "", "张三"),
        ("FB-张三-广州-宝妈", "", "张三"),  # a previous suggestion: the codes are not a name
        ("H-张三", "", "张三"),
        ("A李姐-深圳-美容院", "", "李姐"),  # the seller's own grade letter
        ("王飞(徐姐介绍)", "", "王飞"),
        ("杨静 转介绍(罗姐介绍)", "", "杨静"),
        ("Lucy", "", "Lucy"),
        ("", "小美🌸", "小美🌸"),
        ("", "", ""),
    ],
)
def test_person_name(remark, nickname, expected):
    assert person_name(remark, nickname) == expected


def test_suggestion_follows_classification_and_is_stable(book, frozen_today):
    cid = contacts.create_contact(
        book, remark="张三-广州-宝妈", city="广州", occupation="宝妈", nickname="三三"
    )
    other = contacts.create_contact(book, nickname="小美")  # no remark, city or job
    assert contactview.suggest_remark(book, cid, T) == "H-张三-广州-宝妈"  # a friend
    assert contactview.suggest_remark(book, other, T) == "H-小美"
    purchases.record_purchase(book, cid, "面膜", "100", bought_on=T)
    classify.forget(book)
    first = contactview.suggest_remark(book, cid, T)
    assert first.startswith("Y") and first.endswith("-张三-广州-宝妈")  # a buyer, with a tier
    assert first[1] in "ABCD"
    contacts.update_contact(book, cid, remark=first)  # the seller applies it in WeChat
    assert contactview.suggest_remark(book, cid, T) == first  # and nothing moves


def test_template_setting_and_other_fields(book, frozen_today):
    from kamtui.accounts import create_account

    create_account(book, "主号")
    cid = contacts.create_contact(
        book, remark="李娜", phone="13800138000", account="主号", province="广东", gender="女"
    )
    tags.tag_contacts(book, [cid], ["VIP", "宝妈"])
    settings.put(book, "remark.template", "{name}{gender}·{region}·{tag}·{phone4}·{account}")
    assert contactview.suggest_remark(book, cid, T) == "李娜female·广东·VIP·8000·主号"
    settings.put(book, "remark.template", "{name}-{bogus}")
    with pytest.raises(ValidationError):
        contactview.suggest_remark(book, cid, T)
    page = contactview.load_page(book, cid, T)  # the page says why, and still opens
    assert page.remark_suggestion == "" and "bogus" in page.remark_problem


def test_export_column(book, frozen_today, tmp_path):
    from kamtui import exporting

    a = contacts.create_contact(book, remark="张三-广州-宝妈", city="广州")
    b = contacts.create_contact(book, nickname="[bold]x[/]")
    contactview.ensure_export_columns()
    contactview.ensure_export_columns()  # twice is fine
    path = tmp_path / "out.csv"
    exporting.export_contacts(
        book, "csv", path, ids=[a, b], columns="remark_suggestion,nickname", headers="zh"
    )
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "建议备注,昵称"
    assert lines[1].startswith("H-张三-广州")
    assert lines[2].startswith("H-[bold]x[/]")
