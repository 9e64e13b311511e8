"""The local e-certificate store: what goes in comes out unchanged, look-ups, 注销, and no half-written files."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest

from registry_desk.domain.codes import CertificateStatus
from registry_desk.domain.errors import ConflictError, NotFound, ValidationError
from registry_desk.exemptions.ecert.local_store import INDEX_FILE, LocalEcertStore
from registry_desk.exemptions.ecert.records import EcertHolder, EcertRecord, ecert_id_for_certificate

OWNER = EcertHolder("王建国", "111", "640502197503120113")
SPOUSE = EcertHolder("李秀兰", "111", "640502197805210229")
BANK = EcertHolder("黄河示范银行股份有限公司中卫分行", "001", "91640500MA7HH00105")
UNIT_A = "640502001001GB00001F00010201"
UNIT_B = "640502001001GB00001F00010301"


def record(
    seq: int, *, kind_word="不动产权", holder=OWNER, co=(SPOUSE,), unit=UNIT_A, year=2021
) -> EcertRecord:
    number = f"宁({year})中卫市{kind_word}第{seq:07d}号"
    return EcertRecord(
        ecert_id=ecert_id_for_certificate(number),
        number=number,
        holder=holder,
        co_holders=co,
        unit_number=unit,
        issued_on=dt.date(year, 6, 1) + dt.timedelta(days=seq % 100),
    )


def pdf(text: str) -> bytes:
    return f"%PDF-1.7\n% {text}\n%%EOF\n".encode()


@pytest.fixture
def store(tmp_path) -> LocalEcertStore:
    return LocalEcertStore(tmp_path / "ecerts")


def test_an_issued_ecert_comes_back_with_the_digest_of_its_pdf(store):
    stored = store.issue(record(201), pdf("couple"))
    assert stored.sha256 == hashlib.sha256(pdf("couple")).hexdigest()
    assert store.get(stored.ecert_id) == stored
    assert store.pdf(stored.ecert_id) == pdf("couple")
    # Nothing but the PDF, the record and the index: no temporary file is left behind.
    names = sorted(p.relative_to(store.folder).as_posix() for p in store.folder.rglob("*") if p.is_file())
    assert names == [INDEX_FILE, f"pdf/{stored.ecert_id}.pdf", f"records/{stored.ecert_id}.json"]


def test_an_ecert_is_never_issued_twice_or_overwritten(store):
    first = store.issue(record(201), pdf("original"))
    with pytest.raises(ConflictError, match="已存在，不能重复签发"):
        store.issue(record(201), pdf("forgery"))
    assert store.pdf(first.ecert_id) == pdf("original")


def test_only_pdf_files_are_accepted(store):
    with pytest.raises(ValidationError, match="不是 PDF"):
        store.issue(record(201), b"<html>not a certificate</html>")
    assert store.find() == []


def test_find_by_holder_co_holder_unit_number_and_status(store):
    couple = store.issue(record(201), pdf("a"))
    proof = store.issue(record(202, kind_word="不动产证明", holder=BANK, co=()), pdf("b"))
    other = store.issue(
        record(203, holder=EcertHolder("陈静", "111", "640502198807070665"), co=(), unit=UNIT_B), pdf("c")
    )
    ids = lambda records: {r.ecert_id for r in records}
    assert ids(store.find(holder_id_number=OWNER.id_number)) == {couple.ecert_id}
    assert ids(store.find(holder_id_number=SPOUSE.id_number)) == {couple.ecert_id}  # co-owner
    assert ids(store.find(holder_id_number=BANK.id_number)) == {proof.ecert_id}
    assert ids(store.find(unit_number=UNIT_A)) == {couple.ecert_id, proof.ecert_id}
    assert ids(store.find(unit_number=UNIT_A, holder_id_number=BANK.id_number)) == {proof.ecert_id}
    assert ids(store.find(number="宁（2021）中卫市不动产权第0000203号")) == {other.ecert_id}  # full-width
    assert store.find(unit_number=UNIT_B, holder_id_number=OWNER.id_number) == []
    assert len(store.find()) == 3

    store.cancel(couple.ecert_id, "转移登记", dt.date(2026, 3, 3))
    assert ids(store.find(status=CertificateStatus.CURRENT)) == {proof.ecert_id, other.ecert_id}
    assert ids(store.find(status=CertificateStatus.CANCELLED)) == {couple.ecert_id}


def test_newest_first(store):
    for seq in (5, 50, 20):
        store.issue(record(seq), pdf(str(seq)))
    assert [r.number[-8:-1] for r in store.find(holder_id_number=OWNER.id_number)] == [
        "0000050",
        "0000020",
        "0000005",
    ]


def test_cancel_keeps_the_pdf_needs_a_reason_and_is_idempotent(store):
    rec = store.issue(record(201), pdf("a"))
    with pytest.raises(ValidationError, match="须写明原因"):
        store.cancel(rec.ecert_id, "  ", dt.date(2026, 3, 3))
    gone = store.cancel(rec.ecert_id, "业务 202603020001 登簿后原证书注销", dt.date(2026, 3, 3))
    again = store.cancel(rec.ecert_id, "另一个原因", dt.date(2026, 4, 1))
    assert again == gone and store.get(rec.ecert_id).cancel_reason == "业务 202603020001 登簿后原证书注销"
    assert store.get(rec.ecert_id).status is CertificateStatus.CANCELLED
    assert store.pdf(rec.ecert_id) == pdf("a")  # a cancelled e-certificate stays on file


def test_unknown_and_malformed_ids(store):
    unknown = ecert_id_for_certificate("宁(2021)中卫市不动产权第0009999号")
    with pytest.raises(NotFound, match="电子证照库中没有电子证照"):
        store.get(unknown)
    with pytest.raises(NotFound):
        store.pdf(unknown)
    with pytest.raises(ValidationError, match="电子证照标识.*(校验位|段|格式)"):
        store.get("1.2.156.3005.2.11100000MB03271699001.640500.20210000201.001.Z/../../x")


def test_the_index_catches_up_after_a_crash_and_can_be_rebuilt(store, tmp_path):
    kept = store.issue(record(201), pdf("a"))
    # A crash after the record was written but before the index was: the record is on disk only.
    late = record(204, unit=UNIT_B)
    (store.folder / "pdf" / f"{late.ecert_id}.pdf").write_bytes(pdf("late"))
    (store.folder / "records" / f"{late.ecert_id}.json").write_text(
        json.dumps(late.to_json(), ensure_ascii=False), "utf-8"
    )
    assert store.find(unit_number=UNIT_B) == []  # this instance's index does not know it yet
    reopened = LocalEcertStore(store.folder)
    assert [r.ecert_id for r in reopened.find(unit_number=UNIT_B)] == [late.ecert_id]

    (store.folder / INDEX_FILE).unlink()
    rebuilt = LocalEcertStore(store.folder)
    assert {r.ecert_id for r in rebuilt.find()} == {kept.ecert_id, late.ecert_id}


def test_a_stale_index_never_gives_a_wrong_answer(store):
    rec = store.issue(record(201), pdf("a"))
    # Someone edits a record by hand (or a cancel crashed before anything else): the record wins.
    data = json.loads((store.folder / "records" / f"{rec.ecert_id}.json").read_text("utf-8"))
    data["status"] = "cancelled"
    (store.folder / "records" / f"{rec.ecert_id}.json").write_text(json.dumps(data), "utf-8")
    assert store.find(status=CertificateStatus.CURRENT) == []
    assert [r.ecert_id for r in store.find(status=CertificateStatus.CANCELLED)] == [rec.ecert_id]


def test_dozens_of_ecerts_are_found_by_the_index(store):
    for seq in range(1, 61):
        unit = f"640502001001GB00001F0001{seq:04d}"
        holder = EcertHolder(f"业主{seq}", "111", f"64050219800101{seq:04d}")
        store.issue(record(seq, holder=holder, co=(), unit=unit), pdf(str(seq)))
    hits = store.find(unit_number="640502001001GB00001F00010042")
    assert [r.holder_name for r in hits] == ["业主42"]
    assert [r.unit_number for r in store.find(holder_id_number="640502198001010060")] == [
        "640502001001GB00001F00010060"
    ]
    assert LocalEcertStore(store.folder).count() == 60
