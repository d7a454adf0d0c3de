"""A partner's dossier list and call budget as JSON text."""

from __future__ import annotations

import json
from datetime import datetime

from domain.dossier import Dossier, DossierList


def dossier_list_json(dossier_list: DossierList) -> str:
    dossiers = (
        None
        if dossier_list.dossiers is None
        else [[d.id, d.name, d.vat_number, d.mailbox] for d in dossier_list.dossiers]
    )
    return json.dumps(
        {
            "dossiers": dossiers,
            "fetchedAt": dossier_list.fetched_at.isoformat() if dossier_list.fetched_at else None,
            "calls": [at.isoformat() for at in dossier_list.calls],
        }
    )


def dossier_list_from_json(partner_id: str, text: str) -> DossierList:
    data = json.loads(text)
    dossiers = data["dossiers"]
    return DossierList(
        partner_id=partner_id,
        dossiers=None if dossiers is None else tuple(Dossier(*d) for d in dossiers),
        fetched_at=datetime.fromisoformat(data["fetchedAt"]) if data["fetchedAt"] else None,
        calls=tuple(datetime.fromisoformat(at) for at in data["calls"]),
    )
