"""Final Draft FDX in and out (the XML that Final Draft, Fade In and WriterDuet exchange).

Written with the standard library's ElementTree; read with defusedxml (already a dependency
of fpdf2) because an FDX may come from anywhere and must not expand entities. What FDX cannot
hold is left out on export and said so in docs/studio.md: notes and boneyards (Final Draft
keeps notes in a separate layer), sections and synopses.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from defusedxml import ElementTree as SafeET

from halqa.errors import DataError
from halqa.studio.script.emphasis import runs
from halqa.studio.script.model import (
    ACTION,
    CHARACTER,
    DIALOGUE,
    HEADING,
    LYRIC,
    PAGE_BREAK,
    PARENTHETICAL,
    SECTION,
    SYNOPSIS,
    TRANSITION,
    Element,
    Script,
    TitleField,
)

_EXPORT_TYPE = {
    HEADING: "Scene Heading",
    ACTION: "Action",
    CHARACTER: "Character",
    PARENTHETICAL: "Parenthetical",
    DIALOGUE: "Dialogue",
    TRANSITION: "Transition",
    LYRIC: "Lyrics",
}
_IMPORT_KIND = {
    "Scene Heading": HEADING,
    "Shot": HEADING,
    "Action": ACTION,
    "General": ACTION,
    "Character": CHARACTER,
    "Parenthetical": PARENTHETICAL,
    "Dialogue": DIALOGUE,
    "Transition": TRANSITION,
    "Lyrics": LYRIC,
    "New Act": SECTION,
    "End of Act": ACTION,
    "Outline 1": SECTION,
    "Outline 2": SECTION,
    "Outline 3": SECTION,
    "Outline 4": SECTION,
    "Outline Body": SYNOPSIS,
}
_CENTERED_TITLE_KEYS = ("Title", "Credit", "Author", "Source")


# ---------------------------------------------------------------- export


def write_fdx(script: Script) -> bytes:
    """FDX bytes (UTF-8, with declaration) for ``script``."""
    root = ET.Element("FinalDraft", DocumentType="Script", Template="No", Version="5")
    content = ET.SubElement(root, "Content")
    pending_break = False
    elements = script.elements
    i = 0
    while i < len(elements):
        el = elements[i]
        if el.kind == PAGE_BREAK:
            pending_break = True
            i += 1
            continue
        if el.kind not in _EXPORT_TYPE:
            i += 1
            continue
        speech_end = _speech_end(elements, i)
        if el.kind == CHARACTER and speech_end < len(elements) and _is_dual(elements[speech_end]):
            # Two speeches side by side: both go inside one <DualDialogue>.
            second_end = _speech_end(elements, speech_end)
            holder = ET.SubElement(content, "Paragraph")
            dual = ET.SubElement(holder, "DualDialogue")
            for item in elements[i:second_end]:
                _paragraph(dual, item, False)
            i = second_end
            continue
        _paragraph(content, el, pending_break)
        pending_break = False
        i += 1
    if script.title:
        _title_page(root, script.title)
    ET.indent(root, space="  ")
    return b'<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n' + ET.tostring(
        root, encoding="utf-8"
    )


def _speech_end(elements: list[Element], start: int) -> int:
    """Index just after the speech (cue, parentheticals, dialogue, lyrics) starting at ``start``."""
    end = start + 1
    while end < len(elements) and elements[end].kind in (PARENTHETICAL, DIALOGUE, LYRIC):
        end += 1
    return end


def _is_dual(el: Element) -> bool:
    return el.kind == CHARACTER and el.dual


def _paragraph(parent: ET.Element, el: Element, new_page: bool) -> None:
    attrs = {"Type": _EXPORT_TYPE[el.kind]}
    if el.kind == HEADING and el.scene_number:
        attrs["Number"] = el.scene_number
    if el.centered:
        attrs["Alignment"] = "Center"
    if new_page:
        attrs["StartsNewPage"] = "Yes"
    p = ET.SubElement(parent, "Paragraph", attrs)
    if el.kind == CHARACTER:
        _text(p, el.text + (f" ({el.extension})" if el.extension else ""))
    elif el.kind == PARENTHETICAL:
        _text(p, f"({el.plain.strip()})")
    else:
        _styled_text(p, el.plain)


def _text(p: ET.Element, text: str, style: str = "") -> None:
    node = ET.SubElement(p, "Text", {"Style": style} if style else {})
    node.text = text


def _styled_text(p: ET.Element, text: str) -> None:
    styled = runs(text)
    if not styled:  # an empty paragraph still carries one (empty) Text node
        _text(p, "")
    for run in styled:
        style = "+".join(
            s
            for s, on in (("Bold", run.bold), ("Italic", run.italic), ("Underline", run.underline))
            if on
        )
        _text(p, run.text, style)


def _title_page(root: ET.Element, fields: list[TitleField]) -> None:
    content = ET.SubElement(ET.SubElement(root, "TitlePage"), "Content")
    for f in fields:
        align = "Center" if f.key in _CENTERED_TITLE_KEYS else "Left"
        p = ET.SubElement(content, "Paragraph", {"Type": "General", "Alignment": align})
        _styled_text(p, f.value)
        p.set("halqaKey", f.key)  # lets halqa read its own title page back field by field


# ---------------------------------------------------------------- import


def read_fdx(path: str | Path) -> Script:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror})") from exc
    return parse_fdx(data, source=str(path))


def parse_fdx(data: bytes, *, source: str = "<fdx>") -> Script:
    if not data.strip():
        raise DataError(f"{source}: empty file, not an FDX document")
    try:
        root = SafeET.fromstring(data)
    except ET.ParseError as exc:
        line, col = exc.position
        raise DataError(
            f"{source}: line {line}, column {col}: not well-formed XML, so not an FDX file "
            f"({exc.msg if hasattr(exc, 'msg') else exc})"
        ) from exc
    except Exception as exc:  # defusedxml refuses entity tricks with its own exception types
        raise DataError(f"{source}: refused XML ({type(exc).__name__}: {exc})") from exc
    if root.tag != "FinalDraft":
        raise DataError(
            f"{source}: root element is <{root.tag}>, expected <FinalDraft> (not an FDX file)"
        )
    content = root.find("Content")
    if content is None:
        raise DataError(f"{source}: <FinalDraft> has no <Content> element")
    elements: list[Element] = []
    for p in content.findall("Paragraph"):
        dual = p.find("DualDialogue")
        if dual is not None:
            _read_dual(dual, elements)
            continue
        _read_paragraph(p, elements)
    return Script(title=_read_title_page(root.find("TitlePage")), elements=elements)


def _read_dual(dual: ET.Element, elements: list[Element]) -> None:
    cues = 0
    for p in dual.findall("Paragraph"):
        el = _element(p)
        if el is None:
            continue
        if el.kind == CHARACTER:
            cues += 1
            el.dual = cues == 2  # Fountain marks the second speech of the pair
        elements.append(el)


def _read_paragraph(p: ET.Element, elements: list[Element]) -> None:
    if p.get("StartsNewPage") == "Yes" and elements:
        elements.append(Element(PAGE_BREAK))
    el = _element(p)
    if el is not None:
        elements.append(el)


def _element(p: ET.Element) -> Element | None:
    ptype = p.get("Type", "Action")
    kind = _IMPORT_KIND.get(ptype)
    text = _fountain_text(p)
    if kind is None or (not text.strip() and kind != ACTION):
        return None
    if kind == ACTION and not text.strip():
        return None
    if kind == CHARACTER:
        m = re.match(r"^(.*?)\s*\(([^()]*)\)\s*$", text.strip())
        name, ext = (m.group(1), m.group(2)) if m else (text.strip(), None)
        return Element(CHARACTER, name, extension=ext)
    if kind == PARENTHETICAL:
        return Element(PARENTHETICAL, text.strip().removeprefix("(").removesuffix(")").strip())
    if kind == HEADING:
        return Element(HEADING, text.strip(), scene_number=p.get("Number"))
    if kind == SECTION:
        level = int(ptype[-1]) if ptype.startswith("Outline") else 1
        return Element(SECTION, text.strip(), level=level)
    return Element(kind, text, centered=p.get("Alignment") == "Center" and kind == ACTION)


def _fountain_text(p: ET.Element) -> str:
    """A paragraph's <Text> runs, with their styles written back as Fountain emphasis."""
    parts = []
    for t in p.findall("Text"):
        text = t.text or ""
        style = t.get("Style", "")
        if text.strip():
            if "Bold" in style and "Italic" in style:
                text = f"***{text}***"
            elif "Bold" in style:
                text = f"**{text}**"
            elif "Italic" in style:
                text = f"*{text}*"
            if "Underline" in style:
                text = f"_{text}_"
        parts.append(text)
    return "".join(parts)


def _read_title_page(page: ET.Element | None) -> list[TitleField]:
    content = page.find("Content") if page is not None else None
    if content is None:
        return []
    paragraphs = [(p.get("halqaKey"), _fountain_text(p)) for p in content.findall("Paragraph")]
    paragraphs = [(k, t) for k, t in paragraphs if t.strip()]
    keyed = [(k, t) for k, t in paragraphs if k]
    if len(keyed) == len(paragraphs):
        return [TitleField(k, t) for k, t in keyed]
    # Another program's title page is free text: the first line is the title, the rest kept as
    # notes.
    fields = [TitleField("Title", paragraphs[0][1])] if paragraphs else []
    if len(paragraphs) > 1:
        fields.append(TitleField("Notes", "\n".join(t for _, t in paragraphs[1:])))
    return fields
