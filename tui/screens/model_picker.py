"""Pick the chat model from the endpoint's list, or type any id.

The list comes from the server, so ids are cleaned and shown as plain text. The
filter Input keeps focus the whole time: Up/Down move the list's highlight
from there. When the list cannot be fetched the Input is simply a free-text
field, so the picker never stands between the user and a model they know.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..core.models import ModelsUnavailable
from ..core.sanitize import clean
from ..widgets.key_bar import KeyBar

CURRENT_MARK = "● "


def matches(model_id: str, query: str) -> bool:
    """Every space-separated word of ``query`` is in ``model_id``, ignoring case."""
    haystack = model_id.lower()
    return all(word in haystack for word in query.lower().split())


class ModelPicker(ModalScreen[str | None]):
    """Returns the chosen model id, the typed id when nothing is listed, or None."""

    DEFAULT_CSS = """
    ModelPicker { align: center middle; }
    ModelPicker > Vertical { width: 90; max-width: 95%; height: 80%; border: round $accent; background: $surface; padding: 0 1; }
    ModelPicker .title { text-style: bold; }
    ModelPicker OptionList { height: 1fr; background: $surface; }
    ModelPicker .status { color: $text-muted; }
    ModelPicker .status.-error { color: $error; }
    ModelPicker.-failed > Vertical { height: auto; }
    ModelPicker.-failed OptionList { display: none; }
    """

    BINDINGS = [
        Binding("enter", "choose", "Choose", id="model.choose", tooltip="Use the highlighted model (or the typed id if none is listed)", priority=True),
        Binding("escape", "cancel", "Cancel", id="model.cancel", tooltip="Keep the current model"),
        Binding("down", "move('down')", "Next", id="model.next", tooltip="Highlight the next model", show=False),
        Binding("up", "move('up')", "Previous", id="model.previous", tooltip="Highlight the previous model", show=False),
        Binding("pagedown", "move('page_down')", "Page down", id="model.page_down", tooltip="Highlight a page further down", show=False),
        Binding("pageup", "move('page_up')", "Page up", id="model.page_up", tooltip="Highlight a page further up", show=False),
    ]

    def __init__(self, current: str, load: Callable[[], Awaitable[list[str]]]) -> None:
        super().__init__()
        self.current = current
        self._load = load
        self._models: list[str] = []
        self._shown: list[str] = []
        self._error: str | None = None
        self._loading = True

    def compose(self):
        with Vertical():
            yield Static(Text("Model — type to filter, Enter to choose, Esc to cancel"), classes="title", markup=False)
            yield Input(placeholder="type to filter…", id="filter")
            yield OptionList(id="models")
            yield Static(Text("loading models…"), id="status", classes="status", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._fetch()

    @work(exclusive=True, group="model-picker")
    async def _fetch(self) -> None:
        try:
            models = await self._load()
        except ModelsUnavailable as exc:
            self._failed(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - a broken loader must not take the app down
            self._failed(f"unexpected error ({type(exc).__name__})")
            return
        self._loading = False
        self._models = sorted({m for m in models if isinstance(m, str) and m.strip()})
        self._refresh_list()

    def _failed(self, message: str) -> None:
        self._loading = False
        self._error = clean(message).replace("\n", " ").strip().rstrip(".") or "unknown error"
        self.add_class("-failed")
        self._refresh_list()

    def _refresh_list(self) -> None:
        query = self.query_one(Input).value
        self._shown = [m for m in self._models if matches(clean(m), query)]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(self._label(m)) for m in self._shown])
        if self._shown:
            at = self._shown.index(self.current) if not query.strip() and self.current in self._shown else 0
            options.highlighted = at
            options.scroll_to_highlight()
        self._show_status(query)

    def _label(self, model_id: str) -> Text:
        if model_id == self.current:
            return Text.assemble((CURRENT_MARK, "bold green"), (clean(model_id), "bold"))
        return Text("  " + clean(model_id))

    def _show_status(self, query: str) -> None:
        status = self.query_one("#status", Static)
        status.set_class(self._error is not None, "-error")
        typed = query.strip()
        if self._error is not None:
            text = f"Could not list models: {self._error}. Type a model id and press Enter."
        elif self._loading:
            text = "loading models…"
        elif not self._shown and typed:
            text = f"no match — Enter uses “{clean(typed)}” as the model id"
        elif query.strip():
            text = f"{len(self._shown)} of {len(self._models)} models"
        else:
            text = f"{len(self._models)} model{'s' if len(self._models) != 1 else ''}"
        status.update(Text(text))

    @on(Input.Changed, "#filter")
    def _filter(self) -> None:
        self._refresh_list()

    @on(OptionList.OptionSelected, "#models")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self._shown):
            self.dismiss(self._shown[event.option_index])

    def action_move(self, direction: str) -> None:
        options = self.query_one(OptionList)
        moves = {"up": options.action_cursor_up, "down": options.action_cursor_down,
                 "page_up": options.action_page_up, "page_down": options.action_page_down}
        if options.option_count and direction in moves:
            moves[direction]()

    def action_choose(self) -> None:
        options = self.query_one(OptionList)
        index = options.highlighted
        if self._shown and index is not None and 0 <= index < len(self._shown):
            self.dismiss(self._shown[index])
            return
        typed = self.query_one(Input).value.strip()
        if typed:
            self.dismiss(typed)

    def action_cancel(self) -> None:
        self.dismiss(None)
