"""Importing a contacts file: choose it, map its columns, preview the plan, apply it.

Three screens pushed on top of the current section (Esc goes back one step and
changes nothing; from the first step it closes the import):

1. :class:`ImportScreen` — a path with Tab completion (:mod:`.filepick`); the
   file's format, encoding and layout show as soon as the path names a file
   (``preview`` in a worker). Enter goes on.
2. :class:`MappingScreen` — the file's columns with sample values and the field
   each feeds. Enter picks a field, ``x`` skips a column, ``s`` saves the mapping
   as a named profile, ``l`` applies a saved one (by header name), ``a`` puts
   the whole file on one account, ``c`` creates unknown accounts. ``p`` plans.
3. :class:`PlanScreen` — ``read_file`` + ``plan_import`` in a worker with a
   progress bar; the counts, rejected rows and warnings, and the conflicts
   (Enter or space toggles one between keeping the book's value and taking the
   file's; ``b`` keeps all, ``f`` takes all). ``i`` imports after a confirmation
   (``apply_import`` in a worker: backup, one undoable transaction), then a
   summary; the contact directory is rebuilt.

Nothing is written to the book before ``i`` is confirmed (saving a mapping
profile with ``s`` is the seller's explicit choice). A book changed meanwhile
(``ImportStale``) is planned again, keeping the conflicts already switched to
"take". Errors are one message in the seller's language, never a traceback.

Heavy work runs in thread workers; progress reaches the screen through
:class:`ProgressRelay`, at most every 100 ms.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import ProgressBar, Static
from textual.worker import get_current_worker

from kamtui.errors import KamtuiError
from kamtui.fmt import safe
from kamtui.i18n import t
from kamtui.screens.base import KamtuiScreen, plain
from kamtui.screens.filepick import PathPicker, shorten
from kamtui.screens.forms import ChoiceModal, ConfirmModal, Field, FormModal
from kamtui.screens.widgets import Column, GroupRow, StyledRow, VirtualTable
from kamtui.screens.widgets.footer import Footer

if TYPE_CHECKING:
    from kamtui.importing import ImportPlan, ImportReport, Mapping, Preview

SAMPLES = 3  # sample values shown per column
SKIP = ""  # the "(skip)" choice of the field picker (None means Esc)

#: The folder last used per book in this process (persisted when an import is applied).
_FOLDERS: dict[str, str] = {}


# ---- shared helpers ------------------------------------------------------------------


class ProgressRelay:
    """A worker's ``progress(...)`` callback that reaches the UI at most every ``every`` s.

    ``update(stage, done, total)`` runs on the UI thread. The first call of a stage
    and the last one (``done >= total``) always get through.
    """

    def __init__(self, app, update: Callable[[str, int, int], None], every: float = 0.1):
        self.app = app
        self.update = update
        self.every = every
        self.stage: str | None = None
        self.last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage == self.stage and done < total and now - self.last < self.every:
            return
        self.stage = stage
        self.last = now
        try:
            self.app.call_from_thread(self.update, stage, done, total)
        except RuntimeError:  # the app is closing
            pass

    def stage_of(self, stage: str) -> Callable[[int, int], None]:
        """A two-argument ``progress(done, total)`` for one stage (``read_file``, exports)."""
        return lambda done, total: self(stage, done, total)


def field_label(name: str | None) -> str:
    from kamtui.validate import label

    if not name:
        return t("import.field.skip")
    if name == "account":  # the seller's own account, not the friend's WeChat ID
        return t("ioscreen.field_account")
    return label(name)


def _samples(preview: Preview, index: int, n: int = SAMPLES) -> list[str]:
    out = []
    for row in preview.sample:
        if index < len(row):
            value = row[index]
            text = "" if value is None else str(value).strip()
            if text:
                out.append(safe(text, max_len=40))
        if len(out) >= n:
            break
    return out


@dataclass
class ImportSession:
    """What the seller chose so far."""

    path: Path
    preview: Preview
    mapping: Mapping | None  # None for vCard files
    account_id: int | None = None
    account_name: str = ""
    create_accounts: bool = False

    @property
    def is_vcard(self) -> bool:
        return self.mapping is None

    @property
    def layout(self) -> str:
        if self.preview.detection is None:
            return "vcard"
        return self.mapping.layout if self.mapping else self.preview.detection.layout.name


def open_import(app, path: str | Path | None = None) -> None:
    """Push the import flow on top of the current screen (not twice)."""
    if any(isinstance(s, ImportFlowScreen) for s in app.screen_stack):
        return
    app.push_screen(ImportScreen(str(path) if path else None))


def describe_file(preview: Preview) -> str:
    """``seller.csv · CSV · UTF-8 · 9 columns · A seller's own spreadsheet (8 recognised)``."""
    name = safe(preview.path.name, max_len=60)
    if preview.detection is None:
        return t("ioscreen.file_vcard", file=name)
    d = preview.detection
    known = sum(1 for f in d.mapping.fields if f)
    return t(
        "ioscreen.file_info",
        file=name,
        format=preview.format.upper(),
        encoding=(preview.encoding or "-").upper(),
        columns=len(preview.headers),
        layout=t(f"import.layout.{d.layout.name}"),
        known=known,
    )


class ImportFlowScreen(KamtuiScreen):
    """A step of the import: Esc goes back; ``finish`` closes the whole flow."""

    def finish(self) -> None:
        self.dismiss("done")

    def _after_next(self, result) -> None:
        if result == "done":
            self.finish()


# ---- step 1: the file ----------------------------------------------------------------


class ImportScreen(ImportFlowScreen):
    TITLE_KEY = "ioscreen.title"
    DEFAULT_CSS = """
    ImportScreen #import-hint { padding: 0 1; color: $text-muted; }
    ImportScreen PathPicker { padding: 0 1; }
    ImportScreen #file-info { height: auto; min-height: 2; padding: 0 1; }
    ImportScreen #file-info.error { color: $text-error; }
    """
    BINDINGS = [Binding("escape", "back", "ioscreen.key.close", id="import.close")]

    def __init__(self, start: str | None = None) -> None:
        super().__init__()
        self.start = start
        self.preview: Preview | None = None
        self.error: str | None = None
        self._pending: Path | None = None  # the file being previewed
        self._go_when_ready = False

    def compose(self) -> ComposeResult:
        yield Static(Text(t("ioscreen.step1")), classes="section-header", id="import-step")
        yield Static(Text(t("ioscreen.file_hint")), id="import-hint")
        yield PathPicker(self._start_text(), id="picker")
        yield Static("", id="file-info")
        yield Footer()

    def _start_text(self) -> str:
        if self.start:
            return self.start
        folder = _FOLDERS.get(str(self.book.path))
        if folder is None:
            from kamtui.importing.profiles import last_folder

            try:
                folder = last_folder(self.book)
            except Exception:
                folder = None
        if folder and Path(folder).is_dir():
            return shorten(folder).rstrip("/") + "/"
        return "~/"

    def on_mount(self) -> None:
        super().on_mount()
        picker = self.query_one(PathPicker)
        picker.focus_input()
        path = picker.typed_file()
        if path is not None:
            self._preview(path)

    def _info(self, text: str, *, error: bool = False) -> None:
        info = self.query_one("#file-info", Static)
        info.update(Text(text))
        info.set_class(error, "error")

    @on(PathPicker.Changed)
    def _changed(self, event: PathPicker.Changed) -> None:
        self._go_when_ready = False
        if event.path is None:
            self.preview = None
            self.error = None
            self._pending = None
            self._info("")
            return
        self._preview(event.path)

    @on(PathPicker.Chosen)
    def _chosen(self, event: PathPicker.Chosen) -> None:
        path = event.path
        if self.preview is not None and self.preview.path == path:
            self._go(self.preview)
        elif self.error is not None and self._pending == path:
            self.app.bell()  # the message is already on screen
        else:
            self._go_when_ready = True
            if self._pending != path:
                self._preview(path)

    def _preview(self, path: Path) -> None:
        self.preview = None
        self.error = None
        self._pending = path
        self._info(t("ioscreen.reading", file=safe(path.name)))
        self._preview_worker(path)

    @work(thread=True, exclusive=True, group="import-preview")
    def _preview_worker(self, path: Path) -> None:
        from kamtui.importing import preview

        worker = get_current_worker()
        try:
            found = preview(path)
        except KamtuiError as e:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._preview_failed, path, e.message)
            return
        except Exception as e:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._preview_failed, path, None, e)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._previewed, found)

    def _previewed(self, found: Preview) -> None:
        if found.path != self._pending:
            return
        self.preview = found
        self._info(describe_file(found) + "\n" + t("ioscreen.file_next"))
        if self._go_when_ready:
            self._go(found)

    def _preview_failed(self, path: Path, message: str | None, error=None) -> None:
        if path != self._pending:
            return
        if message is None:
            from kamtui.cli import log_internal_error

            log_internal_error(error)
            message = t(
                "ioscreen.file_unexpected", file=safe(path.name), error=type(error).__name__
            )
        self.error = message
        self._go_when_ready = False
        self._info(message, error=True)

    def _go(self, found: Preview) -> None:
        self._go_when_ready = False
        mapping = found.detection.mapping if found.detection is not None else None
        session = ImportSession(found.path, found, mapping)
        _FOLDERS[str(self.book.path)] = str(found.path.parent)
        self.app.push_screen(MappingScreen(session), self._after_next)

    def action_back(self) -> None:
        self.workers.cancel_group(self, "import-preview")
        self.dismiss(None)


# ---- step 2: the columns -------------------------------------------------------------


class FieldChoice(ChoiceModal):
    """The field picker, opened on the column's current field."""

    def __init__(self, title: str, options, current: int = 0) -> None:
        super().__init__(title, options)
        self.current = current

    def on_mount(self) -> None:
        super().on_mount()
        from textual.widgets import OptionList

        self.query_one(OptionList).highlighted = self.current


class MappingScreen(ImportFlowScreen):
    TITLE_KEY = "ioscreen.title"
    DEFAULT_CSS = """
    MappingScreen #map-file, MappingScreen #map-account { padding: 0 1; height: auto; }
    MappingScreen #map-account { color: $text-accent; }
    MappingScreen VirtualTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("x", "skip", "ioscreen.key.skip", id="import.skip"),
        Binding("s", "save_profile", "ioscreen.key.save_profile", id="import.save_profile"),
        Binding("l", "load_profile", "ioscreen.key.load_profile", id="import.load_profile"),
        Binding("a", "account", "ioscreen.key.account", id="import.account"),
        Binding("c", "create_accounts", "ioscreen.key.create", id="import.create_accounts"),
        Binding("p", "plan", "ioscreen.key.plan", id="import.plan"),
        Binding("escape", "back", "key.back", id="import.back"),
    ]

    def __init__(self, session: ImportSession) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield Static(Text(t("ioscreen.step2")), classes="section-header", id="import-step")
        yield Static("", id="map-file")
        yield Static("", id="map-account")
        yield VirtualTable(
            [
                Column("n", "#", width=3, align="right"),
                Column("header", t("ioscreen.col.header"), min_width=10, ratio=2),
                Column("field", t("ioscreen.col.field"), min_width=12, ratio=2),
                Column("sample", t("ioscreen.col.sample"), min_width=16, ratio=4),
            ],
            empty_message=t("ioscreen.vcard_no_columns"),
            multi_select=False,
            id="columns",
        )
        yield Static("", id="map-status", classes="status-line")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.show_mapping()
        self.show_account()
        self.query_one(VirtualTable).focus()

    # ---- showing ---------------------------------------------------------------------

    def _row(self, index: int):
        mapping = self.session.mapping
        header, fld = mapping.columns[index]
        cells = (
            str(index + 1),
            safe(header) or t("ioscreen.no_header"),
            field_label(fld),
            " · ".join(_samples(self.session.preview, index)),
        )
        if fld:
            return cells
        if header.strip() and header in mapping.unmapped:
            cells = (cells[0], cells[1], "? " + t("ioscreen.unrecognised"), cells[3])
            return StyledRow(cells, "warning")
        return StyledRow(cells, "dim")

    def show_mapping(self, keep: bool = True) -> None:
        s = self.session
        table = self.query_one(VirtualTable)
        if s.mapping is None:
            table.set_data([])
            counts = ""
        else:
            n = len(s.mapping.columns)
            table.set_rows(n, self._row, keep_key=keep)
            used = sum(1 for f in s.mapping.fields if f)
            unknown = sum(
                1 for h, f in s.mapping.columns if not f and h.strip() and h in s.mapping.unmapped
            )
            counts = t("ioscreen.map_counts", n=n, used=used, skipped=n - used, unknown=unknown)
        line = describe_file(s.preview)
        if s.mapping is not None and s.mapping.layout != (
            s.preview.detection.layout.name if s.preview.detection else "vcard"
        ):
            line = (
                line + "  · " + t("ioscreen.mapping_layout", layout=t(f"import.layout.{s.layout}"))
            )
        self.query_one("#map-file", Static).update(Text(line + ("\n" + counts if counts else "")))

    def show_account(self) -> None:
        s = self.session
        account = safe(s.account_name) if s.account_id else t("ioscreen.account_from_file")
        create = t("ioscreen.yes") if s.create_accounts else t("ioscreen.no")
        self.query_one("#map-account", Static).update(
            Text(t("ioscreen.account_line", account=account, create=create))
        )

    @on(VirtualTable.Highlighted, "#columns")
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        status = self.query_one("#map-status", Static)
        mapping = self.session.mapping
        if mapping is None or event.index is None or event.index >= len(mapping.columns):
            status.update("")
            return
        header = mapping.columns[event.index][0]
        values = _samples(self.session.preview, event.index, 8)
        line = t("ioscreen.column_detail", n=event.index + 1, header=safe(header, max_len=40))
        status.update(plain(line + "  " + " · ".join(values), max_len=400))

    # ---- editing the mapping ----------------------------------------------------------

    def _cursor(self) -> int | None:
        if self.session.mapping is None:
            return None
        index = self.query_one(VirtualTable).cursor_row
        if index is None or index >= len(self.session.mapping.columns):
            return None
        return index

    def set_field(self, index: int, fld: str | None) -> None:
        self.session.mapping = self.session.mapping.with_field(index, fld or None)
        self.show_mapping()
        table = self.query_one(VirtualTable)
        table.refresh_rows()
        table.move_cursor(index)

    @on(VirtualTable.Selected, "#columns")
    def _selected(self, event: VirtualTable.Selected) -> None:
        self.choose_field()

    def choose_field(self) -> None:
        from kamtui.importing import MAPPABLE_FIELDS

        index = self._cursor()
        if index is None:
            return
        header, current = self.session.mapping.columns[index]
        options = [(SKIP, t("import.field.skip"))]
        options += [(f, f"{field_label(f)} · {f}") for f in MAPPABLE_FIELDS]
        at = 0 if current is None else 1 + MAPPABLE_FIELDS.index(current)
        title = t("ioscreen.choose_field", header=safe(header, max_len=40) or index + 1)

        def picked(choice) -> None:
            if choice is not None:
                self.set_field(index, choice)

        self.app.push_screen(FieldChoice(title, options, at), picked)

    def action_skip(self) -> None:
        index = self._cursor()
        if index is not None:
            self.set_field(index, None)

    def action_save_profile(self) -> None:
        from kamtui.importing import save_profile

        mapping = self.session.mapping
        if mapping is None:
            self.notify(t("cmd.import.vcard_no_map", file=safe(self.session.path.name)))
            return

        def submit(values: dict[str, str]) -> str:
            return save_profile(self.book, values["profile"], self.session.mapping)

        def saved(name) -> None:
            if name:
                self.notify(t("cmd.import.profile_saved", name=name), markup=False)

        self.app.push_screen(
            FormModal(
                t("ioscreen.save_profile_title"),
                [
                    Field(
                        "profile",
                        t("ioscreen.profile_name"),
                        self.session.path.stem[:50],
                        t("ioscreen.profile_placeholder"),
                    )
                ],
                submit,
            ),
            saved,
        )

    def action_load_profile(self) -> None:
        from kamtui.importing import list_profiles, load_profile

        if self.session.mapping is None:
            self.notify(t("cmd.import.vcard_no_map", file=safe(self.session.path.name)))
            return
        try:
            names = list_profiles(self.book)
        except Exception as e:
            self.report(e)
            return
        if not names:
            self.notify(t("ioscreen.no_profiles"))
            return

        def picked(name) -> None:
            if name is None:
                return
            try:
                profile = load_profile(self.book, name)
            except Exception as e:
                self.report(e)
                return
            mapping = profile.for_headers(self.session.preview.headers)
            self.session.mapping = mapping
            self.show_mapping(keep=True)
            self.query_one(VirtualTable).refresh_rows()
            used = sum(1 for f in mapping.fields if f)
            self.notify(
                t("ioscreen.profile_applied", name=name, used=used, unknown=len(mapping.unmapped)),
                markup=False,
            )

        self.app.push_screen(
            ChoiceModal(t("ioscreen.load_profile_title"), [(n, n) for n in names]), picked
        )

    def action_account(self) -> None:
        from kamtui.accounts import list_accounts

        try:
            accounts = list_accounts(self.book)
        except Exception as e:
            self.report(e)
            return
        options = [(0, t("ioscreen.account_from_file"))]
        options += [(a.id, a.name) for a in accounts]

        def picked(choice) -> None:
            if choice is None:
                return
            self.session.account_id = choice or None
            self.session.account_name = next((a.name for a in accounts if a.id == choice), "")
            self.show_account()

        self.app.push_screen(ChoiceModal(t("ioscreen.account_title"), options), picked)

    def action_create_accounts(self) -> None:
        self.session.create_accounts = not self.session.create_accounts
        self.show_account()

    def action_plan(self) -> None:
        mapping = self.session.mapping
        if mapping is not None and not any(mapping.fields):
            self.notify(t("ioscreen.nothing_mapped"), severity="warning")
            return
        self.app.push_screen(PlanScreen(self.session), self._after_next)

    def action_back(self) -> None:
        self.dismiss(None)

    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("skip", "save_profile", "load_profile") and self.session.mapping is None:
            return None  # shown greyed: a vCard has no columns
        return True


# ---- step 3: the plan, then the import ------------------------------------------------


@dataclass(frozen=True)
class _Problem:
    row: int
    field: str
    reason: str
    hint: str


class PlanScreen(ImportFlowScreen):
    TITLE_KEY = "ioscreen.title"
    DEFAULT_CSS = """
    PlanScreen #plan-progress { height: auto; padding: 0 1; display: none; }
    PlanScreen #plan-progress.shown { display: block; }
    PlanScreen #plan-summary { height: auto; padding: 0 1; }
    PlanScreen #plan-error { height: auto; padding: 1 1; color: $text-error; display: none; }
    PlanScreen #plan-error.shown { display: block; }
    PlanScreen .list-title { height: auto; padding: 0 1; text-style: bold; margin-top: 1; }
    PlanScreen #conflicts { height: 1fr; min-height: 4; }
    PlanScreen #problems { height: 1fr; min-height: 4; }
    PlanScreen #plan-body.hidden { display: none; }
    PlanScreen #plan-done { height: auto; padding: 1 1; display: none; }
    PlanScreen #plan-done.shown { display: block; }
    """
    BINDINGS = [
        Binding("i", "apply", "ioscreen.key.apply", id="import.apply"),
        Binding("space", "toggle", "ioscreen.key.toggle", id="import.toggle"),
        Binding("b", "all('keep')", "ioscreen.key.keep_all", id="import.keep_all"),
        Binding("f", "all('take')", "ioscreen.key.take_all", id="import.take_all"),
        Binding("enter", "finish", "ioscreen.key.finish", id="import.finish"),
        Binding("escape", "back", "key.back", id="import.back"),
    ]

    def __init__(self, session: ImportSession) -> None:
        super().__init__()
        self.session = session
        self.state = "planning"  # planning, planned, failed, applying, done
        self.plan: ImportPlan | None = None
        self.done_report: ImportReport | None = None
        self.take: set[int] = set()  # conflict ids to take from the file
        self._carry: set[tuple] = set()  # (row, contact, field) taken before a re-plan
        self.problems: list[_Problem | GroupRow] = []

    def compose(self) -> ComposeResult:
        yield Static(Text(t("ioscreen.step3")), classes="section-header", id="import-step")
        with Vertical(id="plan-progress"):
            yield Static("", id="plan-stage")
            yield ProgressBar(total=None, show_eta=False, id="plan-bar")
        yield Static("", id="plan-error")
        with Vertical(id="plan-body"):
            yield Static("", id="plan-summary")
            yield Static("", id="conflicts-title", classes="list-title")
            yield VirtualTable(
                [
                    Column("choice", t("ioscreen.col.choice"), width=10),
                    Column("row", t("ioscreen.col.row"), width=6, align="right"),
                    Column("contact", t("ioscreen.col.contact"), min_width=8, ratio=2),
                    Column("field", t("ioscreen.col.conflict_field"), width=12),
                    Column("stored", t("ioscreen.col.stored"), min_width=8, ratio=3),
                    Column("incoming", t("ioscreen.col.incoming"), min_width=8, ratio=3),
                ],
                empty_message=t("ioscreen.no_conflicts"),
                multi_select=False,
                id="conflicts",
            )
            yield Static("", id="problems-title", classes="list-title")
            yield VirtualTable(
                [
                    Column("row", t("ioscreen.col.row"), width=6, align="right"),
                    Column("field", t("ioscreen.col.problem_field"), width=14),
                    Column("reason", t("ioscreen.col.reason"), min_width=20, ratio=1),
                ],
                empty_message=t("ioscreen.no_problems"),
                multi_select=False,
                id="problems",
            )
        yield Static("", id="plan-done")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.start_plan()

    # ---- state ------------------------------------------------------------------------

    def set_state(self, state: str) -> None:
        self.state = state
        busy = state in ("planning", "applying")
        self.query_one("#plan-progress").set_class(busy, "shown")
        self.query_one("#plan-body").set_class(state in ("failed", "done"), "hidden")
        self.query_one("#plan-error").set_class(state == "failed", "shown")
        self.query_one("#plan-done").set_class(state == "done", "shown")
        self.refresh_bindings()

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "apply":
            return True if self.state == "planned" else None
        if action in ("toggle", "all"):
            return self.state == "planned" and bool(self.plan and self.plan.conflicts)
        if action == "finish":
            return self.state == "done"
        return True

    def _progress(self, stage: str, done: int, total: int) -> None:
        if self.state not in ("planning", "applying"):
            return
        self.query_one("#plan-stage", Static).update(Text(t(f"cmd.import.stage.{stage}")))
        self.query_one("#plan-bar", ProgressBar).update(total=max(total, 1), progress=done)

    # ---- planning -----------------------------------------------------------------------

    def start_plan(self) -> None:
        self.set_state("planning")
        self._progress("read", 0, 1)
        self._plan_worker()

    @work(thread=True, exclusive=True, group="import-plan")
    def _plan_worker(self) -> None:
        from kamtui.importing import plan_import, read_file

        worker = get_current_worker()
        s = self.session
        relay = ProgressRelay(self.app, self._progress)
        try:
            result = read_file(s.path, mapping=s.mapping, progress=relay.stage_of("read"))
            if worker.is_cancelled:
                return
            plan = plan_import(
                self.book,
                result,
                account=s.account_id,
                create_accounts=s.create_accounts,
                progress=relay,
            )
        except KamtuiError as e:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._failed, e.message)
            return
        except Exception as e:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._unexpected, e)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._planned, plan)

    def _failed(self, message: str) -> None:
        self.query_one("#plan-error", Static).update(
            Text(message + "\n\n" + t("ioscreen.failed_help"))
        )
        self.set_state("failed")

    def _unexpected(self, error: Exception) -> None:
        self.app.report_unexpected(error)
        self._failed(t("ioscreen.failed_unexpected", error=type(error).__name__))

    def _planned(self, plan: ImportPlan) -> None:
        self.plan = plan
        self.take = {c.id for c in plan.conflicts if (c.row, c.contact_id, c.field) in self._carry}
        self._carry = set()
        self.set_state("planned")
        self.show_summary()
        self.show_conflicts()
        self.show_problems()
        if plan.conflicts:
            self.query_one("#conflicts", VirtualTable).focus()
        elif self.problems:
            self.query_one("#problems", VirtualTable).focus()

    def show_summary(self) -> None:
        plan = self.plan
        r = plan.result
        c = plan.counts()
        lines = [
            t(
                "cmd.import.file",
                file=safe(r.path.name),
                format=r.format.upper(),
                encoding=r.encoding or "-",
                layout=t(f"import.layout.{r.layout}"),
            ),
            t("cmd.import.counts", **c),
        ]
        if c["merged_rows"]:
            lines.append(t("cmd.import.merged", n=c["merged_rows"]))
        if r.skipped:
            parts = [f"{t(f'import.skipped.{k}')} {n}" for k, n in sorted(r.skipped.items())]
            lines.append(t("cmd.import.skipped", detail=", ".join(parts)))
        if c["purchases"] or c["pictures"] or plan.tags_to_create or plan.accounts_to_create:
            lines.append(
                t(
                    "cmd.import.extras",
                    purchases=c["purchases"],
                    pictures=c["pictures"],
                    tags=len(plan.tags_to_create),
                    accounts=", ".join(safe(a) for a in plan.accounts_to_create) or "-",
                )
            )
        if self.session.account_id:
            lines.append(t("ioscreen.plan_account", account=safe(self.session.account_name)))
        if plan.unknown_accounts:
            names = ", ".join(
                t("cmd.import.account_rows", name=safe(n, max_len=30), n=k)
                for n, k in sorted(plan.unknown_accounts.items())
            )
            lines.append(t("ioscreen.unknown_accounts", names=names))
        for notice in r.notices:
            lines.append(safe(notice, max_len=200))
        if not self.has_work():
            lines.append(t("cmd.import.nothing"))
        text = Text("\n".join(lines))
        self.query_one("#plan-summary", Static).update(text)

    def has_work(self) -> bool:
        c = self.plan.counts()
        return bool(c["new"] or c["updated"] or c["conflicting"] or self.plan.accounts_to_create)

    def _conflict_row(self, index: int):
        c = self.plan.conflicts[index]
        taken = c.id in self.take
        choice = Text(
            t("ioscreen.take") if taken else t("ioscreen.keep"),
            style="bold" if taken else "",
        )
        cells = (
            choice,
            str(c.row),
            safe(c.contact),
            field_label(c.field),
            safe(c.stored),
            safe(c.incoming),
        )
        return StyledRow(cells, "warning") if taken else cells

    def show_conflicts(self, keep: bool = False) -> None:
        conflicts = self.plan.conflicts
        table = self.query_one("#conflicts", VirtualTable)
        table.set_rows(len(conflicts), self._conflict_row, keep_key=keep)
        table.display = bool(conflicts)
        n = len(conflicts)
        taken = len(self.take)
        title = (
            t("ioscreen.conflicts_title", n=n, kept=n - taken, taken=taken)
            if n
            else t("ioscreen.no_conflicts")
        )
        self.query_one("#conflicts-title", Static).update(Text(title))

    def show_problems(self) -> None:
        plan = self.plan
        items: list[_Problem | GroupRow] = []
        rejected_rows = plan.rejected_rows
        if plan.rejected:
            items.append(GroupRow(t("ioscreen.rejected_group", n=rejected_rows)))
            items += [self._problem(p, "error") for p in plan.rejected]
        if plan.warnings:
            rows = len({p.row for p in plan.warnings})
            items.append(GroupRow(t("ioscreen.warnings_group", n=rows)))
            items += [self._problem(p, "warning") for p in plan.warnings]
        self.problems = items

        def get_row(i: int):
            item = items[i]
            if isinstance(item, GroupRow):
                return item
            return StyledRow((str(item.row), item.field, item.reason), item.hint)

        def row_key(i: int):
            return None if isinstance(items[i], GroupRow) else i

        table = self.query_one("#problems", VirtualTable)
        table.set_rows(len(items), get_row, row_key=row_key)
        table.display = bool(items)
        title = (
            t(
                "ioscreen.problems_title",
                rejected=rejected_rows,
                warnings=len({p.row for p in plan.warnings}),
            )
            if items
            else t("ioscreen.no_problems")
        )
        self.query_one("#problems-title", Static).update(Text(title))

    @staticmethod
    def _problem(p, hint: str) -> _Problem:
        name = field_label(p.field) if p.field else t("cmd.import.whole_row")
        return _Problem(p.row, name, safe(p.reason, max_len=300), hint)

    # ---- conflicts ------------------------------------------------------------------

    def toggle(self, index: int | None) -> None:
        if self.state != "planned" or self.plan is None or index is None:
            return
        if not 0 <= index < len(self.plan.conflicts):
            return
        cid = self.plan.conflicts[index].id
        self.take ^= {cid}
        self.show_conflicts(keep=True)

    @on(VirtualTable.Selected, "#conflicts")
    def _conflict_selected(self, event: VirtualTable.Selected) -> None:
        event.stop()
        self.toggle(event.index)

    @on(VirtualTable.Selected, "#problems")
    def _problem_selected(self, event: VirtualTable.Selected) -> None:
        event.stop()

    def action_toggle(self) -> None:
        table = self.query_one("#conflicts", VirtualTable)
        if table.has_focus:
            self.toggle(table.cursor_row)

    def action_all(self, choice: str) -> None:
        if self.plan is None or self.state != "planned":
            return
        self.take = {c.id for c in self.plan.conflicts} if choice == "take" else set()
        self.show_conflicts(keep=True)

    # ---- applying ---------------------------------------------------------------------

    def action_apply(self) -> None:
        if self.state != "planned" or self.plan is None:
            return
        if not self.has_work():
            self.notify(t("cmd.import.nothing"))
            return
        c = self.plan.counts()
        n = len(self.plan.conflicts)
        question = t(
            "ioscreen.confirm",
            file=safe(self.session.path.name),
            new=c["new"],
            updated=c["updated"],
            conflicting=c["conflicting"],
            taken=len(self.take),
            kept=n - len(self.take),
            rejected=c["rejected"],
        )

        def answered(yes) -> None:
            if yes:
                self.start_apply()

        self.app.push_screen(ConfirmModal(question), answered)

    def start_apply(self) -> None:
        self.set_state("applying")
        self._progress("write", 0, 1)
        self._apply_worker(self.plan, {cid: "take" for cid in self.take})

    @work(thread=True, exclusive=True, group="import-apply")
    def _apply_worker(self, plan: ImportPlan, resolutions: dict[int, str]) -> None:
        from kamtui.importing import ImportStale, apply_import
        from kamtui.importing.profiles import remember_folder

        relay = ProgressRelay(self.app, self._progress)
        try:
            report = apply_import(
                self.book, plan, on_conflict="keep", resolutions=resolutions, progress=relay
            )
        except ImportStale:
            self.app.call_from_thread(self._stale)
            return
        except KamtuiError as e:
            self.app.call_from_thread(self._apply_failed, e.message)
            return
        except Exception as e:
            self.app.call_from_thread(self._apply_failed, None, e)
            return
        try:
            remember_folder(self.book, str(plan.path.parent))
        except Exception:
            pass  # a preference; the import itself is done
        self.app.call_from_thread(self._applied, report)

    def _stale(self) -> None:
        self.notify(t("import.stale") + " " + t("ioscreen.replanning"), severity="warning")
        plan = self.plan
        self._carry = {(c.row, c.contact_id, c.field) for c in plan.conflicts if c.id in self.take}
        self.start_plan()

    def _apply_failed(self, message: str | None, error: Exception | None = None) -> None:
        if message is None:
            self.app.report_unexpected(error)
            message = t("ioscreen.failed_unexpected", error=type(error).__name__)
        self.set_state("planned")
        self.notify(message, severity="error", markup=False, timeout=12)

    def _applied(self, report: ImportReport) -> None:
        self.done_report = report
        lines = report.summary()
        if report.undo_label:
            lines.append("")
            lines.append(t("ioscreen.undo_hint", label=safe(report.undo_label)))
        else:
            lines.append(t("ioscreen.nothing_written"))
        lines.append("")
        lines.append(t("ioscreen.done_help"))
        self.query_one("#plan-done", Static).update(Text("\n".join(lines)))
        self.set_state("done")
        self.set_focus(None)  # off the tables: Enter closes
        if report.undo_label:
            self.app.load_directory()

    # ---- leaving ------------------------------------------------------------------------

    def action_finish(self) -> None:
        if self.state == "done":
            self.finish()

    def action_back(self) -> None:
        if self.state == "applying":
            self.notify(t("ioscreen.wait_apply"))
            return
        if self.state == "done":
            self.finish()
            return
        self.workers.cancel_group(self, "import-plan")
        self.dismiss(None)
