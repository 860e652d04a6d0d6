"""The bureau's Ed25519 signing key and the public keys certificates are verified with.

The key comes from QUARANTINE_SIGNING_KEY (a PEM private key, or its 32-byte seed in hex or
base64) or from the file QUARANTINE_SIGNING_KEY_FILE. Only where QUARANTINE_KEY_GENERATE is on
(the embedded mode and the tests) is a missing key made once and kept in a file; production
refuses to start without one (quarantine.checks). Rotating the key: put the old public key
(certificate-keys.json's ``x``) into QUARANTINE_RETIRED_PUBLIC_KEYS, then install the new
private key; certificates signed with the old one keep verifying.
"""

import base64
import functools
import re
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import compact

NO_KEY = (
    "No certificate signing key: set QUARANTINE_SIGNING_KEY or QUARANTINE_SIGNING_KEY_FILE "
    "(see docs/quarantine.md, 'Keys')."
)


def _parse_private(text: bytes) -> Ed25519PrivateKey:
    text = text.strip()
    if text.startswith(b"-----BEGIN"):
        key = serialization.load_pem_private_key(text, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ImproperlyConfigured("The certificate signing key is not an Ed25519 key.")
        return key
    if re.fullmatch(rb"[0-9a-fA-F]{64}", text):
        seed = bytes.fromhex(text.decode("ascii"))  # openssl rand -hex 32
    else:
        try:
            seed = base64.b64decode(
                text + b"=" * (-len(text) % 4), altchars=b"-_" if re.search(rb"[-_]", text) else None
            )
        except ValueError as exc:
            raise ImproperlyConfigured("The certificate signing key is neither PEM, hex nor base64.") from exc
    if len(seed) != 32:
        raise ImproperlyConfigured("The certificate signing key's seed must be 32 bytes.")
    return Ed25519PrivateKey.from_private_bytes(seed)


def _generated(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.touch(mode=0o600)
        path.write_bytes(pem)
    return _parse_private(path.read_bytes())


def configured() -> bool:
    """Return whether a key is set or may be generated."""
    key_file = settings.QUARANTINE_SIGNING_KEY_FILE
    return bool(
        settings.QUARANTINE_SIGNING_KEY
        or (key_file and Path(key_file).exists())
        or settings.QUARANTINE_KEY_GENERATE
    )


@functools.cache
def signing_key() -> Ed25519PrivateKey:
    """Return the bureau's current private key (ImproperlyConfigured if there is none)."""
    if settings.QUARANTINE_SIGNING_KEY:
        return _parse_private(settings.QUARANTINE_SIGNING_KEY.encode("ascii"))
    if settings.QUARANTINE_SIGNING_KEY_FILE and Path(settings.QUARANTINE_SIGNING_KEY_FILE).exists():
        return _parse_private(Path(settings.QUARANTINE_SIGNING_KEY_FILE).read_bytes())
    if settings.QUARANTINE_KEY_GENERATE:
        return _generated(
            Path(settings.QUARANTINE_SIGNING_KEY_FILE or settings.QUARANTINE_GENERATED_KEY_FILE)
        )
    raise ImproperlyConfigured(NO_KEY)


def retired_keys() -> list[Ed25519PublicKey]:
    return [
        Ed25519PublicKey.from_public_bytes(compact.b64url_decode(text.strip()))
        for text in settings.QUARANTINE_RETIRED_PUBLIC_KEYS
        if text.strip()
    ]


def current_key_id() -> str:
    return compact.key_id(signing_key().public_key())


def public_keys() -> dict[str, Ed25519PublicKey]:
    """Return {key id: public key} of the current key and every retired one."""
    keys = {compact.key_id(k): k for k in retired_keys()}
    if configured():
        current = signing_key().public_key()
        keys[compact.key_id(current)] = current
    return keys


def published() -> dict:
    """The key set published at /.well-known/hk-livestock/certificate-keys.json (JWKS, RFC 7517)."""
    entries = []
    if configured():
        entries.append(compact.jwk(signing_key().public_key(), status="current"))
    entries += [compact.jwk(k, status="retired") for k in retired_keys()]
    return {"keys": entries}
