"""The kamtui app: sections switched with number keys, the palette, help, theme, language.

Kept small: screens live in ``kamtui/screens/`` and call domain functions.
Each top-level section is a Textual *mode* with its own screen stack, listed in
:data:`SECTIONS` (a section joins when its screen exists).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.message import Message

from kamtui import clock, i18n
from kamtui.i18n import t
from kamtui.screens.base import TranslatedBindings, translate_bindings

if TYPE_CHECKING:
    from textual.screen import Screen

    from kamtui.store.db import Book

RELAUNCH = "relaunch"
# More contacts changed than this (kamtui.cleanup_update.MOST_CHANGES), at once or one
# change after another: the clean-up's duplicate analysis is made again in the
# background if a review would have to make it from every contact (prepare_cleanup).
PREPARE_AFTER = 5_000
NAVIGATION = ("cursor_", "extend_", "scroll_")


@dataclass(frozen=True)
class Section:
    name: str
    key: str
    module: str
    cls: str
    title_key: str

    def factory(self):
        module = importlib.import_module(self.module)
        return getattr(module, self.cls)()


SECTIONS: list[Section] = [
    Section("today", "1", "kamtui.screens.today", "TodayScreen", "section.today"),
    Section("contacts", "2", "kamtui.screens.contacts", "ContactsScreen", "section.contacts"),
    Section("cleanup", "3", "kamtui.screens.cleanup", "CleanupScreen", "section.cleanup"),
    Section("insights", "4", "kamtui.screens.insights", "InsightsScreen", "section.insights"),
]


def _section_bindings() -> list[Binding]:
    return [
        Binding(s.key, f"section('{s.name}')", s.title_key, id=f"section.{s.name}")
        for s in SECTIONS
    ]


class DirectoryLoaded(Message):
    """The contact directory (search index) is ready or was rebuilt."""


class KamtuiApp(App[str]):
    TITLE = "kamtui"
    CSS_PATH = "screens/app.tcss"
    BINDINGS = [
        *_section_bindings(),
        Binding("question_mark,f1", "help", "key.help", id="app.help"),
        Binding("ctrl+o", "import_file", "key.import", id="app.import"),
        Binding("ctrl+q", "quit", "key.quit", id="app.quit", show=False, priority=True),
    ]

    def __init__(self, book: Book, *, demo: bool = False, start: str | None = None):
        super().__init__()
        self._bindings = translate_bindings(self._bindings)
        self.book = book
        self.demo = demo
        self.directory = None  # kamtui.directory.Directory, built off the UI thread
        # Whole-book background jobs (the directory, the day's reminders) take this
        # lock, so they run one after the other: they are Python work sharing one GIL,
        # so side by side they finish no sooner, slow the UI thread more and add up
        # their memory peaks (~50 MB at 100,000 contacts). Never taken on the UI thread.
        self.heavy_work = threading.Lock()
        self._directory_waiters: list = []
        self._changed_while_loading: set[int] = set()
        self._reclassify_after_load = False
        self._reminders_derived = False
        self._changed_since_prepare = 0  # contacts changed here since (see PREPARE_AFTER)
        self.start_section = start or (SECTIONS[0].name if SECTIONS else None)
        for section in SECTIONS:
            self.add_mode(section.name, section.factory)

    def on_mount(self) -> None:
        from kamtui import settings

        saved = settings.get(self.book, "ui.theme")
        if saved and saved in self.available_themes:
            self.theme = saved
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self.sub_title = str(self.book.path) + (f"  · {t('app.demo_badge')}" if self.demo else "")
        if self.start_section:
            self.switch_mode(self.start_section)
        self.call_after_refresh(self.daily_care)  # after the first frame (see Today)
        self.call_after_refresh(self.load_directory)

    # ---- the contact directory (search index), shared by every screen ------------------

    @work(thread=True, exclusive=True, group="directory")
    def load_directory(self) -> None:
        """Build the whole book's search index in a worker; screens get it when ready."""
        import gc

        from kamtui import clock, directory

        try:
            with self.heavy_work:
                if self.start_section != "today" and not self._reminders_derived:
                    # Opened on another section: the day's reminders (Today derives
                    # them when it opens) before the index, whose rows show the next.
                    from kamtui import followup

                    self._reminders_derived = True
                    followup.refresh(self.book, clock.today())
                built = directory.load(self.book, clock.today())
        except Exception as e:
            self.call_from_thread(self.report_unexpected, e)
            return
        gc.collect()
        gc.freeze()  # the index is long-lived: keep full collections off it
        self.call_from_thread(self._directory_loaded, built)

    def _directory_loaded(self, built) -> None:
        if self._changed_while_loading:  # our own changes made while it was being built
            built.refresh(self._changed_while_loading, reclassify=self._reclassify_after_load)
            self._changed_while_loading = set()
            self._reclassify_after_load = False
        self.directory = built
        waiters, self._directory_waiters = self._directory_waiters, []
        for callback in waiters:
            _if_attached(callback, built)  # (a screen closed meanwhile is skipped)
        self.screen.post_message(DirectoryLoaded())

    def with_directory(self, callback) -> None:
        """Call ``callback(directory)`` now if the index is ready and current, else when it is.

        If the book changed behind the index (another process), it is rebuilt first.
        """
        d = self.directory
        if d is not None and d.is_current() and d.today == clock.today():
            callback(d)
            return
        self._directory_waiters.append(callback)
        if d is not None or len(self._directory_waiters) == 1:
            self.load_directory()

    def contacts_changed(self, contact_ids, *, reclassify: bool = False) -> None:
        """Screens call this after changing contacts: the index follows in place.

        Changes made while the index is being built are applied once it is ready.
        """
        ids = set(contact_ids)
        self._changed_since_prepare += len(ids)
        if self._changed_since_prepare > PREPARE_AFTER:
            self._changed_since_prepare = 0
            self.prepare_cleanup()
        loading = any(w.group == "directory" and w.is_running for w in self.workers)
        if loading or self.directory is None:
            self._changed_while_loading |= ids
            self._reclassify_after_load |= reclassify
        if self.directory is not None:
            self.directory.refresh(ids, reclassify=reclassify)

    @work(thread=True, exclusive=True, group="cleanup-prepare")
    def prepare_cleanup(self) -> None:
        """After a change of many contacts at once (or an undo of unknown reach): the
        clean-up's duplicate analysis made now, if a review would have to make it from
        every contact (:func:`kamtui.cleanup.prepare`; a review opened meanwhile waits
        for it instead of making it twice)."""
        from kamtui import cleanup

        try:
            with self.heavy_work:
                cleanup.prepare(self.book)
        except Exception:
            pass  # (a cache: the clean-up makes it when opened, and says what fails then)

    @work(thread=True, exclusive=True, group="daily-care")
    def daily_care(self) -> None:
        """Once a day, off the UI thread: a checked backup, thinning, and undo pruning."""
        from kamtui.safety import BackupFailed, DamagedBook, daily_care

        try:
            daily_care(self.book)
        except DamagedBook as e:
            self.call_from_thread(
                self.notify, e.message, severity="error", markup=False, timeout=30
            )
        except BackupFailed as e:
            self.call_from_thread(self.notify, e.message, severity="warning", markup=False)
        except Exception as e:
            self.call_from_thread(self.report_unexpected, e)

    def _remember_theme(self, theme) -> None:
        from kamtui import settings

        settings.put(self.book, "ui.theme", theme.name)

    # ---- actions -------------------------------------------------------------

    def action_section(self, name: str) -> None:
        if name in {s.name for s in SECTIONS}:
            self.switch_mode(name)

    def action_help(self) -> None:
        from kamtui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    def action_import_file(self) -> None:
        from kamtui.screens.import_screen import open_import

        open_import(self)

    def action_language(self, lang: str) -> None:
        """Switch the language: saved in the book; the app reopens in it."""
        from kamtui import settings

        settings.put(self.book, "ui.language", lang)
        i18n.set_language(lang)
        self.exit(RELAUNCH)

    # ---- the command palette ----------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action of the current screen, then the app-wide ones."""
        from kamtui.screens.help import key_label

        seen: set[tuple[str, str]] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or not active.enabled:
                continue
            if binding.action.startswith(NAVIGATION):
                continue  # moving the cursor is not a command
            if not isinstance(active.node, (TranslatedBindings, App)):
                continue  # a text field's editing keys are not commands either
            ident = (binding.action, binding.description)
            if ident in seen:
                continue
            seen.add(ident)
            node = active.node

            def run(action=binding.action, node=node):
                self.call_later(self.run_action, action, node)

            yield SystemCommand(binding.description, t("palette.key", key=key_label(key)), run)
        for lang in ("zh", "en"):
            if lang != i18n.language():
                yield SystemCommand(
                    t(f"palette.language_{lang}"),
                    t("palette.language_help"),
                    lambda lang=lang: self.action_language(lang),
                )
        yield SystemCommand(t("palette.export"), t("palette.export_help"), self._open_export)
        yield SystemCommand(t("palette.theme"), t("palette.theme_help"), self.action_change_theme)
        yield SystemCommand(t("palette.quit"), t("palette.quit_help"), self.action_quit)

    def _open_export(self) -> None:
        from kamtui.screens.export_dialog import open_export

        open_export(self)

    # ---- errors: never a traceback on the seller's screen ---------------------------

    def call_from_thread(self, callback, *args, **kwargs):
        """Textual's, but a worker's answer for a screen or widget no longer in the app
        (the seller quit, or left the screen, while it worked) is dropped (None): run
        on a pruned screen, it raised in the worker, and the app ended on a crash."""
        return super().call_from_thread(_if_attached, callback, *args, **kwargs)

    def report_unexpected(self, error: BaseException) -> None:
        from kamtui.cli import log_internal_error

        path = log_internal_error(error)
        self.notify(
            t("app.unexpected", error=type(error).__name__, log=path or "-"),
            severity="error",
            markup=False,
            timeout=12,
        )

    def _handle_exception(self, error: Exception) -> None:
        from rich.text import Text

        from kamtui.cli import log_internal_error

        path = log_internal_error(error)
        super()._handle_exception(error)
        # Replace Textual's traceback with a short message; the details are in the log.
        self._exit_renderables.clear()
        self._exit_renderables.append(
            Text(t("app.crashed", error=type(error).__name__, log=path or "-"))
        )


def _if_attached(callback, *args, **kwargs):
    """``callback(*args, **kwargs)``, unless it is a method of a screen or widget no
    longer in the app (or the app is closing: then no node is attached)."""
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, DOMNode) and not owner.is_attached:
        return None
    return callback(*args, **kwargs)


def run_app(book: Book, *, demo: bool = False, start: str | None = None) -> int:
    """Run the app until the seller quits (reopening it after a language switch), on
    the section ``start`` (default: the ``ui.start_section`` setting)."""
    from kamtui import settings

    start = start or settings.get(book, "ui.start_section")
    while True:
        app = KamtuiApp(book, demo=demo, start=start)
        result = app.run()
        if result != RELAUNCH:
            return app.return_code or 0
