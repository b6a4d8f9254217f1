"""Fountain 1.1 in and out.

Reading goes through ``screenplay-tools`` (MIT, by the author of the conformance fixtures in
``../shared/data/fountain-conformance``): it covers every element of the spec and passes that
suite, where screenplain and jouvence pass 3 of 13. halqa adds what the library does not do:
Arabic scene keywords (داخلي / خارجي / نهار / ليل, as Arabic screenwriters and Hekaya write them),
checks that name the file and line (binary data, empty file, unterminated boneyard), and its own
document model with notes and boneyards put back where they were written.

Writing is halqa's own (the library's writer puts the dual-dialogue caret before the extension,
which its own parser then misreads, and drops the title page's multi-line layout). The written
form is the *normalised* file: parsing it gives the same model, and writing that model gives the
same bytes.
"""

from __future__ import annotations

import re
from pathlib import Path

from halqa.errors import BackendUnavailableError, DataError

try:
    from screenplay_tools.fountain.parser import Parser as _LibraryParser
    from screenplay_tools.screenplay import ElementType
    from screenplay_tools.screenplay import Script as _LibraryScript
except ImportError as exc:  # the optional part is not installed
    raise BackendUnavailableError(
        "the screenplay assistant needs its extra: pip install 'halqa[script]'"
    ) from exc

from halqa.studio.script.model import (
    ACTION,
    BONEYARD_RE,
    CHARACTER,
    DIALOGUE,
    HEADING,
    LYRIC,
    NOTE_RE,
    PAGE_BREAK,
    PARENTHETICAL,
    SECTION,
    SPEECH_KINDS,
    SYNOPSIS,
    TRANSITION,
    Element,
    Script,
    TitleField,
)

# Arabic scene keywords: interior, exterior and both orders of the combined heading.
ARABIC_HEADING_RE = re.compile(
    r"^\s*(داخلي\s*/\s*خارجي|خارجي\s*/\s*داخلي|داخلي|خارجي)(\s*[.\-–—:،]|\s)"
)
LATIN_HEADING_RE = re.compile(
    r"^\s*((INT|EXT|EST|INT\.\/EXT|INT\/EXT|I\/E)(\.|\s))|(FADE IN:\s*)", re.IGNORECASE
)
TRANSITION_RE = re.compile(r"^\s*(?:[A-Z\s]+TO:)\s*$")
# Arabic transitions end with "إلى:" ("to:"), e.g. "قطع إلى:" (cut to).
ARABIC_TRANSITION_RE = re.compile(r"^\s*[\u0600-\u06FF\s]+إلى\s*:\s*$")
CUE_RE = re.compile(r"^[A-Z][^a-z]*$")

_KIND_OF = {
    ElementType.HEADING: HEADING,
    ElementType.ACTION: ACTION,
    ElementType.CHARACTER: CHARACTER,
    ElementType.PARENTHETICAL: PARENTHETICAL,
    ElementType.DIALOGUE: DIALOGUE,
    ElementType.TRANSITION: TRANSITION,
    ElementType.LYRIC: LYRIC,
    ElementType.PAGEBREAK: PAGE_BREAK,
    ElementType.SECTION: SECTION,
    ElementType.SYNOPSIS: SYNOPSIS,
}


class _Parser(_LibraryParser):
    """The library's line parser, taught the Arabic heading and transition keywords."""

    def _parse_scene_heading(self) -> bool:
        if super()._parse_scene_heading():
            return True
        if ARABIC_HEADING_RE.match(self._lineTrim):
            heading = self._decode_heading(self._lineTrim)
            self._add_element(_heading(heading["text"], heading["scene_number"]))
            return True
        return False

    def _parse_transition(self) -> bool:
        if super()._parse_transition():
            return True
        if ARABIC_TRANSITION_RE.match(self._line) and not self._lastLine.strip():
            from screenplay_tools.screenplay import Transition

            self._pending.append(
                {
                    "type": ElementType.TRANSITION,
                    "element": Transition(self._lineTrim),
                    "backup": self._create_action(self._lineTrim),
                }
            )
            return True
        return False


def _heading(text: str, number: str | None):
    from screenplay_tools.screenplay import SceneHeading

    return SceneHeading(text=text, scene_number=number, forced=False)


# ---------------------------------------------------------------- reading


def read_fountain(path: str | Path) -> Script:
    """Parse a Fountain file; errors name the file and the line."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror})") from exc
    text = decode_text(data, str(path))
    script = parse_fountain(text, source=str(path))
    _check_language(script, text, str(path))
    return script


def _check_language(script: Script, text: str, source: str) -> None:
    """A title page ``Language:`` must be a code halqa knows (it decides the page direction)."""
    from halqa.errors import ConfigError
    from halqa.studio.script.language import normalise_language

    code = script.title_value("Language")
    if code is None:
        return
    line = next(
        (
            i + 1
            for i, raw in enumerate(text.splitlines())
            if raw.strip().lower().startswith("language:")
        ),
        1,
    )
    try:
        normalise_language(code.strip(), where=f"{source}: line {line}: title page Language")
    except ConfigError as exc:
        raise DataError(str(exc)) from exc


def decode_text(data: bytes, source: str) -> str:
    """UTF-8 text of a screenplay file, refusing binary data with the line where it starts."""
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise DataError(
            f"{source}: line {line}: binary data (NUL byte); expected a UTF-8 text file"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(
            f"{source}: line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
            "save the script as UTF-8"
        ) from exc
    return text


def parse_fountain(
    text: str,
    *,
    source: str = "<text>",
    merge_actions: bool = True,
    merge_dialogue: bool = True,
    use_tags: bool = False,
) -> Script:
    """Parse Fountain text into halqa's model.

    ``merge_*`` and ``use_tags`` exist for the conformance suite (fountain-tools' options);
    halqa itself always merges and reads ``#tags`` only when asked.
    """
    if not text.strip():
        raise DataError(f"{source}: empty file, nothing to parse")
    _check_boneyards(text, source)
    parser = _Parser()
    parser.mergeActions, parser.mergeDialogue, parser.useTags = (
        merge_actions,
        merge_dialogue,
        use_tags,
    )
    parser.add_text(text)
    return _from_library(parser.script)


def _check_boneyards(text: str, source: str) -> None:
    """A ``/*`` with no ``*/`` after it would swallow the rest of the script silently."""
    depth_open_at = None
    pos = 0
    while True:
        start = text.find("/*", pos)
        if start < 0:
            return
        end = text.find("*/", start + 2)
        if end < 0:
            depth_open_at = start
            break
        pos = end + 2
    line = text[:depth_open_at].count("\n") + 1
    raise DataError(
        f"{source}: line {line}: boneyard '/*' is never closed with '*/' "
        "(everything after it would be hidden)"
    )


def _restore_inline(raw: str, lib: _LibraryScript) -> str:
    """Put the notes and boneyards the library lifted out back where they were written."""
    text = re.sub(r"\[\[(\d+)\]\]", lambda m: f"[[{lib.notes[int(m.group(1))].text_raw}]]", raw)
    return re.sub(r"/\*(\d+)\*/", lambda m: f"/*{lib.boneyards[int(m.group(1))].text_raw}*/", text)


def _title_value(raw: str) -> str:
    lines = [line.strip() for line in raw.split("\n")]
    return "\n".join(lines[1:] if len(lines) > 1 and not lines[0] else lines)


_BLANK_RUN_RE = re.compile(r"\n{3,}")


def _speech_text(text: str) -> str:
    """A speech keeps at most one blank line between its lines and none at its end: the library
    reads each further two-space line of a run as two line breaks, so longer runs would grow on
    every round trip and the normalised form would never be a fixed point."""
    return _BLANK_RUN_RE.sub("\n\n", text).rstrip("\n")


def _from_library(lib: _LibraryScript) -> Script:
    title = [
        TitleField(e.key, _title_value(_restore_inline(e.text_raw, lib))) for e in lib.titleEntries
    ]
    elements = []
    for item in lib.elements:
        kind = _KIND_OF[item.type]
        el = Element(kind, tags=list(item.tags))
        if kind == CHARACTER:
            el.text, el.extension, el.dual = (
                _restore_inline(item.name, lib),
                item.extension,
                item.is_dual_dialogue,
            )
        else:
            el.text = _restore_inline(item.text_raw, lib)
        if kind == DIALOGUE:
            el.text = _speech_text(el.text)
        el.forced = bool(getattr(item, "forced", False))
        el.centered = bool(getattr(item, "centered", False))
        el.scene_number = getattr(item, "scene_number", None)
        el.level = getattr(item, "level", 0) or 0
        if kind == CHARACTER and not el.forced:
            el.forced = not CUE_RE.match(el.text)  # only an @ can have made this a cue
        elements.append(el)
    return Script(title=title, elements=elements)


# ---------------------------------------------------------------- writing


def write_fountain(script: Script) -> str:
    """The normalised Fountain text of ``script`` (ends with one newline)."""
    lines: list[str] = []
    for f in script.title:
        value_lines = f.value.split("\n")
        if len(value_lines) > 1:
            lines.append(f"{f.key}:")
            lines += [f"    {v}" for v in value_lines]
        else:
            lines.append(f"{f.key}: {f.value}".rstrip())
    previous = None
    for el in script.elements:
        if lines and not (_continues_speech(previous, el) or _touching_actions(previous, el)):
            lines.append("")
        lines.append(_write_element(el))
        previous = el
    return "\n".join(lines).strip("\n") + "\n"


def _touching_actions(previous: Element | None, el: Element) -> bool:
    """Around centered text the parser keeps each blank line as an empty action (or as a trailing
    newline of the action before), so no separator is added there: the elements carry it."""
    if previous is None or previous.kind != ACTION or el.kind != ACTION:
        return False
    return previous.centered or el.centered or not previous.text or not el.text


def normalise_fountain(script: Script, *, rounds: int = 3) -> str:
    """The Fountain text that reads back to itself. ``write_fountain`` is exact for any script
    that came from a file; a model built by hand (or from FDX) can hold what Fountain cannot say
    (a cue with no dialogue, which Fountain reads as action), so this writes, reads and writes
    again until the text is a fixed point."""
    text = write_fountain(script)
    for _ in range(rounds):
        again = write_fountain(parse_fountain(text))
        if again == text:
            break
        text = again
    return text


def _continues_speech(previous: Element | None, el: Element) -> bool:
    """No blank line inside a speech: a blank after a cue would turn the cue into action."""
    if previous is None or previous.kind not in SPEECH_KINDS:
        return False
    return el.kind in (PARENTHETICAL, DIALOGUE) or (el.kind == LYRIC and previous.kind == CHARACTER)


def _write_element(el: Element) -> str:
    writer = _WRITERS.get(el.kind)
    return writer(el) + _tags(el) if writer else ""


def _tags(el: Element) -> str:
    return "".join(f" #{t}" for t in el.tags)


def _write_heading(el: Element) -> str:
    number = f" #{el.scene_number}#" if el.scene_number else ""
    detectable = LATIN_HEADING_RE.match(el.text) or ARABIC_HEADING_RE.match(el.text)
    return ("." if el.forced or not detectable else "") + el.text + number


def _write_action(el: Element) -> str:
    if el.centered:
        return f">{el.text}<"
    lines = el.text.split("\n")
    hidden = _lines_inside_marks(lines)
    out = [
        ("!" if _misread_as_other(lines, i) and i not in hidden else "") + line
        for i, line in enumerate(lines)
    ]
    if el.forced and not out[0].startswith("!"):
        out[0] = "!" + out[0]
    return "\n".join(out)


_CUE_LINE_RE = re.compile(r"^([A-Z][^a-z]*?)\s*(?:\(.*\))?(?:\s*\^\s*)?$")
_CUE_DECODE_RE = re.compile(
    r"^([^(\^]+?)\s*(?:\((.*)\))?(?:\s*\^\s*)?$"
)  # the library's second check
_CONTD_RE = re.compile(r"\(\s*CONT[’']D\s*\)", re.IGNORECASE)


def _misread_as_other(lines: list[str], i: int) -> bool:
    """Would line ``i`` of an action be read back as another element? Then it gets a ``!``."""
    line = lines[i].strip()
    if not line:
        return False
    after_blank = i == 0 or not lines[i - 1].strip()
    before_blank = i == len(lines) - 1 or not lines[i + 1].strip()
    if line[0] in "!@~#>=" or re.match(r"^\.[A-Za-z0-9]", line):
        return True
    if LATIN_HEADING_RE.match(line) or ARABIC_HEADING_RE.match(line):
        return True
    if (
        after_blank
        and before_blank
        and (TRANSITION_RE.match(line) or ARABIC_TRANSITION_RE.match(line))
    ):
        return True
    cue = _CONTD_RE.sub("", line).strip()
    return (
        after_blank
        and not before_blank
        and bool(_CUE_LINE_RE.match(cue) and _CUE_DECODE_RE.match(cue))
    )


def _lines_inside_marks(lines: list[str]) -> set[int]:
    """Indexes of lines that start inside a multi-line note or boneyard (left untouched)."""
    inside, opener = set(), None
    for i, line in enumerate(lines):
        if opener:
            inside.add(i)
        for token in re.findall(r"\[\[|\]\]|/\*|\*/", line):
            if opener is None and token in ("[[", "/*"):
                opener = token
            elif (opener, token) in (("[[", "]]"), ("/*", "*/")):
                opener = None
    return inside


def _write_character(el: Element) -> str:
    cue = el.text + (f" ({el.extension})" if el.extension else "") + (" ^" if el.dual else "")
    return ("@" if el.forced or not CUE_RE.match(el.text) else "") + cue


def _write_dialogue(el: Element) -> str:
    # A blank line inside a speech is written as two spaces so it does not end the speech.
    return "\n".join(line if line.strip() else "  " for line in el.text.split("\n"))


def _write_transition(el: Element) -> str:
    plain = TRANSITION_RE.match(el.text) or ARABIC_TRANSITION_RE.match(el.text)
    return (">" if el.forced or not plain else "") + el.text


_WRITERS = {
    HEADING: _write_heading,
    ACTION: _write_action,
    CHARACTER: _write_character,
    PARENTHETICAL: lambda el: f"({el.text})",
    DIALOGUE: _write_dialogue,
    TRANSITION: _write_transition,
    LYRIC: lambda el: f"~{el.text}",
    PAGE_BREAK: lambda el: "===",
    SECTION: lambda el: "#" * max(el.level, 1) + " " + el.text,
    SYNOPSIS: lambda el: f"= {el.text}",
}


# ---------------------------------------------------------------- conformance dump

_DUMP_TYPE = {
    HEADING: "HEADING",
    ACTION: "ACTION",
    CHARACTER: "CHARACTER",
    PARENTHETICAL: "PARENTHETICAL",
    DIALOGUE: "DIALOGUE",
    TRANSITION: "TRANSITION",
    LYRIC: "LYRIC",
    PAGE_BREAK: "PAGEBREAK",
    SECTION: "SECTION",
    SYNOPSIS: "SYNOPSIS",
}


_PLACEHOLDER_RE = re.compile(r"\[\[\d+\]\]|/\*\d+\*/")


class _Numberer:
    """Replaces inline notes and boneyards by ``[[n]]`` / ``/*n*/`` in reading order."""

    def __init__(self) -> None:
        self.notes: list[str] = []
        self.boneyards: list[str] = []

    def __call__(self, text: str) -> str:
        def boneyard(m: re.Match) -> str:
            self.boneyards.append(m.group(1))
            return f"/*{len(self.boneyards) - 1}*/"

        def note(m: re.Match) -> str:
            self.notes.append(m.group(1))
            return f"[[{len(self.notes) - 1}]]"

        return NOTE_RE.sub(note, BONEYARD_RE.sub(boneyard, text))


def conformance_dump(script: Script) -> str:
    """The ``TYPE:"text"`` dump format of the fountain-tools fixtures, from halqa's model."""
    number = _Numberer()
    out = []
    for f in script.title:
        value = number(f.value)
        if "\n" in f.value:
            value = "".join(f"\n    {v}" for v in value.split("\n"))
        out.append(f'TITLEENTRY:"{f.key}":"{value}"')
    for el in script.elements:
        text = number(el.text)
        kind = _DUMP_TYPE[el.kind]
        if el.kind == HEADING:
            bare = _PLACEHOLDER_RE.sub("", text)  # the fixtures print headings without note marks
            line = f'{kind}:"{bare}"' + (f" ({el.scene_number})" if el.scene_number else "")
        elif el.kind == CHARACTER:
            line = (
                f'{kind}:"{text}"'
                + (f' "({el.extension})"' if el.extension else "")
                + (" (Dual)" if el.dual else "")
            )
        elif el.kind == SECTION:
            line = f'{kind}:"{text}" ({el.level})'
        else:
            line = f'{kind}:"{text}"' + (" (centered)" if el.centered else "")
        out.append(line + (" tags:" + ",".join(el.tags) if el.tags else ""))
    out += [f'[[{i}]]NOTE:"{n}"' for i, n in enumerate(number.notes)]
    out += [f'/*{i}*/BONEYARD:"{b}"' for i, b in enumerate(number.boneyards)]
    return "\n".join(out)
