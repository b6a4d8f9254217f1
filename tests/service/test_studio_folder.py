"""The studio routes' folder is a service setting (issue 11): `--studio-dir`, else the environment,
else `<db>.studio` beside the store, never the server's working directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from halqa.service.settings import Settings
from tests.service.conftest import Served


def test_a_running_server_keeps_uploads_beside_its_store(served: Served) -> None:
    body = "ⴰⵣⵓⵍ مرحبا".encode()
    with served.client("creator") as creator:
        assert creator.put("/v1/vfx/media/studio-folder.txt", content=body).status_code == 201
        assert creator.get("/v1/vfx/media/studio-folder.txt").content == body
        assert creator.get("/v1/music/proposals").json() == {
            "items": [],
            "total": 0,
            "limit": 1000,
            "offset": 0,
        }
    assert (
        served.db.with_name(served.db.name + ".studio") / "vfx" / "media" / "studio-folder.txt"
    ).read_bytes() == body


def test_the_setting_wins_over_the_environment_which_wins_over_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "store.duckdb"
    monkeypatch.delenv("HALQA_STUDIO_DIR", raising=False)
    monkeypatch.delenv("HALQA_SERVICE_STUDIO_DIR", raising=False)
    assert Settings(db=db).studio_root() == tmp_path / "store.duckdb.studio"
    monkeypatch.setenv("HALQA_STUDIO_DIR", str(tmp_path / "from-env"))
    assert Settings(db=db).studio_root() == tmp_path / "from-env"
    assert Settings(db=db, studio_dir=tmp_path / "chosen").studio_root() == tmp_path / "chosen"
    # what `halqa serve --workers N` hands its worker processes
    assert Settings(db=db, studio_dir=tmp_path / "chosen").to_env()[
        "HALQA_SERVICE_STUDIO_DIR"
    ] == str(tmp_path / "chosen")


def test_serve_hands_its_studio_folder_to_the_routes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`halqa serve --studio-dir` reaches the settings, and the app built from them writes there."""
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    import halqa.service
    from halqa.catalog import Store
    from halqa.cli.main import app as cli
    from halqa.service.app import create_app
    from halqa.service.keys import create_key

    monkeypatch.delenv("HALQA_STUDIO_DIR", raising=False)
    db, chosen = tmp_path / "store.duckdb", tmp_path / "chosen studio"
    with Store.open(db) as store:
        _, token = create_key(store, "creator", "studio-folder")
    handed = []
    monkeypatch.setattr(halqa.service, "serve", lambda settings, **_: handed.append(settings))
    result = CliRunner().invoke(cli, ["serve", "--db", str(db), "--studio-dir", str(chosen)])
    assert result.exit_code == 0, result.output
    (settings,) = handed
    assert settings.studio_root() == chosen
    with TestClient(create_app(settings.model_copy(update={"recommend": False}))) as client:
        answer = client.put("/v1/vfx/media/clip.txt", content=b"x", headers={"X-API-Key": token})
        assert answer.status_code == 201, answer.text
    assert (chosen / "vfx" / "media" / "clip.txt").read_bytes() == b"x"


def test_two_apps_in_one_process_keep_their_own_folders_and_leave_the_environment_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An app built in-process once published its folder in $HALQA_STUDIO_DIR, so every server
    started later from that process (and every later app) wrote into the first one's folder."""
    import os

    from fastapi.testclient import TestClient

    from halqa.catalog import Store
    from halqa.service.app import create_app
    from halqa.service.keys import create_key

    monkeypatch.delenv("HALQA_STUDIO_DIR", raising=False)
    monkeypatch.delenv("HALQA_SERVICE_STUDIO_DIR", raising=False)
    environment = dict(os.environ)
    answers = {}
    for name in ("first", "second"):
        db = tmp_path / f"{name}.duckdb"
        with Store.open(db) as store:
            _, token = create_key(store, "creator", name)
        app = create_app(Settings(db=db, recommend=False))
        with TestClient(app) as client:
            headers = {"X-API-Key": token}
            put = client.put(f"/v1/vfx/media/{name}.txt", content=name.encode(), headers=headers)
            assert put.status_code == 201, put.text
            answers[name] = client.get(f"/v1/vfx/media/{name}.txt", headers=headers)
    assert dict(os.environ) == environment
    for name in ("first", "second"):
        assert answers[name].content == name.encode()
        folder = tmp_path / f"{name}.duckdb.studio" / "vfx" / "media"
        assert sorted(p.name for p in folder.iterdir()) == [f"{name}.txt"]
