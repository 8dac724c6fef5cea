"""Screens: tool-call detail, help."""
