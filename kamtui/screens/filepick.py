"""Choosing a file with the keyboard: a path field with Tab completion and a list below it.

Type a path (``~`` is the home directory; typing ``/`` or ``~/`` after the folder
shown starts a new path, as in GTK file choosers). The list shows what the folder being
typed holds, filtered by the name typed so far (folders first, hidden entries
only when the name starts with a dot). Tab completes the name as far as it is
unambiguous (a folder gets its ``/``), and a second Tab with nothing left to
complete moves to the list; ↓ moves there too. In the list, Enter on a folder
opens it, Enter on a file chooses it.

:class:`PathPicker` posts ``Changed(path)`` as the text changes (``path`` is the
typed file when it exists, else None) and ``Chosen(path)`` when the seller
presses Enter on a file.

Listing and completion are plain functions (:func:`list_folder`,
:func:`complete`) so they are tested without an app.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from kamtui.fmt import safe
from kamtui.i18n import t
from kamtui.screens.base import TranslatedBindings

MAX_ENTRIES = 500  # listed entries of one folder (the count says when there are more)


@dataclass(frozen=True)
class Entry:
    name: str
    is_dir: bool
    size: int = 0

    @property
    def shown(self) -> str:
        return self.name + "/" if self.is_dir else self.name


def restart(text: str) -> str:
    """Typing ``/`` or ``~/`` after a folder starts a new path (``~//tmp`` → ``/tmp``)."""
    cut = max(text.rfind("//"), text.rfind("/~/"))
    return text[cut + 1 :] if cut >= 0 else text


def expand(text: str) -> Path:
    """The path a typed text names (``~`` expanded; relative to the home directory)."""
    path = Path(text.strip()).expanduser()
    if not path.is_absolute():
        path = Path.home() / path
    return path


def shorten(path: Path | str) -> str:
    """``/home/me/Downloads`` → ``~/Downloads`` (how the field shows paths)."""
    path = Path(path)
    home = Path.home()
    try:
        rest = path.relative_to(home)
    except ValueError:
        return str(path)
    return "~" if str(rest) == "." else f"~/{rest.as_posix()}"


def split(text: str) -> tuple[str, str]:
    """``"~/Down"`` → ``("~/", "Down")``: the folder part as typed and the name being typed."""
    cut = text.rfind("/")
    if cut < 0:
        return ("", text) if text != "~" else ("~/", "")
    return text[: cut + 1], text[cut + 1 :]


def list_folder(text: str) -> tuple[Path, list[Entry], int]:
    """The folder ``text`` is in, its entries matching the name typed, and how many matched.

    Case is ignored; folders come first. Unreadable folders list nothing.
    """
    folder_text, prefix = split(text)
    folder = expand(folder_text or "~/")
    wanted = prefix.casefold()
    show_hidden = prefix.startswith(".")
    found: list[Entry] = []
    try:
        with os.scandir(folder) as it:
            for e in it:
                if e.name.startswith(".") and not show_hidden:
                    continue
                if not e.name.casefold().startswith(wanted):
                    continue
                try:
                    is_dir = e.is_dir()
                    size = 0 if is_dir else e.stat().st_size
                except OSError:
                    continue
                found.append(Entry(e.name, is_dir, size))
    except OSError:
        return folder, [], 0
    found.sort(key=lambda e: (not e.is_dir, e.name.casefold()))
    return folder, found[:MAX_ENTRIES], len(found)


def complete(text: str) -> str:
    """``text`` completed as far as the matching entries agree (a lone folder gets ``/``)."""
    folder_text, prefix = split(text)
    if text == "~":
        return "~/"
    _, entries, _ = list_folder(text)
    if not entries:
        return text
    if len(entries) == 1:
        return folder_text + entries[0].shown
    names = [e.name for e in entries]
    common = _common_length(names)
    if common <= len(prefix):
        return text
    return folder_text + names[0][:common]


def _common_length(names: list[str]) -> int:
    """How many leading characters ``names`` share, ignoring case."""
    first = names[0]
    n = 0
    while n < len(first):
        c = first[n].casefold()
        if any(len(other) <= n or other[n].casefold() != c for other in names[1:]):
            break
        n += 1
    return n


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


class PathInput(TranslatedBindings, Input):
    """The path field: Tab completes, ↓ goes to the list."""

    BINDINGS = [
        Binding("tab", "complete", "filepick.key.complete", id="filepick.complete", show=False),
        Binding("down", "to_list", "filepick.key.list", id="filepick.list", show=False),
    ]

    def action_complete(self) -> None:
        done = complete(self.value)
        if done != self.value:
            self.value = done
            self.cursor_position = len(done)
            return
        picker = self.parent
        if isinstance(picker, PathPicker) and picker.has_entries:
            picker.focus_list()
        else:
            self.app.bell()  # nothing matches what was typed

    def action_to_list(self) -> None:
        picker = self.parent
        if isinstance(picker, PathPicker):
            picker.focus_list()


class PathPicker(Vertical):
    """A path field and the folder's entries below it."""

    DEFAULT_CSS = """
    PathPicker { height: 1fr; }
    PathPicker > OptionList { height: 1fr; border: none; }
    PathPicker > #pick-count { height: 1; color: $text-muted; }
    """

    class Changed(Message):
        """The typed text changed; ``path`` is the file it names, if it exists."""

        def __init__(self, picker: PathPicker, text: str, path: Path | None) -> None:
            super().__init__()
            self.picker = picker
            self.text = text
            self.path = path

        @property
        def control(self) -> PathPicker:
            return self.picker

    class Chosen(Message):
        """Enter on a file (in the field or the list)."""

        def __init__(self, picker: PathPicker, path: Path) -> None:
            super().__init__()
            self.picker = picker
            self.path = path

        @property
        def control(self) -> PathPicker:
            return self.picker

    def __init__(self, value: str = "~/", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.initial = value
        self.entries: list[Entry] = []
        self.folder: Path | None = None

    def compose(self) -> ComposeResult:
        from textual.widgets import Static

        yield PathInput(
            self.initial,
            placeholder=t("filepick.placeholder"),
            select_on_focus=False,  # typing goes on from the folder shown
            id="pick-path",
        )
        yield OptionList(id="pick-list")
        yield Static("", id="pick-count")

    def on_mount(self) -> None:
        self._refresh_list(self.initial)
        self.input.cursor_position = len(self.initial)

    @property
    def input(self) -> PathInput:
        return self.query_one(PathInput)

    @property
    def value(self) -> str:
        return self.input.value

    @value.setter
    def value(self, text: str) -> None:
        self.input.value = text
        self.input.cursor_position = len(text)

    @property
    def has_entries(self) -> bool:
        return bool(self.entries)

    def focus_input(self) -> None:
        self.input.focus()

    def focus_list(self) -> None:
        if self.entries:
            option_list = self.query_one(OptionList)
            option_list.focus()
            if option_list.highlighted is None:
                option_list.highlighted = 0

    def typed_file(self) -> Path | None:
        text = self.value.strip()
        if not text or text.endswith("/"):
            return None
        path = expand(text)
        try:
            return path if path.is_file() else None
        except OSError:
            return None

    def _refresh_list(self, text: str) -> None:
        folder, entries, total = list_folder(text)
        self.folder = folder
        self.entries = entries
        option_list = self.query_one(OptionList)
        options = []
        for i, e in enumerate(entries):
            label = Text(safe(e.shown))
            if e.is_dir:
                label.stylize("bold")
            else:
                label.append("  " + _size(e.size), style="dim")
            options.append(Option(label, id=str(i)))
        option_list.set_options(options)
        if total > len(entries):
            count = t("filepick.count_more", n=total, shown=len(entries))
        else:
            count = t("filepick.count", n=total, folder=shorten(folder))
        self.query_one("#pick-count").update(Text(count))

    @on(Input.Changed, "#pick-path")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        fresh = restart(event.value)
        if fresh != event.value:
            self.value = fresh  # posts another Changed
            return
        self._refresh_list(event.value)
        self.post_message(self.Changed(self, event.value, self.typed_file()))

    @on(Input.Submitted, "#pick-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if text and not text.endswith("/"):
            path = expand(text)
            if path.is_dir():
                self.value = text + "/"
                return
        path = self.typed_file()
        if path is not None:
            self.post_message(self.Chosen(self, path))
        elif self.entries:
            self.focus_list()

    @on(OptionList.OptionSelected, "#pick-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        entry = self.entries[int(event.option.id)]
        folder_text, _ = split(self.value)
        if entry.is_dir:
            self.value = folder_text + entry.name + "/"
            self.focus_input()
            return
        self.value = folder_text + entry.name
        path = self.typed_file()
        if path is not None:
            self.post_message(self.Chosen(self, path))
