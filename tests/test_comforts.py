"""Everyday comforts: regenerate, edit, versions, model switch, per-chat settings, copy."""

from tests import sse_server as s
from tests.helpers import replies, screen_text, send, settle, wait_for, users
from tui.core.settings import ToolsSettings
from tui.widgets.prompt_input import PromptInput
from tui.widgets.status_line import StatusLine

SIZE = (110, 34)
NO_TOOLS = ToolsSettings(enabled=False)


def sent_messages(server, index=-1):
    return [(m["role"], m["content"]) for m in server.requests[index]["messages"]]


async def test_regenerate_replaces_the_reply_and_keeps_the_old_one_as_a_version(make_app, server):
    server.queue(s.text_reply("First answer."), s.text_reply("Second answer."))
    app = make_app(tools=NO_TOOLS)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "Tell me a fact")
        await pilot.press("f5")
        await settle(pilot)
        assert [r.text for r in replies(app)] == ["Second answer."]
        assert sent_messages(server) == [("user", "Tell me a fact")]  # the old reply is not sent
        assert "2 versions" in screen_text(app)
        stored = [m.content for _, m in app.session.history.store.messages(app.session.history.conversation_id)]
        assert stored == ["Tell me a fact", "Second answer."]
        await pilot.press("alt+left")
        await settle(pilot)
        assert [r.text for r in replies(app)] == ["First answer."]
        assert app.session.conversation.messages[-1].content == "First answer."
        await pilot.press("alt+right")
        await settle(pilot)
        assert [r.text for r in replies(app)] == ["Second answer."]
        assert users(app) == ["Tell me a fact"]


async def test_edit_last_prompt_resends_and_keeps_the_old_branch(make_app, server):
    server.queue(s.text_reply("Answer A."), s.text_reply("Answer B."), s.text_reply("Answer C."))
    app = make_app(tools=NO_TOOLS)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "Question one")
        await send(pilot, "Question two")
        await pilot.press("f8")
        prompt = app.query_one(PromptInput)
        assert prompt.text == "Question two"
        assert "editing the last prompt" in app.query_one(StatusLine).hint
        prompt.load_text("Question two, better")
        await pilot.press("enter")
        await settle(pilot)
        assert users(app) == ["Question one", "Question two, better"]
        assert sent_messages(server) == [("user", "Question one"), ("assistant", "Answer A."), ("user", "Question two, better")]
        assert replies(app)[-1].text == "Answer C."
        await pilot.press("alt+left")
        await settle(pilot)
        assert users(app) == ["Question one", "Question two"]
        assert replies(app)[-1].text == "Answer B."


async def test_escape_cancels_an_edit(make_app, server):
    server.queue(s.text_reply("Answer."))
    app = make_app(tools=NO_TOOLS)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "Question")
        await pilot.press("f8")
        await pilot.press("escape")
        assert app.query_one(PromptInput).text == "" and app.session.editing is None


async def test_edit_and_regenerate_are_refused_while_streaming(make_app, server):
    server.queue(s.Scenario([("chunk", {"choices": [{"index": 0, "delta": {"content": "slow"}}]}), ("stall",)], "stall"))
    app = make_app(tools=NO_TOOLS)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "Question", wait=False)
        await wait_for(lambda: app.streaming and replies(app) and replies(app)[-1].text == "slow")
        await pilot.press("f8")
        assert app.query_one(PromptInput).text == ""
        assert "refused while a reply streams" in app.query_one(StatusLine).hint
        await pilot.press("f5")
        assert len(server.requests) == 1
        await pilot.press("escape")
        server.release_stalls()
        await settle(pilot)


async def test_nothing_to_regenerate_or_flip_gives_a_hint(make_app, server):
    app = make_app(tools=NO_TOOLS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.press("alt+left")
        await pilot.pause()
        texts = [str(n.message) for n in app._notifications]
        assert any("Nothing to regenerate" in t for t in texts)
        assert any("No other versions" in t for t in texts)
        assert server.requests == []


CODE_REPLY = "Here:\n\n```python\nprint('hi')\nprint('there')\n```\n\nAnd shell:\n\n```bash\nls -la\n```\n"


async def test_copy_the_last_code_block(make_app, server):
    server.queue(s.text_reply(CODE_REPLY))
    app = make_app(tools=NO_TOOLS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("alt+c")
        await pilot.pause()
        assert any("No code block" in str(n.message) for n in app._notifications)
        await send(pilot, "show code")
        await pilot.press("alt+c")
        await pilot.pause()
        assert app.clipboard == "ls -la\n"
        assert any("Copied the last bash code block (1 line)" in str(n.message) for n in app._notifications)


async def test_select_messages_and_code_blocks_from_the_keyboard(make_app, server):
    server.queue(s.text_reply(CODE_REPLY))
    app = make_app(tools=NO_TOOLS)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "show code")
        await pilot.press("ctrl+up")
        log = app.query_one("MessageLog")
        assert app.focused is log and log.selected == 1
        await pilot.press("c")
        assert app.clipboard == CODE_REPLY
        await pilot.press("up", "c")
        assert app.clipboard == "show code"
        await pilot.press("right_square_bracket", "c")
        assert app.clipboard == "print('hi')\nprint('there')\n"
        await pilot.press("right_square_bracket", "c")
        assert app.clipboard == "ls -la\n"
        await pilot.press("left_square_bracket", "c")
        assert app.clipboard == "print('hi')\nprint('there')\n"
        await pilot.press("escape")
        assert app.focused is app.query_one(PromptInput)


async def test_copy_with_nothing_selected_is_a_hint(make_app, server):
    app = make_app(tools=NO_TOOLS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+up")
        await pilot.press("c")
        await pilot.pause()
        texts = [str(n.message) for n in app._notifications]
        assert any("No messages yet" in t for t in texts) and any("Nothing selected" in t for t in texts)


async def test_theme_is_remembered_in_the_config_file(make_app, empty_config):
    empty_config.write_text('model = "m"\n\n[ui]\nsidebar = true\n')
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "textual-light"
        await pilot.pause()
    text = empty_config.read_text()
    assert 'theme = "textual-light"' in text and "[ui]\nsidebar = true" in text
    assert text.index("theme") < text.index("[ui]")
    from tui.core.settings import load_settings

    assert load_settings(empty_config).theme == "textual-light"


async def test_narrow_terminal_shows_a_call_badge(make_app, server):
    server.queue(s.tool_calls_reply([("call_a", "get_time", '{"timezone": "UTC"}')]), s.text_reply("Noon."))
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await send(pilot, "time?")
        await wait_for(lambda: len(server.requests) == 2 and not app.streaming and not app.tools_running)
        await settle(pilot)
        assert app.query_one("ToolSidebar").has_class("-hidden")
        assert "⚙ 1" in screen_text(app)
        await pilot.press("ctrl+b")
        assert "⚙ 1" not in screen_text(app).splitlines()[-2]


async def test_model_switch_applies_to_the_next_turn_and_is_recorded(make_app, server):
    server.models = [{"id": "alpha", "object": "model"}, {"id": "beta", "object": "model"}]
    from_beta = s.text_reply("From beta.")
    for action in from_beta.actions:  # the server reports the model it used, as real ones do
        if action[0] == "chunk":
            action[1]["model"] = "beta"
    server.queue(s.text_reply("From the first."), from_beta)
    app = make_app(tools=NO_TOOLS)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "hello")
        await pilot.press("f4")
        await wait_for(lambda: app.screen.__class__.__name__ == "ModelPicker")
        await wait_for(lambda: "beta" in screen_text(app))
        await pilot.press(*"bet")
        await pilot.press("enter")
        await wait_for(lambda: app.screen.__class__.__name__ != "ModelPicker")
        assert app.model == "beta" and app.query_one(StatusLine).model == "beta"
        await send(pilot, "again")
        assert server.requests[-1]["model"] == "beta"
        assert [m.model for m in app.session.conversation.messages if m.role == "assistant"] == ["test-model", "beta"]
        assert app.session.history.store.conversation(app.session.history.conversation_id).model == "beta"
        assert "beta" in str(replies(app)[-1].note.content)


async def test_unknown_model_typed_by_hand_gets_the_404_banner_and_the_old_model_back(make_app, server):
    server.models_status = 404
    server.queue(s.http_error(404, "The model 'nope' does not exist"))
    app = make_app(tools=NO_TOOLS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await wait_for(lambda: "Could not list models" in screen_text(app))
        await pilot.press(*"nope", "enter")
        assert app.model == "nope"
        await send(pilot, "hi")
        assert server.requests[-1]["model"] == "nope"
        assert app.query_one("ErrorBanner").visible and "Not found" in screen_text(app)
        assert app.model == "test-model" and app.query_one(StatusLine).model == "test-model"


async def test_chat_settings_change_the_next_request_and_are_saved(make_app, server):
    server.queue(s.text_reply("One."), s.text_reply("Two."))
    app = make_app(tools=NO_TOOLS)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "first")
        assert "temperature" not in server.requests[-1]
        await pilot.press("f9")
        await wait_for(lambda: app.screen.__class__.__name__ == "ChatSettingsScreen")
        screen = app.screen
        screen.query_one("TextArea").load_text("You are terse.\nAnswer in French.")
        inputs = list(screen.query("Input"))
        inputs[0].value, inputs[1].value = "0.3", "200"
        await pilot.press("ctrl+s")
        await wait_for(lambda: app.screen.__class__.__name__ != "ChatSettingsScreen")
        await send(pilot, "second")
        body = server.requests[-1]
        assert body["temperature"] == 0.3 and body["max_tokens"] == 200
        assert body["messages"][0] == {"role": "system", "content": "You are terse.\nAnswer in French."}
        info = app.session.history.store.conversation(app.session.history.conversation_id)
        assert info.system_prompt == "You are terse.\nAnswer in French."
        assert info.settings == {"temperature": 0.3, "max_tokens": 200}
        cid = app.session.history.conversation_id
        app.action_new_chat()
        assert app.session.options.temperature is None
        app.open_conversation(cid)
        assert app.session.options.temperature == 0.3 and app.session.conversation.system_prompt.startswith("You are terse.")


async def test_comfort_keys_are_remappable_and_in_the_palette(make_app, server):
    server.queue(s.text_reply("One."), s.text_reply("Two."))
    app = make_app(tools=NO_TOOLS, keymap={"app.regenerate": "f12", "app.pick_model": "f11"})
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "q")
        await pilot.press("f12")
        await settle(pilot)
        assert replies(app)[-1].text == "Two."
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for title in ("Model", "Chat settings", "Regenerate", "Edit prompt", "Previous version", "Next version",
                      "Messages", "Copy code", "Tools"):
            assert title in titles, title


async def test_unknown_theme_in_the_config_is_a_warning_not_a_crash(make_app):
    app = make_app(theme="no-such-theme")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        assert any("Unknown theme 'no-such-theme'" in str(n.message) for n in app._notifications)


async def test_palette_command_names_are_unique(make_app, server):
    """Defect #6: two palette commands were both named "Tools"."""
    app = make_app(tools=NO_TOOLS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        names = [command.title for command in app.get_system_commands(app.screen)]
    assert len(names) == len(set(names)), sorted(names)
    assert "Tools" in names and "Tools and MCP servers" in names


async def test_clients_are_closed_when_replaced_and_on_exit(make_app, server, monkeypatch):
    """Defect #11: a client replaced by an endpoint switch, and the last one, stayed open."""
    from tests.sse_server import ScriptedServer
    from tui.core import client as client_module

    made = []
    original = client_module.make_client

    def recording(settings):
        made.append(original(settings))
        return made[-1]

    monkeypatch.setattr(client_module, "make_client", recording)
    server.queue(s.text_reply("One."))
    app = make_app(tools=NO_TOOLS)
    with ScriptedServer() as other:
        other.queue(s.text_reply("Two."))
        async with app.run_test(size=SIZE) as pilot:
            await send(pilot, "first")
            app.settings = app.settings.model_copy(update={"base_url": other.base_url})
            await send(pilot, "second")
            assert [r.text for r in replies(app)] == ["One.", "Two."]
            assert len(made) == 2 and made[0].is_closed() and not made[1].is_closed()
    assert made[1].is_closed()


async def test_sidebar_copy_and_mcp_news_reach_the_app(make_app, server):
    """Both handlers are routed from the app to Comforts: this proves they run."""
    from tui import messages as m

    server.queue(s.tool_calls_reply([("call_a", "calculator", '{"expression": "6*7"}')]))
    app = make_app(tools=NO_TOOLS)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "Six times seven?")
        await pilot.press("ctrl+t", "c")
        assert app.clipboard == '{"expression": "6*7"}'
        app.post_message(m.MCPChanged("notes", "failed", "boom"))
        await wait_for(lambda: any("MCP server 'notes' failed: boom" in str(n.message) for n in app._notifications))
