import json

import pytest

from halqa.audience.title import load_title, parse_title
from halqa.errors import UserError

GOOD = {
    "name": "ⵜⵉⵡⵉⵙⵉ",
    "kind": "track",
    "genres": ["Amazigh pop"],
    "language": "zgh",
    "region": "Souss-Massa",
    "synopses": {"ar": "أغنية جديدة"},
    "release_date": "2026-03-01",
}


def test_valid_title_is_normalised_and_keeps_scripts_byte_exact(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(GOOD, ensure_ascii=False), encoding="utf-8")
    title = load_title(path)
    assert title.genres == ["amazigh-pop"] and title.region == "souss-massa"
    assert title.name == "ⵜⵉⵡⵉⵙⵉ" and "أغنية جديدة" in title.text()
    assert ("lang:zgh", 1.0) in title.tokens() and ("year:2026", 1.0) in title.tokens()


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"genres": ["gnawaa"]}, "unknown genre 'gnawaa' (did you mean 'gnawa'?)"),
        ({"themes": ["ramadane"]}, "unknown theme 'ramadane' (did you mean 'ramadan'?)"),
        ({"kind": "opera"}, "field 'kind': 'opera' is not one of film, series"),
        ({"language": "Darija!"}, "field 'language'"),
        ({"region": "atlantis"}, "'atlantis' is not a Moroccan region"),
        ({"genres": "comedy"}, "field 'genres'"),
        ({"colour": "red"}, "unknown field 'colour'"),
    ],
)
def test_bad_fields_are_named(change, expected):
    with pytest.raises(UserError, match=None) as exc:
        parse_title({**GOOD, **change}, source="new.json")
    assert expected in str(exc.value) and str(exc.value).startswith("new.json: ")


def test_missing_fields_and_wrong_shape(tmp_path):
    with pytest.raises(UserError, match="missing fields kind, genres"):
        parse_title({"name": "x", "language": "ar"}, source="t.json")
    path = tmp_path / "list.json"
    path.write_text("[1, 2]")
    with pytest.raises(UserError, match="expected a JSON object .* got list"):
        load_title(path)
    path.write_text("{not json")
    with pytest.raises(UserError, match="not valid JSON \\(line 1"):
        load_title(path)


def test_kind_aliases_are_the_row_contract_s():
    # The same verdict as a titles row in `halqa ingest` (halqa.catalog.rules): movie is a film.
    assert parse_title({**GOOD, "kind": "movie"}).kind == "film"


def test_store_vocabulary_accepts_user_terms():
    title = parse_title({**GOOD, "genres": ["izlan"]}, genres={"izlan", "chaabi"})
    assert title.genres == ["izlan"]
