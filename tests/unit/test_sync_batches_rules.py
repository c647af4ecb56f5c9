"""Which records a sync batch carries: blocking qualities, dry-run size, changed records, canonical bytes."""

from __future__ import annotations

from domain.records import Problem, Quality
from domain.sync_batches import blocking_reasons, changed, dry_run_problem, reason_parts, record_key
from domain.sync_canonical import canonical_json, digest


def test_only_correct_and_sufficient_problems_hold_a_record_back() -> None:
    problems = [
        Problem(0, "citizen_id", "citizen_id_checksum", Quality.CORRECT),
        Problem(0, "rank_code", "missing", Quality.SUFFICIENT),
        Problem(1, "updated_at", "stale", Quality.LIVE),
        Problem(2, "citizen_id", "duplicate_in_store", Quality.UNIFIED),
    ]
    assert blocking_reasons(problems) == {
        0: "citizen_id: citizen_id_checksum (correct); rank_code: missing (sufficient)"
    }


def test_a_dry_run_is_one_to_ten_distinct_records() -> None:
    assert dry_run_problem([]) == "dry_run_size"
    assert dry_run_problem([f"unit:{n}" for n in range(11)]) == "dry_run_size"
    assert dry_run_problem(["unit:A", "unit:A"]) == "dry_run_size"
    assert dry_run_problem([f"unit:{n}" for n in range(10)]) is None


def test_a_record_goes_again_only_when_it_changed() -> None:
    record = {"code": "W00070", "name": "Phường Hoàn Kiếm"}
    key, sha = record_key("org_unit", record), digest(canonical_json(record))
    assert key == "unit:W00070" and record_key("profile", {"citizen_id": "001090012345"}) == "profile:001090012345"
    assert changed(key, sha, {}) and not changed(key, sha, {key: sha})
    assert changed(key, digest(canonical_json({**record, "name": "Phường Hoàn Kiếm mới"})), {key: sha})


def test_a_kept_out_reason_reads_back_into_its_parts() -> None:
    written = "citizen_id: birth_mismatch (correct); full_name: required (sufficient)"
    assert reason_parts(written) == [
        ("citizen_id", "birth_mismatch", "correct"),
        ("full_name", "required", "sufficient"),
    ]
    # The receiver's own answers have no field or quality.
    assert reason_parts("tampered") == [("", "tampered", "")]
    assert reason_parts("citizen_id: not 12 digits") == [("", "citizen_id: not 12 digits", "")]
    assert reason_parts(None) == [] and reason_parts("") == []
