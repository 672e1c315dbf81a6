"""The contact search: query parsing, matching, ranking, filters, sorts, updates."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamtui import search
from kamtui.search import ContactRow, Filter, Note, SearchIndex, parse_query
from kamtui.searchkey import build_search_key

# ---------------------------------------------------------------------------
# helpers


def contact(
    cid: int,
    remark: str = "",
    nickname: str = "",
    *,
    wechat: str = "",
    phone: str = "",
    tags: tuple[str, ...] = (),
    city: str = "",
    job: str = "",
    desc: str = "",
    **fields,
) -> ContactRow:
    key = build_search_key(
        remark=remark,
        nickname=nickname,
        wechat_id=wechat,
        phone=phone,
        tags=tags,
        city=city,
        occupation=job,
        description=desc,
    )
    return ContactRow(cid, key, tags=tags, **fields)


def ids(index: SearchIndex, query: str, sort: str = "name", **kw) -> list[int]:
    return list(index.search(query, sort=sort, **kw).ids)


@pytest.fixture
def book() -> SearchIndex:
    """A small book: ids are chosen so that name order differs from id order."""
    return SearchIndex.from_rows(
        [
            contact(1, "张三", wechat="zhang3"),
            contact(2, "赵帅"),
            contact(3, "张三丰"),
            contact(4, "李张顺"),
            contact(5, "王秀英", phone="+8613800138000", city="深圳"),
            contact(6, "", "秀英"),
            contact(7, "王秀瑛"),
            contact(8, "", "Lucy", tags=("VIP",)),
            contact(9, "张三", archived=True),
            contact(10, "李秀英-深圳", desc="喜欢护肤"),
        ]
    )


# ---------------------------------------------------------------------------
# parsing

_FLAGS = tuple(Filter(k) for k in ("fav", "due", "owed", "archived"))


@pytest.mark.parametrize(
    ("text", "terms", "excluded", "filters"),
    [
        ("", (), (), ()),
        ("张三", ("张三",), (), ()),
        ("  Zhang  SAN ", ("zhang", "san"), (), ()),
        ("ＺＳ", ("zs",), (), ()),  # full width
        ("#VIP", (), (), (Filter("tag", ("vip",)),)),
        ("＃宝妈", (), (), (Filter("tag", ("宝妈",)),)),
        ("-#同事", (), (), (Filter("tag", ("同事",), negate=True),)),
        ("#", (), (), ()),  # still typing
        ("stage:buyer", (), (), (Filter("stage", ("buyer",)),)),
        ("stage:rep", (), (), (Filter("stage", ("repeat",)),)),  # unique prefix
        ("阶段：复购", (), (), (Filter("stage", ("repeat",)),)),
        ("-stage:friend", (), (), (Filter("stage", ("friend",), negate=True),)),
        ("tier:gold,platinum", (), (), (Filter("tier", ("gold", "platinum")),)),
        ("等级:黄金", (), (), (Filter("tier", ("gold",)),)),
        ("acct:主号", (), (), (Filter("acct", ("主号",)),)),
        ("账号:小号", (), (), (Filter("acct", ("小号",)),)),
        ("标签:VIP", (), (), (Filter("tag", ("vip",)),)),
        ("stage:", (), (), ()),  # still typing
        ("fav due owed archived", (), (), _FLAGS),
        ("置顶 到期 欠款 归档", (), (), _FLAGS),
        ("-fav -archived", (), (), (Filter("fav", negate=True), Filter("archived", negate=True))),
        ('"fav"', ("fav",), (), ()),  # quotes make text
        ('"lucy wang"', ("lucy wang",), (), ()),
        ("-深圳", (), ("深圳",), ()),
        ('-"a b"', (), ("a b",), ()),
        ("-", ("-",), (), ()),
        ("138 0013 8000", ("13800138000",), (), ()),
        ("+86 138-0013-8000", ("13800138000",), (), ()),
        ("+8613800138000", ("13800138000",), (), ()),
        ("8613800138000", ("13800138000",), (), ()),
        ("13800", ("13800",), (), ()),
        ("2026-11-24", ("2026-11-24",), (), ()),  # a date is not a phone
        ("张 2021 3", ("张", "2021", "3"), (), ()),  # too few digits to be a phone
        ("color:red", ("color:red",), (), ()),  # unknown key: text
        ("12:30", ("12:30",), (), ()),
        (
            "#VIP stage:repeat xy -#同事",
            ("xy",),
            (),
            (
                Filter("tag", ("vip",)),
                Filter("stage", ("repeat",)),
                Filter("tag", ("同事",), negate=True),
            ),
        ),
    ],
)
def test_parse_query(text, terms, excluded, filters):
    q = parse_query(text)
    assert q.terms == terms
    assert q.excluded == excluded
    assert q.filters == filters


def test_parse_query_notes():
    assert parse_query("color:red").notes == (Note("search.unknown_filter", "color:red"),)
    assert parse_query("12:30 http://x.cn").notes == ()
    q = parse_query("stage:vip")
    assert q.notes == (Note("search.bad_stage", "stage:vip"),)
    assert q.filters == (Filter("stage", ()),)  # matches nothing
    assert parse_query("tier:wood").notes == (Note("search.bad_tier", "tier:wood"),)
    for note in parse_query("stage:x tier:y color:z").notes:
        assert "{" not in note.message() and note.message() != note.key


# ---------------------------------------------------------------------------
# matching and ranking


def test_initials_rank_whole_before_prefix_before_inside(book):
    # 张三 and 赵帅 are both exactly "zs" (name order between them), 张三丰 starts
    # with it, 李张顺 (lzs) has it inside; the archived 张三 is left out.
    assert ids(book, "zs") == [1, 2, 3, 4]


def test_zs_ranks_a_favourite_first_among_equals():
    index = SearchIndex.from_rows(
        [
            contact(1, "张三"),
            contact(2, "赵帅", favourite=True),
            contact(3, "张三丰", favourite=True),
        ]
    )
    # the favourite 赵帅 wins among exact matches, but the exact 张三 still
    # beats the favourite 张三丰 that only starts with zs
    assert ids(index, "zs") == [2, 1, 3]


@pytest.mark.parametrize("query", ["zhangsan", "张三", "zhangs", "zhs", "ZhangSan"])
def test_full_pinyin_hanzi_and_partial_initials_find_zhang_san(book, query):
    found = ids(book, query)
    assert found[:2] == [1, 3]  # 张三 exact (or prefix), then 张三丰
    assert 9 not in found  # archived


def test_given_name_pinyin(book):
    # exact nickname 秀英 first; 王秀英 and 李秀英 start their given name with it;
    # 王秀瑛 sounds the same (xiuying)
    assert ids(book, "xiuying") == [6, 10, 5, 7]
    assert ids(book, "xy") == [6, 10, 5, 7]  # inside wxy, lxy (and 秀英's own xy first)


def test_hanzi_substring_and_homophones(book):
    # 秀英 is a whole name word of 6; inside 李秀英, 王秀英; 王秀瑛 only sounds alike
    result = book.search("秀英", sort="name")
    assert list(result) == [6, 10, 5, 7]
    assert result.similar == 1


def test_typos(book):
    result = book.search("zhangsna", sort="name")
    assert list(result) == [1, 3]
    assert result.similar == 2
    assert ids(book, "xiuyng") == [6, 10, 5, 7]
    assert ids(book, "xiuyingg") == [6, 10, 5, 7]
    assert ids(book, "lucyy") == [8]
    assert ids(book, "lcuy") == []  # 4 letters are too few to correct
    assert ids(book, "qqqqqq") == []


def test_exact_and_prefix_rank_above_typos():
    index = SearchIndex.from_rows(
        [
            contact(1, "王秀英"),  # xiuying: a typo away from xiuyng
            contact(2, "", "xiuyng"),  # the very word
            contact(3, "", "xiuyngabc"),  # starts with it
        ]
    )
    result = index.search("xiuyng", sort="name")
    assert list(result) == [2, 3]  # enough direct matches? no: fewer than FUZZY_BELOW...
    # ...but the word itself exists, so there is no typo to correct


def test_fuzzy_matches_come_last():
    index = SearchIndex.from_rows(
        [
            contact(1, "王秀英"),  # given name xiuying: one letter from xiuyin
            contact(2, "", "xiuyinabc"),  # starts with xiuyin
            contact(3, "", "秀音"),  # xiuyin: exact pinyin
        ]
    )
    assert ids(index, "xiuyin") == [3, 2, 1]


def test_every_match_class_in_order():
    index = SearchIndex.from_rows(
        [
            contact(1, "", "xwang"),  # inside a Latin name: 3
            contact(2, "", wechat="wangxiaoer"),  # WeChat ID starts with it: 4
            contact(3, "王芳"),  # pinyin starts with it: 2
            contact(4, "", "Wang"),  # a whole name word: 0
            contact(5, "", "Wangcai"),  # a name word starts with it: 1
            contact(6, "", desc="hello xwang"),  # inside the description: 5
            contact(7, "黄旺"),  # huangwang: inside the pinyin: 3
        ]
    )
    # name order breaks the tie between 1 (xwang) and 7 (huangwang)
    assert ids(index, "wang") == [4, 5, 3, 7, 1, 2, 6]


def test_favourites_first_at_equal_score():
    index = SearchIndex.from_rows(
        [
            contact(1, "王芳"),
            contact(2, "王丽", favourite=True),
            contact(3, "王", favourite=False),
        ]
    )
    # 王 is exact (whole name); 王芳 and 王丽 start with it: the favourite first
    assert ids(index, "王") == [3, 2, 1]
    assert ids(index, "wang") == [3, 2, 1]


def test_multiple_words_are_anded_and_scores_add_up(book):
    assert ids(book, "秀英 深圳") == [10, 5]  # 李秀英-深圳 has both in its name
    assert ids(book, "xiuying 护肤") == [10]
    assert ids(book, "张 zhangsanfeng") == [3]
    assert ids(book, "张 nobody") == []


def test_other_fields(book):
    assert ids(book, "zhang3") == [1]  # WeChat ID, exact
    assert ids(book, "VIP") == [8]  # tag names are searched too
    assert ids(book, "vi") == [8]
    assert ids(book, "护肤") == [10]


def test_phone_digits(book):
    assert ids(book, "13800") == [5]  # the number starts with it
    assert ids(book, "8000") == [5]  # inside
    assert ids(book, "13800138000") == [5]
    assert ids(book, "+86 138 0013 8000") == [5]
    assert ids(book, "138-0013-8000") == [5]
    assert ids(book, "１３８００") == [5]  # full width
    assert ids(book, "13900") == []


def test_full_width_and_case(book):
    assert ids(book, "ＸＩＵＹＩＮＧ") == ids(book, "xiuying")
    assert ids(book, "LUCY") == [8]


def test_short_latin_words_must_start_a_word():
    index = SearchIndex.from_rows(
        [contact(1, "", wechat="boxid88"), contact(2, "谢娜"), contact(3, "", desc="box")]
    )
    assert ids(index, "x") == [2]  # not inside boxid88 or box
    assert ids(index, "xn") == [2]  # initials may hold two letters inside
    assert ids(index, "xid") == [1]  # three letters: anywhere


def test_generated_wechat_ids_are_found_by_pasting_them():
    index = SearchIndex.from_rows([contact(1, "", wechat="wxid_k2j4h5"), contact(2, "", "wxid")])
    assert ids(index, "wxid_k2j4h5") == [1]  # exact: pasted from WeChat
    assert ids(index, "wxid_k2") == [1]
    assert ids(index, "k2j4h5") == []  # nobody types the random part
    assert ids(index, "wxid") == [2]


def test_latin_run_into_chinese():
    index = SearchIndex.from_rows([contact(1, "", "Lucy王"), contact(2, "", "Lucy")])
    assert ids(index, "lucy") == [2, 1]  # whole word first
    assert ids(index, "lucywang") == [1]  # not pinyin (cy): found as a similar word
    assert ids(index, "lw") == [1]


def test_initials_are_not_looked_up_in_pinyin():
    index = SearchIndex.from_rows([contact(1, "王秀英"), contact(2, "", "abcxyz")])
    assert ids(index, "xy") == [2, 1]  # inside both: abcxyz before wangxiuying
    assert search._could_be_pinyin("xiu") and search._could_be_pinyin("zhang")
    assert not search._could_be_pinyin("xy") and not search._could_be_pinyin("zs")
    assert not search._could_be_pinyin("wxy")


def test_excluded_text(book):
    assert ids(book, "xiuying -深圳") == [6, 7]
    assert 5 not in ids(book, "-深圳")
    assert 10 not in ids(book, "-深圳")


# ---------------------------------------------------------------------------
# filters


@pytest.fixture
def crm() -> SearchIndex:
    return SearchIndex.from_rows(
        [
            contact(1, "甲", account="主号", stage="repeat", tier="gold", tags=("VIP", "宝妈")),
            contact(2, "乙", account="主号", stage="buyer", tier="iron", tags=("VIP",), due=True),
            contact(3, "丙", account="小号", stage="repeat", tier="platinum", owed=True),
            contact(4, "丁", account="小号", stage="friend", tags=("同事",), favourite=True),
            contact(5, "戊", account="主号", stage="repeat", tags=("vip",), archived=True),
            contact(6, "己", account="工作号", stage="prospect", tags=("宝妈",), due=True),
        ]
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", [4, 3, 6, 1, 2]),  # archived left out; favourite first; then bing ji jia yi
        ("#VIP", [1, 2]),
        ("#vip", [1, 2]),  # the tag "vip" of the archived 戊 is also VIP: still archived
        ("#vi", [1, 2]),  # no tag "vi": tags starting with it
        ("-#VIP", [4, 3, 6]),
        ("#宝妈 #VIP", [1]),
        ("stage:repeat", [3, 1]),
        ("stage:repeat,buyer", [3, 1, 2]),
        ("-stage:repeat", [4, 6, 2]),
        ("阶段:潜在", [6]),
        ("tier:gold,platinum", [3, 1]),
        ("等级:铁", [2]),
        ("acct:主号", [1, 2]),
        ("acct:小", [4, 3]),  # prefix
        ("账号:工作号", [6]),
        ("fav", [4]),
        ("-fav", [3, 6, 1, 2]),
        ("due", [6, 2]),
        ("owed", [3]),
        ("欠款", [3]),
        ("archived", [5]),
        ("-archived", [4, 3, 6, 1, 2]),
        ("archived #vip", [5]),
        ("#VIP stage:repeat", [1]),
        ("#VIP -stage:repeat", [2]),
        ("due -#宝妈", [2]),
        ("stage:vip", []),  # unknown stage: nothing (and a note)
        ("#nosuchtag", []),
        ("acct:nosuch", []),
        ("-#nosuchtag", [4, 3, 6, 1, 2]),
        ("甲 #VIP", [1]),
        ("乙 #宝妈", []),
    ],
)
def test_filters(crm, query, expected):
    assert ids(crm, query) == expected


def test_filter_notes(crm):
    assert crm.search("#nosuchtag").notes == (Note("search.no_tag", "nosuchtag"),)
    assert crm.search("acct:x").notes == (Note("search.no_account", "x"),)
    assert crm.search("stage:vip").notes == (Note("search.bad_stage", "stage:vip"),)
    assert crm.search("#VIP").notes == ()


def test_result_counts(crm):
    result = crm.search("#VIP")
    assert len(result) == result.total == 2
    assert result[0] == 1 and result[-1] == 2 and result[:1] == [1]
    assert 2 in result and 3 not in result


# ---------------------------------------------------------------------------
# sorting


@pytest.fixture
def dated() -> SearchIndex:
    return SearchIndex.from_rows(
        [
            contact(
                1, "阿", last_contact="2026-11-01", value_365d=500,
                added_on=date(2024, 1, 1), next_follow_up="2026-12-01",
            ),
            contact(
                2, "白", last_contact="2026-11-20", value_365d=0,
                added_on="2025-06-01", next_follow_up=None,
            ),
            contact(
                3, "陈", last_contact=None, value_365d=9000,
                added_on="2023-03-03", next_follow_up="2026-11-25",
            ),
            contact(
                4, "丁", last_contact="2026-10-10", value_365d=100,
                added_on="2026-01-01", next_follow_up="2026-11-30", favourite=True,
            ),
        ]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("sort", "reverse", "expected"),
    [
        ("last_contact", False, [4, 2, 1, 3]),  # most recent first, never contacted last
        ("last_contact", True, [4, 3, 1, 2]),  # mirrored: never contacted first
        ("name", False, [4, 1, 2, 3]),  # a bai chen (favourite ding first)
        ("name", True, [4, 3, 2, 1]),
        ("value", False, [4, 3, 1, 2]),  # largest first
        ("value", True, [4, 2, 1, 3]),
        ("added", False, [4, 2, 1, 3]),  # newest first
        ("follow_up", False, [4, 3, 1, 2]),  # soonest first, none last
        ("follow_up", True, [4, 2, 1, 3]),
    ],
)
def test_sorts(dated, sort, reverse, expected):
    assert ids(dated, "", sort=sort, reverse=reverse) == expected
    assert dated.ids(sort, reverse) == expected


def test_sort_breaks_ties_of_equal_matches(dated):
    everyone = ids(dated, "a", sort="value")  # a, bai, chen, ding... all contain "a"?
    assert everyone == [i for i in ids(dated, "", sort="value") if i in everyone]


def test_unknown_sort(dated):
    with pytest.raises(ValueError, match="unknown sort"):
        dated.search("", sort="age")


# ---------------------------------------------------------------------------
# changes


def test_update_remove_and_add(book):
    assert ids(book, "zs") == [1, 2, 3, 4]
    book.update(contact(1, "李四"))  # renamed
    assert ids(book, "zs") == [2, 3, 4]
    assert ids(book, "lisi") == [1]
    book.update(contact(2, "赵帅", favourite=True))
    assert ids(book, "zs") == [2, 3, 4]
    assert ids(book, "")[0] == 2
    assert book.remove(3) is True
    assert book.remove(3) is False
    assert ids(book, "zs") == [2, 4]
    book.update(contact(42, "张森"))  # new
    assert ids(book, "zs") == [2, 42, 4]
    assert 42 in book and len(book) == 10
    book.update(contact(42, "张森", archived=True))
    assert ids(book, "zs") == [2, 4]
    assert ids(book, "zs archived") == [9, 42]  # zhangsan, zhangsen


def test_updates_keep_sort_orders(dated):
    assert ids(dated, "", sort="last_contact") == [4, 2, 1, 3]
    dated.update(contact(3, "陈", last_contact="2026-11-23"))
    assert ids(dated, "", sort="last_contact") == [4, 3, 2, 1]
    assert ids(dated, "", sort="value") == [4, 1, 2, 3]  # value now 0 (not given)


def test_updates_keep_filters(crm):
    assert ids(crm, "#VIP") == [1, 2]
    crm.update(contact(6, "己", account="主号", stage="repeat", tags=("VIP",)))
    assert ids(crm, "#VIP") == [6, 1, 2]  # ji jia yi
    assert ids(crm, "stage:repeat acct:主号") == [6, 1]
    assert ids(crm, "due") == [2]
    crm.update(contact(7, "庚", tags=("新标签",)))
    assert ids(crm, "#新标签") == [7]


def test_compaction_keeps_results(book, monkeypatch):
    monkeypatch.setattr(search, "COMPACT_AT", 6)  # overlay + stale entries
    before = {q: ids(book, q) for q in ("zs", "xiuying", "秀英", "13800", "x", "")}
    for cid in (1, 2, 5):  # three updates: the overlay is folded in
        row = next(r for r in _book_rows() if r.id == cid)
        book.update(row)
    assert not book._overlay and not book._stale
    assert {q: ids(book, q) for q in before} == before


def _book_rows():
    return [
        contact(1, "张三", wechat="zhang3"),
        contact(2, "赵帅"),
        contact(5, "王秀英", phone="+8613800138000", city="深圳"),
    ]


def test_plain_tuples_and_short_rows():
    key = build_search_key(remark="张三")
    index = SearchIndex.from_rows([(1, key), (2, build_search_key(remark="李四"))])
    assert ids(index, "zs") == [1]
    assert ids(index, "") == [2, 1]  # lisi, zhangsan
    index.update((3, build_search_key(remark="张森"), True))
    assert ids(index, "zs") == [3, 1]


def test_tags_as_joined_text():
    key = build_search_key(remark="甲")
    index = SearchIndex.from_rows([(1, key, False, False, "", "VIP\x1f宝妈")])
    assert ids(index, "#宝妈") == [1]
    assert ids(index, "#VIP") == [1]


def test_empty_index_and_bad_keys():
    index = SearchIndex.from_rows([])
    assert ids(index, "") == [] and ids(index, "zs") == []
    index.update(contact(1, "张三"))
    assert ids(index, "zs") == [1]
    lisi = build_search_key(remark="李四")
    odd = SearchIndex.from_rows([(1, ""), (2, "张三\x1fzhangsan"), (3, lisi)])
    assert ids(odd, "zhangsan") == [2]
    assert ids(odd, "") == [3, 1, 2]  # lisi, then contacts without a sort name


def test_duplicate_ids_are_refused():
    with pytest.raises(ValueError, match="duplicate"):
        SearchIndex.from_rows([(1, ""), (1, "")])


# ---------------------------------------------------------------------------
# the fast path agrees with the per-contact path


_names = st.sampled_from(
    [
        *("张三", "赵帅", "王秀英", "秀英", "李秀英-深圳", "Lucy"),
        *("xwang", "曾小贤", "欧阳娜娜", "黄旺", ""),
    ]
)
_words = st.sampled_from(
    ["zs", "x", "xy", "xiuying", "秀英", "wang", "王", "深圳", "lucy", "zeng", "ceng", "13800",
     "8000", "a", "an", "娜娜", "nana", "xiuyng", "zhangsna", "shenzhen", "1"]
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    people=st.lists(
        st.tuples(_names, _names, st.booleans(), st.sampled_from(["", "+8613800138000"])),
        max_size=12,
    ),
    queries=st.lists(_words, min_size=1, max_size=4),
)
def test_bulk_index_and_updated_index_agree(people, queries):
    rows = [
        contact(i + 1, remark, nick, favourite=fav, phone=phone, city="深圳" if i % 3 else "")
        for i, (remark, nick, fav, phone) in enumerate(people)
    ]
    bulk = SearchIndex.from_rows(rows)
    grown = SearchIndex.from_rows([])
    for row in rows:  # everything through the overlay
        grown.update(row)
    for q in queries:
        assert ids(bulk, q) == ids(grown, q), q
        grown.compact()
        assert ids(bulk, q) == ids(grown, q), q


@settings(max_examples=40, deadline=None)
@given(
    people=st.lists(
        st.tuples(
            _names,
            st.booleans(),
            st.sampled_from([None, "2026-11-01", "2026-11-20", "2025-01-05"]),
            st.sampled_from([0, 100, 5000]),
        ),
        min_size=1,
        max_size=15,
    ),
    sort=st.sampled_from(search.SORTS),
    reverse=st.booleans(),
)
def test_base_orders_agree_with_the_insertion_key(people, sort, reverse):
    """Orders built in bulk (one sort, or several passes) equal the key used by updates."""
    rows = [
        contact(i + 1, name, favourite=fav, last_contact=day, added_on=day, value_365d=value)
        for i, (name, fav, day, value) in enumerate(people)
    ]
    index = SearchIndex.from_rows(rows)
    expected = sorted(range(len(rows)), key=lambda s: index._slot_key(sort, reverse, s))
    assert list(index._order(sort, reverse).slots) == expected


def test_sparse_and_growing_ids():
    index = SearchIndex.from_rows([contact(10**9, "张三"), contact(5, "李四")])  # sparse: a dict
    assert ids(index, "") == [5, 10**9]
    index = SearchIndex.from_rows([contact(1, "张三"), contact(2, "李四")])  # dense: an array
    index.update(contact(50_000, "王五"))  # far beyond: becomes a dict
    index.update(contact(3, "赵六"))
    assert ids(index, "") == [2, 50_000, 1, 3]  # lisi wangwu zhangsan zhaoliu
    assert index.remove(50_000) and 50_000 not in index and len(index) == 3


def test_result_is_lazy_but_complete(monkeypatch):
    monkeypatch.setattr(search, "HEAD", 3)
    rows = [contact(i, f"王{c}") for i, c in enumerate("一二三四五六七八", start=1)]
    index = SearchIndex.from_rows(rows)
    result = index.search("wang", sort="name")
    assert len(result) == 8
    assert result[:3] == result.head(3) and result._all is None  # only the head so far
    everything = result.ids
    assert everything[:3] == result[:3] and len(everything) == 8
    assert everything == ids(index, "", sort="name")
    index.update(contact(1, "李一"))  # later changes do not alter a result
    assert result.ids == everything and len(result) == 8


def test_many_blocks_updates_and_compaction(monkeypatch):
    """Tiny blocks (16 contacts) so that building, scanning and compaction span blocks."""
    monkeypatch.setattr(search, "_ASCII_IDS", search._Ids(0x80, 4, 2))
    monkeypatch.setattr(search, "_PUA_IDS", search._Ids(0xE000, 16, 1))
    monkeypatch.setattr(search, "_CHUNK", 32)
    monkeypatch.setattr(search, "COMPACT_AT", 10)
    names = ["张三", "王秀英", "李秀英-深圳", "赵帅", "Lucy", "秀英", "黄旺", "曾小贤", "欧阳娜娜"]

    def person(i: int, shift: int = 0) -> ContactRow:
        return contact(
            i,
            names[(i + shift) % len(names)],
            wechat=f"wx{i}" if i % 3 else f"wxid_{i:04d}",
            phone=f"+86138{i:08d}" if i % 2 else "",
            desc="喜欢护肤" if i % 5 == 0 else "",
            favourite=i % 7 == 0,
        )

    rows = [person(i) for i in range(1, 70)]
    index = SearchIndex.from_rows(rows)
    assert len(index._hays[0].blocks) > 3
    queries = ["zs", "xiuying", "秀英", "xy", "lucy", "wx1", "wxid_0042", "1380000", "护肤"]
    queries += ["x", "", "xiuyng"]
    for i in range(1, 70, 4):  # updates and additions, several compactions
        rows[i - 1] = person(i, shift=1)
        index.update(rows[i - 1])
    for i in range(70, 90):
        rows.append(person(i))
        index.update(rows[-1])
    for i in (3, 33, 71):
        index.remove(i)
    rows = [r for r in rows if r.id not in (3, 33, 71)]
    fresh = SearchIndex.from_rows(rows)
    for q in queries:
        assert ids(index, q) == ids(fresh, q), q
    index.compact()
    for q in queries:
        assert ids(index, q) == ids(fresh, q), q
