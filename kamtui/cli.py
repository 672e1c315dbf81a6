"""The ``kamtui`` command.

``kamtui`` alone opens the app on the book; ``kamtui COMMAND`` runs a command
for the shell. Global options (``--db``, ``--lang``) come before the command.
Commands live in ``kamtui/commands/`` (one module each, listed in
``kamtui.commands.COMMANDS``). Errors go to stderr with a non-zero status:
1 for a problem with the data or the book, 2 for a bad command line, 70 for
an internal error (its details go to a log file, never a traceback on screen).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kamtui import i18n
from kamtui.errors import KamtuiError
from kamtui.i18n import t

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70


@dataclass
class Context:
    """What a command gets: its arguments, the book (opened on first use), and output."""

    args: argparse.Namespace
    db_path: Path
    stdout: Any = field(default_factory=lambda: sys.stdout)
    _book: Any = None

    @property
    def book(self):
        if self._book is None:
            from kamtui.store.db import Book

            self._book = Book(self.db_path)
            _apply_saved_language(self._book, self.args)
        return self._book

    @property
    def json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    def out(self, text: str = "") -> None:
        print(text, file=self.stdout)

    def emit_json(self, data: Any) -> None:
        json.dump(data, self.stdout, ensure_ascii=False, indent=2, default=_json_default)
        self.stdout.write("\n")

    def close(self) -> None:
        if self._book is not None:
            self._book.close()


def _json_default(value):
    from datetime import date, datetime

    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (set, tuple)):
        return list(value)
    raise TypeError(type(value).__name__)


def _apply_saved_language(book, args) -> None:
    """The language saved in the book applies unless ``--lang`` or LANG said otherwise."""
    if getattr(args, "lang", None):
        return
    from kamtui import settings

    saved = settings.get(book, "ui.language")
    if saved:
        i18n.set_language(saved)


# argparse's own words ("usage:", "options"…) in the chosen language.
_ARGPARSE_ZH = {
    "usage: ": "用法: ",
    "positional arguments": "命令与参数",
    "options": "选项",
    "show this help message and exit": "显示帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s: 错误: %(message)s\n",
    "the following arguments are required: %s": "缺少参数: %s",
    "unrecognized arguments: %s": "无法识别的参数: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "无效选项: %(value)r (可选: %(choices)s)"
    ),
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值: %(value)r",
    "expected one argument": "需要一个参数",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s: %(message)s",
    "ambiguous option: %(option)s could match %(matches)s": (
        "选项不明确: %(option)s 可能是 %(matches)s"
    ),
}


@contextmanager
def _argparse_language():
    if i18n.language() != "zh":
        yield
        return
    original = argparse._

    def translate(text: str) -> str:
        return _ARGPARSE_ZH.get(text, original(text))

    argparse._ = translate
    try:
        yield
    finally:
        argparse._ = original


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, t("cli.usage_error", prog=self.prog, message=message) + "\n")


class _VersionAction(argparse.Action):
    """``--version``: the installed version, looked up only when asked for."""

    def __init__(
        self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None
    ):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        parser._print_message(f"kamtui {_version()}\n", sys.stdout)
        parser.exit()


def build_parser(*, commands: bool = True) -> argparse.ArgumentParser:
    """The ``kamtui`` parser; ``commands=False``: the global options only (opening the app)."""
    with _argparse_language():
        parser = _Parser(
            prog="kamtui",
            description=t("cli.description"),
            epilog=t("cli.epilog"),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        parser.add_argument("--db", metavar="PATH", help=t("cli.opt_db"))
        parser.add_argument("--lang", metavar="zh|en", help=t("cli.opt_lang"))
        parser.add_argument("--demo", action="store_true", help=t("cli.opt_demo"))
        parser.add_argument(
            "--open",
            metavar="SECTION",
            choices=("today", "contacts", "cleanup", "insights"),
            help=t("cli.opt_open"),
        )
        parser.add_argument(
            "--version",
            action=_VersionAction,
            help=argparse._("show program's version number and exit"),
        )
        if not commands:
            parser.set_defaults(command=None)
            return parser
        from kamtui.commands import COMMANDS

        sub = parser.add_subparsers(dest="command", metavar=t("cli.command_metavar"))
        for name in COMMANDS:
            module = importlib.import_module(f"kamtui.commands.{name}")
            p = sub.add_parser(
                module.NAME,
                help=t(module.HELP),
                description=t(module.HELP),
                aliases=getattr(module, "ALIASES", ()),
            )
            module.add_arguments(p)
            p.set_defaults(_run=module.run)
    return parser


def add_json_flag(parser: argparse.ArgumentParser, *, nested: bool = False) -> None:
    """``--json``; ``nested`` for a sub-command of a command that has it too."""
    parser.add_argument(
        "--json",
        action="store_true",
        help=t("cli.opt_json"),
        default=argparse.SUPPRESS if nested else False,
    )


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("kamtui")
    except Exception:
        return "0"


def _preparse_language(argv: list[str]) -> None:
    """Honour ``--lang`` before building the help texts."""
    for i, arg in enumerate(argv):
        value = None
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value is not None:
            try:
                i18n.set_language(value)
            except ValueError:
                pass
        if not arg.startswith("-"):
            break


def log_internal_error(exc: BaseException) -> Path | None:
    """Write the traceback to the log file; returns its path (None if that failed too)."""
    import traceback
    from datetime import datetime

    try:
        from kamtui.paths import data_dir, ensure_private_dir

        folder = data_dir() / "logs"
        ensure_private_dir(folder)
        path = folder / "kamtui.log"
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"\n--- {datetime.now().astimezone().isoformat()} ---\n")
            f.write("".join(traceback.format_exception(exc)))
        os.chmod(path, 0o600)
        return path
    except Exception:
        return None


def _opens_app(argv: list[str]) -> bool:
    """True when ``argv`` holds only well-formed global options: the app opens, and the
    commands' parsers (and their modules) are not needed."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("--db", "--lang", "--open"):
            if i + 1 >= len(argv) or argv[i + 1].startswith("-"):
                return False
            i += 2
        elif arg.startswith(("--db=", "--lang=", "--open=")) or arg == "--demo":
            i += 1
        else:
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _preparse_language(argv)
    parser = build_parser(commands=not _opens_app(argv))
    try:
        with _argparse_language():  # (its messages are made as it parses)
            args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.lang:
        try:
            i18n.set_language(args.lang)
        except ValueError:
            print(t("cli.bad_lang", value=args.lang), file=sys.stderr)
            return EXIT_USAGE
    from kamtui.paths import book_path, demo_book_path

    ctx = Context(args=args, db_path=demo_book_path() if args.demo else book_path(args.db))
    try:
        if getattr(args, "_run", None) is None:
            from kamtui.commands import open_app

            return open_app(ctx)
        return args._run(ctx) or EXIT_OK
    except KamtuiError as exc:
        print(t("cli.error", message=exc.message), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(t("cli.interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the last line of defence: no traceback for the seller
        path = log_internal_error(exc)
        print(t("cli.internal_error", error=type(exc).__name__, log=path or "-"), file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        ctx.close()


def run() -> None:
    sys.exit(main())
