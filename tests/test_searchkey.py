"""The search key builder: pinyin of names, the part layout, folding."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamtui.searchkey import (
    PART_INDEX,
    PARTS,
    SEP,
    build_search_key,
    char_readings,
    collation,
    fold,
    name_pinyin,
    name_words,
    phone_digits,
    sort_name,
    word_pinyin,
)


def part(key: str, name: str) -> str:
    return key.split(SEP)[PART_INDEX[name]]


@pytest.mark.parametrize(
    ("word", "fulls", "initials", "given_name"),
    [
        ("张三", ("zhangsan",), ("zs",), "san"),
        ("王秀英", ("wangxiuying",), ("wxy",), "xiuying"),
        ("李娜", ("lina",), ("ln",), "na"),
        # polyphonic surnames: the surname reading first, the everyday one kept
        ("曾小贤", ("zengxiaoxian", "cengxiaoxian"), ("zxx", "cxx"), "xiaoxian"),
        ("单田芳", ("shantianfang", "dantianfang"), ("stf", "dtf"), "tianfang"),
        ("解晓东", ("xiexiaodong", "jiexiaodong"), ("xxd", "jxd"), "xiaodong"),
        ("仇明", ("qiuming", "chouming"), ("qm", "cm"), "ming"),
        ("朴树", ("piaoshu", "pushu"), ("ps",), "shu"),
        ("区丽", ("ouli", "quli"), ("ol", "ql"), "li"),
        ("查良镛", ("zhaliangyong", "chaliangyong"), ("zly", "cly"), None),
        # compound surnames
        ("欧阳娜娜", ("ouyangnana",), ("onn",), "nana"),
        ("长孙无忌", ("zhangsunwuji",), ("zwj",), "wuji"),
        # ü is written v, as on pinyin keyboards
        ("吕布", ("lvbu",), ("lb",), "bu"),
        # Latin and digits count as one syllable each
        ("lucy王", ("lucywang",), ("lw",), ""),
        ("a01号", ("a01hao",), ("ah",), ""),
    ],
)
def test_word_pinyin(word, fulls, initials, given_name):
    got_fulls, got_inits, got_given, _ = word_pinyin(word)
    assert got_fulls == fulls
    assert set(initials) <= set(got_inits)
    assert got_inits[0] == initials[0]
    if given_name is not None:
        assert got_given == given_name


def test_word_without_chinese_has_no_pinyin():
    assert word_pinyin("lucy") == ((), (), "", "")
    assert name_pinyin("Lucy Wang") == ([], [])


def test_doubled_nickname_is_not_read_as_a_surname():
    fulls, _, given_name, _ = word_pinyin("乐乐")
    assert fulls[0] == "lele"
    assert given_name == ""


def test_zh_initials_are_kept_apart():
    assert word_pinyin("张三").zh == "zhs"
    assert word_pinyin("王秀英").zh == ""  # no zh/ch/sh: same as the plain initials
    key = build_search_key(remark="张三", nickname="陈晨")
    assert part(key, "initials") == "zs cc"
    assert part(key, "zh") == "zhs chch"


def test_char_readings():
    assert char_readings("秀") == ("xiu",)
    assert char_readings("长")[0] == "chang"  # names use chang (长青), pypinyin lists zhang first
    assert char_readings("a") == ()
    assert char_readings("，") == ()


def test_fold_full_width_controls_and_astral():
    assert fold("ＺＨＡＮＧ　三") == "zhang 三"
    assert fold("１３８００") == "13800"
    assert fold(" a\tb\x00c\x1fd ") == "a b c d"
    assert fold("小燕🌸") == "小燕\ufffd"
    assert fold("\ue123x") == "\ufffdx"  # private use: reserved for the index's record ids
    assert fold("") == ""


def test_name_words_split_at_punctuation_and_emoji():
    assert name_words("王秀英-深圳-宝妈") == ["王秀英", "深圳", "宝妈"]
    assert name_words("❀小雪❀") == ["小雪"]
    assert name_words("A01_美妆") == ["a01", "美妆"]
    assert name_words("ＬＵＣＹ") == ["lucy"]


def test_phone_digits():
    assert phone_digits("+8613800138000") == "13800138000"
    assert phone_digits("+862012345678") == "02012345678 2012345678"
    assert phone_digits("+85291234567") == "85291234567"
    assert phone_digits(None) == ""


def test_key_layout():
    key = build_search_key(
        remark="王秀英-深圳",
        nickname="秀英🌸",
        wechat_id="wxid_XY88",
        phone="+8613800138000",
        tags=["VIP", "宝妈"],
        country="中国",
        province="广东",
        city="深圳",
        occupation="护士",
        description="喜欢\n护肤",
    )
    parts = key.split(SEP)
    assert len(parts) == len(PARTS)
    assert parts == [
        "王秀英 深圳 秀英",
        "wangxiuying shenzhen xiuying",
        "wxy sz xy",
        "wxid_xy88",
        "13800138000",
        "vip 宝妈",
        "广东 深圳",  # the home country is left out
        "护士",
        "喜欢 护肤",
        "xiuying",  # the remark's first word is the person's name
        "wangxiuyingshenzhen",
        "shzh",  # 深圳 with zh/ch/sh whole
    ]
    assert sort_name(key) == "wangxiuyingshenzhen"


def test_key_of_latin_names_and_empty_contact():
    key = build_search_key(nickname="Lucy Wang", country="美国")
    assert part(key, "names") == "lucy wang"
    assert part(key, "pinyin") == ""
    assert part(key, "region") == "美国"
    assert sort_name(key) == "lucywang"
    empty = build_search_key()
    assert empty == SEP * (len(PARTS) - 1)
    assert sort_name(empty) == ""


def test_collation_is_the_display_names_pinyin():
    assert collation("曾小贤") == "zengxiaoxian"
    assert collation("Lucy王") == "lucywang"
    assert sort_name(build_search_key(remark="", nickname="张三")) == "zhangsan"
    assert sort_name(build_search_key(remark="李四", nickname="张三")) == "lisi"
    # a blank remark (ideographic space too) is not the display name
    assert sort_name(build_search_key(remark="\u3000 ", nickname="Lucy王")) == "lucywang"
    key = build_search_key(remark="张三-曾小贤", nickname="曾小贤")
    assert sort_name(key) == collation("张三-曾小贤") == "zhangsanzengxiaoxian"
    # a later word of a name reads its usual way only (the nickname's same word too)
    assert part(key, "pinyin") == "zhangsan zengxiaoxian"
    assert part(key, "initials") == "zs zxx"


def test_separator_in_input_cannot_break_the_layout():
    key = build_search_key(remark="a\x1fb", description="x\x1fy", tags=["t\x1fu"])
    assert key.count(SEP) == len(PARTS) - 1


_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from("王秀英张三曾单欧阳-_ 　ＡＢ１２🌸\ue000\x1f\x1e\n"),
    ),
    max_size=20,
)


@settings(max_examples=200, deadline=None)
@given(remark=_text, nickname=_text, wechat=_text, desc=_text, tags=st.lists(_text, max_size=3))
def test_any_input_gives_a_well_formed_key(remark, nickname, wechat, desc, tags):
    key = build_search_key(
        remark=remark, nickname=nickname, wechat_id=wechat, description=desc, tags=tags
    )
    assert key.count(SEP) == len(PARTS) - 1
    body = key.replace(SEP, "")
    assert not any(c < " " for c in body)
    assert not any("\ue000" <= c <= "\uf8ff" or c > "\uffff" for c in body)
    assert key == key.lower() or not key.isascii()
