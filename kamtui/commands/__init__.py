"""Shell commands: one module each, with ``NAME``, ``HELP`` (a message key),
``add_arguments(parser)`` and ``run(ctx) -> int``. Keep these modules light:
import domain modules inside ``run``.
"""

from __future__ import annotations

COMMANDS = [
    "demo",
    "info",
    "accounts",
    "settings",
]


def open_app(ctx) -> int:
    """``kamtui`` with no command: the app, once it exists; until then, the help."""
    from kamtui.cli import build_parser

    build_parser().print_help()
    return 0
