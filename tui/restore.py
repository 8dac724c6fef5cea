"""Rebuild the log and the sidebar from a list of messages (opened, reloaded).
What each reply's note says is the session's: ``note(index)``."""

from __future__ import annotations

from collections.abc import Callable

from .core.conversation import ChatMessage
from .core.toolcalls import ToolCall
from .widgets.message_log import MessageLog
from .widgets.tool_sidebar import ToolSidebar


def tool_state(content: str) -> str:
    from .core.tool_round import CANCELLED, DENIED

    if content == DENIED:
        return "denied"
    if content == CANCELLED:
        return "cancelled"
    return "failed" if content.startswith("error:") else "done"


def restore(log: MessageLog, sidebar: ToolSidebar, messages: list[ChatMessage], note: Callable[[int], tuple[str, bool]]) -> list[str]:
    """Show ``messages``; returns the sidebar keys of the restored calls."""
    sidebar.clear_calls()
    keys: dict[str, str] = {}
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
    index_of = {id(message): index for index, message in enumerate(messages)}
    log.restore(messages, lambda message: note(index_of[id(message)]))
    return list(keys.values())
