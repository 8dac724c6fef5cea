"""The app is composed, not mixed: ChatApp's only base is App, every key and widget
message it routes reaches a method of the component that owns it, and the modules
stay small enough to hold in your head (STYLE.md), core included."""

from pathlib import Path

import tui


def test_chat_app_has_no_mixins():
    from textual.app import App

    from tui.app import ChatApp

    assert ChatApp.__bases__ == (App,)


async def test_every_route_reaches_a_method_of_its_owner(make_app):
    from textual.dom import DOMNode

    from tui.app import ChatApp

    app = make_app()
    routes = [value.route for value in vars(ChatApp).values() if hasattr(value, "route")]
    assert len(routes) > 30
    for owner, method in routes:
        component = getattr(app, owner)
        assert not isinstance(component, DOMNode), owner
        assert callable(getattr(component, method, None)), (owner, method)


def test_every_binding_of_the_app_has_an_action():
    from tui.app import ChatApp

    for binding in ChatApp.BINDINGS:
        assert callable(getattr(ChatApp, f"action_{binding.action.partition('(')[0]}", None)), binding.id


def test_modules_stay_under_400_lines():
    root = Path(tui.__file__).parent
    sizes = {str(path.relative_to(root)): len(path.read_text().splitlines()) for path in root.rglob("*.py")}
    assert {name: lines for name, lines in sizes.items() if lines >= 400} == {}
