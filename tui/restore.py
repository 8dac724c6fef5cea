"""Rebuild the screen from a stored conversation: log, sidebar, model."""

from __future__ import annotations

from .core.conversation import COMPLETE, ChatMessage
from .core.toolcalls import ToolCall
from .widgets.message_log import STATUS_NOTES, MessageLog
from .widgets.tool_sidebar import ToolSidebar



def tool_state(content: str) -> str:
    if content == "denied by the user":
        return "denied"
    if content == "cancelled by the user":
        return "cancelled"
    return "failed" if content.startswith("error:") else "done"


def restore(log: MessageLog, sidebar: ToolSidebar, messages: list[ChatMessage], extra_note=None) -> list[str]:
    """Show ``messages``; returns the sidebar keys of the restored calls.
    ``extra_note(index)`` adds to the last reply's note (e.g. how many versions it has)."""
    sidebar.clear_calls()
    keys: dict[str, str] = {}
    entries = []
    for turn, message in enumerate(messages):
        if message.role == "assistant":
            for index, raw in enumerate(message.tool_calls):
                function = raw.get("function", {})
                call = ToolCall(index=index, id=raw.get("id", ""), name=function.get("name", ""), arguments=function.get("arguments", ""))
                key = f"restored-{turn}-{index}"
                item = sidebar.upsert(key, call)
                if item is not None:
                    item.finish()
                keys[call.id or f"call_{index}"] = key
        elif message.role == "tool" and message.tool_call_id in keys:
            sidebar.set_state(keys[message.tool_call_id], tool_state(message.content), result=message.content)
        entries.append(message)
    last = max((i for i, m in enumerate(messages) if m.role == "assistant"), default=None)
    extra = extra_note(last) if extra_note and last is not None else ""

    def note(message: ChatMessage) -> tuple[str, bool]:
        text, warning = note_for(message)
        if extra and last is not None and message is messages[last]:
            text = " · ".join(part for part in (text, extra) if part)
        return text, warning

    log.restore(entries, note)
    return list(keys.values())


def note_for(message: ChatMessage) -> tuple[str, bool]:
    notes = []
    if message.tool_calls:
        count = len(message.tool_calls)
        notes.append(f"model requested {count} tool call{'s' if count != 1 else ''}")
    if message.status != COMPLETE:
        notes.append(STATUS_NOTES.get(message.status, message.status))
    return " · ".join(notes), message.status != COMPLETE
