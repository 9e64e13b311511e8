"""The 不动产登记资料查询结果 the kiosk prints for the identified holder: the current rights and restrictions on
their own units, drawn by `documents/query_result_pdf.py`, printed and sealed in the name of the agency
whose kit it is given (the city's, 中卫市自然资源局, which runs the kiosk): the seal and 出具机构 agree."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from registry_desk.config import Settings
from registry_desk.documents.query_result_pdf import QueryResultUnit, render_query_result
from registry_desk.domain.errors import NotFound
from registry_desk.kernel import audit
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.kiosk.identify import KIOSK_ROLES, Identified, case_for_reading, verified_party
from registry_desk.registration.issuing import CHINA_TZ, centre_kit, mask_id_number
from registry_desk.registration.register import load_unit_register
from registry_desk.storage.database import Database
from registry_desk.storage.kiosk import lookups
from registry_desk.storage.kiosk.tables import utc
from registry_desk.storage.session import Session
from registry_desk.storage.tables import Party


def _statement_units(s: Session, party: Party) -> list[QueryResultUnit]:
    """The holder's units with a current ownership, each as the register reads now."""
    out = []
    wanted_facts = ("规划用途", "建筑面积", "所在层/总层数")
    for unit in lookups.units_held_by(s, party.id):
        page = load_unit_register(s, unit)
        owner = page.owners[0]
        restrictions = []
        for r in page.restrictions:
            rows = [("权利人", "、".join(h.name for h in r.holders))] if r.holders else []
            rows += [(o.role, o.name) for o in r.others]
            rows += list(r.details)
            if r.certificates:
                rows.append(("证明号", "、".join(r.certificates)))
            restrictions.append((r.label, tuple(rows)))
        out.append(
            QueryResultUnit(
                unit_number=page.unit_number,
                location=page.location,
                facts=tuple((k, v) for k, v in page.facts if k in wanted_facts and v),
                owners=tuple(h.name for h in owner.holders),
                ownership_details=owner.details,
                certificates=owner.certificates,
                restrictions=tuple(restrictions),
            )
        )
    return out


def statement_pdf(
    db: Database, actor: Actor, who: Identified, *, settings: Settings, now: datetime | None = None
) -> bytes:
    """The sealed 查询结果 of the current rights and restrictions on the identified holder's own units."""
    actor.require(*KIOSK_ROLES, operation="自助打印不动产登记资料查询结果")
    now = utc(now or utc_now())
    kit = centre_kit(settings)
    with db.unit_of_work() as uow:
        s = uow.session
        case = case_for_reading(s, who.case_number)
        party = verified_party(s, actor, case, who)
        units = _statement_units(s, party)
        if not units:
            raise NotFound(
                "您名下没有现势的不动产权利，无可打印的查询结果",
                rule="查询结果仅限权利人查询本人名下不动产",
                record=who.case_number,
            )
        reference = f"ZZCX{now.astimezone(CHINA_TZ):%Y%m%d%H%M%S}{secrets.token_hex(2).upper()}"
        drawn = render_query_result(
            party.name,
            mask_id_number(party.id_type, party.id_number),
            units,
            now.astimezone(CHINA_TZ),
            reference,
            kit.office,
            kit.seal_png,
        )
        pdf = kit.sealer.seal(drawn, reason=f"不动产登记资料查询结果 {reference}")
        audit.append(
            s,
            actor,
            "kiosk.statement",
            case_id=case.id,
            record=reference,
            after={
                "party_id": party.id,
                "units": [u.unit_number for u in units],
                "sha256": hashlib.sha256(pdf).hexdigest(),
            },
            at=now,
        )
        uow.commit()
    return pdf
