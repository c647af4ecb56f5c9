"""Signing a sync batch with an officer's certificate (a PKCS#12 file) and verifying it.

The signature is a detached JWS (RFC 7515, appendix F) whose protected header carries the signer's
certificate chain in `x5c`: the batch's canonical JSON travels beside it, unchanged. Verification checks the
signature over the content with the certificate's key, the certificate path to the configured CA
(cryptography.x509.verification) at the moment of verification, and the CA's revocation list.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.verification import (
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

_EC_SIZE = {"ES256": 32, "ES384": 48}
_HASH = {"RS256": hashes.SHA256, "ES256": hashes.SHA256, "ES384": hashes.SHA384}


class SignatureRefused(Exception):
    """The signature does not hold; `reason` is a stable code (tampered, untrusted, expired, revoked, malformed)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class Signed:
    """A signature made: the detached JWS and who made it."""

    signature: str
    signer: str
    fingerprint: str  # SHA-256 of the signer certificate's DER, hex


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def fingerprint(certificate: x509.Certificate) -> str:
    """The SHA-256 fingerprint of a certificate, hex."""
    return certificate.fingerprint(hashes.SHA256()).hex()


def signer_name(certificate: x509.Certificate) -> str:
    """The signer's common name (the whole subject when it has none)."""
    names = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else certificate.subject.rfc4514_string()


def sign(content: bytes, pkcs12_data: bytes, password: bytes | None) -> Signed:
    """A detached JWS over `content` with the key and certificate of the PKCS#12 file."""
    bundle = pkcs12.load_pkcs12(pkcs12_data, password)
    if bundle.key is None or bundle.cert is None:
        raise SignatureRefused("malformed", "the PKCS#12 file holds no key or no certificate")
    chain = [bundle.cert.certificate, *(extra.certificate for extra in bundle.additional_certs)]
    return sign_with_key(content, bundle.key, chain)


def sign_with_key(content: bytes, key: Any, chain: list[x509.Certificate]) -> Signed:
    """A detached JWS over `content` with a private key and its certificate chain (the signer's first).
    The key is anything with cryptography's RSA or EC private-key interface: a PKCS#12 file's, or a
    hardware token's key behind a PKCS#11 wrapper (the documented next step)."""
    certificate = chain[0]
    if isinstance(key, rsa.RSAPrivateKey):
        alg = "RS256"
    elif isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name in ("secp256r1", "secp384r1"):
        alg = "ES256" if key.curve.name == "secp256r1" else "ES384"
    else:
        raise SignatureRefused("malformed", "only RSA and P-256/P-384 keys are supported")
    header = {"alg": alg, "x5c": [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in chain]}
    protected = _b64url(json.dumps(header, sort_keys=True, separators=(",", ":")).encode())
    signing_input = f"{protected}.{_b64url(content)}".encode("ascii")
    if isinstance(key, rsa.RSAPrivateKey):
        raw = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    else:
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(_HASH[alg]())))
        size = _EC_SIZE[alg]
        raw = r.to_bytes(size, "big") + s.to_bytes(size, "big")  # JWS wants r||s, not DER
    return Signed(f"{protected}..{_b64url(raw)}", signer_name(certificate), fingerprint(certificate))


@dataclass(frozen=True)
class TrustAnchor:
    """The configured CA and its revocation list (None: no list configured)."""

    ca: x509.Certificate
    crl: x509.CertificateRevocationList | None = None

    @classmethod
    def from_pem(cls, ca_pem: bytes, crl_pem: bytes | None = None) -> TrustAnchor:
        crl = x509.load_pem_x509_crl(crl_pem) if crl_pem else None
        return cls(x509.load_pem_x509_certificate(ca_pem), crl)


def verify(content: bytes, signature: str, anchor: TrustAnchor, *, moment: datetime) -> x509.Certificate:
    """The signer's certificate when `signature` holds over `content` and the certificate is trusted at
    `moment`; SignatureRefused otherwise."""
    try:
        protected, empty, raw_b64 = signature.split(".")
        header = json.loads(_unb64url(protected))
        alg = header["alg"]
        chain = [x509.load_der_x509_certificate(base64.b64decode(item)) for item in header["x5c"]]
        raw = _unb64url(raw_b64)
    except (ValueError, KeyError, TypeError) as error:
        raise SignatureRefused("malformed", str(error)) from error
    if empty or alg not in _HASH or not chain:
        raise SignatureRefused("malformed", "not a detached JWS of a supported algorithm")
    leaf = chain[0]
    signing_input = f"{protected}.{_b64url(content)}".encode("ascii")
    public = leaf.public_key()
    try:
        if alg == "RS256" and isinstance(public, rsa.RSAPublicKey):
            public.verify(raw, signing_input, padding.PKCS1v15(), hashes.SHA256())
        elif alg in _EC_SIZE and isinstance(public, ec.EllipticCurvePublicKey) and len(raw) == 2 * _EC_SIZE[alg]:
            size = _EC_SIZE[alg]
            der = encode_dss_signature(int.from_bytes(raw[:size], "big"), int.from_bytes(raw[size:], "big"))
            public.verify(der, signing_input, ec.ECDSA(_HASH[alg]()))
        else:
            raise SignatureRefused("malformed", "the algorithm does not match the certificate's key")
    except InvalidSignature as error:
        raise SignatureRefused("tampered", "the content is not what was signed") from error
    _check_path(leaf, chain[1:], anchor, moment)
    return leaf


def _check_path(
    leaf: x509.Certificate, intermediates: list[x509.Certificate], anchor: TrustAnchor, moment: datetime
) -> None:
    naive = moment.replace(tzinfo=None)
    if naive > leaf.not_valid_after_utc.replace(tzinfo=None) or naive < leaf.not_valid_before_utc.replace(tzinfo=None):
        # Said apart from "untrusted": the officer needs a new certificate, not a different CA.
        raise SignatureRefused(
            "expired", f"valid {leaf.not_valid_before_utc:%Y-%m-%d} to {leaf.not_valid_after_utc:%Y-%m-%d}"
        )
    # A signing certificate is neither a TLS client nor server: accept its extensions as issued, keep
    # the CA rules (basic constraints, key usage) of the Web PKI profile.
    policies = (
        PolicyBuilder()
        .store(Store([anchor.ca]))
        .time(naive)
        .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ExtensionPolicy.permit_all())
    )
    try:
        policies.build_client_verifier().verify(leaf, intermediates)
    except VerificationError as error:
        raise SignatureRefused("untrusted", str(error)) from error
    crl = anchor.crl
    if crl is not None:
        if not crl.is_signature_valid(anchor.ca.public_key()):  # type: ignore[arg-type]
            raise SignatureRefused("untrusted", "the revocation list is not the CA's")
        if crl.get_revoked_certificate_by_serial_number(leaf.serial_number) is not None:
            raise SignatureRefused("revoked", f"serial {leaf.serial_number:x}")
