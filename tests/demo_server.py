"""Run the scripted server by hand, for trying the app in a terminal.

    python -m tests.demo_server --port 8765
    tui-chat --base-url http://127.0.0.1:8765/v1 --model test-model

The last user message picks the scenario by keyword: ``tools``, ``whole``,
``badjson``, ``approve`` (needs tools.run_command = true), ``think``, ``error``, ``cut``, ``stall``, ``401``, ``404``,
``429``, ``500``, ``length``, ``filter``, ``long``, ``markup``, ``mcp`` (calls the tools of
an MCP server configured as ``notes``, e.g. ``python -m tests.mcp_server``); anything else
gets a paced Markdown answer.
"""

from __future__ import annotations

import argparse
import time

from . import sse_server as s

LONG = "\n\n".join(s.MARKDOWN_TEXT for _ in range(12))
HOSTILE = "Literal: [bold]not bold[/] [@click=app.quit]click[/] \x1b[31mred?\x1b[0m \x1b]52;c;aGk=\x07 done 中文 👍🏽"


def choose(body: dict) -> s.Scenario:
    messages = body.get("messages") or [{}]
    last = str(messages[-1].get("content") or "").lower()
    if messages[-1].get("role") == "tool":
        return s.paced(s.text_reply("The tool said what it said. Anything else?"), 60)
    table = {
        "tools": lambda: s.paced(s.tool_calls_reply([
            ("call_a", "get_time", '{"timezone": "Europe/Stockholm"}'),
            ("call_b", "calculator", '{"expression": "2**10 + 7"}'),
        ], fragment_size=3), 25),
        "approve": lambda: s.paced(s.tool_calls_reply([
            ("call_r", "run_command", '{"argv": ["echo", "hello from a tool"]}'),
            ("call_l", "list_directory", '{"path": "."}'),
            ("call_d", "run_command", '{"argv": ["rm", "-rf", "/tmp/nothing-here"]}'),
        ], fragment_size=4), 40),
        "mcp": lambda: s.paced(s.tool_calls_reply([
            ("call_m1", "notes__read_note", '{"name": "groceries"}'),
            ("call_m2", "notes__delete_note", '{"name": "old"}'),
        ], fragment_size=4), 40),
        "whole": lambda: s.whole_tool_call_reply("", "list_directory", '{"path": "."}'),
        "badjson": lambda: s.tool_calls_reply([("call_x", "read_file", '{"path": "README.md", ')]),
        "think": lambda: s.paced(s.reasoning_reply("Let me think about this step by step. " * 5, "The answer is 42."), 20),
        "error": lambda: s.paced(s.error_midstream("Here is the start of an answer that will fail "), 20),
        "cut": lambda: s.paced(s.cut_midstream("This reply will lose its connection "), 20),
        "stall": lambda: s.stall_after("This reply stalls here"),
        "401": lambda: s.http_error(401),
        "404": lambda: s.http_error(404),
        "429": lambda: s.http_error(429),
        "500": lambda: s.http_error(500),
        "length": lambda: s.finish_only("This answer is cut", "length"),
        "filter": lambda: s.finish_only("Blocked", "content_filter"),
        "long": lambda: s.paced(s.text_reply(LONG, pieces=len(LONG) // 4), 400),
        "markup": lambda: s.text_reply(HOSTILE),
    }
    for word, make in table.items():
        if word in last:
            return make()
    return s.paced(s.markdown_reply(), 60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    server = s.ScriptedServer()
    server.port = args.port
    server.chooser = choose
    server.start()
    print(f"serving {server.base_url}  (Ctrl+C to stop)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
