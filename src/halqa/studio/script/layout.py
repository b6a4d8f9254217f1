"""Industry page layout: line wrapping, pagination with Final Draft's rules, eighths, runtime.

Geometry (12-pt Courier-style, 10 characters an inch, 6 lines an inch):
action and headings from 1.5" (61 characters, as Final Draft's PDFs hold), dialogue 2.5"-6.0"
(35), parentheticals from 3.1" (26), cues at 3.7", transitions flush right at 7.5". Letter pages
hold 54 body lines between 1" margins (the count Final Draft's own pages give), A4 57.

Final Draft's default template puts two blank lines before a scene heading (``SpaceBefore=24``
in its FDX paragraph specs) where screenplain and afterwriting put one; that alone explains much
of their short count on long scripts, so halqa follows Final Draft.

Pagination rules, after Final Draft: a heading is never the last thing on a page (it moves with
the next block's first lines); a cue stays with at least two lines of its speech; dialogue breaks
only between sentences, each part keeping at least two lines, with (MORE) under the first part
(not charged to the page, as Final Draft does) and ``CUE (CONT'D)`` over the rest; action breaks
between lines keeping two on each side; ``===`` forces a new page.

Profiles. ``screenplay`` (the default) is the single-camera layout above. ``multicam`` is Final
Draft's multicam (sitcom) template as its PDFs show it (mostly-genius in SimonGZ/jumpcut's corpus):
dialogue from 2.25" to 6.0" (38 characters) and double-spaced (each line takes two rows, its blank
included), parentheticals from 2.75"; a word may break after a hyphen (which may hang one character
into the margin), a speech may break at a sentence end inside a line, and the CUE (CONT'D) atop a
page over a split speech is not charged; everything else as in the screenplay. A script selects
it by its title page, as jumpcut reads it: ``fmt: multicam`` (with jumpcut's other ``fmt`` options
``ssbsh``: one blank line before scene headings, ``dsd``: double-spaced dialogue, ``dl-2.25`` and
``dr-6.00``: the dialogue column's edges); ``--profile`` chooses one over what the title page says.
Page count, eighths, the PDF and the HTML all read the same profile.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

from halqa.studio.script.emphasis import Run, runs
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
)

PAGE_SIZES = {"letter": (8.5, 11.0), "a4": (8.27, 11.69)}
LINES_PER_PAGE = {"letter": 54, "a4": 57}
# left edge (inches from the page's left) and width in characters, per element kind. Widths are
# what Final Draft's own PDFs hold (SimonGZ/jumpcut's corpus of public scripts with their Final
# Draft PDFs, see bench/script.py): 61 characters of action (a 6" column that takes one more),
# 26 of parenthetical, 35 of dialogue; dual dialogue columns of 29.
GEOMETRY = {
    HEADING: (1.5, 61),
    ACTION: (1.5, 61),
    SECTION: (1.5, 61),
    SYNOPSIS: (1.5, 61),
    CHARACTER: (3.7, 38),
    PARENTHETICAL: (3.1, 26),
    DIALOGUE: (2.5, 35),
    LYRIC: (2.5, 35),
    TRANSITION: (1.5, 61),
}
DUAL_GEOMETRY = {
    CHARACTER: (2.5, 20),
    PARENTHETICAL: (2.0, 24),
    DIALOGUE: (1.5, 29),
    LYRIC: (1.5, 29),
}
DUAL_RIGHT_OFFSET = 3.1  # inches between the two columns of dual dialogue (1.5"-4.4" and 4.6"-7.5")
MIN_SPLIT_LINES = 2
PROFILES = ("screenplay", "multicam")


@dataclass(frozen=True)
class Profile:
    """The page layout's settings: the dialogue column, spacing and line heights."""

    name: str = "screenplay"
    dialogue: tuple[float, float] | None = None  # (left, right) inches; None: GEOMETRY's 2.5-6.0
    parenthetical: tuple[float, int] | None = None  # (left, characters); None: GEOMETRY's
    heading_space: int = 2  # blank rows before a scene heading
    dialogue_rows: int = 1  # rows each dialogue line takes (2: double-spaced)
    hyphens: bool = False  # a word may break after a hyphen at a line's end
    split_in_line: bool = False  # a speech may break at a sentence end inside a line
    free_contd: bool = False  # the CUE (CONT'D) atop a page, over a split speech, is not charged

    def place(self, kind: str) -> tuple[float, int]:
        """(left edge in inches, width in characters) of an element kind under this profile."""
        if kind in (DIALOGUE, LYRIC) and self.dialogue is not None:
            left, right = self.dialogue
            # 10 characters an inch, a half column rounding up: Final Draft's 3.75" multicam
            # dialogue holds 38 characters on its PDFs
            return left, max(1, math.floor((right - left) * 10 + 0.5))
        if kind == PARENTHETICAL and self.parenthetical is not None:
            return self.parenthetical
        return GEOMETRY.get(kind, (1.5, 60))

    @property
    def dialogue_column(self) -> tuple[float, float]:
        """The dialogue column's edges in inches (the PDF mirrors other-direction speech in it)."""
        if self.dialogue is not None:
            return self.dialogue
        left, width = GEOMETRY[DIALOGUE]
        return left, left + width / 10


SCREENPLAY = Profile()
# Final Draft's multicam template as its PDF of mostly-genius lays it out (jumpcut's multicam
# profile has the same edges): dialogue 2.25"-6.0", double-spaced; parentheticals from 2.75".
# Its PDF also breaks a word after a hyphen at a line's end ("kyju-" / "hyvozogogo"); the
# single-camera profile does not, as its counts were tuned (and big-fish measured) without it.
MULTICAM = Profile(
    "multicam",
    dialogue=(2.25, 6.0),
    parenthetical=(2.75, 30),
    dialogue_rows=2,
    hyphens=True,
    split_in_line=True,
    free_contd=True,
)
_FMT_EDGE_RE = re.compile(r"^d([lr])-(\d+(?:\.\d+)?)$", re.IGNORECASE)


def profile_for(script: Script, name: str | None = None) -> Profile:
    """The profile named (``screenplay`` or ``multicam``), else the one the title page's ``fmt``
    asks for (jumpcut's options: multicam, ssbsh, dsd, dl-N, dr-N), else the screenplay's."""
    fmt = [o.lower() for o in (script.title_value("fmt") or "").split()]
    if name is not None:
        key = name.strip().lower()
        if key not in PROFILES:
            from halqa.errors import ConfigError

            raise ConfigError(f"--profile {name}: expected one of {', '.join(PROFILES)}")
        if key == "screenplay":
            return SCREENPLAY  # the single-camera layout asked for: the fmt options don't apply
        base = MULTICAM
    else:
        base = MULTICAM if "multicam" in fmt else SCREENPLAY
    changes: dict = {}
    left, right = base.dialogue_column
    for option in fmt:
        if option == "ssbsh":
            changes["heading_space"] = 1
        elif option == "dsd":
            changes["dialogue_rows"] = 2
        elif m := _FMT_EDGE_RE.match(option):
            edge = float(m.group(2))
            left, right = (edge, right) if m.group(1) == "l" else (left, edge)
    if (left, right) != base.dialogue_column:
        changes["dialogue"] = (left, right)
    return replace(base, **changes) if changes else base


_SENTENCE_END_RE = re.compile(r"[.!?؟…][\"'”»)]*$")


@dataclass
class Line:
    kind: str
    runs: list[Run]
    left: float  # inches from the page's left edge (the layout is mirrored for RTL at render time)
    width: int  # characters
    element: int | None  # index in script.elements, None for (MORE)/(CONT'D) and blanks
    scene: int | None  # 0-based scene ordinal the line belongs to
    align: str = "left"  # left, right, center
    column: int = 0  # dual dialogue: 0 left, 1 right (drawn on the same row)
    dual: bool = False
    row: int = 0  # filled in by pagination
    height: int = 1  # rows the line takes (2 for double-spaced multicam dialogue)

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class Page:
    number: int
    lines: list[Line] = field(default_factory=list)  # body rows; dual columns share a row
    rows: int = 0
    bonus: int = 0  # rows past the page's capacity it may hold (multicam: a (CONT'D) cue on top)


@dataclass
class Layout:
    pages: list[Page]
    paper: str
    lines_per_page: int
    scene_lines: dict[int, int]  # scene ordinal -> body rows it occupies (spacing included)
    profile: Profile = SCREENPLAY

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def scene_eighths(self, scene: int) -> int:
        """Length of a scene in eighths of a page (at least one), the scheduler's unit."""
        return max(1, math.ceil(self.scene_lines.get(scene, 0) * 8 / self.lines_per_page))


def format_eighths(eighths: int) -> str:
    pages, rest = divmod(eighths, 8)
    if not rest:
        return str(pages)
    return f"{pages} {rest}/8" if pages else f"{rest}/8"


def runtime_estimate(layout: Layout) -> dict:
    """Minutes from the page-a-minute rule, with what that rule is worth."""
    return {
        "minutes": layout.page_count,
        "rule": "one page per minute",
        "caveat": "weak predictor: across 761 screenplays it barely works in aggregate and is not "
        "predictive for any single film (Stephen Follows, via johnaugust.com, 2020); "
        "use page count as a layout measure, not a running time",
    }


# ---------------------------------------------------------------- wrapping

_TOKEN_RE = re.compile(r"\S+|\s+")


def wrap_runs(styled: list[Run], width: int, hyphens: bool = False) -> list[list[Run]]:
    """Greedy word wrap of styled runs to ``width`` characters; newlines start new lines.
    ``hyphens``: a word that does not fit may break after one of its hyphens (Final Draft does)."""
    if len({r.style for r in styled}) == 1:  # one style (most lines): wrap the plain text
        first = styled[0]
        return [
            [Run(text, first.bold, first.italic, first.underline)] if text else []
            for text in _wrap_plain("".join(r.text for r in styled), width, hyphens)
        ]
    lines: list[list[Run]] = [[]]
    used = 0
    for run in styled:
        for hard_i, segment in enumerate(run.text.split("\n")):
            if hard_i:
                lines.append([])
                used = 0
            for token in _TOKEN_RE.findall(segment):
                if token.isspace():
                    if used and used + len(token) <= width:
                        lines[-1].append(Run(token, run.bold, run.italic, run.underline))
                        used += len(token)
                    continue
                while len(token) > width:  # a word longer than the line is cut
                    if used:
                        lines.append([])
                        used = 0
                    lines[-1].append(Run(token[:width], run.bold, run.italic, run.underline))
                    lines.append([])
                    token = token[width:]
                while used and used + len(token) > width + _hang(token, hyphens):
                    cut = _hyphen_cut(token, width - used + 1) if hyphens else 0
                    if cut:
                        lines[-1].append(Run(token[:cut], run.bold, run.italic, run.underline))
                        token = token[cut:]
                    _trim(lines[-1])
                    lines.append([])
                    used = 0
                lines[-1].append(Run(token, run.bold, run.italic, run.underline))
                used += len(token)
    for line in lines:
        _trim(line)
    return [_merge(line) for line in lines]


def _hang(token: str, hyphens: bool) -> int:
    """A hyphen may hang one character into the margin (Final Draft's multicam PDF: "ga-" and
    "ag--" end lines one character longer than any other)."""
    return 1 if hyphens and token.endswith("-") else 0


def _hyphen_cut(token: str, room: int) -> int:
    """Length of the longest head of ``token`` ending in a hyphen that fits ``room`` characters
    with something left after it (0: none)."""
    cut = token.rfind("-", 0, room)
    while cut >= 0 and cut + 1 >= len(token):
        cut = token.rfind("-", 0, cut)
    return cut + 1 if cut > 0 else 0


def _wrap_plain(text: str, width: int, hyphens: bool = False) -> list[str]:
    """The same greedy wrap as ``wrap_runs`` on unstyled text, without a run per word."""
    lines = [""]
    for hard_i, segment in enumerate(text.split("\n")):
        if hard_i:
            lines.append("")
        for token in _TOKEN_RE.findall(segment):
            if token.isspace():
                if lines[-1] and len(lines[-1]) + len(token) <= width:
                    lines[-1] += token
                continue
            while len(token) > width:  # a word longer than the line is cut
                if lines[-1]:
                    lines.append("")
                lines[-1] = token[:width]
                lines.append("")
                token = token[width:]
            while lines[-1] and len(lines[-1]) + len(token) > width + _hang(token, hyphens):
                cut = _hyphen_cut(token, width - len(lines[-1]) + 1) if hyphens else 0
                if cut:
                    lines[-1] += token[:cut]
                    token = token[cut:]
                lines[-1] = lines[-1].rstrip()
                lines.append("")
            lines[-1] += token
    return [line.rstrip() for line in lines]


def _merge(line: list[Run]) -> list[Run]:
    """Neighbouring runs of one style become one (the PDF draws each run with its markup)."""
    out: list[Run] = []
    for run in line:
        if out and out[-1].style == run.style:
            out[-1] = Run(out[-1].text + run.text, run.bold, run.italic, run.underline)
        else:
            out.append(run)
    return out


def _trim(line: list[Run]) -> None:
    while line and not line[-1].text.strip():
        line.pop()


# ---------------------------------------------------------------- blocks


@dataclass
class _Block:
    """Lines that pagination moves together or splits by its rules."""

    kind: str
    lines: list[Line]
    space_before: int
    element: int
    scene: int | None
    cue: str | None = None  # speeches: the cue, for (CONT'D)
    # speeches under a profile that splits inside a line: their elements, to re-wrap the parts
    parts: list[tuple[int, Element]] = field(default_factory=list)
    profile: Profile | None = None

    @property
    def rows(self) -> int:
        return _rows(self.lines)


def _rows(lines: list[Line]) -> int:
    left = sum(line.height for line in lines if line.column == 0)
    right = sum(line.height for line in lines if line.column == 1)
    return max(left, right)


def _element_lines(
    el: Element,
    index: int,
    scene: int | None,
    geometry: dict | Profile,
    column: int = 0,
    offset: float = 0.0,
    dialogue_rows: int = 1,
    hyphens: bool = False,
) -> list[Line]:
    if isinstance(geometry, Profile):
        left, width = geometry.place(el.kind)
        hyphens = geometry.hyphens
    else:
        left, width = geometry.get(el.kind, GEOMETRY.get(el.kind, (1.5, 60)))
    text = el.plain
    if el.kind == CHARACTER:
        text = el.text + (f" ({el.extension})" if el.extension else "")
        text = _contd_free(text)
    elif el.kind == PARENTHETICAL:
        text = f"({el.plain.strip()})"
    elif el.kind == HEADING or el.kind == TRANSITION:
        text = el.plain.upper() if el.plain.isascii() else el.plain
    styled = runs(text.strip("\n") if el.kind != ACTION else text)
    if el.kind in (HEADING, CHARACTER):
        styled = [
            Run(r.text, True if not r.text.isascii() else r.bold, r.italic, r.underline)
            for r in styled
        ]
    align = "right" if el.kind == TRANSITION else ("center" if el.centered else "left")
    wrapped = wrap_runs(styled, width, hyphens) if styled else [[]]
    height = dialogue_rows if el.kind in (DIALOGUE, LYRIC) else 1
    return [
        Line(el.kind, w, left + offset, width, index, scene, align, column, height=height)
        for w in wrapped
    ]


def _contd_free(cue: str) -> str:
    return re.sub(r"\s*\(\s*CONT[’']D\s*\)", "", cue, flags=re.IGNORECASE)


def _space_before(el: Element, first: bool, profile: Profile = SCREENPLAY) -> int:
    if first:
        return 0
    if el.kind == HEADING:
        return profile.heading_space
    return 1


def build_blocks(script: Script, profile: Profile = SCREENPLAY) -> list[_Block | str]:
    """The script as blocks in reading order (``"break"`` marks a forced page break)."""
    blocks: list[_Block | str] = []
    elements = script.elements
    scene = None
    scene_count = -1
    i = 0
    while i < len(elements):
        el = elements[i]
        if el.kind == HEADING:
            scene_count += 1
            scene = scene_count
        if el.kind == PAGE_BREAK:
            blocks.append("break")
            i += 1
            continue
        if el.kind in (SECTION, SYNOPSIS):  # outline elements are not printed
            i += 1
            continue
        if el.kind == CHARACTER:
            end = _speech_end(elements, i)
            if end < len(elements) and elements[end].kind == CHARACTER and elements[end].dual:
                second_end = _speech_end(elements, end)
                blocks.append(_dual_block(elements, i, end, second_end, scene, not blocks, profile))
                i = second_end
                continue
            blocks.append(_speech_block(elements, i, end, scene, not blocks, profile))
            i = end
            continue
        if el.kind == ACTION and not el.plain.strip() and not el.centered:
            i += 1
            continue
        blocks.append(
            _Block(
                el.kind,
                _element_lines(el, i, scene, profile),
                _space_before(el, not blocks, profile),
                i,
                scene,
            )
        )
        i += 1
    return blocks


def _speech_end(elements: list[Element], start: int) -> int:
    end = start + 1
    while end < len(elements) and elements[end].kind in (PARENTHETICAL, DIALOGUE, LYRIC):
        end += 1
    return end


def _speech_block(
    elements: list[Element],
    start: int,
    end: int,
    scene: int | None,
    first: bool,
    profile: Profile = SCREENPLAY,
) -> _Block:
    lines: list[Line] = []
    for j in range(start, end):
        lines += _element_lines(elements[j], j, scene, profile, dialogue_rows=profile.dialogue_rows)
    cue = elements[start]
    return _Block(
        CHARACTER,
        lines,
        _space_before(cue, first, profile),
        start,
        scene,
        cue=_contd_free(cue.text + (f" ({cue.extension})" if cue.extension else "")),
        parts=[(j, elements[j]) for j in range(start, end)] if profile.split_in_line else [],
        profile=profile,
    )


def _sentence_break_after(lines: list[Line], k: int) -> bool:
    """May a speech break after line ``k``? Only where a dialogue sentence ends and more follows."""
    return (
        lines[k].kind == DIALOGUE
        and k + 1 < len(lines)
        and lines[k + 1].kind == DIALOGUE
        and bool(_SENTENCE_END_RE.search(lines[k].text.rstrip()))
    )


def _dual_block(
    elements: list[Element],
    start: int,
    middle: int,
    end: int,
    scene: int | None,
    first: bool,
    profile: Profile = SCREENPLAY,
) -> _Block:
    lines: list[Line] = []
    for column, (a, b) in enumerate(((start, middle), (middle, end))):
        offset = column * DUAL_RIGHT_OFFSET
        for j in range(a, b):
            lines += [
                line.__class__(**{**line.__dict__, "dual": True})
                for line in _element_lines(
                    elements[j],
                    j,
                    scene,
                    DUAL_GEOMETRY,
                    column,
                    offset,
                    profile.dialogue_rows,
                    profile.hyphens,
                )
            ]
    return _Block("dual", lines, _space_before(elements[start], first, profile), start, scene)


# ---------------------------------------------------------------- pagination


def paginate(script: Script, paper: str = "letter", profile: str | Profile | None = None) -> Layout:
    """Lay the script out on pages; the PDF draws exactly these pages. ``profile``: a name
    (``screenplay``, ``multicam``), a Profile, or None for what the title page's ``fmt`` says."""
    chosen = profile if isinstance(profile, Profile) else profile_for(script, profile)
    paper = paper.lower()
    if paper not in PAGE_SIZES:
        from halqa.errors import ConfigError

        raise ConfigError(f"--paper {paper}: expected one of {', '.join(PAGE_SIZES)}")
    capacity = LINES_PER_PAGE[paper]
    pages = [Page(1)]
    scene_lines: dict[int, int] = {}
    blocks = build_blocks(script, chosen)
    for index, block in enumerate(blocks):
        if isinstance(block, str):  # "break"
            if pages[-1].rows:
                pages.append(Page(len(pages) + 1))
            continue
        following = next((b for b in blocks[index + 1 :] if isinstance(b, _Block)), None)
        _place(block, following, pages, capacity, scene_lines)
    return Layout(pages, paper, capacity, scene_lines, chosen)


def _place(
    block: _Block,
    following: _Block | None,
    pages: list[Page],
    capacity: int,
    scene_lines: dict[int, int],
) -> None:
    page = pages[-1]
    space = block.space_before if page.rows else 0
    free = capacity + page.bonus - page.rows - space
    need = block.rows
    if block.kind == HEADING and following is not None:
        need += following.space_before + min(following.rows, MIN_SPLIT_LINES)  # keep with next
    if need <= free:
        _put(page, block.lines, space, scene_lines, block.scene)
        return
    head, tail = _split(block, free)
    if head:
        _put(page, head, space, scene_lines, block.scene)
        pages.append(Page(len(pages) + 1))
        if block.profile is not None and block.profile.free_contd:
            pages[-1].bonus = 1  # the (CONT'D) cue over the rest of the speech is not charged
        _put(pages[-1], tail, 0, scene_lines, block.scene)
        return
    pages.append(Page(len(pages) + 1))
    rest = block.lines
    while _rows(rest) > capacity:  # a block longer than a page (rare): cut at the page end
        cut = _fit(rest, capacity)
        _put(pages[-1], rest[:cut], 0, scene_lines, block.scene)
        rest = rest[cut:]
        pages.append(Page(len(pages) + 1))
    _put(pages[-1], rest, 0, scene_lines, block.scene)


def _fit(lines: list[Line], rows: int) -> int:
    """How many of ``lines`` fill at most ``rows`` rows (at least one)."""
    if all(line.height == 1 for line in lines):
        return rows  # single-height lines (dual columns included): cut as always
    count = 0
    while count < len(lines) and _rows(lines[: count + 1]) <= rows:
        count += 1
    return max(count, 1)


def _split(block: _Block, free: int) -> tuple[list[Line], list[Line]]:
    """Where a block may break across pages under Final Draft's rules ([] when it must move)."""
    if block.kind == ACTION and block.rows >= 2 * MIN_SPLIT_LINES and free >= MIN_SPLIT_LINES:
        cut = min(free, block.rows - MIN_SPLIT_LINES)
        return block.lines[:cut], block.lines[cut:]
    if block.kind == CHARACTER:
        return _split_speech(block, free)
    return [], []


def _split_speech(block: _Block, free: int) -> tuple[list[Line], list[Line]]:
    """Break between sentences: (MORE) under the first part, CUE (CONT'D) over the second."""
    lines = block.lines
    if block.parts and block.profile is not None:
        head, tail = _split_in_line(block, free)
    else:
        cut = None
        for k in range(len(lines) - 1):
            head_dialogue = sum(1 for line in lines[: k + 1] if line.kind == DIALOGUE)
            if (
                _rows(lines[: k + 1]) <= free
                and head_dialogue >= MIN_SPLIT_LINES
                and len(lines) - k - 1 >= MIN_SPLIT_LINES
                and _sentence_break_after(lines, k)
            ):
                cut = k + 1
        head, tail = (lines[:cut], lines[cut:]) if cut is not None else ([], [])
    if not head or block.cue is None:  # speech blocks always carry their cue
        return [], []
    cue_line = lines[0]
    more = Line(CHARACTER, [Run("(MORE)")], cue_line.left, cue_line.width, None, block.scene)
    contd = Line(
        CHARACTER,
        [Run(f"{block.cue} (CONT'D)", bold=not block.cue.isascii())],
        cue_line.left,
        cue_line.width,
        None,
        block.scene,
    )
    return head + [more], [contd] + tail


_IN_LINE_BREAK_RE = re.compile(r"[.!?؟…][\"'”»)*_]*(?=\s+\S)")


def _split_in_line(block: _Block, free: int) -> tuple[list[Line], list[Line]]:
    """The latest sentence end, inside a line or at its end, where the speech may break: each
    part re-wrapped, the first fitting ``free`` rows with two dialogue lines, two lines after."""
    profile = block.profile
    assert profile is not None
    wrapped = [
        _element_lines(el, j, block.scene, profile, dialogue_rows=profile.dialogue_rows)
        for j, el in block.parts
    ]
    best: tuple[list[Line], list[Line]] = ([], [])
    before: list[Line] = []
    for n, (j, el) in enumerate(block.parts):
        after = [line for lines in wrapped[n + 1 :] for line in lines]
        if el.kind == DIALOGUE:
            for m in _IN_LINE_BREAK_RE.finditer(el.text):
                head = before + _element_lines(
                    el.copy(text=el.text[: m.end()]),
                    j,
                    block.scene,
                    profile,
                    dialogue_rows=profile.dialogue_rows,
                )
                if _rows(head) > free:
                    break
                tail = (
                    _element_lines(
                        el.copy(text=el.text[m.end() :].lstrip()),
                        j,
                        block.scene,
                        profile,
                        dialogue_rows=profile.dialogue_rows,
                    )
                    + after
                )
                if (
                    sum(1 for line in head if line.kind == DIALOGUE) >= MIN_SPLIT_LINES
                    and len(tail) >= MIN_SPLIT_LINES
                ):
                    best = (head, tail)
        before = before + wrapped[n]
        if _rows(before) > free:
            break
    return best


def _put(
    page: Page, lines: list[Line], space: int, scene_lines: dict[int, int], scene: int | None
) -> None:
    page.rows += space
    start = page.rows
    rows = {0: start, 1: start}
    for line in lines:
        if line.kind == CHARACTER and line.text == "(MORE)":
            line.row = rows[line.column]  # (MORE) is not charged to the page
            page.lines.append(line)
            continue
        line.row = rows[line.column]
        rows[line.column] += line.height
        page.lines.append(line)
    used = max(rows.values()) - start
    page.rows += used
    if scene is not None:
        scene_lines[scene] = scene_lines.get(scene, 0) + used + space
