"""Assemble streamed tool-call fragments into whole calls.

Servers disagree: vLLM repeats ``name`` in every delta, LM Studio sends
``name: ""``, Ollama sends a whole call in one chunk without ``id`` or
``type``. Fragments are keyed by ``index``; ``id`` and ``name`` are set, never
appended; ``arguments`` concatenate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ToolCall:
    """One call as assembled so far."""

    index: int
    id: str = ""
    name: str = ""
    arguments: str = ""
    fragments: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def parsed_arguments(self) -> tuple[Any, str | None]:
        """Return ``(value, None)`` or ``(None, error)`` for the arguments JSON."""
        text = self.arguments.strip() or "{}"
        try:
            return json.loads(text), None
        except ValueError as exc:
            return None, f"invalid JSON: {exc}"

    def pretty_arguments(self) -> str:
        value, error = self.parsed_arguments()
        if error:
            return self.arguments
        return json.dumps(value, indent=2, ensure_ascii=False)

    def to_api(self) -> dict[str, Any]:
        """The call as it goes back in the assistant message."""
        call: dict[str, Any] = {
            "id": self.id or f"call_{self.index}",
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }
        call.update(self.extra)
        return call


_KNOWN = {"index", "id", "type", "function"}


class ToolCallAssembler:
    """Collects fragments; ``feed`` returns the call each fragment touched."""

    def __init__(self) -> None:
        self._calls: dict[int, ToolCall] = {}

    def feed(self, fragment: Any) -> ToolCall | None:
        if not isinstance(fragment, dict):
            return None
        index = fragment.get("index")
        if not isinstance(index, int) or isinstance(index, bool):
            index = self._guess_index(fragment)
        call = self._calls.get(index)
        if call is None:
            call = self._calls[index] = ToolCall(index=index)
        call.fragments += 1
        call_id = fragment.get("id")
        if isinstance(call_id, str) and call_id:
            call.id = call_id
        function = fragment.get("function")
        if isinstance(function, dict):
            name = function.get("name")
            if isinstance(name, str) and name:
                call.name = name
            arguments = function.get("arguments")
            if isinstance(arguments, str):
                call.arguments += arguments
            elif isinstance(arguments, (dict, list)):
                call.arguments += json.dumps(arguments, ensure_ascii=False)
        for key, value in fragment.items():
            if key not in _KNOWN:
                call.extra[key] = value
        return call

    def _guess_index(self, fragment: dict[str, Any]) -> int:
        """No usable index: a new id starts a new call, else continue the last."""
        call_id = fragment.get("id")
        for call in self._calls.values():
            if call_id and call.id == call_id:
                return call.index
        if not self._calls:
            return 0
        last = max(self._calls)
        if call_id and self._calls[last].id and self._calls[last].id != call_id:
            return last + 1
        return last

    @property
    def calls(self) -> list[ToolCall]:
        """Calls in index order, only those with a name (a call needs one)."""
        return [self._calls[i] for i in sorted(self._calls) if self._calls[i].name]

    def __bool__(self) -> bool:
        return bool(self.calls)
