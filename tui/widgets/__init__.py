"""Widgets: they react to app messages and never touch HTTP."""
