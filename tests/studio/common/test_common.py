"""The studio's shared parts: provenance sidecars, the proposal book, LLM settings, C2PA."""

from __future__ import annotations

import json
import multiprocessing
import wave
from pathlib import Path

import pytest

from halqa.errors import ConfigError, DataError, NotFoundError, UserError
from halqa.studio.common import (
    ContentSigner,
    InputRef,
    LlmSettings,
    ProposalBook,
    Provenance,
    embed_c2pa,
    read_c2pa,
    read_sidecar,
    sha256_text,
    test_signer,
    write_sidecar,
)

ARABIC_TIFINAGH = "مشهد الحلقة ⵜⴰⵎⴰⵣⵉⵖⵜ"


def _provenance(seed: int = 1, prompt: str | None = "write a scene") -> Provenance:
    return Provenance.make(
        tool="music.compose",
        generator="halqa.test",
        parameters={"seed": seed, "title": ARABIC_TIFINAGH},
        inputs=[InputRef.of_text("motif", "C D E", "motif")],
        prompt=prompt,
    )


def _wav(path: Path, seconds: float = 0.2) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x01\x00" * int(8000 * seconds))
    return path


def test_provenance_keeps_only_the_prompt_hash_and_round_trips_json() -> None:
    prov = _provenance()
    assert prov.prompt_sha256 == sha256_text("write a scene")
    assert "write a scene" not in prov.model_dump_json()
    again = Provenance.model_validate_json(prov.model_dump_json())
    assert again == prov
    assert again.parameters["title"] == ARABIC_TIFINAGH


def test_sidecar_round_trip_and_detects_a_changed_asset(tmp_path: Path) -> None:
    asset = _wav(tmp_path / "piece.wav")
    sidecar = write_sidecar(asset, _provenance())
    assert sidecar.name == "piece.wav.provenance.json"
    assert ARABIC_TIFINAGH in sidecar.read_text(encoding="utf-8")  # not \u-escaped
    assert read_sidecar(asset) == _provenance().model_copy(
        update={"created_at": read_sidecar(asset).created_at}
    )
    asset.write_bytes(asset.read_bytes() + b"\x00")
    with pytest.raises(DataError, match="changed since"):
        read_sidecar(asset)
    with pytest.raises(DataError, match="no provenance sidecar"):
        read_sidecar(tmp_path / "other.wav", verify=False)


def test_proposals_stay_pending_until_a_person_decides(tmp_path: Path) -> None:
    book = ProposalBook(tmp_path)
    first = book.propose(
        kind="script.block",
        subject="ep1.fountain",
        payload={"text": ARABIC_TIFINAGH},
        provenance=_provenance(),
    )
    again = book.propose(
        kind="script.block",
        subject="ep1.fountain",
        payload={"text": ARABIC_TIFINAGH},
        provenance=_provenance(),
    )
    other = book.propose(
        kind="script.block",
        subject="ep1.fountain",
        payload={"text": "autre"},
        provenance=_provenance(),
    )
    assert again.id == first.id and other.id != first.id  # a re-run adds no duplicate
    assert [p.status for p in book.list(subject="ep1.fountain")] == ["pending", "pending"]
    accepted = book.accept(first.id[:6], by="Nadia", note="keep")
    assert accepted.status == "accepted" and accepted.decision and accepted.decision.by == "Nadia"
    assert book.accept(first.id, by="Nadia").status == "accepted"  # same decision twice: no change
    with pytest.raises(UserError, match="already accepted"):
        book.reject(first.id, by="Omar")
    assert book.reject(other.id, by="Omar").status == "rejected"
    assert [p.id for p in book.list(status="pending")] == []
    assert (
        json.loads((tmp_path / "proposals" / f"{first.id}.json").read_text())["payload"]["text"]
        == ARABIC_TIFINAGH
    )


def test_proposal_errors_are_user_errors(tmp_path: Path) -> None:
    book = ProposalBook(tmp_path)
    with pytest.raises(NotFoundError):
        book.get("abcdef")
    with pytest.raises(UserError, match="not a proposal id"):
        book.get("zz")
    p = book.propose(kind="k", subject="s", payload=1, provenance=_provenance())
    with pytest.raises(UserError, match="name of the person"):
        book.accept(p.id, by=" ")
    (tmp_path / "proposals" / f"{p.id}.json").write_text("{not json")
    with pytest.raises(DataError, match="not a halqa proposal"):
        book.get(p.id)


def _propose_many(root: str, worker: int) -> None:
    book = ProposalBook(root)
    for i in range(20):
        book.propose(
            kind="k", subject="s", payload=i % 10, provenance=_provenance(seed=0, prompt=None)
        )


def test_concurrent_proposers_leave_one_proposal_per_identity(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_propose_many, args=(str(tmp_path), w)) for w in range(3)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    assert len(ProposalBook(tmp_path).list()) == 10
    assert not list((tmp_path / "proposals").glob("*.tmp"))


def test_llm_settings_from_env_and_validation(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HALQA_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("HALQA_LLM_MODEL", "tiny")
    monkeypatch.setenv("HALQA_LLM_API_KEY", "sekret")
    settings = LlmSettings.from_env(temperature=0.2)
    assert (settings.backend, settings.model, settings.temperature, settings.api_key()) == (
        "openai",
        "tiny",
        0.2,
        "sekret",
    )
    assert "sekret" not in settings.model_dump_json()
    with pytest.raises(ConfigError, match="not both"):
        LlmSettings.from_env(gguf_path=str(tmp_path / "m.gguf"))
    monkeypatch.delenv("HALQA_LLM_BASE_URL")
    assert LlmSettings.from_env(model=None).backend == "none"


def test_c2pa_manifest_embeds_reads_back_and_validates(tmp_path: Path) -> None:
    signer = test_signer(tmp_path / "certs")
    source = _wav(tmp_path / "motif.wav")
    out = _wav(tmp_path / "piece.wav")
    store = embed_c2pa(
        out,
        out,
        provenance=_provenance(),
        signer=signer,
        actions=[
            {
                "action": "c2pa.created",
                "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
            }
        ],
        ingredients=[(source, "inputTo")],
    )
    assert store["validation_state"] == "Trusted"  # trusted by the test CA it was given
    assert [a["action"] for a in store["actions"]] == ["c2pa.created"]
    assert store["actions"][0]["softwareAgent"]["name"] == "halqa"
    assert store["provenance"]["parameters"]["title"] == ARABIC_TIFINAGH
    assert [i["title"] for i in store["active"]["ingredients"]] == ["motif.wav"]
    assert read_c2pa(out)["validation_state"] == "Valid"  # intact, but not on a public trust list
    with wave.open(str(out)) as back:  # still a playable WAV
        assert back.getnframes() == 1600


def test_c2pa_refuses_what_it_cannot_sign_or_read(tmp_path: Path) -> None:
    signer = test_signer(tmp_path / "certs")
    text = tmp_path / "notes.txt"
    text.write_text("x")
    with pytest.raises(DataError, match="cannot carry a C2PA manifest"):
        embed_c2pa(text, text, provenance=_provenance(), actions=[], signer=signer)
    plain = _wav(tmp_path / "plain.wav")
    with pytest.raises(DataError, match="no readable C2PA manifest"):
        read_c2pa(plain)


def test_default_signer_is_a_reused_development_certificate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HALQA_C2PA_CERT", raising=False)
    monkeypatch.delenv("HALQA_C2PA_KEY", raising=False)
    first, second = ContentSigner.default(tmp_path), ContentSigner.default(tmp_path)
    assert first.development and first.cert_chain_pem == second.cert_chain_pem
    assert first.trust_anchors_pem is None  # a development manifest reads back as untrusted
    out = _wav(tmp_path / "dev.wav")
    assert (
        embed_c2pa(
            out,
            out,
            provenance=_provenance(),
            actions=[
                {
                    "action": "c2pa.created",
                    "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicMedia",
                }
            ],
            signer=first,
        )["validation_state"]
        == "Valid"
    )
    assert (tmp_path / "credentials" / "signer-key.pem").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("HALQA_C2PA_CERT", str(tmp_path / "credentials" / "signer-chain.pem"))
    with pytest.raises(ConfigError, match="both"):
        ContentSigner.default(tmp_path)
