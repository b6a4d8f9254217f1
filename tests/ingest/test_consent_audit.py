"""Consent changed by `halqa ingest` is audited like consent changed through the service (issue 11):
who (the ingest run, as operator), when, which flag, old -> new; a re-run audits nothing new."""

from __future__ import annotations

import subprocess
import sys

from halqa.catalog import Store
from halqa.ingest import ingest_files
from tests.ingest.conftest import write_csv

HEADER = [
    "member_id",
    "age_band",
    "region",
    "consent_analytics",
    "consent_personalisation",
    "consent_marketing",
    "consent_at",
]
AUDIT = "SELECT member_id, purpose, old_value, new_value, key_id, role, source FROM consent_audit"


def _audit(store: Store, where: str = "") -> list[tuple]:
    return store.rows(f"{AUDIT} {where} ORDER BY member_id, purpose")


def test_a_flipped_flag_is_audited_once_with_the_ingest_that_did_it(store, tmp_path):
    first = write_csv(
        tmp_path / "members.csv",
        HEADER,
        [
            ["ⵎ1", "18-24", "souss-massa", "true", "true", "true", "2026-01-02"],
            ["m2", "25-34", "oriental", "false", "false", "false", ""],
        ],
    )
    loaded = ingest_files(store, "members", [first]).files[0].ingest_id
    # a new member's grants are recorded (as on the API path, a new member had no consent)
    assert _audit(store) == [
        (f, p, False, True, f"ingest:{loaded}", "operator", "ingest")
        for f, p in [("ⵎ1", "analytics"), ("ⵎ1", "marketing"), ("ⵎ1", "personalisation")]
    ]
    flipped = write_csv(
        tmp_path / "withdrawn.csv",
        HEADER,
        [
            ["ⵎ1", "18-24", "souss-massa", "true", "true", "false", "2026-03-01"],
            ["m2", "25-34", "oriental", "false", "false", "false", ""],
        ],
    )
    withdrew = ingest_files(store, "members", [flipped]).files[0].ingest_id
    changed = _audit(store, f"WHERE key_id = 'ingest:{withdrew}'")
    assert changed == [("ⵎ1", "marketing", True, False, f"ingest:{withdrew}", "operator", "ingest")]
    assert store.rows(
        f"SELECT consent_at::DATE::VARCHAR FROM consent_audit WHERE key_id = 'ingest:{withdrew}'"
    ) == [("2026-03-01",)]
    before = store.scalar("SELECT count(*) FROM consent_audit")
    ingest_files(
        store, "members", [flipped]
    )  # the same file again: nothing changes, nothing is audited
    assert store.scalar("SELECT count(*) FROM consent_audit") == before == 4


def test_consents_given_on_the_command_line_are_audited_too(store, tmp_path):
    plain = write_csv(tmp_path / "plain.csv", ["member_id", "region"], [["m1", "oriental"]])
    run = ingest_files(store, "members", [plain], consent={"analytics"}).files[0].ingest_id
    assert _audit(store) == [
        ("m1", "analytics", False, True, f"ingest:{run}", "operator", "ingest")
    ]
    # the same source without --consent takes the consent away again: that is a change as well
    again = ingest_files(store, "members", [plain]).files[0].ingest_id
    assert _audit(store, f"WHERE key_id = 'ingest:{again}'") == [
        ("m1", "analytics", True, False, f"ingest:{again}", "operator", "ingest")
    ]


def test_placeholder_members_created_with_consent_are_audited(world, tmp_path):
    events = write_csv(
        tmp_path / "events.csv",
        ["member_id", "title_id", "event_type", "ts"],
        [["newcomer", "t1", "play", "2026-01-05 10:00:00"]],
    )
    run = ingest_files(
        world, "events", [events], create_missing=True, consent={"analytics", "marketing"}
    )
    assert _audit(world, "WHERE member_id = 'newcomer'") == [
        ("newcomer", p, False, True, f"ingest:{run.files[0].ingest_id}", "operator", "ingest")
        for p in ("analytics", "marketing")
    ]


def test_halqa_ingest_writes_the_audit(tmp_path):
    db = tmp_path / "cli.duckdb"
    path = write_csv(
        tmp_path / "members.csv",
        HEADER,
        [["m1", "18-24", "oriental", "true", "false", "true", "2026-01-02"]],
    )
    command = [
        sys.executable,
        "-m",
        "halqa.cli.main",
        "ingest",
        "members",
        str(path),
        "--db",
        str(db),
    ]
    subprocess.run(command, check=True, capture_output=True)
    subprocess.run(command, check=True, capture_output=True)  # a re-run
    with Store.open(db) as store:
        assert [r[:4] for r in _audit(store)] == [
            ("m1", "analytics", False, True),
            ("m1", "marketing", False, True),
        ]
