"""Build the session a front end drives, from validated settings: the store, the tools,
the MCP servers. The full-screen app, a pipe and a test build it the same way."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import Failure, no_key

if TYPE_CHECKING:
    from .session import ChatSession
    from .settings import Settings

LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "0.0.0.0")


def needs_key(settings: Settings, *, local: bool = False) -> bool:
    """A remote endpoint without a key would only answer 401: refuse before asking."""
    host = settings.host
    return not local and not settings.key and host.split(":")[0] not in LOCAL_HOSTS and not host.startswith("[::1]")


def make_session(
    settings: Settings, *, db: str | None = None, local_model: str = "",
    on_event: Callable[[Any], Any] | None = None, on_mcp_change: Callable[[Any], Any] | None = None,
    precheck: Callable[[], Failure | None] | None = None,
) -> tuple[ChatSession, Any]:
    """The session and its MCP manager (None without MCP servers). ``local_model`` fixes
    the model (the bundled local one)."""
    from .history import History
    from .session import ChatSession
    from .tools.setup import build_registry

    registry = build_registry(settings)
    if precheck is None:
        def precheck() -> Failure | None:
            return no_key() if needs_key(settings, local=bool(local_model)) else None
    session = ChatSession(
        settings, History(settings, db), registry, model=local_model or settings.model,
        fixed_model=bool(local_model), on_event=on_event, precheck=precheck,
    )
    mcp = None
    if settings.tools.enabled and settings.mcp.servers:
        from .mcp.manager import MCPManager

        mcp = MCPManager(settings.mcp, registry, default_timeout=settings.tools.timeout, on_change=on_mcp_change)
    return session, mcp


def sibling_session(session: ChatSession, on_event: Callable[[Any], Any]) -> ChatSession:
    """Another conversation beside ``session`` (a tab): the same settings, store, tools
    and key check, its own history cursor and state."""
    from .history import History
    from .session import ChatSession

    settings = session.settings
    return ChatSession(
        settings, History(settings, store=session.history.store), session.registry,
        model=session.model if session.fixed_model else settings.model, fixed_model=session.fixed_model,
        on_event=on_event, precheck=session.precheck,
    )
