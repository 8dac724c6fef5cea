"""The conversation log: user turns, streaming assistant replies, notes."""

from __future__ import annotations

from rich.text import Text
from textual.containers import Vertical, VerticalScroll
from textual.reactive import var
from textual.widgets import Collapsible, Static

from ..core.sanitize import clean
from .markdown_view import MarkdownView

STATUS_NOTES = {
    "interrupted": "⚠ interrupted",
    "stopped": "■ stopped",
    "error": "⚠ failed — no reply",
}


WELCOME = (
    "Type a message below and press Enter. Ctrl+J adds a newline, Esc stops a reply,\n"
    "Ctrl+T inspects tool calls, Ctrl+P opens the command palette, F1 lists every key."
)


class UserMessage(Static):
    """A user's prompt, shown literally."""

    DEFAULT_CSS = """
    UserMessage {
        height: auto; margin: 1 0 0 0; padding: 0 1;
        border-left: thick $primary; background: $boost;
    }
    """

    def __init__(self, text: str, **kwargs) -> None:
        super().__init__(Text(clean(text)), markup=False, **kwargs)
        self.text = text


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
        self._reasoning: Static | None = None

    def compose(self):
        yield self.body
        yield self.note

    def on_mount(self) -> None:
        if self._reasoning_text:
            self._ensure_reasoning()
            if self.collapse_on_mount:
                self.call_after_refresh(self.collapse_reasoning)

    def _ensure_reasoning(self) -> Static:
        if self._reasoning is None:
            self._reasoning = Static(Text(clean(self._reasoning_text)), classes="reasoning", markup=False)
            box = Collapsible(self._reasoning, title="Reasoning", collapsed=False)
            self.mount(box, before=self.body)
        return self._reasoning

    def append(self, text: str) -> None:
        self.body.append(text)

    def append_reasoning(self, text: str) -> None:
        self._reasoning_text += text
        self._ensure_reasoning().update(Text(clean(self._reasoning_text)))

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
    """Scrolls with the reply while it streams, unless the user scrolled up."""

    DEFAULT_CSS = """
    MessageLog { height: 1fr; padding: 0 1; scrollbar-size-vertical: 1; }
    MessageLog > .empty-hint { color: $text-muted; margin: 1 0; }
    """

    def on_mount(self) -> None:
        self.anchor()
        self.mount(Static(Text(WELCOME), classes="empty-hint welcome", markup=False))

    def clear(self) -> None:
        self.remove_children()
        self.mount(Static(Text(WELCOME), classes="empty-hint welcome", markup=False))

    def add_user(self, text: str) -> UserMessage:
        for hint in self.query(".welcome"):
            hint.remove()
        self.prune()
        widget = UserMessage(text)
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
            return lambda: UserMessage(message.content)
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
                text, reasoning, model = widget.text, widget._reasoning_text, widget.model
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
