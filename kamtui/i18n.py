"""Messages in Chinese (zh_CN) and English.

Every user-visible string is a key in one of the catalogs under
``kamtui/messages/`` (one module per area, each a dict ``key -> (zh, en)``).
The language comes from ``--lang``, a saved setting, or ``LANG`` / ``LC_ALL`` /
``LC_MESSAGES``; anything that is not Chinese falls back to English.

    >>> t("err.phone_invalid", value="123")
"""

from __future__ import annotations

import importlib
import os
import pkgutil

LANGUAGES = ("zh", "en")
_current: str | None = None
_catalog: dict[str, tuple[str, str]] | None = None


def normalize(code: str | None) -> str | None:
    """Map ``zh_CN.UTF-8``, ``zh-Hans``, ``cn``, ``en_US``… to ``zh`` or ``en``; None if unknown."""
    if not code:
        return None
    c = code.strip().lower().replace("-", "_")
    if c.startswith(("zh", "cn")):
        return "zh"
    if c.startswith("en") or c in ("c", "posix") or c.startswith(("c.", "posix.")):
        return "en"
    return None


def detect() -> str:
    """The language the environment asks for (LC_ALL, LC_MESSAGES, LANG, LANGUAGE)."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var)
        if value:
            for part in value.split(":"):
                lang = normalize(part)
                if lang:
                    return lang
    return "en"


def language() -> str:
    global _current
    if _current is None:
        _current = detect()
    return _current


def set_language(code: str) -> str:
    """Switch the language; returns the normalized code. Unknown codes raise ValueError."""
    global _current
    lang = normalize(code)
    if lang is None:
        raise ValueError(code)
    _current = lang
    return lang


def catalog() -> dict[str, tuple[str, str]]:
    """All messages, loaded once from every module in ``kamtui.messages``."""
    global _catalog
    if _catalog is None:
        import kamtui.messages as pkg

        merged: dict[str, tuple[str, str]] = {}
        for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
            module = importlib.import_module(f"kamtui.messages.{info.name}")
            for key, value in module.MESSAGES.items():
                if key in merged:
                    raise RuntimeError(f"message key {key!r} defined twice ({info.name})")
                merged[key] = value
        _catalog = merged
    return _catalog


def t(key: str, /, lang: str | None = None, **values) -> str:
    """The message ``key`` in the current (or given) language, formatted with ``values``."""
    entry = catalog().get(key)
    if entry is None:
        return key
    text = entry[0] if (lang or language()) == "zh" else entry[1]
    return text.format(**values) if values else text


def has(key: str) -> bool:
    return key in catalog()
