"""The export dialog: contacts to a CSV, Excel, vCard or JSON file.

Any screen exports a list of contacts with one call::

    from kamtui.screens.export_dialog import open_export
    open_export(self.app, ids=[3, 1, 2], title=t("contacts.export_selected", n=3))

``ids=None`` exports every contact (archived ones when the seller ticks the box);
``exclude_ids`` leaves some out (e.g. the clean-up candidates). The dialog asks
for the format, the file (default ``~/kamtui-export-YYYYMMDD-HHMM.<ext>``, or the
folder of the last export), the columns (CSV and Excel: a text field checked with
``parse_columns``, or Ctrl+L to tick them in a list), the header language and the
CSV encoding (UTF-8 with BOM for Excel, or GB18030). An existing file is replaced
only after a confirmation. ``export_contacts`` runs in a worker with a progress
bar; the file is written 0600 and all or nothing. When done, a notification
gives the count and the path, and ``on_done(result)`` is called.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Checkbox, Input, Label, ProgressBar, SelectionList, Static
from textual.widgets import Select as SelectWidget
from textual.widgets.selection_list import Selection

from kamtui import clock, i18n
from kamtui.errors import KamtuiError, ValidationError
from kamtui.fmt import safe
from kamtui.i18n import t
from kamtui.screens.base import KamtuiModal
from kamtui.screens.filepick import expand, shorten
from kamtui.screens.forms import ConfirmModal
from kamtui.screens.import_screen import ProgressRelay

if TYPE_CHECKING:
    from kamtui.exporting import ExportResult

EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "vcf": "vcf", "json": "json"}
TABLE_FORMATS = ("csv", "xlsx")  # formats with columns and headers

#: The folder of the last export in this process (the next default goes there).
_LAST_FOLDER: list[Path] = []


def default_path(fmt: str = "csv") -> str:
    """``~/kamtui-export-20261124-0930.csv`` (in the last export's folder if there was one)."""
    folder = _LAST_FOLDER[-1] if _LAST_FOLDER and _LAST_FOLDER[-1].is_dir() else Path.home()
    stamp = clock.now().strftime("%Y%m%d-%H%M")
    return shorten(folder / f"kamtui-export-{stamp}.{EXTENSIONS[fmt]}")


def with_format(text: str, fmt: str) -> str:
    """The typed path with its export extension switched to ``fmt`` (others left alone)."""
    from kamtui.exporting import SUFFIXES

    path = Path(text)
    if path.suffix.lower() in SUFFIXES:
        return text[: len(text) - len(path.suffix)] + "." + EXTENSIONS[fmt]
    return text


def column_hint() -> str:
    """Every column id with its header in the seller's language."""
    from kamtui.exporting import all_columns

    lang = i18n.language()
    return ", ".join(f"{cid} ({col.header(lang)})" for cid, col in all_columns().items())


def open_export(
    app,
    ids: Iterable[int] | None = None,
    *,
    title: str | None = None,
    exclude_ids: Iterable[int] = (),
    on_done: Callable[[ExportResult], None] | None = None,
) -> None:
    """Open the export dialog for ``ids`` (None: every contact) over the current screen."""
    chosen = None if ids is None else list(ids)
    if chosen == []:
        app.notify(t("exportui.none"), severity="warning")
        return

    def finished(result) -> None:
        if result is None:
            return
        app.notify(t("cmd.export.done", n=result.count, path=result.path), markup=False, timeout=12)
        if on_done is not None:
            on_done(result)

    app.push_screen(ExportDialog(chosen, title=title, exclude_ids=list(exclude_ids)), finished)


class ColumnPicker(KamtuiModal):
    """Tick the columns to export (space), Ctrl+S or Enter on OK to confirm."""

    DEFAULT_CSS = """
    ColumnPicker { align: center middle; }
    ColumnPicker > Vertical {
        width: 60; max-width: 95%; height: 30; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    ColumnPicker .dialog-title { text-style: bold; }
    ColumnPicker SelectionList { height: 1fr; border: none; }
    ColumnPicker .dialog-help { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "key.cancel", id="columns.cancel"),
        Binding("ctrl+s", "done", "key.confirm", id="columns.done"),
    ]

    def __init__(self, current: list[str]) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        from kamtui.exporting import all_columns

        lang = i18n.language()
        known = all_columns()
        order = self.current + [c for c in known if c not in self.current]
        with Vertical():
            yield Static(Text(t("exportui.columns_title")), classes="dialog-title")
            yield SelectionList(
                *(
                    Selection(Text(f"{known[c].header(lang)}  ({c})"), c, c in self.current)
                    for c in order
                )
            )
            yield Static(Text(t("exportui.columns_help")), classes="dialog-help")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_done(self) -> None:
        sl = self.query_one(SelectionList)
        chosen = set(sl.selected)
        ordered = [
            sl.get_option_at_index(i).value
            for i in range(sl.option_count)
            if sl.get_option_at_index(i).value in chosen
        ]
        self.dismiss(ordered)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ExportDialog(KamtuiModal):
    """Returns the :class:`~kamtui.exporting.ExportResult`, or None (Esc)."""

    DEFAULT_CSS = """
    ExportDialog { align: center middle; }
    ExportDialog > .dialog {
        width: 84; max-width: 95%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    ExportDialog .dialog-title { text-style: bold; padding: 0 0 1 0; }
    ExportDialog .row { height: auto; margin: 0 0 1 0; }
    ExportDialog .field-label { width: 16; color: $text-muted; }
    ExportDialog .row > Input, ExportDialog .row > Select { width: 1fr; }
    ExportDialog .field-error { color: $error; height: auto; display: none; padding: 0 0 0 16; }
    ExportDialog .field-hint { color: $text-muted; height: auto; padding: 0 0 1 16; }
    ExportDialog .form-error { color: $error; height: auto; display: none; }
    ExportDialog .shown { display: block; }
    ExportDialog .dialog-help { color: $text-muted; padding: 1 0 0 0; }
    ExportDialog #export-progress { display: none; height: auto; padding: 1 0 0 0; }
    ExportDialog #export-progress.shown { display: block; }
    ExportDialog Checkbox { margin: 0 0 0 16; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "key.cancel", id="export.cancel"),
        Binding("ctrl+s", "submit", "exportui.key.export", id="export.submit"),
        Binding("ctrl+l", "pick_columns", "exportui.key.columns", id="export.columns"),
    ]

    def __init__(
        self,
        ids: list[int] | None = None,
        *,
        title: str | None = None,
        exclude_ids: list[int] | None = None,
    ) -> None:
        super().__init__()
        self.ids = ids
        self.exclude_ids = exclude_ids or []
        if title is None:
            title = (
                t("exportui.title_all")
                if ids is None
                else t("exportui.title_some", n=len(dict.fromkeys(ids)))
            )
        self.dialog_title = title
        self.running = False

    def compose(self) -> ComposeResult:
        lang = i18n.language()
        with VerticalScroll(classes="dialog"):
            yield Static(Text(self.dialog_title), classes="dialog-title")
            yield Static("", classes="form-error", id="form-error")
            with Horizontal(classes="row"):
                yield Label(Text(t("exportui.format")), classes="field-label")
                yield SelectWidget(
                    [(t(f"exportui.format.{f}"), f) for f in EXTENSIONS],
                    value="csv",
                    allow_blank=False,
                    compact=True,
                    id="export-format",
                )
            with Horizontal(classes="row"):
                yield Label(Text(t("exportui.path")), classes="field-label")
                yield Input(default_path("csv"), compact=True, id="export-path")
            yield Static("", classes="field-error", id="error-path")
            with Horizontal(classes="row"):
                yield Label(Text(t("exportui.columns")), classes="field-label")
                yield Input(
                    "",
                    placeholder=t("exportui.columns_placeholder"),
                    compact=True,
                    id="export-columns",
                )
            yield Static("", classes="field-error", id="error-columns")
            yield Static(
                Text(t("exportui.columns_hint", columns=column_hint())),
                classes="field-hint",
                id="hint-columns",
            )
            with Horizontal(classes="row"):
                yield Label(Text(t("exportui.headers")), classes="field-label")
                yield SelectWidget(
                    [("中文", "zh"), ("English", "en")],
                    value=lang,
                    allow_blank=False,
                    compact=True,
                    id="export-headers",
                )
            with Horizontal(classes="row"):
                yield Label(Text(t("exportui.encoding")), classes="field-label")
                yield SelectWidget(
                    [
                        (t("exportui.encoding.utf8"), "utf-8-sig"),
                        (t("exportui.encoding.gb18030"), "gb18030"),
                    ],
                    value="utf-8-sig",
                    allow_blank=False,
                    compact=True,
                    id="export-encoding",
                )
            if self.ids is None:
                yield Checkbox(t("exportui.include_archived"), compact=True, id="export-archived")
            with Vertical(id="export-progress"):
                yield Static(Text(t("exportui.writing")), id="export-stage")
                yield ProgressBar(total=None, show_eta=False, id="export-bar")
            yield Static(Text(t("exportui.help"), style="dim"), classes="dialog-help")

    def on_mount(self) -> None:
        inp = self.query_one("#export-path", Input)
        inp.focus()
        inp.cursor_position = len(inp.value)
        self.query_one("#hint-columns", Static).display = False
        self._format_changed("csv")

    # ---- fields ----------------------------------------------------------------------

    def fmt(self) -> str:
        return str(self.query_one("#export-format", SelectWidget).value)

    def _show(self, widget_id: str, message: str) -> None:
        widget = self.query_one(f"#{widget_id}", Static)
        widget.update(Text(safe(message, one_line=False)))
        widget.set_class(bool(message), "shown")

    def _clear_errors(self) -> None:
        for wid in ("form-error", "error-path", "error-columns"):
            self._show(wid, "")

    def _format_changed(self, fmt: str) -> None:
        table = fmt in TABLE_FORMATS
        self.query_one("#export-columns", Input).disabled = not table
        self.query_one("#export-headers", SelectWidget).disabled = not table
        self.query_one("#export-encoding", SelectWidget).disabled = fmt != "csv"

    @on(SelectWidget.Changed, "#export-format")
    def _format_selected(self, event: SelectWidget.Changed) -> None:
        fmt = str(event.value)
        inp = self.query_one("#export-path", Input)
        inp.value = with_format(inp.value, fmt)
        self._format_changed(fmt)

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if event.input.id == "export-path":
            self._show("error-path", "")
        elif event.input.id == "export-columns":
            self._show("error-columns", "")
        self._show("form-error", "")

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        shown = event.widget.id == "export-columns"
        self.query_one("#hint-columns", Static).display = shown

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_pick_columns(self) -> None:
        if self.running or self.fmt() not in TABLE_FORMATS:
            return
        from kamtui.exporting import parse_columns

        field = self.query_one("#export-columns", Input)
        try:
            current = parse_columns(field.value or None)
        except ValidationError:
            current = parse_columns(None)

        def picked(chosen) -> None:
            if chosen is not None:
                field.value = ", ".join(chosen)

        self.app.push_screen(ColumnPicker(current), picked)

    # ---- exporting --------------------------------------------------------------------

    def options(self) -> dict:
        """The export's arguments from the fields; ValidationError names a bad field."""
        from kamtui.exporting import parse_columns

        fmt = self.fmt()
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            raise ValidationError("path", t("exportui.path_required"))
        path = expand(text)
        if path.is_dir():
            raise ValidationError("path", t("export.target_is_dir", path=shorten(path)))
        if not path.parent.is_dir():
            raise ValidationError("path", t("export.no_folder", path=shorten(path.parent)))
        columns = None
        headers = None
        if fmt in TABLE_FORMATS:
            raw = self.query_one("#export-columns", Input).value
            try:
                columns = parse_columns(raw or None)
            except ValidationError as e:
                raise ValidationError("columns", e.message) from None
            headers = str(self.query_one("#export-headers", SelectWidget).value)
        archived = self.ids is None and self.query_one("#export-archived", Checkbox).value
        return {
            "fmt": fmt,
            "path": path,
            "columns": columns,
            "headers": headers,
            "encoding": str(self.query_one("#export-encoding", SelectWidget).value),
            "include_archived": archived,
        }

    def action_submit(self) -> None:
        if self.running:
            return
        self._clear_errors()
        try:
            options = self.options()
        except ValidationError as e:
            target = {"path": "error-path", "columns": "error-columns"}.get(e.field, "form-error")
            self._show(target, e.message)
            focus = {"path": "#export-path", "columns": "#export-columns"}.get(e.field)
            if focus:
                self.query_one(focus, Input).focus()
            return
        path = options["path"]
        if path.exists():

            def answered(yes) -> None:
                if yes:
                    self.start(options)

            self.app.push_screen(
                ConfirmModal(t("exportui.overwrite", path=shorten(path))), answered
            )
            return
        self.start(options)

    def start(self, options: dict) -> None:
        self.running = True
        for widget in self.query("Input, Select, Checkbox"):
            widget.disabled = True
        self.query_one("#export-progress").set_class(True, "shown")
        self._export_worker(options)

    def _progress(self, _stage: str, done: int, total: int) -> None:
        self.query_one("#export-bar", ProgressBar).update(total=max(total, 1), progress=done)

    @work(thread=True, exclusive=True, group="export")
    def _export_worker(self, options: dict) -> None:
        from kamtui.exporting import export_contacts

        relay = ProgressRelay(self.app, self._progress)
        try:
            result = export_contacts(
                self.book,
                options["fmt"],
                options["path"],
                ids=self.ids,
                exclude_ids=self.exclude_ids,
                include_archived=options["include_archived"],
                columns=options["columns"],
                headers=options["headers"],
                encoding=options["encoding"],
                progress=relay.stage_of("export"),
            )
        except KamtuiError as e:
            self.app.call_from_thread(self._failed, e.message)
            return
        except Exception as e:
            self.app.call_from_thread(self._failed, None, e)
            return
        self.app.call_from_thread(self._done, result)

    def _failed(self, message: str | None, error: Exception | None = None) -> None:
        if message is None:
            self.app.report_unexpected(error)
            message = t("exportui.failed_unexpected", error=type(error).__name__)
        self.running = False
        self.query_one("#export-progress").set_class(False, "shown")
        for widget in self.query("Input, Select, Checkbox"):
            widget.disabled = False
        self._format_changed(self.fmt())
        self._show("form-error", message)

    def _done(self, result: ExportResult) -> None:
        self.running = False
        if result.path is not None:
            _LAST_FOLDER.append(result.path.parent)
            del _LAST_FOLDER[:-1]
        self.dismiss(result)

    def action_cancel(self) -> None:
        if self.running:
            self.notify(t("exportui.wait"))
            return
        self.dismiss(None)
