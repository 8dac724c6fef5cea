"""The completion list under a ``/`` at the start of the prompt."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual.reactive import var
from textual.widgets import Static

if TYPE_CHECKING:
    from ..core.slash import Command


class SlashCompletions(Static):
    """The commands the typed word could start; Tab takes the first."""

    DEFAULT_CSS = """
    SlashCompletions { display: none; height: auto; max-height: 16; padding: 0 1; background: $panel; }
    SlashCompletions.-shown { display: block; }
    """

    shown: var[bool] = var(False, toggle_class="-shown")
    """Whether a ``/`` word is being typed."""

    def __init__(self, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)
        self.commands: list[Command] = []

    def show(self, commands: list[Command]) -> None:
        self.commands = commands
        self.shown = bool(commands)
        if not commands:
            return
        table = Table.grid()
        table.add_column(no_wrap=True)
        table.add_column()
        for index, command in enumerate(commands):
            table.add_row(Text(command.usage + "  ", style="bold reverse" if index == 0 else "bold"), Text(command.summary, style="dim"))
        table.add_row(Text("Tab  ", style="italic"), Text("completes the first · // sends a literal slash", style="dim italic"))
        self.update(table)
