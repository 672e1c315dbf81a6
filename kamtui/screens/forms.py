"""Dialogs shared by every screen: forms, choices, confirmations.

A form validates through the domain layer: its ``submit`` callback calls a
domain function, and a :class:`~kamtui.errors.ValidationError` is shown under
the field it names, in the seller's language, with everything typed kept.
Nothing is saved unless the whole callback succeeds (the domain functions are
all-or-nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from kamtui.errors import KamtuiError, ValidationError
from kamtui.fmt import safe
from kamtui.i18n import t
from kamtui.screens.base import KamtuiModal

_DIALOG_CSS = """
{cls} {{ align: center middle; }}
{cls} > .dialog {{
    width: 72; max-width: 95%; height: auto; max-height: 90%;
    border: round $accent; background: $surface; padding: 0 1;
}}
{cls} .dialog-title {{ text-style: bold; padding: 0 0 1 0; }}
{cls} .field-label {{ color: $text-muted; padding: 1 0 0 0; }}
{cls} .field-error {{ color: $error; height: auto; display: none; }}
{cls} .field-hint {{ color: $text-muted; height: auto; display: none; }}
{cls} .form-error {{ color: $error; height: auto; display: none; }}
{cls} .shown {{ display: block; }}
{cls} .dialog-help {{ color: $text-muted; padding: 1 0 0 0; }}
{cls} Input {{ margin: 0; }}
"""


def _show(widget: Static, message: str) -> None:
    """Put ``message`` (plain text) in a hint/error line; hide the line when empty."""
    widget.update(Text(safe(message)))
    widget.set_class(bool(message), "shown")


@dataclass(frozen=True)
class Field:
    """One line of a form.

    ``hint`` is called with the text as typed and returns a short preview
    (e.g. the date ``明天`` means) or raises ValidationError (shown as a hint,
    not an error, until the form is submitted).
    """

    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    hint: Callable[[str], str] | None = None
    password: bool = False


class FormModal(KamtuiModal):
    """A form; Enter moves to the next field and submits from the last one."""

    DEFAULT_CSS = _DIALOG_CSS.format(cls="FormModal")
    BINDINGS = [
        Binding("escape", "cancel", "key.cancel", id="form.cancel"),
        Binding("ctrl+s", "submit", "key.save", id="form.save"),
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[Field],
        submit: Callable[[dict[str, str]], Any],
        *,
        help_text: str = "",
    ) -> None:
        super().__init__()
        self.form_title = title
        self.fields = list(fields)
        self.submit_fn = submit
        self.help_text = help_text

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static(Text(self.form_title), classes="dialog-title")
            yield Static("", classes="form-error", id="form-error")
            for f in self.fields:
                yield Label(Text(f.label), classes="field-label")
                yield Input(
                    value=f.value,
                    placeholder=f.placeholder,
                    id=f"field-{f.name}",
                    password=f.password,
                )
                yield Static("", classes="field-error", id=f"error-{f.name}")
                if f.hint:
                    yield Static("", classes="field-hint", id=f"hint-{f.name}")
            yield Static(Text(self.help_text or t("form.help"), style="dim"), classes="dialog-help")

    def on_mount(self) -> None:
        for f in self.fields:
            if f.hint:
                self._update_hint(f, f.value)
        if self.fields:
            self.query_one(f"#field-{self.fields[0].name}", Input).focus()

    def value(self, name: str) -> str:
        return self.query_one(f"#field-{name}", Input).value

    def values(self) -> dict[str, str]:
        return {f.name: self.value(f.name) for f in self.fields}

    def _update_hint(self, f: Field, text: str) -> None:
        target = self.query_one(f"#hint-{f.name}", Static)
        try:
            shown = f.hint(text) if text.strip() else ""
        except ValidationError:
            shown = t("form.hint_not_understood") if text.strip() else ""
        except Exception:
            shown = ""
        _show(target, shown)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("field-")
        if name in {f.name for f in self.fields}:
            _show(self.query_one(f"#error-{name}", Static), "")
        for f in self.fields:
            if f.name == name and f.hint:
                self._update_hint(f, event.value)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        names = [f.name for f in self.fields]
        name = (event.input.id or "").removeprefix("field-")
        if name in names and names.index(name) < len(names) - 1:
            self.query_one(f"#field-{names[names.index(name) + 1]}", Input).focus()
        else:
            self.action_submit()

    def show_error(self, field: str | None, message: str) -> None:
        names = {f.name for f in self.fields}
        for f in self.fields:
            _show(self.query_one(f"#error-{f.name}", Static), "")
        _show(self.query_one("#form-error", Static), "")
        if field in names:
            _show(self.query_one(f"#error-{field}", Static), message)
            self.query_one(f"#field-{field}", Input).focus()
        else:
            _show(self.query_one("#form-error", Static), message)

    def action_submit(self) -> None:
        try:
            result = self.submit_fn(self.values())
        except ValidationError as e:
            self.show_error(e.field, e.message)
            return
        except KamtuiError as e:
            self.show_error(None, e.message)
            return
        except Exception as e:  # never a traceback; the app logs the details
            self.app.report_unexpected(e)
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceModal(KamtuiModal):
    """Pick one of a few options (arrows and Enter, or the number shown)."""

    DEFAULT_CSS = (
        _DIALOG_CSS.format(cls="ChoiceModal")
        + """
    ChoiceModal OptionList { height: auto; max-height: 16; border: none; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "key.cancel", id="choice.cancel")]

    def __init__(self, title: str, options: Sequence[tuple[Any, str]]) -> None:
        super().__init__()
        self.choice_title = title
        self.options = list(options)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.choice_title), classes="dialog-title")
            yield OptionList(
                *(
                    Option(Text(f"{i + 1}. {safe(label)}" if i < 9 else safe(label)), id=str(i))
                    for i, (_value, label) in enumerate(self.options)
                )
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_key(self, event) -> None:
        if event.character and event.character.isdigit() and event.character != "0":
            index = int(event.character) - 1
            if index < len(self.options):
                event.stop()
                self.dismiss(self.options[index][0])

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.options[int(event.option.id)][0])

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmModal(KamtuiModal):
    """Yes or no: ``y``/Enter confirms, ``n``/Esc cancels."""

    DEFAULT_CSS = _DIALOG_CSS.format(cls="ConfirmModal")
    BINDINGS = [
        Binding("y,enter", "answer(True)", "confirm.yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "confirm.no", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question), classes="dialog-title")
            yield Static(Text(t("confirm.help"), style="dim"), classes="dialog-help")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
