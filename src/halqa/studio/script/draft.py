"""Drafting with a language model, where nothing generated enters the script until a person
accepts it.

A task (continue a scene, alternatives for a line, tighten a scene, adapt dialogue between
Darija and French, loglines from a development pack) becomes a chat prompt that asks for Fountain
only. The answer streams, is parsed as Fountain and checked; if it is not usable it goes back to
the model once with the reason (one repair round), and if it still fails nothing is stored. A
usable answer is stored as a *pending proposal* with its provenance (backend, model, parameters,
prompt hash, the script and pack it was given, time). Accepting inserts it into the script between
two marker notes, ``[[halqa-generated proposal=ID by=NAME]]`` and ``[[halqa-end proposal=ID]]``,
so the file itself shows what was generated; ``provenance_report`` counts those lines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from halqa.errors import ConfigError, DataError, NotFoundError, UserError
from halqa.studio.common import InputRef, LlmSettings, Proposal, ProposalBook, Provenance
from halqa.studio.script.fountain import (
    normalise_fountain,
    parse_fountain,
    read_fountain,
    write_fountain,
)
from halqa.studio.script.llm import FOUNTAIN_GBNF, backend_label, model_label, stream_chat
from halqa.studio.script.model import ACTION, HEADING, Element, Script

KIND = "script.block"
TASKS = ("continue", "alternatives", "tighten", "adapt", "logline")
ADAPT_TARGETS = {
    "fr": "French",
    "ary": "Moroccan Darija written in Arabic script",
    "ary-Latn": "Moroccan Darija written in Latin letters (Arabizi)",
}
_START_RE = re.compile(r"\[\[halqa-generated proposal=(\w+)(?: by=([^\]]*))?\]\]")
_END_RE = re.compile(r"\[\[halqa-end proposal=(\w+)\]\]")
SYSTEM = (
    "You are a screenwriting assistant for Moroccan writers. "
    "Answer with Fountain screenplay markup only: "
    "no commentary, no code fences, no title page. "
    "Character cues in capitals (or starting with @ for "
    "names in Arabic script), dialogue under the cue. "
    "Keep each character's language and script: Darija in "
    "Arabic script stays in Arabic script, "
    "Darija in Latin letters stays Latin, French stays French, "
    "Tamazight stays in Tifinagh."
)


# ---------------------------------------------------------------- prompts


def _scene_bounds(script: Script, number: str | None) -> tuple[int, int]:
    """Element range of scene ``number`` (its printed number or 1-based order);
    the last when None."""
    headings = [i for i, e in enumerate(script.elements) if e.kind == HEADING]
    if not headings:
        return 0, len(script.elements)
    if number is None:
        pick = len(headings) - 1
    else:
        labels = [script.elements[i].scene_number or str(k + 1) for k, i in enumerate(headings)]
        if number not in labels:
            raise NotFoundError(f"--scene {number}: no such scene (scenes: {', '.join(labels)})")
        pick = labels.index(number)
    end = headings[pick + 1] if pick + 1 < len(headings) else len(script.elements)
    return headings[pick], end


def _scene_text(script: Script, bounds: tuple[int, int]) -> str:
    return write_fountain(Script(elements=script.elements[bounds[0] : bounds[1]]))


def build_prompt(
    task: str,
    script: Script | None,
    *,
    scene: str | None = None,
    line: str | None = None,
    to: str | None = None,
    pack: dict | None = None,
) -> tuple[str, dict]:
    """The user message for ``task`` and what it was anchored to."""
    if task not in TASKS:
        raise ConfigError(f"task {task!r}: expected one of {', '.join(TASKS)}")
    figures = _pack_lines(pack)
    grounding = (
        ("\n\nThe audience figures this draft must respect (cite none, invent none):\n" + figures)
        if figures
        else ""
    )
    if task == "logline":
        if not pack:
            raise ConfigError("logline needs --pack PACK.json (from `halqa script develop`)")
        return (
            "Write three loglines for a screen project grounded in these figures. "
            "Write each as a Fountain "
            f"synopsis line starting with '= '.{grounding}"
        ), {"after_scene": None}
    if script is None:
        raise ConfigError(f"task {task} needs a script file")
    bounds = _scene_bounds(script, scene)
    context = _scene_text(script, bounds)
    anchor = {
        "after_scene": script.elements[bounds[0]].scene_number or scene
        if bounds[0] < len(script.elements) and script.elements[bounds[0]].kind == HEADING
        else scene
    }
    if task == "continue":
        ask = "Continue this scene with its next few beats (action and dialogue)."
    elif task == "tighten":
        ask = "Rewrite this scene tighter: same events, fewer words, every line earning its place."
    elif task == "alternatives":
        if not line:
            raise ConfigError("alternatives needs --line TEXT (the line to rework)")
        ask = (
            "Write three alternative versions of this line, "
            f"each under the same character cue: {line!r}. "
            "Keep the speaker's voice and language."
        )
    else:
        if to not in ADAPT_TARGETS:
            raise ConfigError(f"--to {to}: expected one of {', '.join(ADAPT_TARGETS)}")
        ask = (
            f"Adapt the dialogue of this scene into {ADAPT_TARGETS[to]}, "
            "keeping each character's voice; "
            "keep the action lines as they are."
        )
    return f"{ask}\n\nThe scene:\n\n{context}{grounding}", anchor


def _pack_lines(pack: dict | None) -> str:
    if not pack:
        return ""
    return "\n".join(
        f"- {line['text']} ({', '.join(line['figures'])})" for line in pack.get("lines", [])
    )


# ---------------------------------------------------------------- validation


def clean_answer(text: str) -> str:
    """The answer without code fences or a leading "Here is..." line some models add."""
    text = text.strip()
    fence = re.match(r"^```[a-zA-Z]*\n(.*?)\n?```$", text, re.DOTALL)
    if fence:
        text = fence.group(1).strip()
    return text


def check_block(text: str) -> tuple[Script | None, str | None]:
    """(parsed block, None) when ``text`` is usable Fountain, else (None, the reason)."""
    text = clean_answer(text)
    if not text:
        return None, "the answer is empty"
    if "\x00" in text:
        return None, "the answer contains binary data"
    try:
        block = parse_fountain(text, source="model answer")
    except DataError as exc:
        return None, str(exc)
    if block.title:
        return None, "it starts with a title page (Key: value lines); give only screenplay elements"
    if not [e for e in block.elements if e.plain.strip() or e.kind == "page_break"]:
        return None, "it has no screenplay element"
    return block, None


# ---------------------------------------------------------------- drafting


def draft(
    task: str,
    settings: LlmSettings,
    book: ProposalBook,
    *,
    script_path: Path | None = None,
    scene: str | None = None,
    line: str | None = None,
    to: str | None = None,
    pack_path: Path | None = None,
    on_token: Callable[[str], None] | None = None,
    grammar: bool | None = None,
    owner: str | None = None,
) -> Proposal:
    """Ask the model, validate (one repair round), store a pending proposal; returns it.

    ``grammar`` constrains decoding to Fountain with a GBNF grammar; by default it is on for a
    local GGUF and off for servers (hosted APIs refuse the unknown field; llama.cpp's accept it).
    ``owner`` is the service key that asked (its proposal is its own)."""
    script = read_fountain(script_path) if script_path else None
    pack = json.loads(Path(pack_path).read_text(encoding="utf-8")) if pack_path else None
    prompt, anchor = build_prompt(task, script, scene=scene, line=line, to=to, pack=pack)
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}]
    use_grammar = settings.backend == "gguf" if grammar is None else grammar
    constraint = FOUNTAIN_GBNF if use_grammar and task != "logline" else None
    answer = stream_chat(settings, messages, on_token=on_token, grammar=constraint)
    block, reason = check_block(answer)
    repaired = False
    if block is None:
        repaired = True
        messages += [
            {"role": "assistant", "content": answer},
            {
                "role": "user",
                "content": f"That is not usable Fountain: {reason}. Answer again with "
                "Fountain markup only.",
            },
        ]
        answer = stream_chat(settings, messages, on_token=on_token, grammar=constraint)
        block, reason = check_block(answer)
        if block is None:
            raise UserError(
                f"the model's answer is not usable Fountain after one repair round ({reason}); "
                "nothing was stored"
            )
    figures = sorted({fid for line_ in (pack or {}).get("lines", []) for fid in line_["figures"]})
    inputs = [InputRef.of_file(script_path, role="source")] if script_path else []
    if pack_path:
        inputs.append(InputRef.of_file(pack_path, role="brief"))
    parameters = {
        "task": task,
        "temperature": settings.temperature,
        "max_tokens": settings.max_tokens,
        "seed": settings.seed,
        "scene": scene,
        "to": to,
        "repaired": repaired,
        "figures": figures,
        "grammar": "fountain-gbnf" if constraint else None,
    }
    provenance = Provenance.make(
        tool="script.draft",
        generator="halqa.studio.script.draft",
        model=model_label(settings),
        backend=backend_label(settings),
        parameters=parameters,
        inputs=inputs,
        prompt="\n\n".join(m["content"] for m in messages),
    )
    subject = _subject(script_path, pack_path)
    payload = {
        "task": task,
        "fountain": write_fountain(block),
        "after_scene": anchor["after_scene"],
        "figures": figures,
        "line": line,
    }
    return book.propose(
        kind=KIND, subject=subject, payload=payload, provenance=provenance, owner=owner
    )


# ---------------------------------------------------------------- decisions


def accept_block(
    book: ProposalBook, pid: str, *, by: str, note: str | None = None, key_id: str | None = None
) -> dict:
    """Accept a proposal and insert its block into the script, between marker notes."""
    proposal = book.get(pid)
    if proposal.kind != KIND:
        raise UserError(f"proposal {proposal.id} is a {proposal.kind}, not a screenplay block")
    if proposal.subject.startswith("pack:"):
        decided = book.accept(proposal.id, by=by, note=note, key_id=key_id)
        return {"proposal": decided.id, "status": decided.status, "inserted": None}
    path = Path(proposal.subject)
    script = read_fountain(path)
    already = any(
        m.group(1) == proposal.id for e in script.elements for m in _START_RE.finditer(e.text)
    )
    decided = book.accept(proposal.id, by=by, note=note, key_id=key_id)
    if not already:
        block = parse_fountain(proposal.payload["fountain"]).elements
        where = _scene_end(script, proposal.payload.get("after_scene"))
        marked = [
            Element(ACTION, f"[[halqa-generated proposal={proposal.id} by={by.strip()}]]"),
            *block,
            Element(ACTION, f"[[halqa-end proposal={proposal.id}]]"),
        ]
        script.elements[where:where] = marked
        path.write_text(normalise_fountain(script), encoding="utf-8")
    return {
        "proposal": decided.id,
        "status": decided.status,
        "inserted": str(path),
        "already_in_file": already,
    }


def _scene_end(script: Script, scene: str | None) -> int:
    if scene is None:
        return len(script.elements)
    try:
        return _scene_bounds(script, scene)[1]
    except NotFoundError:
        return len(script.elements)


def _subject(script_path: Path | None, pack_path: Path | None) -> str:
    """What a draft is about: the script file, else the brief pack it was written from."""
    if script_path:
        return str(Path(script_path).resolve())
    if pack_path:
        return f"pack:{Path(pack_path).resolve()}"
    raise UserError("a draft needs a script file or a brief pack to work from")


def provenance_report(path: Path, book: ProposalBook | None = None) -> dict:
    """Share of generated and human lines in the script file (by its marker notes), and the
    proposals still waiting for a decision."""
    script = read_fountain(path)
    body = write_fountain(Script(elements=script.elements)).split("\n")
    generated, human, block_lines = 0, 0, 0
    blocks: list[dict[str, object]] = []
    inside: dict[str, object] | None = None  # the marked block being read
    for text in body:
        start, end = _START_RE.search(text), _END_RE.search(text)
        if start:
            inside, block_lines = {"proposal": start.group(1), "accepted_by": start.group(2)}, 0
            continue
        if end:
            if inside:
                blocks.append(inside | {"lines": block_lines})
            inside = None
            continue
        if not text.strip():
            continue
        if inside is not None:
            generated += 1
            block_lines += 1
        else:
            human += 1
    total = generated + human
    pending = (
        [p.id for p in book.list(subject=str(path.resolve()), status="pending")] if book else []
    )
    details = []
    if book:
        for b in blocks:
            try:
                p = book.get(str(b["proposal"]))
                b |= {
                    "model": p.provenance.model,
                    "backend": p.provenance.backend,
                    "generator": p.provenance.generator,
                    "task": p.provenance.parameters.get("task"),
                    "prompt_sha256": p.provenance.prompt_sha256,
                    "created_at": str(p.provenance.created_at),
                }
            except NotFoundError:
                b["missing_proposal"] = True
            details.append(b)
    return {
        "file": str(path),
        "lines": total,
        "generated_lines": generated,
        "human_lines": human,
        "generated_share": round(generated / total, 3) if total else 0.0,
        "generated_blocks": details or blocks,
        "pending": pending,
    }
