"""Tabs: several conversations at once. Each tab is its own ChatSession, shown by its
own SessionView in its own pane (a MessageLog and a ToolSidebar). The pane on screen is
moved first among the panes, so the app's ``query_one(MessageLog)`` finds the visible
one; the others are hidden and keep streaming into their own widgets."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual.containers import Horizontal

from .view import SessionView
from .widgets.attachment_bar import AttachmentBar
from .widgets.message_log import MessageLog
from .widgets.prompt_input import PromptInput
from .widgets.tab_bar import TabBar, TabInfo
from .widgets.tool_sidebar import ToolSidebar

if TYPE_CHECKING:
    from .core.attachments import Attachment
    from .core.session import ChatSession


class Tab:
    """One open conversation. The app's session events and the TabSet write ``unread``,
    the app's tool round writes ``confirming``; the session and the view are the tab's own."""

    def __init__(self, app, pane: Horizontal | None = None) -> None:
        self.app = app
        self._pane = pane
        self.session: ChatSession | None = None
        self.view = SessionView(app, self)
        self.unread = False
        """A reply finished while the tab was in the background."""
        self.confirming = False
        """A tool call of this tab waits for the user's answer."""
        self.draft = ""
        """The prompt box's text while another tab is shown."""
        self.draft_attachments: list[Attachment] = []
        """The attachment bar's files while another tab is shown."""
        self.shown = asyncio.Event()

    @property
    def pane(self) -> Horizontal:
        if self._pane is None:  # the first tab's pane is composed with the app
            self._pane = self.app.screen_stack[0].query_one("#main", Horizontal)
        return self._pane

    @property
    def active(self) -> bool:
        return self.app.active_tab is self

    def info(self) -> TabInfo:
        session = self.session
        state = ""
        if self.confirming:
            state = "confirm"
        elif session is not None and session.busy:
            state = "streaming"
        elif self.unread:
            state = "unread"
        title = ""
        if session is not None:
            first = next((m.content for m in session.messages if m.role == "user" and isinstance(m.content, str)), "")
            title = session.title or first
        return TabInfo(title, state)


def alt_digits_as_keys() -> None:
    """Textual 8.2 reads ESC 1..9 (what xterm, tmux and most terminals send for Alt+1..9)
    as the macOS Option characters ¡ ™ £ ¢ ∞ § ¶ • ª, so an ``alt+1`` binding never fires.
    Dropped from its table, ESC+digit is Alt+digit again; typed ¡ £ § ... still arrive
    as themselves (UTF-8), only ESC-prefixed digits change meaning."""
    from textual._ansi_sequences import ANSI_SEQUENCES_KEYS

    for digit in "123456789":
        ANSI_SEQUENCES_KEYS.pop(f"\x1b{digit}", None)  # type: ignore[attr-defined]


class TabSet:
    """Open, switch and close tabs, and remember which were open. The one writer of the
    tab list and of which tab is on screen; the app reads ``active`` (and, through it,
    the session and view on screen)."""

    def __init__(self, app) -> None:
        alt_digits_as_keys()
        self.app = app
        first = Tab(app)
        first.shown.set()
        self._tabs: list[Tab] = [first]
        self._active = 0

    @property
    def active(self) -> Tab:
        return self._tabs[self._active]

    @property
    def tabs(self) -> list[Tab]:
        return list(self._tabs)

    def refresh_bar(self) -> None:
        bar = self.app.query(TabBar)
        if bar:
            bar.first().show([tab.info() for tab in self._tabs], self._active)

    def new_tab(self) -> Tab | None:
        """A new, empty tab, shown; None (with a hint) at ``ui.max_tabs``."""
        from .core.session_setup import sibling_session

        app = self.app
        limit = app.settings.ui.max_tabs
        if len(self._tabs) >= limit:
            close = app.key("app.close_tab")
            app.hint(f"{limit} tabs are open (ui.max_tabs) — close one with {close} first")
            app.notify(f"At most {limit} tabs can be open (ui.max_tabs): close one with {close}.", severity="warning", timeout=4, markup=False)
            return None
        pane = Horizontal(MessageLog(), ToolSidebar(), classes="pane")
        tab = Tab(app, pane)
        tab.view.hold_until_mounted()
        mounting = app.mount(pane, after=self._tabs[-1].pane)

        async def mounted() -> None:
            await mounting
            tab.view.mounted()
            app.watch_scrolling(pane.query_one(MessageLog))
            if tab.active:
                app.chat.apply_sidebar()

        app.call_later(mounted)
        tab.session = sibling_session(self._tabs[0].session, lambda event: app.session_event(tab, event))
        self._tabs.append(tab)
        self.switch(len(self._tabs) - 1)
        return tab

    def switch(self, index: int) -> None:
        app = self.app
        if not 0 <= index < len(self._tabs) or app.session is None:
            return
        prompt = app.query_one(PromptInput)
        old, new = self.active, self._tabs[index]
        if old is not new:
            old.draft, old.draft_attachments = prompt.text, app.query_one(AttachmentBar).take()
            old.shown.clear()
            old.pane.display = False
            new.pane.display = True
            new.pane.parent.move_child(new.pane, before=self._first_pane())
            self._active = index
            self._show_draft(new)
        new.unread = False
        new.shown.set()
        app.chat.apply_sidebar()
        new.view.activate()
        self.refresh_bar()
        prompt.focus()

    def _show_draft(self, tab: Tab) -> None:
        """The prompt box and the attachment bar take up what ``tab`` had in them."""
        prompt = self.app.query_one(PromptInput)
        if prompt.text != tab.draft:
            prompt.load_text(tab.draft)
        self.app.query_one(AttachmentBar).set(tab.draft_attachments)
        tab.draft, tab.draft_attachments = "", []

    def _first_pane(self) -> Horizontal:
        return self.app.query("#main, .pane").first(Horizontal)

    def open_new(self) -> None:
        if self.app.session is not None:
            self.new_tab()

    def next(self) -> None:
        self.switch((self._active + 1) % len(self._tabs))

    def previous(self) -> None:
        self.switch((self._active - 1) % len(self._tabs))

    def number(self, tab: Tab) -> int | None:
        """``tab``'s number on the tab bar, when there are several (for notifications)."""
        return self._tabs.index(tab) + 1 if len(self._tabs) > 1 and tab in self._tabs else None

    def goto(self, number: int) -> None:
        self.switch(number - 1)

    def chosen(self, message: TabBar.Chosen) -> None:
        """A click on a tab's title in the tab bar."""
        self.switch(message.index)

    def close_active(self) -> None:
        app = self.app
        if app.session is None:
            return
        if len(self._tabs) == 1:
            app.notify(f"This is the only tab ({app.key('app.new_chat')} opens another, {app.key('app.quit')} quits).", timeout=3, markup=False)
            return
        tab = self.active
        if not tab.session.busy:
            self.close(tab)
            return
        from .screens.close_tab import CloseTabScreen

        def answered(close: bool | None) -> None:
            if close and tab in self._tabs:
                self.close(tab)

        app.push_screen(CloseTabScreen(), answered)

    def close(self, tab: Tab) -> None:
        app = self.app
        index = self._tabs.index(tab)
        tab.session.save_partial()
        app.workers.cancel_node(tab.pane)
        tab.session.emit = lambda _event: None  # its last words have no widget to go to
        self._tabs.remove(tab)
        if self._active >= len(self._tabs) or self._active > index:
            self._active -= 1
        self._active = max(self._active, 0)
        if tab.pane.id == "main":
            tab.pane.display = False  # the first pane stays in the DOM: its id is the layout's anchor
            tab.pane.query_one(MessageLog).clear()  # ... but not what the closed tab showed
            tab.pane.query_one(ToolSidebar).clear_calls()
        else:
            tab.pane.remove()
        app.call_after_refresh(app.memory.full)  # the closed tab's widgets may now be collected
        self._active = min(self._active, len(self._tabs) - 1)
        shown = self._tabs[self._active]
        shown.pane.display = True
        shown.pane.parent.move_child(shown.pane, before=self._first_pane())
        self._show_draft(shown)  # the closed tab's text and files go with it
        shown.unread = False
        shown.shown.set()
        app.chat.apply_sidebar()
        shown.view.activate()
        self.refresh_bar()

    def index_of(self, conversation_id: int) -> int | None:
        for index, tab in enumerate(self._tabs):
            if tab.session is not None and tab.session.history.conversation_id == conversation_id:
                return index
        return None

    def save_open(self) -> None:
        from .core import open_tabs

        session = self.app.session
        if session is None:
            return
        ids = [tab.session.history.conversation_id for tab in self._tabs]
        kept = [cid for cid in ids if cid is not None]
        active_id = session.history.conversation_id
        active = kept.index(active_id) if active_id in kept else 0
        open_tabs.save(session.history.store.path, kept, active)

    def restore_open(self) -> bool:
        """--resume: every tab open at the last quit, the active one shown (or the latest
        conversation, when another front end saved it since: core/open_tabs.resume). The first
        opens at once (as a single conversation always did); the rest once mounted."""
        from .core import open_tabs

        session = self.app.session
        latest = session.history.store.latest()
        ids, active = open_tabs.resume(session.history.store.path, (latest.id, latest.updated) if latest else None, self.app.settings.ui.max_tabs)
        while ids and not session.open(ids[0]):
            ids.pop(0)
        if len(ids) > 1:
            self.app.call_later(self._restore_more, ids[1:], active)
        return bool(ids)

    def _restore_more(self, ids: list[int], active: int) -> None:
        for cid in ids:
            tab = self.new_tab()
            if tab is None:
                break
            if not tab.session.open(cid):
                self.close(tab)
        self.switch(min(active, len(self._tabs) - 1))
