"""An officer's signature over a sync batch: it holds for the content signed with a certificate of the
configured CA, and is refused for changed content, an expired, revoked or foreign certificate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from data_access.sync_signing import SignatureRefused, TrustAnchor, sign, verify  # noqa: E402
from domain.sync_canonical import canonical_json  # noqa: E402
from tests.support.cert_authority import PASSWORD, CertAuthority  # noqa: E402

BATCH = {"unit": "W00070", "records": [{"full_name": "Nguyễn Văn An", "code": "W00070"}]}


@pytest.fixture(scope="module")
def ca() -> CertAuthority:
    return CertAuthority()


def test_a_signature_holds_for_what_was_signed(ca: CertAuthority) -> None:
    p12, certificate = ca.issue("Lê Thị Hoa")
    content = canonical_json(BATCH)
    signed = sign(content, p12, PASSWORD)
    signer = verify(content, signed.signature, TrustAnchor.from_pem(ca.pem, ca.crl_pem()), moment=datetime.now(UTC))
    assert signer == certificate and signed.signer == "Lê Thị Hoa"


def test_canonical_json_is_sorted_nfc_and_spaceless() -> None:
    decomposed = "Nguye\u0302\u0303n"  # "Nguyễn" typed as base letters and combining marks
    assert canonical_json({"b": 1.0, "a": decomposed}) == '{"a":"Nguyễn","b":1}'.encode()


def test_a_changed_batch_fails(ca: CertAuthority) -> None:
    p12, _ = ca.issue("Lê Thị Hoa")
    signed = sign(canonical_json(BATCH), p12, PASSWORD)
    changed = canonical_json({**BATCH, "records": [{"full_name": "Nguyễn Văn Ân", "code": "W00070"}]})
    with pytest.raises(SignatureRefused) as refused:
        verify(changed, signed.signature, TrustAnchor.from_pem(ca.pem), moment=datetime.now(UTC))
    assert refused.value.reason == "tampered"


def test_an_expired_certificate_is_refused(ca: CertAuthority) -> None:
    p12, _ = ca.issue("Cán bộ cũ", valid_from=datetime.now(UTC) - timedelta(days=100), days=30)
    content = canonical_json(BATCH)
    signed = sign(content, p12, PASSWORD)
    with pytest.raises(SignatureRefused) as refused:
        verify(content, signed.signature, TrustAnchor.from_pem(ca.pem), moment=datetime.now(UTC))
    assert refused.value.reason == "expired"


def test_a_certificate_of_another_ca_is_refused(ca: CertAuthority) -> None:
    p12, _ = CertAuthority(name="Other CA").issue("Kẻ giả mạo")
    content = canonical_json(BATCH)
    signed = sign(content, p12, PASSWORD)
    with pytest.raises(SignatureRefused) as refused:
        verify(content, signed.signature, TrustAnchor.from_pem(ca.pem), moment=datetime.now(UTC))
    assert refused.value.reason == "untrusted"


def test_a_revoked_certificate_is_refused() -> None:
    ca = CertAuthority()
    p12, certificate = ca.issue("Cán bộ đã nghỉ")
    ca.revoked.append(certificate.serial_number)
    content = canonical_json(BATCH)
    signed = sign(content, p12, PASSWORD)
    with pytest.raises(SignatureRefused) as refused:
        verify(content, signed.signature, TrustAnchor.from_pem(ca.pem, ca.crl_pem()), moment=datetime.now(UTC))
    assert refused.value.reason == "revoked"


def test_the_receiver_answers_a_signed_non_batch_as_malformed(ca: CertAuthority) -> None:
    """A valid signature over something that is not a batch is a 400, not a crash."""
    import json

    from server.sync_receiver import make_receiver

    content = canonical_json(["not", "a", "batch"])
    p12, _ = ca.issue("Lê Thị Hoa")
    body = json.dumps({"content": content.decode(), "signature": sign(content, p12, PASSWORD).signature})
    answer = (
        make_receiver(TrustAnchor.from_pem(ca.pem))
        .test_client()
        .post("/batches", data=body, headers={"Content-Type": "application/json"})
    )
    assert (answer.status_code, answer.get_json()) == (400, {"error": "malformed"})
