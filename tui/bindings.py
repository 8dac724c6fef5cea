"""The app's keys, in one list: ids for the keymap (core/keys.py mirrors them, and
tests/test_keymap.py checks that it does), tooltips for the key bar and F1 help."""

from __future__ import annotations

from textual.binding import Binding

APP_BINDINGS: list[Binding] = [
    Binding("escape", "stop", "Stop", id="app.stop", tooltip="Stop the streaming reply / dismiss / back to input"),
    Binding("ctrl+r", "retry", "Retry", id="app.retry", tooltip="Retry the last failed turn"),
    Binding("ctrl+t", "focus_tools", "Tools", id="app.focus_tools", tooltip="Focus the tool-call sidebar"),
    Binding("ctrl+b", "toggle_sidebar", "Sidebar", id="app.toggle_sidebar", tooltip="Show or hide the tool-call sidebar"),
    Binding("ctrl+n", "new_chat", "New chat", id="app.new_chat", tooltip="A new conversation: in a new tab when ui.tabs is on"),
    Binding("ctrl+o,f2", "history", "History", id="app.history", tooltip="Browse, search, rename and delete conversations"),
    Binding("f3", "tools_screen", "Tools and MCP servers", id="app.tools_screen", tooltip="Tools and MCP servers: state, restart, tools on/off", show=False),
    Binding("f5,ctrl+g", "regenerate", "Regenerate", id="app.regenerate", tooltip="Ask again for the last reply (the old one is kept as a version)", show=False),
    Binding("f8,alt+e", "edit_last", "Edit prompt", id="app.edit_last", tooltip="Edit the last prompt and resend it (the old turn is kept as a version)", show=False),
    Binding("alt+left", "prev_version", "Previous version", id="app.prev_version", tooltip="Show the previous version of the last turn", show=False),
    Binding("alt+right", "next_version", "Next version", id="app.next_version", tooltip="Show the next version of the last turn", show=False),
    Binding("ctrl+up", "focus_log", "Messages", id="app.focus_log", tooltip="Select messages in the log (then Up/Down, [ ], c to copy)", show=False),
    Binding("alt+c", "copy_code", "Copy code", id="app.copy_code", tooltip="Copy the last code block of the conversation", show=False),
    Binding("f4,ctrl+l", "pick_model", "Model", id="app.pick_model", tooltip="Choose the model for the next turn (type to filter)"),
    Binding("f10", "continue_reply", "Continue", id="app.continue_reply", tooltip="Continue a reply that was cut off, from exactly where it stopped", show=False),
    Binding("end", "follow", "Follow", id="app.follow", tooltip="Follow the streaming reply again (after scrolling up)", show=False),
    Binding("f9", "chat_settings", "Chat settings", id="app.chat_settings", tooltip="System prompt, temperature and max tokens of this conversation", show=False),
    Binding("alt+k", "compact", "Compact", id="app.compact", tooltip="Summarise the earlier turns to free the context window", show=False),
    Binding("alt+u", "undo_compaction", "Undo compaction", id="app.undo_compaction", tooltip="Send the compacted turns again as they were", show=False),
    Binding("ctrl+pagedown", "next_tab", "Next tab", id="app.next_tab", tooltip="Show the next tab", show=False),
    Binding("ctrl+pageup", "prev_tab", "Previous tab", id="app.prev_tab", tooltip="Show the previous tab", show=False),
    Binding("ctrl+w", "close_tab", "Close tab", id="app.close_tab", tooltip="Close this tab (asks first while it streams)", show=False),
    *(Binding(f"alt+{n}", f"goto_tab({n})", f"Tab {n}", id=f"app.tab_{n}", tooltip=f"Show tab {n}", show=False) for n in range(1, 10)),
    Binding("f1", "help", "Help", id="app.help", tooltip="Show every key"),
    Binding("ctrl+q", "quit", "Quit", id="app.quit", tooltip="Quit tui-chat", priority=True),  # from any screen, modals too
]
