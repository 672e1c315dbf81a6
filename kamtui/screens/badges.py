"""Stage and tier badges, the same wherever contacts are listed."""

from __future__ import annotations

from rich.text import Text

from kamtui.i18n import t

STAGE_STYLES = {
    "referrer": "bold magenta",
    "repeat": "bold green",
    "buyer": "green",
    "prospect": "yellow",
    "friend": "dim",
}
TIER_STYLES = {
    "platinum": "bold reverse",
    "gold": "bold yellow",
    "iron": "cyan",
    "lead": "dim",
}


def stage_badge(stage: str | None) -> Text:
    if not stage:
        return Text("")
    return Text(t(f"badge.stage.{stage}"), style=STAGE_STYLES.get(stage, ""))


def tier_badge(tier: str | None) -> Text:
    if not tier:
        return Text("")
    return Text(t(f"badge.tier.{tier}"), style=TIER_STYLES.get(tier, ""))
