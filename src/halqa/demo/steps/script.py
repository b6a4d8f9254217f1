"""The studio step of ``halqa demo``: a development pack for the demo's rising segment, a short
Fountain scene in Darija and French, and one drafted block waiting for a person's decision.

The scene is a fixed, hand-written sample (it shows the format and the language mix; it is not
generated). The pending block is drafted by the writer's language model when one is configured
(``HALQA_LLM_BASE_URL``/``HALQA_LLM_MODEL`` or ``HALQA_LLM_GGUF``); otherwise by a plain template
that turns the pack's lead genre into a logline, and its provenance says exactly that
(generator ``halqa.demo.steps.script.template``, no model).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from halqa.catalog import Store
from halqa.demo.steps.insights import DEMO_WINDOW
from halqa.demo.world import World
from halqa.studio.common import InputRef, LlmSettings, ProposalBook, Provenance
from halqa.studio.script.draft import KIND

SCENE = """Title: Darb Sultan
Credit: Written by
Author: halqa demo
Language: ary

داخلي. كافي ف درب السلطان - ليل #1#

A small café. Football on a television nobody watches. [[prop: radio]] [[costume: football shirt]]

@سعيد
واش سمعتي الأغنية الجديدة؟ راه ولات بزاف.

LEILA
Oui, tout le monde l'écoute. Même ma mère!

@سعيد
شكون اللي دارها؟ ولد الدرب؟

LEILA ^
C'est ça. Et personne ne le connaît encore.
"""


def studio_step(store: Store, world: World, console: Console) -> dict[str, Any]:
    from halqa.studio.script.develop import develop

    out = Path(world.out_dir) / "studio"
    out.mkdir(parents=True, exist_ok=True)
    # The pack is grounded in the brief the insights step wrote for the segment it found rising.
    result = _pack_from_insights_brief(Path(world.out_dir), out / "development-pack.md")
    if result is None:  # the insights step did not run: a brief of the whole audience
        result = develop(store, [], out / "development-pack.md", window=DEMO_WINDOW)
    pack = result["pack"]
    scene = out / "darb-sultan.fountain"
    scene.write_text(SCENE, encoding="utf-8")
    book = ProposalBook(out)
    proposal = _pending_block(book, scene, Path(result["json"]), pack)
    console.print(
        f"[bold]Studio[/]: development pack {result['markdown']} "
        f"({len(pack['lines'])} lines citing "
        f"{len(pack['figures'])} brief figures); scene {scene} (Darija and French); proposal "
        f"{proposal.id} pending: halqa script accept {proposal.id[:8]} --by NAME --studio-dir {out}"
    )
    return {
        "pack": result["markdown"],
        "pack_json": result["json"],
        "scene": str(scene),
        "proposal": proposal.id,
        "proposal_status": proposal.status,
        "studio_dir": str(out),
        "generator": proposal.provenance.generator,
        "figures_cited": [f["id"] for f in pack["figures"]],
    }


def _pack_from_insights_brief(demo_dir: Path, out: Path) -> dict | None:
    """Reuse the brief the insights step wrote, for the segment it wrote it for (its figures,
    not a copy)."""
    import json

    from halqa.insights.segment import Segment
    from halqa.studio.script.develop import development_pack, write_pack

    figures_json = demo_dir / "brief_files" / "figures.json"
    if not figures_json.exists():
        return None
    data = json.loads(figures_json.read_text(encoding="utf-8"))
    seg = Segment.parse(data.get("segment") or None)
    pack = development_pack({"figures": data["figures"], "markdown": str(demo_dir / "brief.md")})
    pack["segment"] = seg.label
    return {**write_pack(pack, out, title=seg.label), "pack": pack}


def _pending_block(book: ProposalBook, scene: Path, pack_json: Path, pack: dict):
    settings = LlmSettings.from_env(max_tokens=200)
    if settings.backend != "none":
        from halqa.studio.script.draft import draft

        return draft("continue", settings, book, script_path=scene, pack_path=pack_json)
    genre = next((line for line in pack["lines"] if line["topic"] == "genre"), None)
    if genre:
        text = (
            f"= A young singer from Derb Sultan rises with the city's favourite sound "
            f"({genre['text'].split('**')[1]}), and must decide who owns his song."
        )
    else:
        text = "= A young singer from Derb Sultan rises, and must decide who owns his song."
    fountain = f"{text}\n\nLEILA\nOn va le trouver, ce garçon.\n"
    figures = genre["figures"] if genre else []
    provenance = Provenance.make(
        tool="script.draft",
        generator="halqa.demo.steps.script.template",
        parameters={"task": "continue", "figures": figures, "template": "demo logline"},
        inputs=[InputRef.of_file(scene), InputRef.of_file(pack_json, role="brief")],
    )
    return book.propose(
        kind=KIND,
        subject=str(scene.resolve()),
        provenance=provenance,
        payload={"task": "continue", "fountain": fountain, "after_scene": "1", "figures": figures},
    )
