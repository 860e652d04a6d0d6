"""Verify a health certificate's QR code offline: ``python -m quarantine.verify PAYLOAD --keys keys.json``.

PAYLOAD is what the QR code holds (the URL, or only its last part). keys.json is the bureau's
published key set (/.well-known/hk-livestock/certificate-keys.json), fetched once beforehand.
Needs only Python and the ``cryptography`` library: no Django, no database, no network.
Exit status: 0 valid, 1 expired, 2 forged, altered or unreadable.
"""

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from quarantine.compact import PayloadError, keys_from_jwks, payload_verify

SPECIES = {"1": "猪 pigs", "2": "牛 cattle", "3": "羊 sheep and goats"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quarantine.verify", description=__doc__.splitlines()[0])
    parser.add_argument("payload", help="the QR code's content (its URL or only the payload)")
    parser.add_argument("--keys", required=True, type=Path, help="the published certificate-keys.json")
    parser.add_argument(
        "--today", type=dt.date.fromisoformat, default=None, help="check validity on this day"
    )
    args = parser.parse_args(argv)
    try:
        keys = keys_from_jwks(json.loads(args.keys.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError) as exc:
        print(f"cannot read the key set {args.keys}: {exc}", file=sys.stderr)
        return 2
    try:
        essentials = payload_verify(args.payload, keys)
    except PayloadError as exc:
        print(f"NOT VALID 无效: {exc}")
        return 2
    today = args.today or dt.date.today()
    expired = today > essentials.valid_until
    print(("EXPIRED 已过期" if expired else "SIGNATURE VALID 签名有效") + f" (key {essentials.key_id})")
    print(f"certificate 证书编号:  {essentials.number}")
    print(f"issued 签发日期:       {essentials.issued_on.isoformat()}")
    print(f"valid until 有效期至:  {essentials.valid_until.isoformat()}")
    print(f"species 动物种类:      {SPECIES.get(essentials.species, essentials.species)}")
    print(f"head 数量:             {essentials.head_count}")
    print(f"farm 注册养殖场:       {essentials.farm}")
    print(f"tags digest 耳标摘要:  {essentials.tags}")
    print("Void or replaced certificates can only be seen online (the public verification page).")
    return 1 if expired else 0


if __name__ == "__main__":
    sys.exit(main())
