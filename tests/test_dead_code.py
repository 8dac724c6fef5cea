"""Code nothing calls is removed, not kept "just in case" (issue 15, #19)."""

import dataclasses

from tui.core.mcp.connection import MCPConnection
from tui.core.store import Store
from tui.core.tools import ToolResult


def test_removed_dead_code_stays_removed():
    assert not hasattr(Store, "version_messages")
    assert "meta" not in {f.name for f in dataclasses.fields(ToolResult)}
    assert "ready_seconds" not in MCPConnection.__init__.__code__.co_names
