"""Stage and tier badges, the same wherever contacts are listed.

Colours come from the app's theme (``$text-success``, ``$text-warning``…) so
badges read on light and dark themes alike; the word is always there, so no
information depends on colour alone.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from kamtui.i18n import t

# badge -> (theme variable, bold)
STAGE_COLOURS = {
    "referrer": ("text-accent", True),
    "repeat": ("text-success", True),
    "buyer": ("text-success", False),
    "prospect": ("text-primary", False),
    "friend": ("text-muted", False),
}
TIER_COLOURS = {
    "platinum": ("text-accent", True),
    "gold": ("text-warning", True),
    "iron": ("text-primary", False),
    "lead": ("text-muted", False),
}

_cache: dict[str, dict[str, Style]] = {}


def palette(app) -> dict[str, Style]:
    """Rich styles for every badge in the app's current theme (cached per theme)."""
    if app is None:
        return {}
    name = getattr(app, "theme", "") or ""
    found = _cache.get(name)
    if found is None:
        variables = app.get_css_variables()
        found = {}
        for key, (var, bold) in {**STAGE_COLOURS, **TIER_COLOURS}.items():
            colour = variables.get(var, "")
            found[key] = Style(
                color=colour if colour.startswith("#") else None,
                bold=bold,
                dim=not colour.startswith("#"),  # "auto 60%" (muted): dim instead
            )
        _cache[name] = found
    return found


def stage_badge(stage: str | None, app=None) -> Text:
    if not stage:
        return Text("")
    return Text(t(f"badge.stage.{stage}"), style=palette(app).get(stage, ""))


def tier_badge(tier: str | None, app=None) -> Text:
    if not tier:
        return Text("")
    return Text(t(f"badge.tier.{tier}"), style=palette(app).get(tier, ""))
