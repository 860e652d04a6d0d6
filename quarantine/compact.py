"""The certificate's signatures and its QR code's compact payload, with no Django in sight.

Everything here is plain Python and the ``cryptography`` library, so that
``python -m quarantine.verify`` (and any system of Hong Kong reimplementing docs/quarantine.md)
checks a certificate with nothing but the published public keys.

- Canonical content: JSON with sorted keys, no spaces, UTF-8 (non-ASCII kept as is); the
  content holds only strings, integers, lists, objects and null, so this is RFC 8785's form.
- A key's id: the first 8 hex digits of SHA-256 over its 32-byte raw Ed25519 public key.
- The compact payload: the essentials as ASCII fields joined by "|", followed by the 64-byte
  Ed25519 signature of those field bytes, all in RFC 4648 base32, upper case, no padding (so a
  QR code holds it in its dense alphanumeric mode).
"""

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

VERSION = "1"
SEPARATOR = "|"
SIGNATURE_BYTES = 64
FIELDS = ("version", "key_id", "number", "issued_on", "valid_until", "species", "head_count", "farm", "tags")


class PayloadError(ValueError):
    """A payload that cannot be read or whose signature does not hold (forged or altered)."""


def canonical(content: dict) -> bytes:
    """Return the bytes that are signed for ``content``."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def public_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(public_raw(key)).hexdigest()[:8]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(private: Ed25519PrivateKey, data: bytes) -> str:
    return b64url(private.sign(data))


def signature_holds(public: Ed25519PublicKey, data: bytes, signature: str) -> bool:
    try:
        public.verify(b64url_decode(signature), data)
    except (InvalidSignature, ValueError):
        return False
    return True


def tags_digest(tags) -> str:
    """The first 16 hex digits of SHA-256 over the sorted tags joined by newlines."""
    return hashlib.sha256("\n".join(sorted(tags)).encode("ascii")).hexdigest()[:16]


def jwk(public: Ed25519PublicKey, *, status: str) -> dict:
    """A public key as an RFC 8037 JSON Web Key, with its id and whether it is still in use."""
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url(public_raw(public)),
        "kid": key_id(public),
        "status": status,
    }


def keys_from_jwks(document: dict) -> dict[str, Ed25519PublicKey]:
    """Return {key id: public key} of a published key set (quarantine's certificate-keys.json)."""
    keys = {}
    for entry in document.get("keys", []):
        if entry.get("kty") == "OKP" and entry.get("crv") == "Ed25519":
            public = Ed25519PublicKey.from_public_bytes(b64url_decode(entry["x"]))
            keys[key_id(public)] = public
    return keys


@dataclass(frozen=True)
class Essentials:
    """What the QR code says about a certificate: enough to match a truck, nothing private."""

    key_id: str
    number: str
    issued_on: dt.date
    valid_until: dt.date
    species: str
    head_count: int
    farm: str  # the farm's registration number
    tags: str  # tags_digest of the certificate's tags

    def fields(self) -> bytes:
        values = (
            VERSION,
            self.key_id,
            self.number,
            self.issued_on.strftime("%Y%m%d"),
            self.valid_until.strftime("%Y%m%d"),
            self.species,
            str(self.head_count),
            self.farm,
            self.tags,
        )
        if any(SEPARATOR in v for v in values):
            raise ValueError("a field of the payload holds the separator")
        return SEPARATOR.join(values).encode("ascii")


def payload_encode(essentials: Essentials, private: Ed25519PrivateKey) -> str:
    """Return the signed compact payload of ``essentials``."""
    data = essentials.fields()
    return base64.b32encode(data + private.sign(data)).decode("ascii").rstrip("=")


def payload_read(payload: str) -> tuple[Essentials, bytes, bytes]:
    """Split a payload (or a URL ending in one) into its essentials, signed bytes and signature."""
    text = payload.strip().rsplit("/", 1)[-1].upper()
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except ValueError as exc:
        raise PayloadError("not a certificate payload (not base32)") from exc
    if len(raw) <= SIGNATURE_BYTES:
        raise PayloadError("not a certificate payload (too short)")
    data, signature = raw[:-SIGNATURE_BYTES], raw[-SIGNATURE_BYTES:]
    try:
        values = data.decode("ascii").split(SEPARATOR)
    except UnicodeDecodeError as exc:
        raise PayloadError("not a certificate payload (not text)") from exc
    if len(values) != len(FIELDS) or values[0] != VERSION:
        raise PayloadError("not a certificate payload of version " + VERSION)
    try:
        essentials = Essentials(
            key_id=values[1],
            number=values[2],
            issued_on=dt.datetime.strptime(values[3], "%Y%m%d").date(),
            valid_until=dt.datetime.strptime(values[4], "%Y%m%d").date(),
            species=values[5],
            head_count=int(values[6]),
            farm=values[7],
            tags=values[8],
        )
    except ValueError as exc:
        raise PayloadError("not a certificate payload (bad field)") from exc
    return essentials, data, signature


def payload_verify(payload: str, keys: dict[str, Ed25519PublicKey]) -> Essentials:
    """Return the essentials of a payload whose signature holds under one of ``keys``.

    Raises PayloadError for anything else: unreadable, signed by an unknown key, or altered.
    """
    essentials, data, signature = payload_read(payload)
    public = keys.get(essentials.key_id)
    if public is None:
        raise PayloadError(f"signed with key {essentials.key_id}, which is not among the published keys")
    try:
        public.verify(signature, data)
    except InvalidSignature as exc:
        raise PayloadError("the signature does not hold: the payload was forged or altered") from exc
    return essentials
