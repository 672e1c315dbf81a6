"""Contacts (section 2): the whole book, found as you type, acted on in bulk.

The list is a :class:`VirtualTable` over the app's directory
(:mod:`kamtui.directory`): the search runs in memory on each keystroke (after
the input has repainted: one search per frame however fast the seller types)
and only the rows on screen are formatted, so 100,000 contacts cost the same as
100. Favourites first, then the chosen sort (``o`` picks, ``O`` reverses).

Actions apply to the selected contacts (space, v, shift+arrows, ``*``), or to
the contact under the cursor when nothing is selected. Bulk actions ask first,
saying how many, and are one undo step (``u``).
"""

from __future__ import annotations

from time import perf_counter

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from kamtui.fmt import safe
from kamtui.i18n import t
from kamtui.screens import contact_forms as forms
from kamtui.screens.badges import stage_badge, tier_badge
from kamtui.screens.base import KamtuiScreen
from kamtui.screens.contact_page import open_contact
from kamtui.screens.forms import ChoiceModal, ConfirmModal, Field, FormModal
from kamtui.screens.widgets import Column, StyledRow, VirtualTable
from kamtui.screens.widgets.footer import Footer

SORTS = ("last_contact", "name", "value", "added", "follow_up")
QUICK_SEARCH = 0.012  # seconds: a search this quick runs within the keystroke's frame


def merge_dialog():
    """The shared merge dialog class (``kamtui/screens/merge.py``), None if not there."""
    try:
        from kamtui.screens.merge import MergeModal
    except ImportError:
        return None
    return MergeModal


class ContactTable(VirtualTable):
    """The list; ``up`` on the first row goes back to the search box."""

    def action_cursor_up(self) -> None:
        if self.cursor_row in (None, 0):
            raise SkipAction()
        super().action_cursor_up()


def _day(value: str | None) -> str:
    return value[2:10] if value else ""


class ContactsScreen(KamtuiScreen):
    TITLE_KEY = "section.contacts"
    DEFAULT_CSS = """
    ContactsScreen #contacts-query { border: none; height: 1; padding: 0 1; margin: 0 0 1 0; }
    ContactsScreen #contacts-query:focus { background: $boost; }
    ContactsScreen ContactTable { height: 1fr; }
    """
    BINDINGS = [
        # A priority binding runs before the key reaches the list, so what is typed
        # right after "/" lands in the search box (in the box, "/" is just typed).
        Binding("slash", "slash", "contacts.key.search", id="contacts.search", priority=True),
        Binding("escape", "escape", "contacts.key.escape", id="contacts.escape", show=False),
        Binding("down", "focus_table", "contacts.key.to_list", id="contacts.to_list", show=False),
        Binding("up", "focus_search", "contacts.key.search", id="contacts.to_search", show=False),
        Binding("n", "new", "contacts.key.new", id="contacts.new"),
        Binding("e", "edit", "contacts.key.edit", id="contacts.edit", show=False),
        Binding("t", "tag", "contacts.key.tag", id="contacts.tag"),
        Binding("T", "untag", "contacts.key.untag", id="contacts.untag", show=False),
        Binding("f", "favourite", "contacts.key.favourite", id="contacts.favourite"),
        Binding("A", "account", "contacts.key.account", id="contacts.account", show=False),
        Binding("a", "archive", "contacts.key.archive", id="contacts.archive"),
        Binding("x", "export", "contacts.key.export", id="contacts.export"),
        Binding("m", "merge", "contacts.key.merge", id="contacts.merge", show=False),
        Binding("u", "undo", "contacts.key.undo", id="contacts.undo"),
        Binding("o", "sort", "contacts.key.sort", id="contacts.sort"),
        Binding("O", "reverse", "contacts.key.reverse", id="contacts.reverse", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.directory = None
        self.sort = "last_contact"
        self.reverse = False
        self.query_text = ""
        self.result = None
        self._pending: str | None = None
        self._incoming = None  # a newer directory being readied in a worker
        self._scheduled = False
        self._last_search = 0.0  # seconds the last search took
        self._index: dict[int, int] | None = None
        self.searches = 0  # how many searches ran (tests, benchmarks)

    def compose(self) -> ComposeResult:
        yield Static("", id="contacts-header", classes="section-header")
        yield Input(placeholder=t("contacts.placeholder"), id="contacts-query")
        yield ContactTable(
            [
                Column("fav", "", width=2),
                Column("name", t("contacts.col.name"), min_width=12, ratio=3),
                Column("stage", t("col.stage"), width=8),
                Column("tier", t("col.tier"), width=8),
                Column("tags", t("contacts.col.tags"), min_width=8, ratio=2),
                Column("account", t("contacts.col.account"), min_width=6, ratio=1),
                Column("last", t("contacts.col.last"), width=8),
                Column("next", t("contacts.col.next"), width=8),
            ],
            empty_message=t("contacts.loading"),
            id="contacts-list",
        )
        yield Static("", id="contacts-status", classes="status-line")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self._header()
        self.query_one(ContactTable).focus()
        d = self.app.directory
        if d is not None:  # show the index at once, even if a newer one is on its way
            self._use(d)
            if d.is_current():
                self._warm(d)
        self.app.with_directory(self._ready)

    @property
    def table(self) -> ContactTable:
        return self.query_one(ContactTable)

    @property
    def search_box(self) -> Input:
        return self.query_one("#contacts-query", Input)

    # ---- the directory and the search ---------------------------------------------------

    def _ready(self, directory) -> None:
        self._arrived(directory)
        self.mark_fresh()

    def on_directory_loaded(self, _message) -> None:
        if self.app.directory is not None:
            self._arrived(self.app.directory)

    def _arrived(self, directory) -> None:
        """A (newer) directory. With nothing on screen yet it is used at once; otherwise
        a worker readies it for the search on screen and then swaps it in, so the
        first search on a fresh index (its sort order, its caches: 0.1 s at 100,000
        contacts) does not stall the list."""
        if directory is self.directory or directory is self._incoming:
            return
        if self.directory is None or self.result is None:
            self._use(directory)
            self._warm(directory)
        else:
            self._incoming = directory
            self._prepare(directory, self.query_text, self.sort, self.reverse)

    def _use(self, directory) -> None:
        self.directory = directory
        self.table.empty_message = t("contacts.none")
        self.search(keep=True)

    @work(thread=True, group="contacts-warm")
    def _warm(self, directory) -> None:
        """Fill the search's caches off the UI thread (the first keystrokes stay quick);
        it stops early if the screen moved on to a newer directory."""
        worker = get_current_worker()
        directory.warm(stop=lambda: worker.is_cancelled or self.directory is not directory)

    @work(thread=True, group="contacts-warm")
    def _prepare(self, directory, query: str, sort: str, reverse: bool) -> None:
        worker = get_current_worker()
        directory.find(query, sort=sort, reverse=reverse)
        if worker.is_cancelled:
            return
        self.app.call_from_thread(self._swap, directory)
        directory.warm(stop=lambda: worker.is_cancelled or self.directory is not directory)

    def _swap(self, directory) -> None:
        if self._incoming is directory:
            self._incoming = None
            self._use(directory)

    def reload(self) -> None:
        """The book changed while away: the same search on the current directory."""
        self.app.with_directory(self._ready)
        if self.directory is not None:
            self.search(keep=True)

    @on(Input.Changed, "#contacts-query")
    def _typed(self, event: Input.Changed) -> None:
        """Search as the seller types. While searches are quick the results come with
        the keystroke's own frame; after a slow one the search waits for the input
        to repaint (one frame), and keys typed meanwhile make a single search."""
        self._pending = event.value
        if self._scheduled:
            return
        if self._last_search < QUICK_SEARCH:
            self._flush()
        else:
            self._scheduled = True
            self.call_after_refresh(self._flush)

    def _flush(self) -> None:
        self._scheduled = False
        text, self._pending = self._pending, None
        if text is not None and text != self.query_text:
            self.query_text = text
            self.search()

    def search(self, keep: bool = False) -> None:
        d = self.directory
        if d is None:
            return
        start = perf_counter()
        try:
            result = d.find(self.query_text, sort=self.sort, reverse=self.reverse)
        except Exception as e:
            self.report(e)
            return
        self._last_search = perf_counter() - start
        self.searches += 1
        self.result = result
        self._index = None
        self.table.set_rows(
            len(result),
            self._row,
            row_key=result.__getitem__,
            index_of=self._index_of,
            keep_key=keep,
        )
        self._status()
        self._header()

    def _index_of(self, key) -> int | None:
        result = self.result
        if result is None:
            return None
        head = result.head(min(len(result), 256))
        if key in head:
            return head.index(key)
        if self._index is None:
            self._index = {cid: i for i, cid in enumerate(result.ids)}
        return self._index.get(key)

    def _row(self, i: int):
        d = self.directory
        cid = self.result[i]
        e = d.entries.get(cid)
        if e is None:
            return ("", f"#{cid}")
        name = Text(safe(e.name, max_len=200))
        if e.nickname and e.nickname != e.name:
            name.append(f" · {safe(e.nickname, max_len=200)}", style="dim")
        cells = (
            "★" if e.favourite else "",
            name,
            stage_badge(d.stage(cid)),
            tier_badge(d.tier(cid)),
            " ".join(e.tags),
            e.account,
            _day(e.last_contact),
            _day(e.next_follow_up),
        )
        if e.archived:
            return StyledRow(cells, "dim")
        if e.due:
            return StyledRow(cells, "warning")
        return cells

    def _header(self) -> None:
        # (while the book is being read, its size is not known: not "0")
        total = f"{len(self.directory):,}" if self.directory is not None else "…"
        arrow = "↑" if self._ascending() else "↓"
        text = t(
            "contacts.header",
            total=total,
            sort=t(f"contacts.sort.{self.sort}"),
            arrow=arrow,
        )
        self.query_one("#contacts-header", Static).update(Text(text))

    def _ascending(self) -> bool:
        from kamtui.search import SORT_DESCENDING

        return SORT_DESCENDING.get(self.sort, False) == self.reverse

    def _status(self) -> None:
        result = self.result
        if result is None:
            return
        parts = []
        count = f"{len(result):,}"
        if result.similar and result.similar == len(result):
            parts.append(t("contacts.only_similar", count=count))
        elif result.similar:
            parts.append(t("search.count_similar", count=count, similar=f"{result.similar:,}"))
        else:
            parts.append(t("search.count", count=count))
        selected = len(self.table.selected_keys)
        if selected:
            parts.append(t("contacts.selected", n=selected))
        parts.extend(n.message() for n in result.notes)
        line = Text("  · ".join(parts))
        self.query_one("#contacts-status", Static).update(line)

    @on(VirtualTable.SelectionChanged)
    def _selection(self, _event) -> None:
        self._status()

    # ---- moving around ---------------------------------------------------------------------

    # Focus moves at once (Widget.focus waits for the queue: keys typed right after
    # "/" would still go to the list).

    def action_focus_search(self) -> None:
        self.set_focus(self.search_box)

    def action_slash(self) -> None:
        box = self.search_box
        if box.has_focus:
            box.insert_text_at_cursor("/")
        else:
            self.set_focus(box)

    def action_focus_table(self) -> None:
        if not self.search_box.has_focus:
            raise SkipAction()
        self.set_focus(self.table)

    def action_escape(self) -> None:
        box = self.search_box
        if box.has_focus:
            if box.value:
                box.value = ""
            else:
                self.set_focus(self.table)
        elif box.value:
            box.value = ""
        else:
            raise SkipAction()

    @on(Input.Submitted, "#contacts-query")
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        self._flush()
        key = self.table.cursor_key
        if key is not None:
            self.open(key)
        else:
            self.set_focus(self.table)

    @on(VirtualTable.Selected)
    def _selected(self, event: VirtualTable.Selected) -> None:
        if event.key is not None:
            self.open(event.key)

    def open(self, contact_id: int) -> None:
        # Coming back, the list has the focus (keys act on the contact just seen;
        # "/" goes back to the search).
        self.set_focus(self.table)
        open_contact(self.app, contact_id)

    # ---- which contacts an action applies to ----------------------------------------------

    def targets(self) -> list[int]:
        """The selection in list order (then any selected contacts not shown), else the cursor."""
        selected = self.table.selected_keys
        if selected:
            shown = [cid for cid in self.result.ids if cid in selected] if self.result else []
            rest = sorted(selected.difference(shown))
            return shown + rest
        key = self.table.cursor_key
        return [key] if key is not None else []

    def _contact_name(self, contact_id: int) -> str:
        e = self.directory.entries.get(contact_id) if self.directory else None
        return e.name if e else f"#{contact_id}"

    def _confirm(self, question: str, run) -> None:
        def answer(yes: bool | None) -> None:
            if yes:
                self._run(run)

        self.app.push_screen(ConfirmModal(question), answer)

    def _run(self, run) -> None:
        try:
            run()
        except Exception as e:
            self.report(e)

    def after(self, message: str, ids, *, reclassify: bool = False, clear: bool = True) -> None:
        """Contacts changed: the directory follows, the list keeps its place, say so."""
        if clear:
            self.table.clear_selection()
        ids = list(ids)
        self.app.contacts_changed(ids, reclassify=reclassify)
        d = self.directory
        if d is not None and d is not self.app.directory:  # a newer one is being readied
            d.refresh(ids, reclassify=reclassify)
        self.search(keep=True)
        self.mark_fresh()
        self.notify(message, markup=False)

    def _guard(self) -> list[int]:
        ids = self.targets() if self.directory is not None else []
        if not ids:
            self.notify(t("contacts.nothing_chosen"), severity="warning", markup=False)
        return ids

    # ---- actions ------------------------------------------------------------------------------

    def action_new(self) -> None:
        def saved(cid: int) -> None:
            self.app.contacts_changed([cid], reclassify=True)
            self.search(keep=True)
            index = self._index_of(cid)
            if index is not None:
                self.table.move_cursor(index)
            self.mark_fresh()
            self.notify(t("contacts.added", name=self._contact_name(cid)), markup=False)

        forms.open_contact_form(self, None, saved)

    def action_edit(self) -> None:
        key = self.table.cursor_key
        if key is None:
            return
        forms.open_contact_form(
            self, key, lambda cid: self.after(t("page.saved"), [cid], reclassify=True, clear=False)
        )

    def action_tag(self) -> None:
        from kamtui import tags

        ids = self._guard()
        if not ids:
            return
        if len(ids) == 1:
            forms.open_tags_for(
                self,
                ids[0],
                self._contact_name(ids[0]),
                lambda _ok: self.after(t("page.tags_saved"), ids, clear=False),
            )
            return

        def picked(name) -> None:
            if not name:
                return

            def run() -> None:
                tags.tag_contacts(self.book, ids, [name])
                self.after(t("contacts.tagged", name=name, n=len(ids)), ids)

            self._confirm(t("contacts.tag_question", name=name, n=len(ids)), run)

        self.app.push_screen(
            forms.TagModal(t("contacts.tag_title", n=len(ids)), tags.list_tags(self.book)), picked
        )

    def action_untag(self) -> None:
        from kamtui import tags

        ids = self._guard()
        if not ids:
            return
        counts: dict[str, int] = {}
        for cid in ids:
            e = self.directory.entries.get(cid)
            for name in e.tags if e else ():
                counts[name] = counts.get(name, 0) + 1
        if not counts:
            self.notify(t("contacts.no_tags"), markup=False)
            return
        names = sorted(counts.items(), key=lambda x: (-x[1], x[0]))

        def picked(name) -> None:
            if not name:
                return

            def run() -> None:
                tags.untag_contacts(self.book, ids, [name])
                self.after(t("contacts.untagged", name=name, n=len(ids)), ids)

            self._confirm(t("contacts.untag_question", name=name, n=len(ids)), run)

        modal = forms.TagModal(t("contacts.untag_title", n=len(ids)), names, allow_new=False)
        self.app.push_screen(modal, picked)

    def action_favourite(self) -> None:
        from kamtui.contacts import set_favourite

        ids = self._guard()
        if not ids:
            return
        entries = self.directory.entries
        pin = not all(entries[c].favourite for c in ids if c in entries)
        message = t("contacts.pinned" if pin else "contacts.unpinned", n=len(ids))

        def run() -> None:
            set_favourite(self.book, ids, pin)
            self.after(message, ids)

        if len(ids) == 1:
            self._run(run)
        else:
            key = "contacts.pin_question" if pin else "contacts.unpin_question"
            self._confirm(t(key, n=len(ids)), run)

    def action_account(self) -> None:
        from kamtui import accounts, contactview

        ids = self._guard()
        if not ids:
            return
        options = [
            (a.name, f"{a.name}  ({a.friends}/{a.friend_cap})")
            for a in accounts.list_accounts(self.book)
        ]
        options.append(("", t("contacts.no_account")))

        def picked(name) -> None:
            if name is None:
                return
            label = name or t("contacts.no_account")

            def run() -> None:
                contactview.set_account(self.book, ids, name or None)
                self.after(t("contacts.account_set", account=label, n=len(ids)), ids)

            if len(ids) == 1:
                self._run(run)
            else:
                self._confirm(t("contacts.account_question", account=label, n=len(ids)), run)

        self.app.push_screen(ChoiceModal(t("contacts.account_title", n=len(ids)), options), picked)

    def action_archive(self) -> None:
        from kamtui.contacts import archive_contacts, restore_contacts

        ids = self._guard()
        if not ids:
            return
        entries = self.directory.entries
        restore = all(entries[c].archived for c in ids if c in entries)
        if restore:
            question = t("contacts.restore_question", n=len(ids), name=self._contact_name(ids[0]))
        else:
            question = t("contacts.archive_question", n=len(ids), name=self._contact_name(ids[0]))

        def run() -> None:
            if restore:
                n = restore_contacts(self.book, ids)
                self.after(t("contacts.restored", n=n), ids, reclassify=True)
            else:
                n = archive_contacts(self.book, ids)
                self.after(t("contacts.archived", n=n), ids, reclassify=True)

        self._confirm(question, run)

    def action_export(self) -> None:
        from kamtui import contactview

        ids = self._guard()
        if not ids:
            return

        def submit(v: dict[str, str]):
            return contactview.export_selection(self.book, ids, v["path"])

        def done(result) -> None:
            if result is not None:
                self.notify(
                    t("contacts.exported", n=result.count, path=str(result.path)), markup=False
                )

        field = Field("path", t("contacts.field.path"), str(contactview.default_export_path()))
        self.app.push_screen(
            FormModal(t("contacts.export_title", n=len(ids)), [field], submit), done
        )

    def action_merge(self) -> None:
        from kamtui.screens.picker import ContactPicker

        modal = merge_dialog()
        if modal is None:
            self.notify(t("contacts.merge_unavailable"), severity="warning", markup=False)
            return
        ids = self._guard()
        if not ids:
            return
        if len(ids) > 2:
            self.notify(t("contacts.merge_two"), severity="warning", markup=False)
            return

        def merge(keep: int, drop: int) -> None:
            def merged(ok) -> None:
                if ok:
                    self.after(t("contacts.merged"), [keep, drop], reclassify=True)

            self.app.push_screen(modal(keep, drop), merged)

        if len(ids) == 2:
            merge(ids[0], ids[1])
            return

        def picked(other) -> None:
            if other is not None and other != ids[0]:
                merge(ids[0], other)

        self.app.push_screen(
            ContactPicker(t("contacts.merge_pick", name=self._contact_name(ids[0]))), picked
        )

    def action_undo(self) -> None:
        from kamtui import contactview, safety

        try:
            pending = safety.undoable_actions(self.book, 1)
        except Exception as e:
            self.report(e)
            return
        if not pending:
            self.notify(t("err.nothing_to_undo"), markup=False)
            return

        def run() -> None:
            result, ids = contactview.undo_last(self.book)
            message = t("undo.done", label=result.action.label, rows=result.rows)
            if ids is None:
                self.table.clear_selection()
                self.app.load_directory()  # rebuilt off the UI thread; the list follows
                self.app.prepare_cleanup()
                self.notify(message, markup=False)
            else:
                self.after(message, ids, reclassify=True)

        self._confirm(t("contacts.undo_question", label=pending[0].label), run)

    def action_sort(self) -> None:
        options = [(s, t(f"contacts.sort.{s}") + ("  ✓" if s == self.sort else "")) for s in SORTS]

        def picked(sort) -> None:
            if sort is None:
                return
            self.sort = sort
            self.reverse = False
            self.search(keep=True)

        self.app.push_screen(ChoiceModal(t("contacts.sort_title"), options), picked)

    def action_reverse(self) -> None:
        self.reverse = not self.reverse
        self.search(keep=True)
