"""kamtui import FILE: preview what a contacts file would change, then import it.

The file is read before the book is touched: a file that cannot be read gives
one message naming it (exit status 1) and leaves the book as it was. The
preview lists the counts, the conflicts and the rejected rows; the import asks
for confirmation on a terminal (``--yes`` skips it; without a terminal it needs
``--yes`` or ``--dry-run``), makes a backup, and writes everything in one
transaction that ``undo`` reverts as one step.
"""

from __future__ import annotations

import sys
from pathlib import Path

from kamtui.cli import EXIT_USAGE, add_json_flag
from kamtui.fmt import display_width
from kamtui.i18n import t

NAME = "import"
HELP = "cmd.import.help"
SHOWN = 20  # conflicts, rejected rows and warnings listed in text (all of them in --json)
BAR_FROM_BYTES = 1_000_000  # a progress bar for files from this size on


def add_arguments(p) -> None:
    p.add_argument("file", metavar="FILE", help=t("cmd.import.opt_file"))
    p.add_argument("--account", metavar="NAME", help=t("cmd.import.opt_account"))
    p.add_argument(
        "--create-accounts", action="store_true", help=t("cmd.import.opt_create_accounts")
    )
    p.add_argument("--map", metavar="PROFILE", help=t("cmd.import.opt_map"))
    p.add_argument("--save-map", metavar="PROFILE", help=t("cmd.import.opt_save_map"))
    p.add_argument("--dry-run", action="store_true", help=t("cmd.import.opt_dry_run"))
    p.add_argument(
        "--on-conflict",
        choices=("keep", "take"),
        default="keep",
        help=t("cmd.import.opt_on_conflict"),
    )
    p.add_argument("--yes", "-y", action="store_true", help=t("cmd.import.opt_yes"))
    add_json_flag(p)


class _Bar:
    """A one-line progress bar on stderr (only when stderr is a terminal)."""

    WIDTH = 24

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.shown = False
        self.cells = 0  # the widest line shown (terminal cells), blanked by close()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        share = min(1.0, done / total)
        filled = int(share * self.WIDTH)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        label = t(f"cmd.import.stage.{stage}")
        line = f"{label} [{bar}] {share:4.0%}"
        width = display_width(line)
        pad = " " * max(0, self.cells - width)  # (a shorter line after a longer one)
        self.cells = max(self.cells, width)
        print(f"\r{line}{pad}", end="", file=sys.stderr, flush=True)
        self.shown = True

    def read(self, done: int, total: int) -> None:
        self("read", done, total)

    def close(self) -> None:
        if self.shown:
            print("\r" + " " * self.cells + "\r", end="", file=sys.stderr, flush=True)
            self.shown = False


def _usage(message: str) -> int:
    print(t("cli.error", message=message), file=sys.stderr)
    return EXIT_USAGE


def run(ctx) -> int:
    from kamtui.errors import KamtuiError, NotFound
    from kamtui.importing import read_file
    from kamtui.importing.apply import apply_import, plan_import
    from kamtui.importing.profiles import clean_profile_name, load_profile, save_profile

    args = ctx.args
    path = Path(args.file).expanduser()
    if not (args.yes or args.dry_run) and (ctx.json or not sys.stdin.isatty()):
        return _usage(t("cmd.import.needs_yes"))
    if args.save_map:
        clean_profile_name(args.save_map)
    # The saved language applies if the book exists; a missing book is created only
    # once the file has been read (a bad file never leaves an empty book behind).
    if args.map and not ctx.db_path.exists():  # no book, so no saved profile either
        raise NotFound(t("import.profile_unknown", value=args.map, known="-"))
    book = ctx.book if ctx.db_path.exists() else None
    mapping = load_profile(book, args.map) if args.map else None
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    bar = _Bar(sys.stderr.isatty() and size >= BAR_FROM_BYTES)
    try:
        result = read_file(path, mapping=mapping, progress=bar.read)
        if args.save_map and result.mapping is None:
            raise KamtuiError(t("cmd.import.vcard_no_map", file=path.name))
        book = book or ctx.book
        plan = plan_import(
            book,
            result,
            account=args.account,
            create_accounts=args.create_accounts,
            progress=bar,
        )
    finally:
        bar.close()
    counts = plan.counts()
    has_work = bool(
        counts["new"] or counts["updated"] or counts["conflicting"] or plan.accounts_to_create
    )
    if not ctx.json:
        _print_preview(ctx, plan, args.on_conflict)
    if args.dry_run or not has_work:
        if ctx.json:
            ctx.emit_json(_json(plan, args, None, None))
        elif args.dry_run:
            ctx.out(t("cmd.import.dry_run"))
        else:
            ctx.out(t("cmd.import.nothing"))
        return 0
    if not args.yes and not _confirm(ctx, counts):
        ctx.out(t("cmd.import.cancelled"))
        return 0
    bar = _Bar(sys.stderr.isatty() and size >= BAR_FROM_BYTES)
    try:
        report = apply_import(book, plan, on_conflict=args.on_conflict, progress=bar)
    finally:
        bar.close()
    saved = save_profile(book, args.save_map, result.mapping) if args.save_map else None
    if ctx.json:
        ctx.emit_json(_json(plan, args, report, saved))
        return 0
    for line in report.summary():
        ctx.out(line)
    if report.undo_label:
        ctx.out(t("cmd.import.undo", label=report.undo_label))
    if saved:
        ctx.out(t("cmd.import.profile_saved", name=saved))
    return 0


def _confirm(ctx, counts: dict) -> bool:
    prompt = t(
        "cmd.import.confirm",
        new=counts["new"],
        updated=counts["updated"] + counts["conflicting"],
    )
    try:
        answer = input(prompt)
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes", "是", "好", "确定", "确认")


def _field(name: str) -> str:
    from kamtui.validate import label

    return label(name) if name else t("cmd.import.whole_row")


def _print_preview(ctx, plan, on_conflict: str) -> None:
    from kamtui.fmt import safe

    r = plan.result
    layout = t(f"import.layout.{r.layout}")
    ctx.out(
        t(
            "cmd.import.file",
            file=safe(r.path.name),
            format=r.format.upper(),
            encoding=r.encoding or "-",
            layout=layout,
        )
    )
    if r.mapping is not None:
        used = [f"{safe(h, max_len=24)} → {_field(f)}" for h, f in r.mapping.columns if f]
        ctx.out(t("cmd.import.columns", columns=", ".join(used)))
        if r.mapping.unmapped:
            ignored = ", ".join(safe(h, max_len=24) for h in r.mapping.unmapped)
            ctx.out(t("cmd.import.unmapped", columns=ignored))
    c = plan.counts()
    ctx.out(t("cmd.import.counts", **c))
    if r.skipped:
        parts = [f"{t(f'import.skipped.{k}')} {n}" for k, n in sorted(r.skipped.items())]
        ctx.out(t("cmd.import.skipped", detail=", ".join(parts)))
    if c["merged_rows"]:
        ctx.out(t("cmd.import.merged", n=c["merged_rows"]))
    if c["purchases"] or c["pictures"] or plan.tags_to_create or plan.accounts_to_create:
        ctx.out(
            t(
                "cmd.import.extras",
                purchases=c["purchases"],
                pictures=c["pictures"],
                tags=len(plan.tags_to_create),
                accounts=", ".join(safe(a) for a in plan.accounts_to_create) or "-",
            )
        )
    if plan.unknown_accounts:
        names = ", ".join(
            t("cmd.import.account_rows", name=safe(n), n=k)
            for n, k in sorted(plan.unknown_accounts.items())
        )
        ctx.out(t("cmd.import.unknown_accounts", names=names))
    if plan.conflicts:
        ctx.out(t(f"cmd.import.conflicts_{on_conflict}", n=len(plan.conflicts)))
        for conflict in plan.conflicts[:SHOWN]:
            ctx.out(
                "  "
                + t(
                    "cmd.import.conflict",
                    id=conflict.id,
                    row=conflict.row,
                    contact=safe(conflict.contact, max_len=30),
                    contact_id=conflict.contact_id,
                    field=_field(conflict.field),
                    stored=safe(conflict.stored, max_len=40),
                    incoming=safe(conflict.incoming, max_len=40),
                )
            )
        _more(ctx, len(plan.conflicts))
    for title, problems in (("rejected", plan.rejected), ("warnings", plan.warnings)):
        if not problems:
            continue
        rows = len({p.row for p in problems})
        ctx.out(t(f"cmd.import.{title}", n=rows))
        for p in problems[:SHOWN]:
            ctx.out(
                "  "
                + t(
                    "cmd.import.problem",
                    row=p.row,
                    field=_field(p.field),
                    reason=safe(p.reason, max_len=120),
                )
            )
        _more(ctx, len(problems))
    for notice in r.notices:
        ctx.out(safe(notice, max_len=200))


def _more(ctx, n: int) -> None:
    if n > SHOWN:
        ctx.out("  " + t("cmd.import.more", n=n - SHOWN))


def _json(plan, args, report, saved) -> dict:
    out = plan.to_dict()
    out["conflicts"] = [c.to_dict(args.on_conflict) for c in plan.conflicts]
    out["dry_run"] = bool(args.dry_run)
    out["applied"] = report is not None and report.undo_label is not None
    out["report"] = report.to_dict() if report is not None else None
    out["profile_saved"] = saved
    return out
