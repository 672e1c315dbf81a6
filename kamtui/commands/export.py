"""kamtui export: contacts to CSV, XLSX, vCard or JSON (a file, or standard output)."""

from __future__ import annotations

import sys

from kamtui.i18n import t

NAME = "export"
HELP = "cmd.export.help"


def add_arguments(p) -> None:
    p.add_argument(
        "--format", "-f", choices=("csv", "xlsx", "vcf", "json"), help=t("cmd.export.opt_format")
    )
    p.add_argument("-o", "--output", metavar="FILE", help=t("cmd.export.opt_output"))
    p.add_argument("--columns", metavar="a,b,c", help=t("cmd.export.opt_columns"))
    p.add_argument("--headers", choices=("zh", "en"), help=t("cmd.export.opt_headers"))
    p.add_argument(
        "--encoding", choices=("utf-8-sig", "gb18030"), help=t("cmd.export.opt_encoding")
    )
    p.add_argument("--include-archived", action="store_true", help=t("cmd.export.opt_archived"))
    p.add_argument(
        "--vcard-birthday",
        choices=("apple", "rfc", "omit"),
        default="apple",
        help=t("cmd.export.opt_vcard_birthday"),
    )
    p.add_argument("--list-columns", action="store_true", help=t("cmd.export.opt_list_columns"))
    p.add_argument("query", nargs="*", metavar="QUERY", help=t("cmd.export.opt_query"))


def run(ctx) -> int:
    from kamtui import exporting
    from kamtui.cli import EXIT_USAGE

    args = ctx.args
    if args.list_columns:
        _list_columns(ctx)
        return 0
    fmt = args.format or exporting.format_for_path(args.output)
    if fmt == "xlsx" and not args.output:
        print(t("cmd.export.xlsx_needs_file"), file=sys.stderr)
        return EXIT_USAGE
    if args.encoding and fmt != "csv":
        print(t("cmd.export.encoding_csv_only"), file=sys.stderr)
        return EXIT_USAGE
    book = ctx.book
    exporting.parse_columns(args.columns)  # unknown columns fail before any work
    ids = None
    if args.query:
        ids = select_by_query(book, args.query, include_archived=args.include_archived)
    options = {
        "ids": ids,
        "include_archived": args.include_archived,
        "columns": args.columns,
        "headers": args.headers,
        "encoding": args.encoding or "utf-8-sig",
        "birthday_style": args.vcard_birthday,
    }
    if args.output:
        result = exporting.export_contacts(book, fmt, args.output, **options)
        ctx.out(t("cmd.export.done", n=result.count, path=result.path))
        return 0
    out = getattr(ctx.stdout, "buffer", None)
    if out is None:  # a text-only stream (tests, embedding): encode ourselves
        import io

        buf = io.BytesIO()
        exporting.export_contacts(book, fmt, buf, **options)
        encoding = options["encoding"] if fmt == "csv" else "utf-8"
        ctx.stdout.write(buf.getvalue().decode(encoding))
        return 0
    ctx.stdout.flush()
    exporting.export_contacts(book, fmt, out, **options)
    out.flush()
    return 0


def _list_columns(ctx) -> None:
    from kamtui import i18n
    from kamtui.exporting import DEFAULT_COLUMNS, all_columns

    lang = ctx.args.headers or i18n.language()
    ctx.out(t("cmd.export.columns_title"))
    for cid, col in all_columns().items():
        mark = "*" if cid in DEFAULT_COLUMNS else " "
        ctx.out(f" {mark} {cid:<16} {col.header(lang)}")


def select_by_query(book, terms: list[str], *, include_archived: bool = False) -> list[int]:
    """Contact ids for a query, in rank order: the Contacts screen's search
    (``kamtui.directory``), with its whole language (text, pinyin, ``#tag``,
    ``stage:``, ``tier:``, ``acct:``, ``fav``, ``due``, ``owed``, ``archived``, ``-``).

    A query the search has something to say about (an unknown filter, tag,
    account, stage or tier) is refused rather than exporting a list the seller
    did not mean. ``include_archived`` adds the archived contacts that match.
    """
    from kamtui import clock
    from kamtui.directory import load
    from kamtui.errors import ValidationError

    query = " ".join(terms)
    directory = load(book, clock.today())
    result = directory.find(query)
    if result.notes:
        raise ValidationError("query", "; ".join(n.message() for n in result.notes))
    ids = list(result.ids)
    if include_archived and not any(f.key == "archived" for f in result.query.filters):
        seen = set(ids)
        ids += [i for i in directory.find(query + " archived").ids if i not in seen]
    return ids
