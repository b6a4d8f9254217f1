"""The catalogue's Latin-to-Tifinagh spelling of Tamazight names (IRCAM letters)."""

from __future__ import annotations

from halqa.catalog.tifinagh import to_tifinagh


def test_latin_tamazight_is_written_in_tifinagh() -> None:
    assert to_tifinagh("Azul") == "ⴰⵣⵓⵍ"
    assert to_tifinagh("tamazɣa") == "ⵜⴰⵎⴰⵣⵖⴰ"


def test_the_schwa_is_not_written_and_unknown_characters_pass_through() -> None:
    assert to_tifinagh("tamedint") == "ⵜⴰⵎⴷⵉⵏⵜ"
    assert to_tifinagh("ayyur 2") == "ⴰⵢⵢⵓⵔ 2"
