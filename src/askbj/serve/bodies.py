"""Request bodies, validated by pydantic (which also writes them into the OpenAPI docs).
Unknown fields are ignored, as OpenAI's own sampling options (temperature, …) must be."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from askbj.serve.engine import Turn

Mode = Literal["hybrid", "dense", "bm25"]
Script = Literal["auto", "simplified", "traditional"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class SearchBody(_Body):
    question: str
    k: int = Field(10, ge=1, le=100)
    mode: Mode = "hybrid"


class AskBody(_Body):
    question: str
    k: int = Field(8, ge=1, le=100)
    mode: Mode = "hybrid"
    script: Script = "auto"


class ContentPart(_Body):
    type: str = "text"
    text: str | None = None


class ChatMessage(_Body):
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = None

    def turn(self) -> Turn:
        if isinstance(self.content, list):  # content parts: keep the text ones
            return Turn(self.role, "".join(p.text or "" for p in self.content if p.type == "text"))
        return Turn(self.role, self.content or "")


class ChatBody(_Body):
    model: str = "askbj"
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False
    script: Script = Field("auto", description="askbj extension: the answer's script.")

    def turns(self) -> tuple[Turn, ...]:
        return tuple(m.turn() for m in self.messages)
