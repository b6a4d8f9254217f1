"""halqa's screenplay document model: a title page and a flat list of typed elements.

The model is deliberately close to Fountain's own element types so that Fountain and FDX map
onto it without loss. Inline notes (``[[...]]``) and boneyards (``/* ... */``) stay inside the
text of the element they were written in, exactly as the writer typed them; ``plain`` gives the
text without them (what is printed), ``notes`` the notes (what the breakdown reads).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

HEADING = "heading"
ACTION = "action"
CHARACTER = "character"
PARENTHETICAL = "parenthetical"
DIALOGUE = "dialogue"
TRANSITION = "transition"
LYRIC = "lyric"
PAGE_BREAK = "page_break"
SECTION = "section"
SYNOPSIS = "synopsis"

KINDS = (
    HEADING,
    ACTION,
    CHARACTER,
    PARENTHETICAL,
    DIALOGUE,
    TRANSITION,
    LYRIC,
    PAGE_BREAK,
    SECTION,
    SYNOPSIS,
)
# Elements that belong to a speech (a cue and what hangs under it).
SPEECH_KINDS = (CHARACTER, PARENTHETICAL, DIALOGUE)

NOTE_RE = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)
BONEYARD_RE = re.compile(r"/\*(.*?)\*/", re.DOTALL)


@dataclass
class Element:
    """One block of a screenplay.

    ``text`` is the cue's name for a character element (its extension is separate), the heading
    without its scene number, the action's lines joined by newlines, and so on.
    """

    kind: str
    text: str = ""
    scene_number: str | None = None  # headings: the ``#12A#`` label
    extension: str | None = None  # characters: V.O., O.S., ...
    dual: bool = False  # characters: the second cue of a dual-dialogue pair (``^``)
    forced: bool = False  # written with its forcing mark (``.``, ``!``, ``@``, ``>``)
    centered: bool = False  # actions: ``> text <``
    level: int = 0  # sections: number of ``#``
    tags: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(
                f"unknown element kind {self.kind!r} (expected one of {', '.join(KINDS)})"
            )

    @property
    def plain(self) -> str:
        """The text as printed: notes and boneyards removed."""
        return NOTE_RE.sub("", BONEYARD_RE.sub("", self.text))

    @property
    def notes(self) -> list[str]:
        """The ``[[notes]]`` written inside this element, outside any boneyard."""
        return [n.strip() for n in NOTE_RE.findall(BONEYARD_RE.sub("", self.text))]

    def copy(self, **changes) -> Element:
        return replace(self, tags=list(self.tags), **changes)


@dataclass
class TitleField:
    """``Key: value`` on the title page; multi-line values are joined by newlines (no indent)."""

    key: str
    value: str


@dataclass
class Script:
    """A screenplay: title page fields, then the body's elements in reading order."""

    title: list[TitleField] = field(default_factory=list)
    elements: list[Element] = field(default_factory=list)

    def title_value(self, key: str, default: str | None = None) -> str | None:
        for f in self.title:
            if f.key.lower() == key.lower():
                return f.value
        return default

    def of_kind(self, *kinds: str) -> list[Element]:
        return [e for e in self.elements if e.kind in kinds]

    def to_dict(self) -> dict:
        """JSON-ready form (defaults left out so the output stays readable)."""
        defaults = Element(ACTION)
        body = []
        for e in self.elements:
            item = {"kind": e.kind, "text": e.text}
            for name in (
                "scene_number",
                "extension",
                "dual",
                "forced",
                "centered",
                "level",
                "tags",
            ):
                value = getattr(e, name)
                if value != getattr(defaults, name):
                    item[name] = value
            body.append(item)
        return {"title": [{"key": f.key, "value": f.value} for f in self.title], "elements": body}

    @classmethod
    def from_dict(cls, data: dict) -> Script:
        return cls(
            title=[TitleField(**f) for f in data.get("title", [])],
            elements=[Element(**e) for e in data.get("elements", [])],
        )
