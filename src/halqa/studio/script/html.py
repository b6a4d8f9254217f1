"""The screenplay as one self-contained HTML page, each block with ``dir="auto"`` so the browser
runs the bidi algorithm per block (Arabic right-aligned, French left-aligned, on one page)."""

from __future__ import annotations

import html
from pathlib import Path

from halqa.studio.script.emphasis import emphasis_html
from halqa.studio.script.model import CHARACTER, DIALOGUE, LYRIC, PARENTHETICAL, Script

_CSS = """
body { font-family: 'Courier Prime', 'Liberation Mono', 'Courier New', 'Noto Naskh Arabic',
       'Noto Sans Tifinagh', monospace; font-size: 12pt; max-width: 6in; margin: 1in auto; }
p { margin: 1em 0 0 0; white-space: pre-wrap; }
p[dir="auto"]:dir(rtl) { text-align: right; }
.heading { font-weight: bold; margin-top: 2em; }
.character { margin-left: 2.2in; margin-bottom: 0; }
.parenthetical { margin: 0 1.5in 0 1.6in; }
.dialogue, .lyric { margin: 0 1.5in 0 1in; }
.lyric { font-style: italic; }
.transition { text-align: right; }
.centered { text-align: center; }
.dual { display: flex; gap: 0.5in; } .dual > div { flex: 1; }
.dual .character, .dual .parenthetical, .dual .dialogue { margin-left: 0; margin-right: 0; }
.scene-number { float: right; }
.title-page { text-align: center; margin-bottom: 3em; }
.section, .synopsis { color: #777; }
.multicam .dialogue, .multicam .lyric { margin: 0 1.5in 0 0.75in; line-height: 2; }
.multicam .parenthetical { margin: 0 1.5in 0 1.25in; }
"""


def render_html(script: Script, profile: str | None = None) -> str:
    """The page; ``profile`` (``screenplay``, ``multicam``; default: the title page's) sets the
    dialogue column and spacing as the PDF's (multicam: 2.25"-6.0", double-spaced)."""
    from halqa.studio.script.layout import profile_for

    chosen = profile_for(script, profile)
    lang = script.title_value("Language") or ""
    body = [_title(script)] if script.title else []
    i, elements = 0, script.elements
    while i < len(elements):
        el = elements[i]
        if el.kind == CHARACTER:
            end = _speech_end(elements, i)
            if end < len(elements) and elements[end].kind == CHARACTER and elements[end].dual:
                second = _speech_end(elements, end)
                body.append(
                    '<div class="dual"><div>'
                    + "".join(_block(e) for e in elements[i:end])
                    + "</div><div>"
                    + "".join(_block(e) for e in elements[end:second])
                    + "</div></div>"
                )
                i = second
                continue
        body.append(_block(el))
        i += 1
    title = html.escape((script.title_value("Title") or "screenplay").split("\n")[0])
    lang_attr = f' lang="{html.escape(lang.strip())}"' if lang.strip() else ""
    return (
        f'<!doctype html>\n<html{lang_attr}><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{_CSS}</style></head><body"
        + (f' class="{chosen.name}"' if chosen.name != "screenplay" else "")
        + ">\n"
        + "\n".join(b for b in body if b)
        + "\n</body></html>\n"
    )


def write_html(script: Script, out: str | Path, profile: str | None = None) -> str:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(script, profile), encoding="utf-8")
    return str(out)


def _speech_end(elements, start: int) -> int:
    end = start + 1
    while end < len(elements) and elements[end].kind in (PARENTHETICAL, DIALOGUE, LYRIC):
        end += 1
    return end


def _title(script: Script) -> str:
    rows = [
        f'<p dir="auto" class="title-{html.escape(f.key.lower().replace(" ", "-"))}">'
        f"{emphasis_html(f.value)}</p>"
        for f in script.title
    ]
    return '<header class="title-page">' + "".join(rows) + "</header>"


def _block(el) -> str:
    if el.kind == "page_break":
        return '<hr class="page-break">'
    if el.kind == "action" and not el.plain.strip():
        return ""
    text = el.plain
    if el.kind == CHARACTER:
        text = el.text + (f" ({el.extension})" if el.extension else "")
    elif el.kind == PARENTHETICAL:
        text = f"({el.plain.strip()})"
    classes = el.kind + (" centered" if el.centered else "")
    number = (
        f'<span class="scene-number">{html.escape(el.scene_number)}</span>'
        if el.kind == "heading" and el.scene_number
        else ""
    )
    return f'<p dir="auto" class="{classes}">{number}{emphasis_html(text)}</p>'
