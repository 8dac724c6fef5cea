"""list_models against the loopback server, through the real openai client."""

from __future__ import annotations

import pytest

from tui.core.client import make_client
from tui.core.models import ModelsUnavailable, list_models
from tui.core.settings import load_settings

KEY = "sk-test-models-SECRET-42"


def _client(base_url: str, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("")
    return make_client(load_settings(config, base_url=base_url, api_key=KEY, max_retries=0))


def _model(model_id: str, **extra) -> dict:
    return {"id": model_id, "object": "model", "created": 0, "owned_by": "tests", **extra}


async def _unavailable(base_url: str, tmp_path) -> str:
    client = _client(base_url, tmp_path)
    try:
        with pytest.raises(ModelsUnavailable) as info:
            await list_models(client)
    finally:
        await client.close()
    message = str(info.value)
    assert KEY not in message
    return message


async def test_plain_list_sorted_and_unique(server, tmp_path):
    server.models = [_model("zeta"), _model("alpha"), _model("mid"), _model("alpha")]
    client = _client(server.base_url, tmp_path)
    assert await list_models(client) == ["alpha", "mid", "zeta"]
    await client.close()


async def test_opper_type_filter(server, tmp_path):
    server.models = [
        _model("openai/gpt-x", opper={"type": "llm"}),
        _model("openai/text-embedding", opper={"type": "embedding"}),
        _model("anthropic/claude", opper={"type": "llm", "region": "eu"}),
        _model("other-provider-model"),
        _model("image-gen", opper={"type": "image"}),
    ]
    client = _client(server.base_url, tmp_path)
    assert await list_models(client) == ["anthropic/claude", "openai/gpt-x", "other-provider-model"]
    await client.close()


async def test_items_without_id_are_skipped(server, tmp_path):
    server.models = [{"object": "model"}, _model("ok"), {"id": ""}]
    client = _client(server.base_url, tmp_path)
    assert await list_models(client) == ["ok"]
    await client.close()


async def test_404_means_no_model_list(server, tmp_path):
    server.models_status = 404
    assert await _unavailable(server.base_url, tmp_path) == "this endpoint has no model list (404)"


async def test_500_is_a_server_failure(server, tmp_path):
    server.models_status = 500
    message = await _unavailable(server.base_url, tmp_path)
    assert message.startswith("the server failed (HTTP 500)")


async def test_401_names_the_key_without_leaking_it(server, tmp_path):
    server.models_status = 401
    server.models_body = b'{"error": {"message": "bad key ' + KEY.encode() + b'"}}'
    assert await _unavailable(server.base_url, tmp_path) == "the server rejected the API key (401)"


async def test_error_detail_is_scrubbed(server, tmp_path):
    server.models_status = 502
    server.models_body = b'{"error": {"message": "upstream saw ' + KEY.encode() + b'\\u001b[31m"}}'
    message = await _unavailable(server.base_url, tmp_path)
    assert message == "the server failed (HTTP 502): upstream saw ***"


async def test_connection_refused(tmp_path):
    message = await _unavailable("http://127.0.0.1:9/v1", tmp_path)
    assert message == "cannot reach 127.0.0.1:9: connection refused"


@pytest.mark.parametrize("body", [b"this is not json{", b"<html>hi</html>", b'{"data": 5}', b"[1, 2]", b'{"data": [1, "x", null]}'])
async def test_body_not_understood(server, tmp_path, body):
    server.models_body = body
    assert await _unavailable(server.base_url, tmp_path) == "the model list was not understood"


async def test_empty_list(server, tmp_path):
    server.models = []
    assert await _unavailable(server.base_url, tmp_path) == "the server listed no models"


async def test_only_non_chat_models(server, tmp_path):
    server.models = [_model("embed", opper={"type": "embedding"})]
    assert await _unavailable(server.base_url, tmp_path) == "the server listed no chat models"
