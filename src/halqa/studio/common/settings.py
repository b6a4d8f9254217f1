"""Where the writer's language model runs: the writer chooses, halqa never downloads one.

Either any OpenAI-compatible chat-completions endpoint (``base_url`` + ``model``; the
key, if the server needs one, is read from the environment variable named by
``api_key_env`` so it never lands in a file or a provenance record), or a local GGUF
file run in-process through llama-cpp-python (``gguf_path``). Settings come from
arguments first, then ``HALQA_LLM_*`` environment variables.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from halqa.config import Config

_ENV_PREFIX = "HALQA_LLM_"


class LlmSettings(Config):
    """The writer's model settings: a :class:`~halqa.config.Config` (frozen,
    unknown fields refused)."""

    base_url: str | None = Field(
        default=None, description="OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1"
    )
    model: str | None = Field(default=None, description="Model name the server knows")
    api_key_env: str = Field(default="HALQA_LLM_API_KEY", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    gguf_path: Path | None = Field(
        default=None, description="A local GGUF file for llama-cpp-python"
    )
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    max_tokens: int = Field(default=512, ge=1, le=32768)
    seed: int | None = None
    timeout_s: float = Field(default=120.0, gt=0)

    @field_validator("gguf_path")
    @classmethod
    def _one_backend(cls, gguf_path: Path | None, info: ValidationInfo) -> Path | None:
        # base_url is declared first, so it is already validated here; the rule spans two fields
        # and no field constraint can say it.
        if gguf_path is not None and info.data.get("base_url"):
            raise ValueError("None when base_url is set (a server or a local GGUF file, not both)")
        return gguf_path

    @property
    def backend(self) -> Literal["openai", "gguf", "none"]:
        if self.base_url:
            return "openai"
        if self.gguf_path:
            return "gguf"
        return "none"

    def api_key(self) -> str | None:
        return os.environ.get(self.api_key_env) or None

    @classmethod
    def from_env(cls, **overrides: object) -> LlmSettings:
        """Arguments given (not None) win over ``HALQA_LLM_BASE_URL``, ``_MODEL``, ``_GGUF``…"""
        env = {
            "base_url": os.environ.get(_ENV_PREFIX + "BASE_URL"),
            "model": os.environ.get(_ENV_PREFIX + "MODEL"),
            "gguf_path": os.environ.get(_ENV_PREFIX + "GGUF"),
        }
        values: dict[str, object] = {k: v for k, v in env.items() if v}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.build("the language model settings", None, **values)
