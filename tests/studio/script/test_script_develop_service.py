"""`POST /v1/script/develop` on a real `halqa serve --workers 2` (127.0.0.1): the development pack
the CLI writes for the same store and segment, computed by the store process; roles as the
insights routes; a segment under k members is suppressed; the script routes answer named schemas."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from halqa.catalog import Store
from halqa.cli.main import app
from halqa.service.keys import ROLES, create_key
from tests.service.conftest import Served, start_server, stop_server
from tests.service.test_dashboard import browser, page  # noqa: F401 (fixtures)
from tests.service.test_dashboard_tour import UNTRANSLATED

INSIGHTS_WORLD = Path(__file__).resolve().parents[2] / "insights" / "world.py"
SEGMENT = ["age_band=18-24", "region=casablanca-settat"]


def _cli_pack(db: Path, out: Path, segment: list[str], as_of: str) -> dict:
    args = ["script", "develop", "--db", str(db), "--out", str(out), "--as-of", as_of, "--json"]
    for s in segment:
        args += ["--segment", s]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The insights world behind `halqa serve --workers 2` (the dashboard's page fixture takes a
    fixture of this name)."""
    spec = importlib.util.spec_from_file_location("insights_world", INSIGHTS_WORLD)
    world = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(world)
    tmp = tmp_path_factory.mktemp("develop-service")
    db = tmp / "world.duckdb"
    with Store.open(db) as store:
        world.build(store)
        keys = {role: create_key(store, role, f"test-{role}")[1] for role in ROLES}
    as_of = str(world.RISING_AS_OF)
    # the CLI reads the store before the server opens it (DuckDB: one process holds the file)
    cli = _cli_pack(db, tmp / "cli" / "pack.md", SEGMENT, as_of)
    process, url = start_server(db, tmp / "server.log", "--rate-limit", "100000", "--workers", "2")
    try:
        yield Served(
            url, db, keys, {}, process, tmp / "server.log", extra={"cli": cli, "as_of": as_of}
        )
    finally:
        stop_server(process)


def test_the_api_pack_is_the_clis(served: Served) -> None:
    cli = served.extra["cli"]["pack"]
    body = {"segment": SEGMENT, "window": "28d", "as_of": served.extra["as_of"]}
    answers = []
    for role in ("creator", "analyst", "admin"):
        with served.client(role) as client:
            response = client.post("/v1/script/develop", json=body)
            assert response.status_code == 200, response.text
            answers.append(response.json())
    api = answers[0]
    assert answers[1] == api and answers[2] == api  # the same pack whichever worker answered
    assert api["pack"]["brief"] is None  # the brief's files are not kept by the service
    assert {k: v for k, v in api["pack"].items() if k != "brief"} == {
        k: v for k, v in cli.items() if k != "brief"
    }
    assert api["pack"]["lines"] and not api["pack"]["suppressed"]
    genre = next(line for line in api["pack"]["lines"] if line["topic"] == "genre")
    assert genre["item"] == "rap"  # the world plants rap rising for this segment
    cited = {f["id"] for f in api["pack"]["figures"]}
    for line in api["pack"]["lines"]:
        assert line["figures"] and set(line["figures"]) <= cited
        assert line["text"] in api["markdown"]


def test_roles_suppression_and_bad_input(served: Served) -> None:
    as_of = served.extra["as_of"]
    with served.client("service") as client:  # member-level role: not an insights reader
        assert client.post("/v1/script/develop", json={"as_of": as_of}).status_code == 403
    with served.client() as client:
        assert client.post("/v1/script/develop", json={"as_of": as_of}).status_code == 401
    with served.client("creator") as client:
        # the world's five members of gender X: under k = 10, so no figure, no line
        small = client.post("/v1/script/develop", json={"segment": ["gender=X"], "as_of": as_of})
        assert small.status_code == 200, small.text
        pack = small.json()["pack"]
        assert pack["suppressed"] and pack["lines"] == [] and pack["figures"] == []
        bad = client.post("/v1/script/develop", json={"segment": ["nonsense"], "as_of": as_of})
        assert bad.status_code in (400, 422) and "nonsense" in bad.text
        assert client.post("/v1/script/develop", json={"window": "4y"}).status_code == 422
        # the lengths the CLI takes (28d, 4w, 3m, all)
        weeks = client.post("/v1/script/develop", json={"window": "4w", "as_of": as_of})
        assert weeks.status_code == 200, weeks.text


def test_script_routes_answer_named_schemas(served: Served) -> None:
    with served.client("creator") as client:
        spec = client.get("/openapi.json").json()
    names = {}
    for path, method in (
        ("/v1/script/parse", "post"),
        ("/v1/script/format", "post"),
        ("/v1/script/breakdown", "post"),
        ("/v1/script/beats", "post"),
        ("/v1/script/develop", "post"),
        ("/v1/script/scripts", "get"),
        ("/v1/script/scripts/{name}", "get"),
        ("/v1/script/scripts/{name}", "put"),
        ("/v1/script/scripts/{name}/draft", "post"),
        ("/v1/script/jobs/{job_id}", "get"),
    ):
        responses = spec["paths"][path][method]["responses"]
        code = min(c for c in responses if c.startswith("2"))
        ref = responses[code]["content"]["application/json"]["schema"]["$ref"]
        name = ref.rsplit("/", 1)[1]
        assert spec["components"]["schemas"][name]["properties"], (path, name)
        names[(method, path)] = name
    assert names[("post", "/v1/script/develop")] == "DevelopOut"
    assert names[("get", "/v1/script/scripts")] == "Page_ScriptInfoOut_"
    breakdown = spec["components"]["schemas"]["BreakdownOut"]["properties"]
    assert {"pages", "profile", "scenes", "characters", "stripboard"} <= set(breakdown)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_dashboard_develops_from_the_audience(page, served: Served, lang: str) -> None:  # noqa: F811
    page.goto("about:blank")
    page.goto(f"{served.url}/dashboard/#key={served.keys['creator']}&lang={lang}&page=script")
    page.wait_for_selector("#tab-script")
    page.fill("#script-segment", ", ".join(SEGMENT))
    page.fill("#script-as-of", served.extra["as_of"])
    page.click("#script-develop-run")
    page.wait_for_selector("#script-pack li")
    page.wait_for_function("document.getElementById('spinner').hidden")
    cli = served.extra["cli"]["pack"]
    items = page.locator("#script-pack li")
    assert items.count() == len(cli["lines"])
    genre = page.locator("#script-pack li[data-topic='genre']").first.inner_text()
    first = next(line for line in cli["lines"] if line["topic"] == "genre")
    assert first["text"].replace("**", "") in genre and f"[{first['figures'][0]}]" in genre
    summary = page.inner_text("#script-pack-summary")
    assert f"{len(cli['lines'])}" in summary and f"{len(cli['figures'])}" in summary
    assert page.inner_text("#status") == ""
    left = page.evaluate(UNTRANSLATED, [lang, []])
    assert not left, f"{lang}: not from the {lang} translation table: {left}"


def test_the_profile_over_rest(served: Served) -> None:
    # test_script_multicam.py's hand-counted script: 4 multicam pages, 2 single-camera ones
    speech = "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron."
    text = "Title: Kitchen\n\nINT. KITCHEN - DAY\n" + "".join(
        f"\nSAM\n{speech}\n" for _ in range(20)
    )
    with served.client("creator") as client:
        for profile, pages in ((None, 2), ("multicam", 4)):
            body = {"text": text} | ({"profile": profile} if profile else {})
            out = client.post("/v1/script/breakdown", json=body).json()
            assert (out["pages"], out["profile"]) == (pages, profile or "screenplay")
            pdf = client.post("/v1/script/export", json=body | {"to": "pdf"})
            assert pdf.status_code == 200 and pdf.headers["x-halqa-pages"] == str(pages)
        html = client.post(
            "/v1/script/export", json={"text": text, "to": "html", "profile": "multicam"}
        ).text
        assert '<body class="multicam">' in html
        bad = client.post("/v1/script/breakdown", json={"text": text, "profile": "sitcom"})
        assert bad.status_code == 422
