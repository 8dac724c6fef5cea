"""The keys a binding answers to now: its own, or the ones the user's keymap gave it."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding


def bound_keys(app: App, binding: Binding) -> list[Binding]:
    """One binding per key that triggers ``binding`` after the keymap, for display."""
    keymap = getattr(app, "_keymap", {})  # what App.set_keymap applied, normalised
    remapped = keymap.get(binding.id) if binding.id else None
    if remapped:
        return [binding.with_key(key.strip()) for key in remapped.split(",") if key.strip()]
    return [binding.with_key(key.strip(), binding.key_display) for key in binding.key.split(",") if key.strip()]


def key_labels(app: App, binding: Binding) -> list[str]:
    """How each of those keys is written in the key bar (``^r``, ``esc``, ``f2``)."""
    labels: list[str] = []
    for one in bound_keys(app, binding):
        label = app.get_key_display(one)
        if label not in labels:
            labels.append(label)
    return labels
