"""What a certificate says and signs, rebuilt from the rows: the signer and every checker use this."""

import datetime as dt

from . import compact
from .models import Certificate, Consignment


def certificate_content(certificate: Certificate, consignment: Consignment, tags: list[str]) -> dict:
    """The certificate's canonical content: what is signed, rebuilt from the rows to detect changes."""
    farm, enterprise = consignment.farm, consignment.enterprise
    return {
        "v": 1,
        "number": certificate.number,
        "key_id": certificate.key_id,
        "issued_at": certificate.issued_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "valid_until": certificate.valid_until.isoformat(),
        "consignment": consignment.number,
        "issuer": {"zh": consignment.branch.name_zh, "en": consignment.branch.name_en},
        "enterprise": {"zh": enterprise.name_zh, "en": enterprise.name_en},
        "farm": {"zh": farm.name_zh, "en": farm.name_en, "registration": farm.registration_number},
        "species": consignment.species,
        "head_count": len(tags),
        "tags": sorted(tags),
        "planned_loading_on": consignment.planned_loading_on.isoformat(),
        "exit_port": {"zh": consignment.exit_port.name_zh, "en": consignment.exit_port.name_en},
        "consignee": consignment.consignee,
        "destination": consignment.destination,
        "signer": {"name": certificate.signer_name, "capacity": certificate.signer_capacity},
        "replaces": certificate.replaces.number if certificate.replaces_id else None,
    }


def essentials_of(content: dict) -> compact.Essentials:
    return compact.Essentials(
        key_id=content["key_id"],
        number=content["number"],
        issued_on=dt.date.fromisoformat(content["issued_at"][:10]),
        valid_until=dt.date.fromisoformat(content["valid_until"]),
        species=content["species"],
        head_count=content["head_count"],
        farm=content["farm"]["registration"],
        tags=compact.tags_digest(content["tags"]),
    )
