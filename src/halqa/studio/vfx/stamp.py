"""Every image and clip the VFX assistant writes gets a C2PA manifest and a provenance sidecar.

The manifest names the actions (graded with which LUT, keyed, titled, cut automatically from
which source) with the sources as ingredients; the sidecar repeats halqa's ``Provenance`` beside
the file. The manifest is embedded first, so the sidecar's hash is that of the final file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from halqa.studio.common import ContentSigner, InputRef, Provenance, embed_c2pa, write_sidecar
from halqa.studio.common.credentials import ALGORITHMIC

GENERATOR = "halqa.studio.vfx"


def action(
    name: str, description: str, *, created: bool = False, **parameters: Any
) -> dict[str, Any]:
    """A C2PA action: ``c2pa.created`` for made-from-nothing media (with its digital source type),
    else an editing action such as ``c2pa.color_adjustments`` or ``c2pa.edited``."""
    entry: dict[str, Any] = {"action": name, "description": description}
    if created:
        entry["digitalSourceType"] = ALGORITHMIC
    if parameters:
        entry["parameters"] = {k: v for k, v in parameters.items() if v is not None}
    return entry


def stamp(
    asset: Path,
    *,
    tool: str,
    parameters: dict[str, Any],
    actions: list[dict[str, Any]],
    parents: Sequence[Path] = (),
    components: Sequence[Path] = (),
    references: Sequence[Path] = (),
    signer: ContentSigner | None = None,
    human: bool = False,
    summary: str | None = None,
) -> dict[str, Any]:
    """Embed the manifest into ``asset`` in place and write its sidecar; returns a summary."""
    asset = Path(asset)
    inputs = [InputRef.of_file(p, "source") for p in (*parents, *components)] + [
        InputRef.of_file(p, "reference") for p in references
    ]
    provenance = Provenance.make(
        tool=tool,
        generator=f"{GENERATOR}.{tool.partition('.')[2] or tool}",
        parameters=parameters,
        inputs=inputs,
        human=human,
    )
    ingredients = _c2pa_ingredients(
        [(p, "parentOf") for p in parents] + [(p, "componentOf") for p in components]
    )
    store = embed_c2pa(
        asset,
        asset,
        provenance=provenance,
        actions=[_first_action(ingredients, summary), *actions],
        signer=signer,
        ingredients=ingredients,
    )
    sidecar = write_sidecar(asset, provenance)
    return {
        "asset": str(asset),
        "sidecar": str(sidecar),
        "actions": [a["action"] for a in store["actions"]],
        "validation_state": store.get("validation_state"),
    }


def _first_action(ingredients: list[tuple[Path, str]], summary: str | None) -> dict[str, Any]:
    """C2PA wants the first action to be ``c2pa.opened`` (naming the parent ingredient) for an
    edit, or ``c2pa.created`` for media made from nothing but parameters (a title card)."""
    parent = next((p for p, rel in ingredients if rel == "parentOf"), None)
    if parent is None:
        return action(
            "c2pa.created", summary or "made by halqa's visual-effects assistant", created=True
        )
    return {
        "action": "c2pa.opened",
        "description": f"opened {Path(parent).name}",
        "parameters": {"ingredientIds": [Path(parent).name]},
    }


def _c2pa_ingredients(pairs: list[tuple[Path, str]]) -> list[tuple[Path, str]]:
    """Only files C2PA can describe become ingredients (a .cube or .srt is named in the
    provenance's inputs instead)."""
    from halqa.errors import DataError
    from halqa.studio.common.credentials import mime_type

    kept = []
    for path, relationship in pairs:
        try:
            mime_type(Path(path))
        except DataError:
            continue
        kept.append((path, relationship))
    return kept
