"""Clean-up (section 3): friends to remove, per WeChat account, and the lists to act on.

The top shows each account's friends used of its cap, the candidates by reason
and the slots a clean-up would free. The queue below is grouped by account,
then by reason, with the delete-in-WeChat list of each account at its end.

Keys (on the cursor row, or on the rows selected with space / v / s):
``k`` keep (with an optional reason), ``a`` archive, ``D`` mark (or unmark)
"delete in WeChat", ``m`` merge a duplicate with its match, ``u`` undo,
Enter the contact. ``K`` and ``A`` keep or archive the cursor's whole group
after a confirmation that says how many. After an action the cursor stays
where it was and the next row comes up. ``M`` opens the quick Moments entry,
``e`` writes the delete list, ``X`` archives the marked friends once they
were deleted in WeChat.

The rules run in a worker thread (``kamtui.cleanup.review``); decisions update
the queue at once (``Review.after``) and writes go through the domain functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from kamtui import cleanup, clock
from kamtui.cleanup import Candidate, MomentsEntry, Review
from kamtui.errors import KamtuiError
from kamtui.fmt import safe
from kamtui.i18n import t
from kamtui.screens.base import KamtuiModal, KamtuiScreen, plain
from kamtui.screens.contact_panel import ContactPanel
from kamtui.screens.forms import ConfirmModal, Field, FormModal
from kamtui.screens.merge import MergeModal
from kamtui.screens.widgets import Column, GroupRow, StyledRow, VirtualTable
from kamtui.screens.widgets.footer import Footer

MARKED = "marked"  # the group of the friends to delete in WeChat
SHOWN_ACCOUNTS = 5  # account lines above the queue (the fullest first when there are more)
SHOWN_MATCHES = 30  # contacts listed by the quick Moments entry


def _reason(code: str) -> str:
    return t(f"cleanup.reason.{code}")


class CleanupScreen(KamtuiScreen):
    TITLE_KEY = "section.cleanup"
    DEFAULT_CSS = """
    CleanupScreen #cleanup-accounts {
        height: auto; max-height: 7; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis;
    }
    CleanupScreen VirtualTable { height: 1fr; }
    """
    BINDINGS = [
        # k moves the cursor up in tables: here it keeps (the arrows still move).
        Binding("k", "keep", "cleanup.key.keep", id="cleanup.keep", priority=True),
        Binding("K", "keep_group", "cleanup.key.keep_group", id="cleanup.keep_group"),
        Binding("a", "archive", "cleanup.key.archive", id="cleanup.archive"),
        Binding("A", "archive_group", "cleanup.key.archive_group", id="cleanup.archive_group"),
        Binding("D", "mark", "cleanup.key.mark", id="cleanup.mark"),
        Binding("m", "merge", "cleanup.key.merge", id="cleanup.merge"),
        Binding("u", "undo", "cleanup.key.undo", id="cleanup.undo"),
        Binding("M", "moments", "cleanup.key.moments", id="cleanup.moments"),
        Binding("e", "export", "cleanup.key.export", id="cleanup.export"),
        Binding("s", "select_group", "cleanup.key.select_group", id="cleanup.select_group"),
        Binding(
            "X", "confirm_deleted", "cleanup.key.confirm_deleted", id="cleanup.confirm_deleted"
        ),
        Binding(
            "E",
            "export_cleaned",
            "cleanup.key.export_cleaned",
            id="cleanup.export_cleaned",
            show=False,
        ),
        Binding("o", "open", "cleanup.key.open", id="cleanup.open", show=False),
        Binding("ctrl+r", "refresh", "cleanup.key.refresh", id="cleanup.refresh", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.review: Review | None = None
        self.entries: list[Candidate | GroupRow] = []
        self.keys: list[int | None] = []
        self.groups: list[tuple | None] = []  # each row's group: (account id, reason)
        self.members: dict[tuple, list[Candidate]] = {}
        self.group_names: dict[tuple, str] = {}
        self.mine: set[int] = set()  # undo actions made from this screen

    def compose(self) -> ComposeResult:
        yield Static(Text(t("cleanup.loading")), id="cleanup-header", classes="section-header")
        yield Static("", id="cleanup-accounts")
        yield VirtualTable(
            [
                Column("mark", "", width=4),
                Column("name", t("cleanup.col.name"), min_width=10, ratio=2),
                Column("wechat", t("field.wechat_id"), width=16),
                Column("reasons", t("cleanup.col.reason"), width=20),
                Column("why", t("cleanup.col.why"), min_width=20, ratio=5),
            ],
            empty_message=t("cleanup.empty"),
            id="queue",
        )
        yield Static("", id="cleanup-status", classes="status-line")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(VirtualTable).focus()
        self.recompute()

    # ---- data ---------------------------------------------------------------------

    @property
    def today(self) -> date:
        return clock.today()

    @property
    def table(self) -> VirtualTable:
        return self.query_one(VirtualTable)

    def reload(self) -> None:
        self.recompute()

    def action_refresh(self) -> None:
        self.recompute()

    @work(thread=True, exclusive=True, group="cleanup-review")
    def recompute(self) -> None:
        """Run the rules off the UI thread, then show the queue."""
        worker = get_current_worker()
        try:
            found = cleanup.review(self.book, self.today)
        except Exception as e:  # shown, never raised into the UI
            self.app.call_from_thread(self.report, e)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self.show, found)

    def show(self, found: Review, *, stay: bool = False) -> None:
        """Show a review; the cursor stays on its row, or where that row was.

        ``stay``: the cursor keeps its place even if its row moved (after a
        decision, the next row comes up under it).
        """
        self.review = found
        entries: list[Candidate | GroupRow] = []
        keys: list[int | None] = []
        groups: list[tuple | None] = []
        members: dict[tuple, list[Candidate]] = {}
        names: dict[tuple, str] = {}
        by_account: dict[int | None, list[Candidate]] = {}
        for c in found.candidates:
            by_account.setdefault(c.account_id, []).append(c)
        marked: dict[int | None, list[Candidate]] = {}
        for c in found.marked:
            marked.setdefault(c.account_id, []).append(c)
        for a in found.accounts:
            queue, listed = by_account.get(a.account_id, []), marked.get(a.account_id, [])
            if not queue and not listed:
                continue
            cap = f"{a.cap:,}" if a.cap else "—"
            entries.append(
                GroupRow(
                    Text(
                        t(
                            "cleanup.group.account",
                            name=safe(a.name, max_len=40),
                            friends=f"{a.friends:,}",
                            cap=cap,
                            frees=f"{a.frees:,}",
                        ),
                        style="bold",
                    )
                )
            )
            keys.append(None)
            groups.append(None)
            parts: list[tuple[str, list[Candidate]]] = []
            for c in queue:
                if not parts or parts[-1][0] != c.primary:
                    parts.append((c.primary, []))
                parts[-1][1].append(c)
            if listed:
                parts.append((MARKED, listed))
            for code, rows in parts:
                group = (a.account_id, code)
                if code == MARKED:
                    label = t("cleanup.group.marked", n=len(rows))
                else:
                    label = f"  {_reason(code)} ({len(rows)})"
                names[group] = f"{a.name} · {label.strip()}"
                members[group] = rows
                entries.append(GroupRow(label))
                keys.append(None)
                groups.append(None)
                for c in rows:
                    entries.append(c)
                    keys.append(c.contact_id)
                    groups.append(group)
        self.entries, self.keys, self.groups = entries, keys, groups
        self.members, self.group_names = members, names
        table = self.table
        place, top = table.cursor_row, table.scroll_offset.y
        table.selected_keys = table.selected_keys & {k for k in keys if k is not None}
        table.set_rows(len(entries), self._row, row_key=keys.__getitem__, keep_key=True)
        if stay and place is not None and entries:
            table.move_cursor(min(place, len(entries) - 1))
            if table.is_mounted:
                table.scroll_to(y=top, animate=False, force=True)
        self._header()
        self.mark_fresh()

    def _row(self, index: int):
        entry = self.entries[index]
        if isinstance(entry, GroupRow):
            return entry
        c = entry
        cells = (
            t("cleanup.mark_badge") if c.marked else "",
            c.name,
            c.wechat_id,
            "、".join(_reason(r) for r in c.reasons) or _reason("by_hand"),
            c.evidence_text(),
        )
        return StyledRow(cells, "dim") if c.marked else cells

    def _header(self) -> None:
        found = self.review
        if found is None:
            return
        self.query_one("#cleanup-header", Static).update(
            Text(
                t(
                    "cleanup.header",
                    day=found.today.isoformat(),
                    n=f"{len(found.candidates):,}",
                    marked=f"{len(found.marked):,}",
                    kept=f"{found.kept:,}",
                )
            )
        )
        lines = Text(no_wrap=True, overflow="ellipsis")
        shown = found.accounts
        if len(shown) > SHOWN_ACCOUNTS:  # the fullest; every account heads its group below
            shown = sorted(shown, key=lambda a: -(a.friends / a.cap if a.cap else 0))
            shown = shown[:SHOWN_ACCOUNTS]
        for n, a in enumerate(shown):
            reasons = " · ".join(
                f"{_reason(code)} {count:,}" for code, count in a.by_reason.items() if count
            )
            key = "cleanup.account_line" if a.cap else "cleanup.account_line_nocap"
            if n:
                lines.append("\n")
            lines.append(
                t(
                    key,
                    name=safe(a.name, max_len=40),
                    friends=f"{a.friends:,}",
                    cap=f"{a.cap:,}",
                    reasons=reasons or "—",
                    frees=f"{a.frees:,}",
                    after=f"{a.after:,}",
                ),
                style="bold" if a.cap and a.friends > a.cap else "",
            )
        if len(found.accounts) > len(shown):
            more = t("cleanup.more_accounts", n=len(found.accounts) - len(shown))
            lines.append("\n" + more, style="dim")
        self.query_one("#cleanup-accounts", Static).update(lines)

    # ---- which rows an action applies to --------------------------------------------

    def current(self) -> Candidate | None:
        index = self.table.cursor_row
        if index is None or not 0 <= index < len(self.entries):
            return None
        entry = self.entries[index]
        return entry if isinstance(entry, Candidate) else None

    def targets(self) -> list[Candidate]:
        """The selected rows, else the cursor row."""
        selected = self.table.selected_keys
        if selected:
            return [
                e for e in self.entries if isinstance(e, Candidate) and e.contact_id in selected
            ]
        c = self.current()
        return [c] if c is not None else []

    def group(self) -> tuple[list[Candidate], str]:
        """The selected rows, else the cursor's whole group; with words for it."""
        selected = self.targets() if self.table.selected_keys else []
        if selected:
            return selected, t("cleanup.selection", n=len(selected))
        index = self.table.cursor_row
        group = self.groups[index] if index is not None and index < len(self.groups) else None
        if group is None:
            return [], ""
        return list(self.members[group]), self.group_names[group]

    def _words_for(self, items: list[Candidate]) -> str:
        return items[0].name if len(items) == 1 else t("cleanup.selection", n=len(items))

    def _changed(self, contact_ids: Iterable[int] = ()) -> None:
        """Tell the app's search index (it follows in place; nothing to rebuild)."""
        follow = getattr(self.app, "contacts_changed", None)
        if follow is not None:
            follow(list(contact_ids))

    def _done(self, message: str, **changes: Iterable[int]) -> None:
        """After a decision: the queue without those rows, the cursor where it was."""
        info = cleanup.last_undo(self.book)
        if info is not None:
            self.mine.add(info.id)
        self._changed(changes.get("archived", ()))
        self.table.clear_selection()
        if self.review is not None:
            self.show(self.review.after(**changes), stay=True)
        self.notify(message, markup=False)

    def _run(self, fn: Callable[[], object]) -> object | None:
        try:
            return fn()
        except Exception as e:
            self.report(e)
            return None

    # ---- keep --------------------------------------------------------------------------

    def action_keep(self) -> None:
        self._keep(self.targets(), None)

    def action_keep_group(self) -> None:
        items, words = self.group()
        self._keep(items, words)

    def _keep(self, items: list[Candidate], words: str | None) -> None:
        if not items:
            return
        if words is None and len(items) == 1:
            title = t("cleanup.keep_title", name=safe(items[0].name, max_len=40))
        else:
            group = words or self._words_for(items)
            title = t("cleanup.keep_many_title", n=len(items), group=group)

        def submit(values: dict[str, str]) -> int:
            return cleanup.keep(self.book, items, values["note"])

        def finished(n) -> None:
            if n:
                self._done(t("cleanup.kept_message", n=n), kept=[c.contact_id for c in items])

        self.app.push_screen(
            FormModal(
                title,
                [
                    Field(
                        "note",
                        t("cleanup.field.note"),
                        "",
                        t("cleanup.field.note_placeholder"),
                    )
                ],
                submit,
            ),
            finished,
        )

    # ---- archive ------------------------------------------------------------------------

    def action_archive(self) -> None:
        items = self.targets()
        if len(items) > 1:
            self._archive_asking(items, t("cleanup.selection", n=len(items)))
        elif items:
            self._archive(items)

    def action_archive_group(self) -> None:
        items, words = self.group()
        if items:
            self._archive_asking(items, words)

    def _archive_asking(self, items: list[Candidate], words: str) -> None:
        question = t("cleanup.archive_question", n=len(items), group=words)
        self.app.push_screen(ConfirmModal(question), lambda yes: yes and self._archive(items))

    def _archive(self, items: list[Candidate]) -> None:
        n = self._run(lambda: cleanup.archive(self.book, items))
        if n is not None:
            ids = [c.contact_id for c in items]
            self._done(t("cleanup.archived_message", n=n), archived=ids)
            if any(c.has("duplicate") or c.partner_id for c in items):
                self.recompute()  # their matches may no longer be duplicates

    # ---- delete in WeChat -----------------------------------------------------------------

    def action_mark(self) -> None:
        items = self.targets()
        if not items:
            return
        if all(c.marked for c in items):
            n = self._run(lambda: cleanup.unmark(self.book, items))
            if n is not None:
                ids = [c.contact_id for c in items]
                self._done(t("cleanup.unmarked_message", n=n), unmarked=ids)
            return
        todo = [c for c in items if not c.marked]

        def go(yes: bool | None = True) -> None:
            if not yes:
                return
            n = self._run(lambda: cleanup.mark_delete(self.book, todo))
            if n is not None:
                ids = [c.contact_id for c in todo]
                self._done(t("cleanup.marked_message", n=n), marked=ids)

        if len(todo) > 1:
            question = t("cleanup.mark_question", n=len(todo), group=self._words_for(todo))
            self.app.push_screen(ConfirmModal(question), go)
        else:
            go()

    def action_confirm_deleted(self) -> None:
        if self.review is None or not self.review.marked:
            self.notify(t("cleanup.err.nothing_marked"), markup=False)
            return
        items = list(self.review.marked)

        def go(yes: bool | None) -> None:
            if not yes:
                return
            n = self._run(lambda: cleanup.confirm_deleted(self.book, items))
            if n is not None:
                ids = [c.contact_id for c in items]
                self._done(t("cleanup.archived_message", n=n), archived=ids)

        self.app.push_screen(ConfirmModal(t("cleanup.confirm_question", n=len(items))), go)

    def action_select_group(self) -> None:
        items, _words = self.group()
        if items:
            self.table.selected_keys = self.table.selected_keys | {c.contact_id for c in items}

    # ---- merge, undo, open ------------------------------------------------------------------

    def action_merge(self) -> None:
        c = self.current()
        if c is None or not c.partner_id:
            self.notify(t("cleanup.not_duplicate"), markup=False)
            return

        def merged(done) -> None:
            if done:
                info = cleanup.last_undo(self.book)
                if info is not None:
                    self.mine.add(info.id)
                self._changed([c.contact_id, c.partner_id])
                self.notify(t("cleanup.merged_message"), markup=False)
                if self.review is not None:
                    self.show(self.review.after(archived=[c.contact_id]), stay=True)
                self.recompute()

        self.app.push_screen(MergeModal(c.partner_id, c.contact_id), merged)

    def action_undo(self) -> None:
        info = self._run(lambda: cleanup.last_undo(self.book))
        if info is None:
            self.notify(t("cleanup.nothing_to_undo"), markup=False)
            return

        def go(yes: bool | None = True) -> None:
            if not yes:
                return
            label = self._run(lambda: cleanup.undo_last(self.book, info.id))
            if label:
                self.mine.discard(info.id)
                self.notify(t("cleanup.undone_message", label=label), markup=False)
                self.recompute()

        if info.id in self.mine:
            go()
        else:
            question = t("cleanup.undo_other_question", label=info.label)
            self.app.push_screen(ConfirmModal(question), go)

    def action_open(self) -> None:
        c = self.current()
        if c is not None:
            self.app.push_screen(ContactPanel(c.contact_id))

    @on(VirtualTable.Selected)
    def _selected(self, event: VirtualTable.Selected) -> None:
        if event.key is not None:
            self.app.push_screen(ContactPanel(event.key))

    @on(VirtualTable.Highlighted)
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        status = self.query_one("#cleanup-status", Static)
        c = self.current()
        if c is None:
            status.update("")
            return
        status.update(plain(f"{c.name}: {c.evidence_text()}", max_len=400))

    @on(VirtualTable.SelectionChanged)
    def _selection(self, event: VirtualTable.SelectionChanged) -> None:
        if event.keys:
            self.query_one("#cleanup-status", Static).update(
                Text(t("cleanup.selection", n=len(event.keys)))
            )

    # ---- lists out and Moments ----------------------------------------------------------------

    def action_export(self) -> None:
        found = self.review
        if found is None or not found.marked:
            self.notify(t("cleanup.err.nothing_marked"), markup=False)
            return
        self._export(
            t("cleanup.export_title", n=len(found.marked)),
            "delete",
            lambda path: cleanup.export_delete_list(self.book, path, found),
        )

    def action_export_cleaned(self) -> None:
        found = self.review
        if found is not None:
            self._export(
                t("cleanup.export_cleaned_title"),
                "cleaned",
                lambda path: cleanup.export_cleaned_list(self.book, path, found),
            )

    def _export(self, title: str, kind: str, write: Callable[[str], int]) -> None:
        default = self._run(lambda: str(cleanup.default_export_path(kind, self.today)))
        if default is None:
            return

        def submit(values: dict[str, str]) -> tuple[int, str]:
            path = values["path"].strip() or default
            return write(path), path

        def finished(result) -> None:
            if result:
                n, path = result
                self.notify(t("cleanup.exported_message", n=n, path=path), markup=False)

        self.app.push_screen(
            FormModal(title, [Field("path", t("cleanup.field.path"), default)], submit),
            finished,
        )

    def action_moments(self) -> None:
        def closed(count) -> None:
            if count:
                self.recompute()

        self.app.push_screen(QuickMoments(), closed)


# ---------------------------------------------------------------------------------------
# Quick Moments entry


class QuickMoments(KamtuiModal):
    """Record what the seller sees scrolling Moments, a few keys per friend.

    Type a name (pinyin, initials), ↑↓ and Enter to pick the friend, then one
    key: ``t`` (or ``0``) posted today, ``1``-``9`` that many days ago, ``n`` type
    the days, ``a`` ads only, ``b`` blocked me. Back to the search for the next
    one. Esc goes back to the search, then closes (with the number recorded).
    """

    DEFAULT_CSS = """
    QuickMoments { align: center middle; }
    QuickMoments > Vertical {
        width: 96; max-width: 98%; height: 30; max-height: 95%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    QuickMoments .dialog-title { text-style: bold; }
    QuickMoments VirtualTable { height: 1fr; }
    QuickMoments #moments-chosen { height: 1; text-style: bold; }
    QuickMoments #moments-help, QuickMoments #moments-log { color: $text-muted; height: auto; }
    """
    BINDINGS = [
        Binding("escape", "back", "key.back", id="moments.back"),
        Binding("up", "move(-1)", "vtable.key.cursor_up", id="moments.up", show=False),
        Binding("down", "move(1)", "vtable.key.cursor_down", id="moments.down", show=False),
        Binding("t,0", "days(0)", "cleanup.moments.key.today", id="moments.today"),
        Binding("n", "typed_days", "cleanup.moments.key.days", id="moments.days"),
        Binding("a", "flag('is_ad')", "cleanup.moments.key.ad", id="moments.ad"),
        Binding("b", "flag('blocked_me')", "cleanup.moments.key.blocked", id="moments.blocked"),
    ] + [
        Binding(str(d), f"days({d})", "cleanup.moments.key.days_ago", show=False)
        for d in range(1, 10)
    ]

    def __init__(self) -> None:
        super().__init__()
        self.directory = None  # the app's contact directory (search index)
        self.matches: list[MomentsEntry] = []
        self.chosen: MomentsEntry | None = None
        self.count = 0
        self.saved_lines: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(t("cleanup.moments.title")), classes="dialog-title")
            yield Input(placeholder=t("cleanup.moments.search_placeholder"), id="moments-search")
            yield VirtualTable(
                [
                    Column("name", t("cleanup.col.name"), ratio=2, min_width=10),
                    Column("nickname", t("field.nickname"), ratio=1, min_width=8),
                    Column("account", t("field.account"), width=14),
                    Column("state", t("field.last_moment_on"), width=30),
                ],
                multi_select=False,
                empty_message=t("cleanup.loading"),
                id="moments-matches",
            )
            yield Static("", id="moments-chosen")
            yield Static(Text(t("cleanup.moments.help_search")), id="moments-help")
            yield Static("", id="moments-log")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.app.with_directory(self._ready)

    def _ready(self, directory) -> None:
        self.directory = directory
        self.query_one(VirtualTable).empty_message = t("cleanup.moments.no_match")
        self._search(self.query_one(Input).value)

    # ---- searching --------------------------------------------------------------------

    @on(Input.Changed, "#moments-search")
    def _typed(self, event: Input.Changed) -> None:
        self._search(event.value)

    def _search(self, text: str) -> None:
        """Names, pinyin, initials, WeChat IDs, phone digits: the shared search index."""
        if self.directory is None:
            return
        ids = list(self.directory.find(text)[:SHOWN_MATCHES])
        try:
            self.matches = cleanup.moments_entries(self.book, ids)
        except Exception as e:
            self.app.report_unexpected(e)
            return
        self.query_one(VirtualTable).set_data(
            [self._row(e) for e in self.matches], keys=[e.contact_id for e in self.matches]
        )

    def _state(self, e: MomentsEntry) -> str:
        parts = [
            t("cleanup.moments.state", day=e.last_moment_on.isoformat())
            if e.last_moment_on
            else t("cleanup.moments.state_unknown")
        ]
        if e.is_ad:
            parts.append(t("cleanup.moments.state_ad"))
        if e.blocked_me:
            parts.append(t("cleanup.moments.state_blocked"))
        return " · ".join(parts)

    def _row(self, e: MomentsEntry) -> tuple:
        return (e.name, e.nickname, e.account, self._state(e))

    def action_move(self, step: int) -> None:
        table = self.query_one(VirtualTable)
        table.action_cursor_down() if step > 0 else table.action_cursor_up()

    @on(Input.Submitted, "#moments-search")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._choose()

    @on(VirtualTable.Selected)
    def _picked(self, event: VirtualTable.Selected) -> None:
        event.stop()
        if self.chosen is None:
            self._choose()

    def _choose(self) -> None:
        table = self.query_one(VirtualTable)
        key = table.cursor_key
        entry = next((e for e in self.matches if e.contact_id == key), None)
        if entry is None:
            return
        self.chosen = entry
        line = Text("→ ", style="bold")
        line.append(safe(entry.name, max_len=40))
        line.append(f"  {safe(entry.account, max_len=20)}  {self._state(entry)}", style="dim")
        self.query_one("#moments-chosen", Static).update(line)
        self.query_one("#moments-help", Static).update(Text(t("cleanup.moments.help_action")))
        table.focus()
        self.refresh_bindings()

    def _to_search(self) -> None:
        self.chosen = None
        self.query_one("#moments-chosen", Static).update("")
        self.query_one("#moments-help", Static).update(Text(t("cleanup.moments.help_search")))
        search = self.query_one(Input)
        if search.value:
            search.value = ""  # searches again (Input.Changed)
        else:
            self._search("")
        search.focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("days", "typed_days", "flag"):
            return self.chosen is not None
        return True

    # ---- recording --------------------------------------------------------------------

    def action_days(self, days: int) -> None:
        self._record(days_ago=days)

    def action_typed_days(self) -> None:
        chosen = self.chosen
        if chosen is None:
            return

        def submit(values: dict[str, str]) -> dict:
            return cleanup.record_moments(self.book, chosen.contact_id, days_ago=values["days_ago"])

        def finished(changes) -> None:
            if changes:
                self._saved(chosen, changes)

        self.app.push_screen(
            FormModal(
                t("cleanup.moments.days_title", name=safe(chosen.name, max_len=40)),
                [Field("days_ago", t("cleanup.moments.field.days"), "")],
                submit,
            ),
            finished,
        )

    def action_flag(self, name: str) -> None:
        self._record(**{name: True})

    def _record(self, **what) -> None:
        chosen = self.chosen
        if chosen is None:
            return
        try:
            changes = cleanup.record_moments(self.book, chosen.contact_id, **what)
        except KamtuiError as e:
            self.notify(e.message, severity="error", markup=False)
            return
        except Exception as e:
            self.app.report_unexpected(e)
            return
        self._saved(chosen, changes)

    def _saved(self, chosen: MomentsEntry, changes: dict) -> None:
        name = safe(chosen.name, max_len=40)
        if "last_moment_on" in changes:
            day = changes["last_moment_on"]
            days = (clock.today() - day).days
            if days == 0:
                line = t("cleanup.moments.saved_today", name=name)
            else:
                line = t("cleanup.moments.saved_days", name=name, days=days, day=day.isoformat())
        elif changes.get("is_ad"):
            line = t("cleanup.moments.saved_ad", name=name)
        else:
            line = t("cleanup.moments.saved_blocked", name=name)
        self.count += 1
        self.saved_lines = [line, *self.saved_lines][:4]
        text = Text(t("cleanup.moments.count", n=self.count), style="bold")
        for entry in self.saved_lines:
            text.append("\n" + entry)
        self.query_one("#moments-log", Static).update(text)
        contacts_changed = getattr(self.app, "contacts_changed", None)
        if contacts_changed is not None:
            contacts_changed([chosen.contact_id])  # the search index follows
        self._to_search()

    def action_back(self) -> None:
        if self.chosen is not None:
            self._to_search()
        else:
            self.dismiss(self.count)
