"""The OpenAI-compatible endpoints, through the official `openai` client."""

from __future__ import annotations

import openai
import pytest

from serve_helpers import QUESTION, LiveServer


def client(server: LiveServer, key: str = "unused") -> openai.OpenAI:
    return openai.OpenAI(base_url=server.url + "/v1", api_key=key, max_retries=0)


def ask(server: LiveServer, **kwargs: object) -> openai.types.chat.ChatCompletion:
    return client(server).chat.completions.create(
        model="askbj", messages=[{"role": "user", "content": QUESTION}], **kwargs)


def test_models_lists_the_three_search_modes(server: LiveServer) -> None:
    assert sorted(m.id for m in client(server).models.list()) == [
        "askbj", "askbj-bm25", "askbj-dense"]


def test_chat_completion_is_a_cited_answer(server: LiveServer) -> None:
    done = ask(server)
    message = done.choices[0].message
    assert done.object == "chat.completion" and done.choices[0].finish_reason == "stop"
    assert message.role == "assistant" and "18766.7亿元" in message.content
    assert "[1]" in message.content
    cited = (done.model_extra or {})["citations"]
    assert cited == (message.model_extra or {})["citations"]
    assert {"doc_id", "title", "section", "start", "end", "quote", "chunk_id"} <= set(cited[0])
    assert cited[0]["doc_id"] == "beta" and cited[0]["quote"] in message.content


def test_stream_is_role_then_content_then_finish(server: LiveServer) -> None:
    chunks = list(ask(server, stream=True))
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(c.choices[0].finish_reason is None for c in chunks[:-1])
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert streamed == ask(server).choices[0].message.content
    assert (chunks[-1].model_extra or {})["citations"][0]["doc_id"] == "beta"


def test_raw_stream_ends_with_done(server: LiveServer) -> None:
    body = {"model": "askbj", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    with server.client() as http:
        response = http.post("/v1/chat/completions", json=body)
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.text.rstrip().endswith("data: [DONE]")


def test_the_last_user_message_is_the_question(server: LiveServer) -> None:
    messages = [{"role": "system", "content": "be brief"},
                {"role": "user", "content": "北京国际大数据交易所推出了什么系统？"},
                {"role": "assistant", "content": "IDeX[1]"},
                {"role": "user", "content": [{"type": "text", "text": QUESTION}]}]
    done = client(server).chat.completions.create(model="askbj-bm25", messages=messages)
    assert "18766.7" in done.choices[0].message.content
    assert done.model == "askbj-bm25"


def test_the_history_makes_a_follow_up_standalone(server: LiveServer) -> None:
    """The earlier messages are the conversation: "2022年呢?" after a question about 2023 is
    searched as that question about 2022 (which these documents do not answer)."""
    first = client(server).chat.completions.create(
        model="askbj", messages=[{"role": "user", "content": QUESTION}])
    answer = first.choices[0].message.content or ""
    messages = [{"role": "user", "content": QUESTION},
                {"role": "assistant", "content": answer},
                {"role": "user", "content": "2022年呢?"}]
    done = client(server).chat.completions.create(model="askbj", messages=messages)
    resolved = done.model_extra["resolved_question"]  # type: ignore[index]
    assert "18766.7" in answer
    assert resolved.rstrip("?？") == QUESTION.replace("2023", "2022").rstrip("?？")
    assert "18766.7" not in (done.choices[0].message.content or "")


def test_unknown_model_is_not_found(server: LiveServer) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client(server).chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": QUESTION}])
    assert caught.value.body["code"] == "model_not_found"  # type: ignore[index]
