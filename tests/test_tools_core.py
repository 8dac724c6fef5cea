"""Tools in tui.core: calculator, path confinement, argv templating, registry errors."""

import asyncio
import os
import sys

import pytest
from hypothesis import given, settings, strategies as st
from pydantic import BaseModel

from tui.core.tools import Tool, ToolError, ToolRegistry
from tui.core.tools.builtin import run_argv
from tui.core.tools.calculator import evaluate
from tui.core.tools.commands import substitute
from tui.core.tools.paths import resolve_inside


@pytest.mark.parametrize(
    "expr, value",
    [("2**10 + 7", 1031), ("(1 + 2) * 3", 9), ("7 // 2", 3), ("7 % 4", 3), ("-3 ** 2", -9), ("sqrt(16)", 4.0), ("2 ^ 3", 8), ("round(pi, 2)", 3.14)],
)
def test_calculator_values(expr, value):
    assert evaluate(expr) == value


@pytest.mark.parametrize(
    "expr, words",
    [
        ("9**9**9", "exponent too large"),
        ("2**100000", "exponent too large"),
        ("10**5000", "result too large"),
        ("1/0", "division by zero"),
        ("__import__('os').system('echo hi')", "unsupported"),
        ("open('/etc/passwd')", "unsupported"),
        ("(1).__class__", "unsupported"),
        ("x + 1", "unsupported"),
        ("1 +", "not an arithmetic expression"),
        ("(" * 5000 + "1" + ")" * 5000, ""),
        ("round(1, 10**9)", "100 digits"),
    ],
)
def test_calculator_refuses(expr, words):
    with pytest.raises(ToolError) as info:
        evaluate(expr)
    assert words in str(info.value)


_atoms = st.one_of(st.integers(-10**6, 10**6).map(str), st.floats(allow_nan=False, allow_infinity=False).map(repr), st.sampled_from(["pi", "e", "x", "()", "'s'", "[1]"]))
_ops = st.sampled_from(["+", "-", "*", "/", "//", "%", "**", "^", " ", "(", ")", ",", ".", "sqrt(", "round(", "abs("])


@settings(max_examples=300, deadline=2000)
@given(st.lists(st.one_of(_atoms, _ops), max_size=25).map("".join))
def test_calculator_only_raises_its_own_error(expr):
    try:
        result = evaluate(expr)
    except ToolError:
        return
    assert isinstance(result, (int, float))


@settings(max_examples=200, deadline=2000)
@given(st.text(max_size=200))
def test_calculator_survives_arbitrary_text(expr):
    try:
        evaluate(expr)
    except ToolError:
        pass


def test_paths_confined_to_root(tmp_path):
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.txt").write_text("hi")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    assert resolve_inside("sub/a.txt", [root]) == (root / "sub" / "a.txt").resolve()
    assert resolve_inside(str(root / "sub"), [root]) == (root / "sub").resolve()
    for bad in ["../secret.txt", "sub/../../secret.txt", str(outside), "/etc/passwd"]:
        with pytest.raises(ToolError, match="outside the allowed folders"):
            resolve_inside(bad, [root])


def test_symlink_escape_refused(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    os.symlink(tmp_path / "secret.txt", root / "link.txt")
    os.symlink(tmp_path, root / "dirlink")
    os.symlink(root / "missing-elsewhere", root / "dangling")
    with pytest.raises(ToolError, match="outside"):
        resolve_inside("link.txt", [root])
    with pytest.raises(ToolError, match="outside"):
        resolve_inside("dirlink/secret.txt", [root])
    with pytest.raises(ToolError):
        resolve_inside("dangling", [root])


def test_symlink_inside_root_allowed(tmp_path):
    (tmp_path / "real.txt").write_text("ok")
    os.symlink(tmp_path / "real.txt", tmp_path / "alias.txt")
    assert resolve_inside("alias.txt", [tmp_path]).name == "real.txt"


@pytest.mark.parametrize("value", ["; rm -rf /", "$(touch /tmp/pwned)", "a\nb", "`id`", "x && y", "--flag", "*", "'quoted' \"double\""])
def test_argv_templating_keeps_hostile_values_as_one_item(value):
    argv = substitute(["git", "log", "-n", "{count}", "--grep={count}"], {"count": value})
    assert argv == ["git", "log", "-n", value, f"--grep={value}"]


async def test_hostile_value_reaches_the_program_literally(tmp_path):
    marker = tmp_path / "pwned"
    value = f"; touch {marker} $(touch {marker})"
    argv = substitute([sys.executable, "-c", "import sys; print(sys.argv[1])", "{v}"], {"v": value})
    out = await run_argv(argv, timeout=10, max_output=1000)
    assert value in out and not marker.exists()


class Args(BaseModel):
    n: int


def registry(**kwargs) -> ToolRegistry:
    reg = ToolRegistry(timeout=kwargs.pop("timeout", 1), max_output=kwargs.pop("max_output", 100))

    async def echo(a: Args) -> str:
        return "x" * a.n

    async def boom(a: Args) -> str:
        raise RuntimeError("kaboom")

    async def slow(a: Args) -> str:
        await asyncio.sleep(a.n)
        return "late"

    reg.add(Tool("echo", "", Args, echo))
    reg.add(Tool("boom", "", Args, boom))
    reg.add(Tool("slow", "", Args, slow))
    return reg


@pytest.mark.parametrize(
    "name, args, words",
    [
        ("nope", "{}", "unknown tool 'nope'"),
        ("echo", '{"n": ', "not valid JSON"),
        ("echo", "[1]", "must be a JSON object"),
        ("echo", '{"n": "many"}', "invalid arguments: n:"),
        ("echo", "{}", "invalid arguments: n: Field required"),
        ("boom", '{"n": 1}', "RuntimeError: kaboom"),
        ("slow", '{"n": 5}', "timed out after 1 s"),
    ],
)
async def test_registry_turns_every_failure_into_an_error_result(name, args, words):
    result = await registry().execute(name, args)
    assert not result.ok and words in result.content and result.content.startswith("error:")


async def test_output_is_capped_with_a_note():
    result = await registry().execute("echo", '{"n": 500}')
    assert result.ok and result.truncated
    assert result.content.startswith("x" * 100) and "[output truncated: 500 bytes, showing the first 100]" in result.content


def test_specs_come_from_the_pydantic_models():
    (spec,) = [s for s in registry().specs() if s["function"]["name"] == "echo"]
    assert spec["type"] == "function"
    assert spec["function"]["parameters"]["properties"]["n"]["type"] == "integer"
    assert spec["function"]["parameters"]["required"] == ["n"]


def test_command_tool_config_checks(tmp_path):
    from tui.core.settings import ConfigError, load_settings

    path = tmp_path / "c.toml"
    path.write_text('[[tools.command]]\nname = "x"\nargv = ["echo", "{missing}"]\n')
    with pytest.raises(ConfigError, match="undeclared parameters: missing"):
        load_settings(path)
    path.write_text('[[tools.command]]\nname = "x"\nargv = ["echo", "{n}"]\n[tools.command.parameters]\nn = "float"\n')
    with pytest.raises(ConfigError, match="type must be one of"):
        load_settings(path)
