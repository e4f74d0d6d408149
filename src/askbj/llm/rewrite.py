"""A follow-up made standalone by the model when one is configured, else by the rules.

The rules of ``askbj.answer.followup`` see words; a model reads the conversation. When an
endpoint is set, the model is asked for the standalone question first, and its reply is used
only if it is one plausible question (one line, not too long, not empty, no markup); on any
failure — endpoint down, timeout, HTTP error, an unusable reply — the rules' rewrite is used.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from askbj.answer.followup import Resolution, Resolver, Turn
from askbj.llm.client import ChatModel, HttpChatModel, LLMConfig, LLMError

SYSTEM_PROMPT = (
    "You rewrite the user's last question into one standalone question that can be searched "
    "without the conversation. Replace pronouns, ellipses and references (\"it\", \"there\", "
    "\"the second one\", \"那……呢\", \"它的…\", \"第二个方面\") with what they refer to in the "
    "earlier questions and answers; keep everything else, and keep the question's language "
    "and script. If the question already stands on its own (a new topic), return it "
    "unchanged. Reply with the question only."
)
_THINK = re.compile(r"<think>.*?</think>", re.S | re.I)
_LABEL = re.compile(r"^(?:standalone question|question|rewritten|改写|问题)\s*[:：]\s*", re.I)


@dataclass(frozen=True)
class Rewriter:
    """``resolve`` like ``Resolver.resolve``; rule ``"llm"`` when the model's rewrite is used."""

    config: LLMConfig
    rules: Resolver
    max_chars: int = 300
    answer_chars: int = 600  # of each earlier answer, shown to the model
    model: ChatModel | None = None  # default: the configured endpoint over HTTP

    def resolve(self, question: str, history: Sequence[Turn] = ()) -> Resolution:
        fallback = self.rules.resolve(question, history)
        if not history or not self.config.enabled:
            return fallback
        try:
            model = self.model or HttpChatModel(self.config)
            reply = "".join(model.chat(self.request(question, history)))
        except LLMError:
            return fallback
        text = clean(reply)
        if not text or len(text) > self.max_chars or "<" in text:
            return fallback
        return Resolution(question, text, "llm")

    def request(self, question: str, history: Sequence[Turn]) -> dict[str, Any]:
        """The chat request: the earlier turns as they were asked and answered, then the
        question to rewrite."""
        messages = [{"role": "system", "content": SYSTEM_PROMPT}]
        for turn in history:
            messages.append({"role": "user", "content": turn.searched})
            answer = re.sub(r"\[\d{1,3}\]", "", turn.answer)[: self.answer_chars]
            messages.append({"role": "assistant", "content": answer or "(no answer found)"})
        messages.append({"role": "user",
                         "content": f"Rewrite as a standalone question: {question}"})
        return {"model": self.config.model, "stream": False, "temperature": 0,
                "messages": messages}


def clean(reply: str) -> str:
    """The model's question: no reasoning block, no label, no quotes, its first line."""
    lines = [ln.strip() for ln in _THINK.sub("", reply).strip().splitlines() if ln.strip()]
    if not lines:
        return ""
    return _LABEL.sub("", lines[0]).strip().strip("\"'“”「」").strip()
