"""F3: the Tools screen. Built-in tools, and each MCP server with its state and tools.

Restart a server with r; turn a tool on or off with space. Server and tool text
comes from outside the app, so it is shown as plain text, never as markup.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, Tree
from ..widgets.key_bar import KeyBar

from ..core.mcp.connection import DISABLED, FAILED, READY, STARTING
from ..core.mcp.manager import has_side_effects
from ..core.sanitize import clean

STATE_STYLE = {READY: ("●", "green"), STARTING: ("◌", "yellow"), FAILED: ("✗", "red"), DISABLED: ("○", "dim")}


class ToolTree(Tree):
    """Space turns the selected tool on or off here, instead of folding the node."""

    BINDINGS = [Binding("space", "screen.toggle", "Tool on/off", show=False)]


class MCPScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    MCPScreen { align: center middle; }
    MCPScreen > Vertical { width: 100; max-width: 95%; height: 85%; border: round $accent; background: $surface; }
    MCPScreen .title { padding: 0 1; text-style: bold; }
    MCPScreen Tree { height: 1fr; background: $surface; }
    """

    BINDINGS = [
        Binding("escape,f3,q", "app.pop_screen", "Close", id="mcp.close", tooltip="Close the Tools screen"),
        Binding("r", "restart", "Restart server", id="mcp.restart", tooltip="Restart the selected MCP server"),
        Binding("space", "toggle", "Tool on/off", id="mcp.toggle", tooltip="Offer the selected tool to the model, or stop offering it"),
    ]

    def __init__(self, registry, manager) -> None:
        super().__init__()
        self.registry = registry
        self.manager = manager

    def compose(self):
        with Vertical():
            yield Static(Text("Tools — r restart server · space tool on/off · Esc close", style="bold"), classes="title")
            tree: Tree[tuple[str, str]] = ToolTree(Text("tools"), id="tools-tree")
            tree.show_root = False
            tree.guide_depth = 3
            yield tree
        yield KeyBar()

    def on_mount(self) -> None:
        self.refresh_servers()
        self.query_one(Tree).focus()

    def refresh_servers(self) -> None:
        """Rebuild the tree from the current states, keeping the cursor where it was."""
        tree = self.query_one(Tree)
        line = tree.cursor_line
        tree.clear()
        builtin = tree.root.add(_label("●", "green", "built-in", f"{len(self._builtins())} tools"), data=("", ""), expand=True)
        for tool in self._builtins():
            builtin.add_leaf(_tool_label(True, tool.name, "asks first" if tool.side_effects or tool.always_confirm else "read-only"), data=("", ""))
        servers = self.manager.servers if self.manager else {}
        if not servers:
            tree.root.add_leaf(Text("No MCP servers configured: add [mcp.servers.NAME] to the config file (see config.example.toml).", style="dim"), data=("", ""))
        for name, server in servers.items():
            mark, style = STATE_STYLE.get(server.state, ("?", ""))
            detail = server.state
            if server.state == READY:
                detail = f"ready · {len(server.tools)} tool{'s' if len(server.tools) != 1 else ''}"
            node = tree.root.add(_label(mark, style, name, detail), data=(name, ""), expand=True)
            if server.state == FAILED:
                node.add_leaf(Text("error: " + clean(server.error), style="red"), data=(name, ""))
                for line_text in server.stderr_tail():
                    node.add_leaf(Text("stderr: " + clean(line_text), style="dim"), data=(name, ""))
            for note in server.skipped:
                node.add_leaf(Text("⚠ skipped " + clean(note), style="yellow"), data=(name, ""))
            for tool in server.tools:
                kind = "asks first" if has_side_effects(tool) else "read-only"
                if server.config.confirm != "side-effects":
                    kind += f" · confirm = {server.config.confirm}"
                node.add_leaf(_tool_label(self.manager.is_enabled(name, tool.name), tool.name, kind), data=(name, tool.name))
        if line >= 0:
            tree.cursor_line = min(line, tree.last_line)

    def _builtins(self):
        return [tool for tool in self.registry.tools() if tool.source == "built-in"]

    def _selected(self) -> tuple[str, str]:
        node = self.query_one(Tree).cursor_node
        return node.data if node is not None and node.data else ("", "")

    @work(group="mcp-restart", exclusive=False)
    async def action_restart(self) -> None:
        server, _ = self._selected()
        if not server:
            self.notify("Select an MCP server (or one of its tools) to restart it.", timeout=3)
            return
        self.notify(f"Restarting {server}…", timeout=2, markup=False)
        await self.manager.restart(server)

    def action_toggle(self) -> None:
        server, tool = self._selected()
        if not tool:
            self.notify("Select one of a server's tools to turn it on or off.", timeout=3)
            return
        on = self.manager.toggle_tool(server, tool)
        self.notify(f"{clean(tool)}: {'offered to the model' if on else 'off — not offered to the model'}", timeout=2, markup=False)
        self.refresh_servers()

    @on(Tree.NodeSelected)
    def _selected_node(self, event: Tree.NodeSelected) -> None:
        if event.node.data and event.node.data[1]:
            self.action_toggle()


def _label(mark: str, style: str, name: str, detail: str) -> Text:
    text = Text()
    text.append(mark + " ", style=style)
    text.append(clean(name), style="bold")
    text.append("  " + clean(detail), style="dim" if style != "red" else "red")
    return text


def _tool_label(enabled: bool, name: str, kind: str) -> Text:
    text = Text()
    text.append("[x] " if enabled else "[ ] ", style="bold" if enabled else "dim")
    text.append(clean(name), style="" if enabled else "dim strike")
    text.append("  " + kind, style="dim")
    return text
