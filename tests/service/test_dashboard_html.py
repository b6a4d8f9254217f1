"""The dashboard's page is well formed: every element closed in order, every page a section of
<main>, and the status line and spinner outside any page (a page is hidden while another shows)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import halqa.service

INDEX = Path(halqa.service.__file__).parent / "dashboard" / "index.html"
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str | None]] = []
        self.parents: dict[str, list[str]] = {}
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        element_id = dict(attrs).get("id")
        if element_id:
            self.parents[element_id] = [t for t, _ in self.stack]
        self.stack.append((tag, element_id))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        opened, element_id = self.stack.pop() if self.stack else ("nothing", None)
        if opened != tag:
            self.errors.append(
                f"line {self.getpos()[0]}: </{tag}> closes <{opened} id={element_id}>"
            )


def test_index_is_well_formed_and_pages_are_siblings() -> None:
    outline = Outline()
    outline.feed(INDEX.read_text(encoding="utf-8"))
    assert outline.errors == []
    assert outline.stack == []
    pages = [i for i in outline.parents if i.startswith("page-") or i == "login"]
    assert len(pages) >= 6
    for page in pages:
        assert outline.parents[page] == ["html", "body", "main"], page
    for shared in ("status", "spinner"):
        assert "section" not in outline.parents[shared], f"#{shared} sits inside a page"
