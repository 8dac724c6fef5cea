"""Tools the model can call: a registry, built-ins, user-defined command tools."""

from .registry import Tool, ToolError, ToolRegistry, ToolResult

__all__ = ["Tool", "ToolError", "ToolRegistry", "ToolResult"]
