"""三免 figures: prefilling a first-mortgage application against raw SQL reading the same records, and sealing an
issued PDF against a bare pyHanko signature of the same page with the same key."""

from __future__ import annotations

import datetime as dt
import io
import json

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers

from registry_desk.demo.benchmarks.runner import Figure
from registry_desk.documents.certificate_pdf import RegistrationProofView, render_registration_proof
from registry_desk.documents.pki import create_demo_pki
from registry_desk.documents.seal import PadesSealer
from registry_desk.documents.seal_image import seal_image_png
from registry_desk.domain.codes import (
    AdvanceNoticeKind,
    CaseStatus,
    IdType,
    MortgageMode,
    PartyKind,
    PartyRole,
    RightStatus,
    RightType,
)
from registry_desk.domain.money import Money
from registry_desk.resources_path import seed
from registry_desk.kernel import audit
from registry_desk.registration import prefill
from registry_desk.kernel.context import SYSTEM, Actor
from registry_desk.storage.database import Database
from registry_desk.storage.exemptions import contracts as notice_rows
from registry_desk.storage.tables import Party, Right, RightParty

BENCH_NOTE = "基准测试用抵押权预告登记（registry-desk bench 生成）"
SAMPLE_UNITS = 20
BANK_KEY = "bank-hh"


def _bank(session, organisations: dict) -> Party:
    info = next(b for b in organisations["banks"] if b["key"] == BANK_KEY)
    party = notice_rows.party_by_identity(session, IdType.USCC, info["uscc"])
    if party is None:
        party = Party(
            kind=PartyKind.LEGAL,
            name=info["name"],
            id_type=IdType.USCC,
            id_number=info["uscc"],
            address=info["address"],
            phone=info["phone"],
            legal_rep_name=info["legal_rep"],
            created_at=dt.datetime.now(dt.UTC),
        )
        session.add(party)
        session.flush()
    return party


def ensure_mortgage_notices(db: Database, n: int = SAMPLE_UNITS) -> list[str]:
    """Unit numbers of `n` units carrying a bench 抵押权预告登记 whose mortgagors own the unit, creating the
    notices on clean units (ownership only, no unfinished case) where fewer exist; running it again adds none."""
    organisations = json.loads(seed("organisations.json").read_text("utf-8"))
    with db.unit_of_work() as uow:
        s = uow.session
        ready = notice_rows.units_with_current_right_noted(s, BENCH_NOTE)
        if len(ready) >= n:
            return ready[:n]
        total = notice_rows.highest_unit_id(s) or 0
        step = max(1, total // (n * 10))
        open_statuses = [st for st in CaseStatus if st.is_open]
        bank = _bank(s, organisations)
        now = dt.datetime.now(dt.UTC)
        created: list[str] = []
        for unit in notice_rows.every_nth_unit(s, step, n * 10):
            if len(ready) + len(created) >= n:
                break
            rights = notice_rows.current_rights_of_unit(s, unit.id)
            if len(rights) != 1 or rights[0].right_type is not RightType.OWNERSHIP:
                continue
            if notice_rows.count_cases_of_unit(s, unit.id, open_statuses):
                continue
            owners = [rp.party for rp in rights[0].parties if rp.role is PartyRole.RIGHT_HOLDER]
            if not owners or any(p.id_type is not IdType.RESIDENT_ID for p in owners):
                continue
            notice = Right(
                unit_id=unit.id,
                right_type=RightType.ADVANCE_NOTICE,
                status=RightStatus.CURRENT,
                registered_at=now,
                notice_kind=AdvanceNoticeKind.PRESALE_MORTGAGE,
                mortgage_mode=MortgageMode.GENERAL,
                secured_amount=Money.yuan("300000.00"),
                debt_start=dt.date(2026, 1, 5),
                debt_end=dt.date(2056, 1, 4),
                guarantee_scope="主债权及利息、违约金、损害赔偿金和实现抵押权的费用",
                rank=1,
                no_transfer=False,
                mortgaged_area=unit.building_area,
                assessed_value=Money.yuan("450000.00"),
                notes=BENCH_NOTE,
            )
            position = 0
            for role, group in (
                (PartyRole.RIGHT_HOLDER, [bank]),
                (PartyRole.OBLIGOR, owners),
                (PartyRole.DEBTOR, owners),
            ):
                for party in group:
                    notice.parties.append(RightParty(party_id=party.id, role=role, position=position))
                    position += 1
            s.add(notice)
            created.append(unit.unit_number)
        if created:
            s.flush()
            audit.append(s, SYSTEM, "bench.mortgage_notices", record=BENCH_NOTE, after={"units": created})
        uow.commit()
    return (ready + created)[:n]


def prefill_figure(db: Database, actor: Actor, repeat: int) -> Figure:
    units = ensure_mortgage_notices(db)
    raw = notice_rows.raw_prefill_reads(db, [st for st in CaseStatus if st.is_open])
    return Figure(
        "prefill a first-mortgage application",
        "#4",
        3.0,
        candidate=lambda i: prefill.prefill(db, actor, "mortgage_first", units[i % len(units)]),
        baseline=lambda i: raw(units[i % len(units)]),
        repeat=repeat,
        note=f"{len(units)} units with a bench 抵押权预告登记; raw side: the same three reads through the DBAPI",
    )


def _proof_page(seal_png: bytes) -> bytes:
    view = RegistrationProofView(
        number="宁(2026)中卫市不动产证明第0000001号",
        matter="抵押权",
        right_holders="黄河示范银行股份有限公司中卫分行",
        obligors="刘凤琴、丁勇建",
        location="中卫市沙坡头区文萃南路26号美利·锦绣园8号楼1单元201室",
        unit_number="640502002005GB00044F00080003",
        other="抵押方式：一般抵押\n被担保主债权数额：459000.00元\n债务履行期限：2024年08月30日起2054年08月29日止",
        notes="业务号：202603020001",
        issued_on=dt.date(2026, 3, 2),
        qr_payload="RD1." + "A" * 320,
    )
    return render_registration_proof(view, seal_png=seal_png)


def seal_figure(keys_dir, repeat: int) -> Figure:  # type: ignore[no-untyped-def]
    organisations = json.loads(seed("organisations.json").read_text("utf-8"))
    centre = create_demo_pki(keys_dir, organisations).centre
    page = _proof_page(seal_image_png(centre.name))
    sealer = PadesSealer.for_identity(centre)  # built once per process, as the issuing service keeps it
    bare = PadesSealer.for_identity(centre)._signer  # the very same key and certificate

    def bare_sign(i: int) -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(page), strict=False)
        out = io.BytesIO()
        signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name=f"Sig{i}"), signer=bare, output=out)
        return out.getvalue()

    return Figure(
        "seal one issued PDF",
        "#4",
        1.3,
        candidate=lambda i: sealer.seal(page, reason="不动产登记证明", payload="RD1." + "B" * 320),
        baseline=bare_sign,
        repeat=repeat,
        note="PAdES B-B with the centre's demo ECDSA P-256 key on a rendered 不动产登记证明 page (seal drawn in the page)",
    )


def figures(ctx) -> list[Figure]:  # type: ignore[no-untyped-def]
    repeat = max(5, ctx.repeat // 4) if not ctx.quick else 3
    return [
        prefill_figure(ctx.db, ctx.actor, ctx.repeat),
        seal_figure(ctx.settings.keys_dir, repeat),
    ]
