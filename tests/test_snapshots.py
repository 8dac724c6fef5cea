"""How the app looks, pinned. Regenerate only on purpose:
``pytest tests/test_snapshots.py --snapshot-update``."""


from tests import sse_server as s
from tests.helpers import send, wait_for as wait_until
from tui.core.settings import ToolsSettings
from tui.widgets.prompt_input import PromptInput
from tui.widgets.status_line import StatusLine
from tui.widgets.tool_sidebar import ToolCallItem

SIZE = (110, 34)
NO_TOOLS = ToolsSettings(enabled=False)
CALLS = [("call_a", "get_time", '{"timezone": "Europe/Stockholm"}'), ("call_b", "calculator", '{"expression": "2**10 + 7"}')]


def steady(pilot) -> None:
    """Remove what would differ between runs: the port, the cursor blink."""
    pilot.app.query_one(StatusLine).host = "127.0.0.1:8000"
    pilot.app.query_one(PromptInput).cursor_blink = False




class TestLayout:
    def test_empty_app(self, snap_compare, make_app):
        async def run_before(pilot):
            steady(pilot)

        assert snap_compare(make_app(tools=NO_TOOLS), terminal_size=SIZE, run_before=run_before)

    def test_help_screen(self, snap_compare, make_app):
        async def run_before(pilot):
            steady(pilot)
            await pilot.press("f1")
            await pilot.pause()

        assert snap_compare(make_app(tools=NO_TOOLS), terminal_size=SIZE, run_before=run_before)


class TestConversation:
    def test_finished_markdown_reply(self, snap_compare, make_app, server):
        server.queue(s.markdown_reply())

        async def run_before(pilot):
            steady(pilot)
            await send(pilot, "How do I sort a list in Python?")

        assert snap_compare(make_app(tools=NO_TOOLS), terminal_size=SIZE, run_before=run_before)


class TestTools:
    def test_sidebar_calls_in_progress(self, snap_compare, make_app, server):
        scenario = s.tool_calls_reply(CALLS, fragment_size=5)
        # Both headers and a few argument fragments, then hold the stream.
        scenario.actions.insert(6, ("stall",))
        server.queue(scenario)

        async def run_before(pilot):
            steady(pilot)
            await send(pilot, "What time is it, and what is 2**10 + 7?", wait=False)
            await wait_until(lambda: len(pilot.app.query(ToolCallItem)) == 2 and pilot.app.query(ToolCallItem)[1].call.arguments)
            await pilot.pause(0.2)

        assert snap_compare(make_app(tools=NO_TOOLS), terminal_size=SIZE, run_before=run_before)

    def test_sidebar_calls_complete(self, snap_compare, make_app, server):
        server.queue(s.tool_calls_reply(CALLS))

        async def run_before(pilot):
            steady(pilot)
            await send(pilot, "What time is it, and what is 2**10 + 7?")
            await pilot.press("ctrl+t")

        assert snap_compare(make_app(tools=NO_TOOLS), terminal_size=SIZE, run_before=run_before)

    def test_detail_screen(self, snap_compare, make_app, server):
        server.queue(s.tool_calls_reply(CALLS))

        async def run_before(pilot):
            steady(pilot)
            await send(pilot, "What time is it?")
            await pilot.press("ctrl+t", "enter")
            await pilot.pause()

        assert snap_compare(make_app(tools=NO_TOOLS), terminal_size=SIZE, run_before=run_before)


class TestErrors:
    def test_banner_after_midstream_failure(self, snap_compare, make_app, server):
        server.queue(s.error_midstream("Here is the first half of an answer"))

        async def run_before(pilot):
            steady(pilot)
            await send(pilot, "Explain the theory of everything")

        assert snap_compare(make_app(tools=NO_TOOLS), terminal_size=SIZE, run_before=run_before)


def fixed_timings(app) -> None:
    """Tool timings vary from run to run; pin them for the picture."""
    for item in app.query(ToolCallItem):
        if item.elapsed is not None:
            item.elapsed = 0.01
            item.refresh_call()


class TestToolRoundTrip:
    CALLS = [
        ("call_1", "calculator", '{"expression": "6 * 7"}'),
        ("call_2", "touch_note", "{}"),
        ("call_3", "no_such_tool", '{"x": 1}'),
    ]

    def tools(self):
        return ToolsSettings.model_validate({"command": [{"name": "touch_note", "description": "Writes a note to disk", "argv": ["true"]}]})

    def test_confirmation_modal(self, snap_compare, make_app, server):
        server.queue(s.tool_calls_reply(self.CALLS[1:2]))

        async def run_before(pilot):
            steady(pilot)
            await send(pilot, "Write a note", wait=False)
            await wait_until(lambda: pilot.app.screen.__class__.__name__ == "ConfirmScreen")
            await pilot.pause()

        assert snap_compare(make_app(tools=self.tools()), terminal_size=SIZE, run_before=run_before)

    def test_sidebar_done_failed_denied(self, snap_compare, make_app, server):
        server.queue(s.tool_calls_reply(self.CALLS), s.text_reply("One worked, one was denied, one does not exist."))

        async def run_before(pilot):
            steady(pilot)
            await send(pilot, "Do three things", wait=False)
            await wait_until(lambda: pilot.app.screen.__class__.__name__ == "ConfirmScreen")
            await pilot.press("n")
            await wait_until(lambda: len(server.requests) == 2 and not pilot.app.streaming)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            fixed_timings(pilot.app)
            await pilot.pause()

        assert snap_compare(make_app(tools=self.tools()), terminal_size=SIZE, run_before=run_before)

    def test_detail_screen_with_result(self, snap_compare, make_app, server):
        server.queue(s.tool_calls_reply(self.CALLS[:1]), s.text_reply("42."))

        async def run_before(pilot):
            steady(pilot)
            await send(pilot, "Six times seven?", wait=False)
            await wait_until(lambda: len(server.requests) == 2 and not pilot.app.streaming)
            await pilot.app.workers.wait_for_complete()
            fixed_timings(pilot.app)
            await pilot.press("ctrl+t", "enter")
            await pilot.pause()

        assert snap_compare(make_app(tools=self.tools()), terminal_size=SIZE, run_before=run_before)


class TestHistory:
    def test_history_screen(self, snap_compare, make_app, server):
        from tui.core.conversation import ChatMessage

        app = make_app(tools=NO_TOOLS)
        store = app.session.history.store
        for title, reply in [("Sorting a list in Python", "Use sorted()."), ("Whales are mammals", "Yes, they are."), ("Plan a trip to Kyoto", "Go in autumn.")]:
            cid = store.create_conversation(model="openai/gpt-5-mini", host="api.opper.ai")
            store.add_message(cid, ChatMessage("user", title))
            store.add_message(cid, ChatMessage("assistant", reply))
        with store.transaction() as db:
            db.execute("UPDATE conversations SET created = 1795000000 + id * 3600, updated = 1795000000 + id * 3600")

        async def run_before(pilot):
            steady(pilot)
            await pilot.press("ctrl+o")
            await pilot.pause()

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_history_search(self, snap_compare, make_app, server):
        from tui.core.conversation import ChatMessage

        app = make_app(tools=NO_TOOLS)
        store = app.session.history.store
        cid = store.create_conversation(model="openai/gpt-5-mini", host="api.opper.ai")
        store.add_message(cid, ChatMessage("user", "Tell me about whales"))
        store.add_message(cid, ChatMessage("assistant", "Blue whales are the largest animals that have ever lived, and whales are mammals."))

        async def run_before(pilot):
            steady(pilot)
            await pilot.press("ctrl+o")
            await pilot.press(*"whales")
            await pilot.pause()
            pilot.app.screen.query_one("Input").cursor_blink = False

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


class TestMCP:
    def settings(self):
        import sys
        from pathlib import Path

        from tui.core.settings import MCPSettings

        root = str(Path(__file__).resolve().parent.parent)
        return MCPSettings.model_validate({"servers": {
            "notes": {"command": sys.executable, "args": ["-m", "tests.mcp_server"], "cwd": root},
            "broken": {"command": "no-such-mcp-command"},
        }, "startup_timeout": 15})

    async def settled(self, app):
        await wait_until(lambda: all(s.state in ("ready", "failed") for s in app.mcp.servers.values()), tries=1000)
        await wait_until(lambda: bool(app._notifications))
        app.clear_notifications()  # the "failed" toast times out on a clock

    def test_tools_screen_ready_and_failed(self, snap_compare, make_app):
        app = make_app(mcp=self.settings())

        async def run_before(pilot):
            steady(pilot)
            await self.settled(pilot.app)
            await pilot.press("f3")
            await pilot.pause()
            await pilot.pause()

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_mcp_call_in_the_sidebar(self, snap_compare, make_app, server):
        server.queue(
            s.tool_calls_reply([("call_m", "notes__read_note", '{"name": "groceries"}'), ("call_p", "notes__picture", "{}")]),
            s.text_reply("Your note says hello, and the picture is 2×1 pixels."),
        )
        app = make_app(mcp=self.settings())

        async def run_before(pilot):
            steady(pilot)
            await self.settled(pilot.app)
            await send(pilot, "Read my grocery note and show the picture", wait=False)
            await wait_until(lambda: len(server.requests) == 2 and not pilot.app.streaming and not pilot.app.tools_running)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            fixed_timings(pilot.app)
            await pilot.pause()

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


class TestComforts:
    def test_model_picker(self, snap_compare, make_app, server):
        server.models = [{"id": name, "object": "model"} for name in
                         ("anthropic/claude-sonnet-4", "openai/gpt-5", "openai/gpt-5-mini", "test-model", "mistral/mistral-large")]

        async def run_before(pilot):
            steady(pilot)
            await pilot.press("f4")
            await wait_until(lambda: "openai/gpt-5-mini" in "".join(s.text for s in pilot.app.screen._compositor.render_strips()))
            await pilot.press(*"openai")
            pilot.app.screen.query_one("Input").cursor_blink = False
            await pilot.pause()

        assert snap_compare(make_app(tools=NO_TOOLS), terminal_size=SIZE, run_before=run_before)

    def test_chat_settings_screen(self, snap_compare, make_app):
        async def run_before(pilot):
            steady(pilot)
            pilot.app.session.options.system_prompt = "You are a careful assistant.\nAnswer briefly."
            pilot.app.session.options.temperature = 0.2
            await pilot.press("f9")
            await pilot.pause()
            for widget in pilot.app.screen.query("Input, TextArea"):
                widget.cursor_blink = False
            await pilot.pause()

        assert snap_compare(make_app(tools=NO_TOOLS), terminal_size=SIZE, run_before=run_before)

    def test_light_theme_conversation(self, snap_compare, make_app, server):
        server.queue(s.tool_calls_reply(CALLS), s.markdown_reply())

        async def run_before(pilot):
            steady(pilot)
            pilot.app.theme = "textual-light"
            await send(pilot, "What time is it?")  # tools off: the calls show, nothing runs (no clock)
            await send(pilot, "Show me some Markdown")
            await pilot.pause()

        app = make_app(tools=NO_TOOLS)
        app.settings._config_path = None  # do not write the theme into the test's config
        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_narrow_layout_with_call_badge(self, snap_compare, make_app, server):
        server.queue(s.tool_calls_reply(CALLS))

        async def run_before(pilot):
            steady(pilot)
            await send(pilot, "Time and maths?")
            await pilot.pause()

        assert snap_compare(make_app(tools=NO_TOOLS), terminal_size=(60, 20), run_before=run_before)


class TestAttachments:
    """Issue 16: chips, an image message with its half-block preview, the meter, the overflow banner."""

    @staticmethod
    def _root(tmp_path):
        import io

        from PIL import Image

        root = tmp_path / "proj"
        root.mkdir()
        (root / "report.md").write_text("# Report\n" + "All good.\n" * 300)
        image = Image.new("RGB", (32, 16))
        for x in range(32):
            for y in range(16):
                image.putpixel((x, y), (x * 8, y * 16, 128))
        out = io.BytesIO()
        image.save(out, format="PNG")
        (root / "screenshot.png").write_bytes(out.getvalue())
        return root

    def test_chips_above_the_input(self, snap_compare, make_app, tmp_path):
        from textual import events

        app = make_app(tools=ToolsSettings(enabled=False, roots=[self._root(tmp_path)]))
        app.attach_on_start = ["report.md", "screenshot.png"]

        async def run_before(pilot):
            steady(pilot)
            pilot.app.post_message(events.Paste("\n".join(f"line {n}" for n in range(40))))
            await wait_until(lambda: len(pilot.app.query("Chip")) == 3)
            pilot.app.query_one(PromptInput).load_text("What do these say?")
            await pilot.pause()

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_image_message_with_preview_and_meter_in_warning(self, snap_compare, make_app, server, tmp_path):
        reply = s.text_reply("A gradient from black to pink.", usage=False)
        reply.actions.insert(-1, ("chunk", s.usage_chunk(900, 50)))
        server.queue(reply)
        app = make_app(tools=ToolsSettings(enabled=False, roots=[self._root(tmp_path)]), context_window=1000)
        app.attach_on_start = ["screenshot.png"]

        async def run_before(pilot):
            steady(pilot)
            await wait_until(lambda: len(pilot.app.query("Chip")) == 1)
            await send(pilot, "What is in this image?")

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_overflow_banner(self, snap_compare, make_app):
        async def run_before(pilot):
            steady(pilot)
            await send(pilot, "word " * 200)
            await pilot.pause()

        assert snap_compare(make_app(tools=NO_TOOLS, context_window=100), terminal_size=SIZE, run_before=run_before)


class TestQueueAndSlash:
    """Issue 17: prompts queued behind a streaming reply, the new-text marker, slash commands."""

    def test_queued_prompts_under_a_streaming_reply(self, snap_compare, make_app, server):
        scenario = s.text_reply("Counting slowly: one, two, three.")
        scenario.actions.insert(4, ("stall",))
        server.queue(scenario)

        async def run_before(pilot):
            steady(pilot)
            await send(pilot, "Count to ten.", wait=False)
            await wait_until(lambda: pilot.app.streaming and pilot.app.view.reply_widget is not None and pilot.app.view.reply_widget.text)
            await send(pilot, "Then count back down.", wait=False)
            await send(pilot, "And say done.", wait=False)
            await pilot.pause()

        assert snap_compare(make_app(tools=NO_TOOLS), terminal_size=SIZE, run_before=run_before)

    def test_new_text_marker_while_reading_above(self, snap_compare, make_app, server):
        text = "\n\n".join(f"Paragraph {n} of the answer." for n in range(30))
        second = s.text_reply("More: " + text)
        second.actions.insert(3, ("stall",))
        server.queue(s.text_reply(text), second)

        async def run_before(pilot):
            from tui.widgets.message_log import MessageLog
            from tui.widgets.stream_aids import NewTextMarker

            steady(pilot)
            await send(pilot, "A long answer, please.")
            await send(pilot, "Another one.", wait=False)
            await wait_until(lambda: pilot.app.streaming and pilot.app.view.reply_widget is not None and pilot.app.view.reply_widget.text)
            log = pilot.app.query_one(MessageLog)
            log.scroll_to(y=0, animate=False, immediate=True)
            log.release_anchor()
            server.release_stalls()
            await wait_until(lambda: pilot.app.query_one(NewTextMarker).display and not pilot.app.streaming)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()

        assert snap_compare(make_app(tools=NO_TOOLS), terminal_size=SIZE, run_before=run_before)

    def test_slash_completion_list(self, snap_compare, make_app):
        async def run_before(pilot):
            steady(pilot)
            pilot.app.query_one(PromptInput).focus()
            await pilot.press("/")
            await pilot.pause()

        assert snap_compare(make_app(tools=NO_TOOLS), terminal_size=SIZE, run_before=run_before)


class TestTabs:
    def test_tab_bar_states(self, snap_compare, make_app, server):
        """Tab 1 finished in the background (dot), tab 2 still streams (spinner), tab 3 is shown."""
        role, tail = [s._role()], s._tail("stop")
        server.queue(
            s.Scenario(role + s._content("Alpha.") + [("stall",)] + s._content(" Done.") + tail),
            s.Scenario(role + s._content("Beta") + [("stall",), ("stall",)] + s._content(" done.") + tail),
        )

        async def run_before(pilot):
            app = pilot.app
            app.animation_level = "none"  # the spinner stays on its first frame
            steady(pilot)
            await send(pilot, "Tell me about alpha", wait=False)
            await wait_until(lambda: app.session.streaming)
            await pilot.press("ctrl+n")
            await wait_until(lambda: len(app.tabs) == 2)
            await send(pilot, "Tell me about beta", wait=False)
            await wait_until(lambda: app.session.streaming and "Beta" in app.session.reply.text)
            await pilot.press("ctrl+n")
            await wait_until(lambda: len(app.tabs) == 3)
            server.release_stalls()
            await wait_until(lambda: app.tabs[0].info().state == "unread")
            await pilot.pause()
            app.query_one(PromptInput).cursor_blink = False

        assert snap_compare(make_app(tools=NO_TOOLS), terminal_size=SIZE, run_before=run_before)

    def test_tab_bar_confirmation_mark(self, snap_compare, make_app, server, tmp_path):
        """Tab 1 waits in the background for a tool confirmation: its title carries the "?" mark."""
        from tests.test_tool_flows import tools

        asks = s.tool_calls_reply([("call_w", "touch_note", "{}")])
        asks.actions.insert(1, ("stall",))
        server.queue(asks)

        async def run_before(pilot):
            app = pilot.app
            app.animation_level = "none"
            steady(pilot)
            await send(pilot, "Write the note", wait=False)
            first = app.active_tab
            await wait_until(lambda: first.session.streaming)
            await pilot.press("ctrl+n")
            await wait_until(lambda: len(app.tabs) == 2)
            server.release_stalls()
            await wait_until(lambda: first.info().state == "confirm")
            await pilot.pause()
            app.query_one(PromptInput).cursor_blink = False

        assert snap_compare(make_app(tools=tools(tmp_path)), terminal_size=SIZE, run_before=run_before)
