"""Browse past conversations: search all messages, open, rename, delete."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option
from ..widgets.key_bar import KeyBar

from ..core.sanitize import clean
from ..core.store import Store


class HistoryScreen(Screen[int | None]):
    """Type to search; Enter opens; F2 renames; Ctrl+D deletes; Esc goes back."""

    DEFAULT_CSS = """
    HistoryScreen { layout: vertical; }
    HistoryScreen > .title { padding: 0 1; text-style: bold; }
    HistoryScreen > Input { margin: 0 1; }
    HistoryScreen > OptionList { height: 1fr; margin: 0 1; }
    HistoryScreen > .hint { color: $text-muted; padding: 0 1; }
    """

    BINDINGS = [
        Binding("escape", "close", "Back", id="history.close", tooltip="Back to the chat"),
        Binding("down", "focus_list", "List", show=False),
        Binding("f2", "rename", "Rename", id="history.rename", tooltip="Rename the selected conversation", priority=True),
        Binding("ctrl+d", "delete", "Delete", id="history.delete", tooltip="Delete the selected conversation", priority=True),
    ]

    def __init__(self, store: Store, persistent: bool) -> None:
        super().__init__()
        self.store = store
        self.persistent = persistent

    def compose(self):
        yield Static(Text("History"), classes="title", markup=False)
        yield Input(placeholder="Search all messages…", id="search")
        yield OptionList(id="list")
        hint = "Enter open · F2 rename · Ctrl+D delete · Esc back"
        if not self.persistent:
            hint += " · history is kept in memory only for this session"
        yield Static(Text(hint), classes="hint", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.refresh_list()
        self.query_one(Input).focus()

    def refresh_list(self) -> None:
        query = self.query_one(Input).value.strip()
        options = self.query_one(OptionList)
        options.clear_options()
        if query:
            hits = self.store.search(query)
            for hit in hits:
                options.add_option(Option(_hit_text(hit.title, hit.snippet), id=f"{hit.conversation_id}:{hit.message_id}"))
            if not hits:
                options.add_option(Option(Text("no matches", style="dim"), disabled=True))
        else:
            conversations = self.store.conversations()
            for info in conversations:
                line = Text()
                line.append(clean(info.title)[:60], style="bold")
                stamp = datetime.fromtimestamp(info.updated).strftime("%Y-%m-%d %H:%M")
                line.append(f"\n{stamp} · {clean(info.model)} · {info.count} messages · #{info.id}", style="dim")
                options.add_option(Option(line, id=str(info.id)))
            if not conversations:
                options.add_option(Option(Text("no conversations yet", style="dim"), disabled=True))
        if options.option_count:
            options.highlighted = 0

    @on(Input.Changed, "#search")
    def _search(self) -> None:
        self.refresh_list()

    @on(Input.Submitted, "#search")
    def _open_first(self) -> None:
        self._open(self._selected())

    @on(OptionList.OptionSelected)
    def _selected_option(self, event: OptionList.OptionSelected) -> None:
        self._open(_conversation_id(event.option.id))

    def _selected(self) -> int | None:
        options = self.query_one(OptionList)
        if options.highlighted is None or not options.option_count:
            return None
        return _conversation_id(options.get_option_at_index(options.highlighted).id)

    def _open(self, conversation_id: int | None) -> None:
        if conversation_id is not None:
            self.dismiss(conversation_id)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_focus_list(self) -> None:
        self.query_one(OptionList).focus()

    def _selected_info(self):
        conversation_id = self._selected()
        return self.store.conversation(conversation_id) if conversation_id else None

    def action_rename(self) -> None:
        info = self._selected_info()
        if info is None:
            return

        def done(title: str | None) -> None:
            if title is not None:
                self.store.rename(info.id, title)
                self.refresh_list()

        self.app.push_screen(TextPrompt(f"Rename “{clean(info.title)}”", info.title), done)

    def action_delete(self) -> None:
        info = self._selected_info()
        if info is None:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.store.delete(info.id)
                self.refresh_list()
                self.notify(f"Deleted “{clean(info.title)}”.", timeout=3)

        self.app.push_screen(YesNo(f"Delete “{clean(info.title)}” and its {info.count} messages? This cannot be undone."), done)


def _conversation_id(option_id: str | None) -> int | None:
    if not option_id:
        return None
    return int(option_id.split(":", 1)[0])


def _hit_text(title: str, snippet: str) -> Text:
    text = Text()
    text.append(clean(title)[:60] + "\n", style="bold")
    highlighted = False
    for part in snippet.replace("\x03", "\x02").split("\x02"):
        text.append(clean(part).replace("\n", " "), style="reverse" if highlighted else "dim")
        highlighted = not highlighted
    return text


class TextPrompt(ModalScreen[str | None]):
    DEFAULT_CSS = """
    TextPrompt { align: center middle; }
    TextPrompt > Vertical { width: 70; height: auto; border: round $accent; background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel", tooltip="Keep the old value")]

    def __init__(self, title: str, value: str) -> None:
        super().__init__()
        self.title_text, self.value = title, value

    def compose(self):
        with Vertical():
            yield Static(Text(self.title_text), markup=False)
            yield Input(value=self.value, id="value")

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class YesNo(ModalScreen[bool]):
    DEFAULT_CSS = """
    YesNo { align: center middle; }
    YesNo > Vertical { width: 70; height: auto; border: thick $error; background: $surface; padding: 0 1; }
    YesNo Button { margin: 1 1 0 0; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="yesno.yes", tooltip="Confirm"),
        Binding("n,escape", "answer(False)", "No", id="yesno.no", tooltip="Cancel"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self):
        with Vertical():
            yield Static(Text(self.question), markup=False)
            yield Button(Text("Delete (y)"), id="yes", variant="error")
            yield Button(Text("Cancel (n / Esc)"), id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
