"""The app's SDK client, one per endpoint at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .settings import Settings


class Clients:
    """Switching endpoints closes the client it replaces, and ``aclose`` closes the last
    one, so no connection pool is left open behind the app's back."""

    def __init__(self) -> None:
        self.current: Any = None
        self._url = ""

    async def get(self, settings: Settings) -> Any:
        from .client import make_client

        if self.current is None or self._url != settings.base_url:
            old = self.current
            self.current, self._url = make_client(settings), settings.base_url
            if old is not None:
                await old.close()
        return self.current

    async def aclose(self) -> None:
        client, self.current = self.current, None
        if client is not None:
            await client.close()
