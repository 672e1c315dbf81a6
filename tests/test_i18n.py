"""Every message exists in Chinese and English, with the same placeholders."""

import string

import pytest

from kamtui import i18n


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_message_in_both_languages():
    catalog = i18n.catalog()
    assert len(catalog) > 100
    for key, value in catalog.items():
        assert isinstance(value, tuple) and len(value) == 2, key
        zh, en = value
        assert zh.strip() and en.strip(), key
        assert _fields(zh) == _fields(en), key


def test_chinese_messages_are_chinese():
    """A zh entry that is pure ASCII is usually an untranslated copy."""
    allowed_ascii = {"cli.opt_lang"}
    for key, (zh, en) in i18n.catalog().items():
        if key in allowed_ascii:
            continue
        if zh == en and zh.isascii() and any(c.isalpha() for c in zh):
            pytest.fail(f"{key} is not translated: {zh!r}")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("zh_CN.UTF-8", "zh"),
        ("zh-Hans", "zh"),
        ("en_US.UTF-8", "en"),
        ("C.UTF-8", "en"),
        ("fr_FR", None),
    ],
)
def test_normalize(value, expected):
    assert i18n.normalize(value) == expected


def test_language_follows_lang(monkeypatch):
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.detect() == "zh"
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert i18n.detect() == "en"
    monkeypatch.setenv("LC_ALL", "zh_TW.UTF-8")
    assert i18n.detect() == "zh"


def test_t_formats_in_current_language():
    i18n.set_language("zh")
    assert i18n.t("err.contact_unknown", value=7) == "找不到联系人 #7"
    i18n.set_language("en")
    assert i18n.t("err.contact_unknown", value=7) == "No contact #7"
    assert i18n.t("err.contact_unknown", lang="zh", value=7) == "找不到联系人 #7"
