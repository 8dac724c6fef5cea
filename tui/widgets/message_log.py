"""The conversation log: user turns, streaming assistant replies, notes."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import var
from textual.widgets import Collapsible, Static

from ..core.keys import shown
from ..core.sanitize import clean
from .markdown_view import MarkdownView
from .reasoning_view import ReasoningView

WELCOME = (
    "Type a message below and press Enter. {newline} adds a newline, {stop} stops a reply,\n"
    "{tools} inspects tool calls, Ctrl+P opens the command palette, {help} lists every key."
)


def welcome(keymap: dict[str, str]) -> str:
    """The empty log's hint, naming the keys as the user has them."""
    return WELCOME.format(newline=shown("prompt.newline", keymap), stop=shown("app.stop", keymap),
                          tools=shown("app.focus_tools", keymap), help=shown("app.help", keymap))


class UserMessage(Static):
    """A user's prompt, shown literally."""

    DEFAULT_CSS = """
    UserMessage {
        height: auto; margin: 1 0 0 0; padding: 0 1;
        border-left: thick $primary; background: $boost;
    }
    """

    def __init__(self, text: str, attachments: list | None = None, **kwargs) -> None:
        shown = Text(clean(text))
        for attachment in attachments or []:
            shown.append(("\n" if shown else "") + "📎 " + clean(attachment.chip()), style="dim")
        super().__init__(shown, markup=False, **kwargs)
        self.text = text
        self.attachments = list(attachments or [])
        self._previews: list = []

    def on_mount(self) -> None:
        """Image attachments show a preview under the message (core of issue 16)."""
        from .image_preview import preview

        images = [a for a in self.attachments if a.kind == "image"]
        self._previews = [w for w in (preview(a) for a in images) if w is not None]
        if self._previews and self.parent is not None:
            self.parent.mount_all(self._previews, after=self)

    def on_unmount(self) -> None:
        for widget in self._previews:
            widget.remove()


class AssistantMessage(Vertical):
    """One assistant reply: optional reasoning, Markdown body, footnote."""

    DEFAULT_CSS = """
    AssistantMessage { height: auto; margin: 1 0 0 0; padding: 0 1; }
    AssistantMessage > Collapsible { background: transparent; border: none; padding: 0; margin: 0 0 1 0; }
    AssistantMessage > Collapsible .reasoning { color: $text-muted; text-style: italic; }
    AssistantMessage > .note { color: $text-muted; height: auto; }
    AssistantMessage > .note.-warning { color: $warning; }
    AssistantMessage.-streaming > .note { display: none; }
    """

    streaming: var[bool] = var(True, toggle_class="-streaming")
    """True while the reply is still arriving."""

    def watch_streaming(self, streaming: bool) -> None:
        if streaming:
            self.body.streaming = True
        else:
            self.body.finish()

    def __init__(self, text: str = "", *, reasoning: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.body = MarkdownView(text)
        self.note = Static("", classes="note", markup=False)
        self._reasoning_text = reasoning
        self._reasoning: ReasoningView | None = None

    def compose(self):
        yield self.body
        yield self.note

    def on_mount(self) -> None:
        if self._reasoning_text:
            self._ensure_reasoning()
            if self.collapse_on_mount:
                self.call_after_refresh(self.collapse_reasoning)

    def _ensure_reasoning(self) -> ReasoningView:
        if self._reasoning is None:
            self._reasoning = ReasoningView(self._reasoning_text, classes="reasoning")
            box = Collapsible(self._reasoning, title="Reasoning", collapsed=False)
            self.mount(box, before=self.body)
        return self._reasoning

    def append(self, text: str) -> None:
        self.body.append(text)

    def append_reasoning(self, text: str) -> None:
        """Only the new text is sanitised and rendered (see ReasoningView)."""
        if self._reasoning is None:
            self._reasoning_text += text
            self._ensure_reasoning()
        else:
            self._reasoning.append(text)

    @property
    def reasoning(self) -> str:
        return self._reasoning.text if self._reasoning is not None else self._reasoning_text

    @property
    def text(self) -> str:
        return self.body.text

    collapse_on_mount = False

    def collapse_reasoning(self) -> None:
        """Fold the reasoning away once there is an answer to read."""
        if self._reasoning is not None and self.text.strip():
            self.query_one(Collapsible).collapsed = True

    def set_note(self, text: str, *, warning: bool = False, model: str = "") -> None:
        """The footnote: the model that wrote the reply (subtle), then any notes."""
        note = Text()
        if model:
            note.append(clean(model), style="dim italic")
            if text:
                note.append("  ·  ", style="dim")
        note.append(text)
        self.note.update(note)
        self.note.set_class(warning, "-warning")
        self.model = model
        self.note_text = text

    model = ""
    note_text = ""


def _finished_reply(text: str, reasoning: str, note: str, warning: bool, model: str = "") -> AssistantMessage:
    widget = AssistantMessage(text, reasoning=reasoning)
    widget.streaming = False
    widget.set_note(note, warning=warning, model=model)
    if reasoning and text:
        widget.collapse_on_mount = True
    return widget


class MessageLog(VerticalScroll):
    """Scrolls with the reply while it streams, unless the user scrolled up.

    Focused (Ctrl+Up), it selects messages: Up/Down move between them, [ and ]
    between code blocks, c copies the selection.
    """

    DEFAULT_CSS = """
    MessageLog { height: 1fr; padding: 0 1; scrollbar-size-vertical: 1; scrollbar-gutter: stable; }
    MessageLog > .empty-hint { color: $text-muted; margin: 1 0; }
    MessageLog > .-selected { background: $primary 20%; }
    MessageLog:focus > .-selected { background: $primary 30%; }
    """

    BINDINGS = [
        Binding("up,k", "select(-1)", "Previous message", id="log.previous", tooltip="Select the previous message", show=False),
        Binding("down,j", "select(1)", "Next message", id="log.next", tooltip="Select the next message", show=False),
        Binding("left_square_bracket", "code(-1)", "Previous code block", id="log.previous_code", tooltip="Select the previous code block"),
        Binding("right_square_bracket", "code(1)", "Next code block", id="log.next_code", tooltip="Select the next code block"),
        Binding("c,y", "copy", "Copy", id="log.copy", tooltip="Copy the selected code block, or else the selected message"),
    ]

    @dataclass
    class CopyRequested(Message):
        """Copy this text (``what`` says what it is, for the toast)."""

        text: str
        what: str

    selected: int = -1
    code: tuple[int, int] | None = None  # (message index, code block index)

    def _select_widget(self, index: int) -> None:
        live = self._messages()
        for widget in self.query(".-selected"):
            widget.remove_class("-selected")
        if not live:
            self.selected = -1
            return
        self.selected = max(0, min(index, len(live) - 1))
        widget = live[self.selected]
        widget.add_class("-selected")
        self.scroll_to_widget(widget, animate=False)

    def select_last(self) -> None:
        self.code = None
        self._select_widget(len(self._messages()) - 1)

    def action_select(self, step: int) -> None:
        self.code = None
        live = self._messages()
        start = self.selected if 0 <= self.selected < len(live) else (len(live) if step < 0 else -1)
        self._select_widget(start + step)

    def _code_positions(self) -> list[tuple[int, int, str, str]]:
        from ..core.blocks import code_blocks

        found = []
        for index, widget in enumerate(self._messages()):
            if isinstance(widget, AssistantMessage):
                for number, (lang, code) in enumerate(code_blocks(widget.text)):
                    found.append((index, number, lang, code))
        return found

    def action_code(self, step: int) -> None:
        blocks = self._code_positions()
        if not blocks:
            self.app.notify("No code blocks in this conversation.", timeout=2)
            return
        keys = [(m, n) for m, n, _, _ in blocks]
        if self.code in keys:
            position = keys.index(self.code) + step
        else:
            after = [i for i, (m, _) in enumerate(keys) if m >= max(self.selected, 0)]
            position = (after[0] if after else len(keys)) if step > 0 else ((after[0] - 1) if after else len(keys) - 1)
        position = max(0, min(position, len(keys) - 1))
        message, number, lang, code = blocks[position]
        self.code = (message, number)
        self._select_widget(message)
        lines = code.count("\n") or 1
        self.app.notify(f"Code block {position + 1} of {len(keys)} ({lang or 'text'}, {lines} lines) — c copies it", timeout=2, markup=False)

    def selection_text(self) -> tuple[str, str] | None:
        live = self._messages()
        if self.code is not None:
            for message, number, lang, code in self._code_positions():
                if (message, number) == self.code:
                    return code, f"the {lang or 'text'} code block"
        if 0 <= self.selected < len(live):
            widget = live[self.selected]
            return widget.text, "the message"
        return None

    def action_copy(self) -> None:
        found = self.selection_text()
        if found is None:
            self.app.notify("Nothing selected: Up/Down select a message, [ and ] a code block.", timeout=3)
            return
        self.post_message(self.CopyRequested(*found))

    def on_mount(self) -> None:
        self.anchor()
        self.mount(Static(Text(self._welcome()), classes="empty-hint welcome", markup=False))

    def clear(self) -> None:
        self.remove_children()
        self.mount(Static(Text(self._welcome()), classes="empty-hint welcome", markup=False))

    def _welcome(self) -> str:
        settings = getattr(self.app, "settings", None)
        return welcome(settings.keymap if settings else {})

    def keys_changed(self) -> None:
        """The settings (and their keymap) arrived after the first frame: the hint follows."""
        for hint in self.query(".welcome").results(Static):
            hint.update(Text(self._welcome()))

    def add_user(self, text: str, attachments: list | None = None) -> UserMessage:
        for hint in self.query(".welcome"):
            hint.remove()
        self.prune()
        widget = UserMessage(text, attachments)
        self.mount(widget)
        self.anchor()
        return widget

    def add_assistant(self, text: str = "", *, reasoning: str = "", streaming: bool = True) -> AssistantMessage:
        widget = AssistantMessage(text, reasoning=reasoning)
        widget.streaming = streaming
        widget.body.streaming = streaming
        self.mount(widget)
        return widget

    PAGE = 40
    """Messages mounted per page when restoring or scrolling back."""
    MAX_LIVE = 120
    """Above this many mounted messages, the oldest are unmounted (they load again on scroll)."""

    def restore(self, messages: list, note_for) -> None:
        """Show stored messages: the last page now, older pages when scrolled to the top."""
        self.clear()
        for hint in self.query(".welcome"):
            hint.remove()
        shown = [m for m in messages if m.role in ("user", "assistant")]
        factories = [self._factory(m, note_for) for m in shown]
        self._older = factories[: -self.PAGE] if len(factories) > self.PAGE else []
        self.mount_all([make() for make in factories[-self.PAGE :]])
        self._update_more_hint()
        self.call_after_refresh(self.scroll_end, animate=False, immediate=True)

    @staticmethod
    def _factory(message, note_for):
        if message.role == "user":
            return lambda: UserMessage(message.content, message.attachments)
        note, warning = note_for(message)
        return lambda: _finished_reply(message.content, message.reasoning, note, warning, message.model)

    def _messages(self) -> list:
        return [c for c in self.children if isinstance(c, (UserMessage, AssistantMessage))]

    def prune(self) -> None:
        """Keep memory and layout cost flat in long sessions: unmount the oldest
        messages beyond MAX_LIVE; scrolling to the top brings them back."""
        live = self._messages()
        excess = len(live) - self.MAX_LIVE
        if excess <= 0:
            return
        older = getattr(self, "_older", [])
        for widget in live[:excess]:
            if isinstance(widget, UserMessage):
                older.append(lambda text=widget.text: UserMessage(text))
            elif not widget.streaming:
                text, reasoning, model = widget.text, widget.reasoning, widget.model
                note, warning = widget.note_text, widget.note.has_class("-warning")
                older.append(lambda t=text, r=reasoning, n=note, w=warning, m=model: _finished_reply(t, r, n, w, m))
            else:
                return
            widget.remove()
        self._older = older
        self._update_more_hint()

    def _update_more_hint(self) -> None:
        for hint in self.query(".more-hint"):
            hint.remove()
        if getattr(self, "_older", None):
            hint = Static(Text(f"▲ {len(self._older)} earlier messages — scroll up to load"), classes="empty-hint more-hint", markup=False)
            self.mount(hint, before=0)

    def load_older(self) -> None:
        older = getattr(self, "_older", [])
        if not older:
            return
        page, self._older = older[-self.PAGE :], older[: -self.PAGE]
        anchor = next((c for c in self.children if not c.has_class("more-hint")), None)
        before_height = self.virtual_size.height
        widgets = [make() for make in page]
        self.mount_all(widgets, before=anchor) if anchor else self.mount_all(widgets)
        self._update_more_hint()

        def keep_place() -> None:
            self.scroll_to(y=self.virtual_size.height - before_height, animate=False, immediate=True)

        self.call_after_refresh(keep_place)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new <= 0 and old > 0 and getattr(self, "_older", None):
            self.load_older()

    def add_note(self, text: str) -> Static:
        widget = Static(Text(text), classes="empty-hint", markup=False)
        self.mount(widget)
        return widget
