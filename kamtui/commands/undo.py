"""kamtui undo: undo the last destructive action; ``--list`` shows what can be undone."""

from __future__ import annotations

from kamtui.cli import add_json_flag
from kamtui.i18n import t

NAME = "undo"
HELP = "cmd.undo.help"


def add_arguments(p) -> None:
    p.add_argument("--list", action="store_true", help=t("cmd.undo.opt_list"))
    add_json_flag(p)


def _when(moment) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def run(ctx) -> int:
    from kamtui.fmt import safe
    from kamtui.safety import undo_last, undoable_actions

    book = ctx.book
    if ctx.args.list:
        actions = undoable_actions(book)
        if ctx.json:
            ctx.emit_json(
                [
                    {"id": a.id, "label": a.label, "created_at": a.created_at, "rows": a.rows}
                    for a in actions
                ]
            )
            return 0
        if not actions:
            ctx.out(t("cmd.undo.none"))
            return 0
        for a in actions:
            ctx.out(
                t(
                    "cmd.undo.row",
                    id=a.id,
                    when=_when(a.created_at),
                    label=safe(a.label),
                    rows=a.rows,
                )
            )
        ctx.out(t("cmd.undo.next"))
        return 0
    result = undo_last(book)
    if ctx.json:
        ctx.emit_json({"undone": result.as_dict()})
        return 0
    ctx.out(
        t(
            "cmd.undo.done",
            label=safe(result.action.label),
            when=_when(result.action.created_at),
            rows=result.rows,
        )
    )
    return 0
