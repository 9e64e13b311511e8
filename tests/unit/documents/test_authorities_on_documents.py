"""Every document is sealed by the authority it names, and `verify` checks it (REFERENCE §4a, §9).

Worked examples, one per rule, each with its source:
* a 不动产权证书 is issued and sealed by the agency of the county where the unit lies (《不动产登记暂行条例》
  第七条: 不动产登记由不动产所在地的县级人民政府不动产登记机构办理; a city may unify its districts only);
* an 电子完税凭证 is issued by the tax authority that collects (《中华人民共和国税收征收管理法》第三十四条:
  税务机关征收税款时，必须给纳税人开具完税凭证), so it carries the tax bureau's seal, not the registry's;
* a 登记费电子票据 carries the 执收单位's seal beside the fiscal bureau's 财政票据监制章 (《财政票据管理办法》
  第九条, as resources/policy/authorities.json cites it: 财政票据由省级财政部门监制).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from registry_desk.documents import pki
from registry_desk.documents.certificate_pdf import RightCertificateView, render_right_certificate
from registry_desk.documents.payment_receipts_pdf import (
    FeeBillView,
    ReceiptLine,
    TaxCertificateView,
    render_fee_bill,
    render_tax_certificate,
)
from registry_desk.documents.issuers import NamedAuthority, named_authorities
from registry_desk.documents.seal import PadesSealer
from registry_desk.documents.seal_image import seal_image_png
from registry_desk.documents.verification import (
    beijing_time_text,
    check_document,
    make_payload,
    readable_fields,
)
from registry_desk.kernel.authorities import policy_authorities
from registry_desk.resources_path import seed

CITY = "中卫市自然资源局"
ZHONGNING = "中宁县自然资源局"
TAX = "国家税务总局中卫市税务局"
FISCAL = "宁夏回族自治区财政厅"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> pki.DemoPki:
    organisations = json.loads(seed("organisations.json").read_text("utf-8"))
    return pki.create_demo_pki(
        tmp_path_factory.mktemp("keys"), organisations, authorities=policy_authorities()
    )


@pytest.fixture(scope="module")
def trust(demo) -> pki.TrustStore:
    return pki.TrustStore.load(demo.keys_dir)


def test_every_authority_in_the_policy_has_its_own_seal_and_publishes_it(demo, trust):
    authorities = policy_authorities()
    wanted = {a.seal_key: a.name for a in authorities.agencies}
    wanted |= {t.key: t.name for t in authorities.tax_bureaus}
    wanted[authorities.fiscal_bureau.key] = FISCAL
    for key, name in wanted.items():
        identity = demo.identity(key)
        assert identity.name == name and identity.issuing, key
        assert pki.subject_organisation(identity.certificate) == name
    assert demo.centre.name == CITY and demo.centre.uscc == authorities.agency("zhongwei").uscc
    published = {pki.subject_organisation(c) for c in trust.known_signers}
    assert published == set(wanted.values())  # the banks' seals are trusted but issue nothing
    assert not demo.identity("bank-hh").issuing


def test_a_keys_directory_made_when_the_centre_sealed_in_its_own_name_gets_the_agency_seal(tmp_path):
    old = json.loads(seed("organisations.json").read_text("utf-8"))
    old["registration_centre"] = {
        "key": "centre",
        "name": "中卫市不动产登记中心",
        "uscc": "12640500MB1A2C3D4H",
    }
    first = pki.create_demo_pki(tmp_path, old)
    old_key = (tmp_path / "seals" / "centre.key.pem").read_bytes()
    assert first.centre.name == "中卫市不动产登记中心"

    again = pki.create_demo_pki(tmp_path, old, authorities=policy_authorities())
    assert again.centre.name == CITY and "centre" in again.created
    assert (tmp_path / "seals" / "centre.key.pem").read_bytes() == old_key  # never overwritten
    assert (tmp_path / "seals" / "centre-2.key.pem").exists()
    assert pki.create_demo_pki(tmp_path, old, authorities=policy_authorities()).created == []


def _certificate(unit: str, issuer: str, payload: str, seal_png: bytes) -> bytes:
    view = RightCertificateView(
        number="宁(2026)中宁县不动产权第0000001号",
        right_holders="张三",
        co_ownership="单独所有",
        location="中宁县宁安镇示范路1号",
        unit_number=unit,
        right_type="国有建设用地使用权/房屋所有权",
        right_nature="出让/商品房",
        use="城镇住宅用地/住宅",
        area="共用宗地面积1000.00㎡/房屋建筑面积100.00㎡",
        term="2010年01月01日起2080年01月01日止",
        other_status="",
        notes="",
        issued_on=dt.date(2026, 3, 5),
        qr_payload=payload,
        issuer=issuer,
    )
    return render_right_certificate(view, seal_png=seal_png)


COUNTY_UNIT = "640521001001GB00001F00010001"  # 中宁县


CERTIFICATE_FIELDS = {  # a certificate's payload names no issuer: its unit number says who issues
    "kind": "right_certificate",
    "number": "宁(2026)中宁县不动产权第0000001号",
    "unit_number": COUNTY_UNIT,
    "holders": ["张三"],
    "issued_on": "2026-03-05",
}


def test_a_county_certificate_verifies_only_under_the_county_agency_seal(demo, trust):
    """条例第七条: a unit in 中宁县 is registered by 中宁县自然资源局, whose name and seal the certificate bears."""
    county = demo.identity("agency-zhongning")
    payload = make_payload(CERTIFICATE_FIELDS, county)
    pdf = _certificate(COUNTY_UNIT, ZHONGNING, payload, seal_image_png(ZHONGNING, "不动产登记专用章"))
    genuine = PadesSealer.for_identity(county).seal(pdf, reason="不动产权证书", payload=payload)
    report = check_document(genuine, trust)
    assert report.ok, report.problems

    # The same certificate issued in the city agency's name and seal: validly signed, wrong authority.
    city = demo.centre
    payload = make_payload(CERTIFICATE_FIELDS, city)
    pdf = _certificate(COUNTY_UNIT, CITY, payload, seal_image_png(CITY, "不动产登记专用章"))
    wrong = PadesSealer.for_identity(city).seal(pdf, reason="不动产权证书", payload=payload)
    assert check_document(wrong, trust).problems == (
        f"不动产权证书载明的登记机构为{ZHONGNING}（{county.uscc}），却由{CITY}（{city.uscc}）盖章："
        f"盖章机构与文件所载机关不一致，本件不是{ZHONGNING}签发的不动产权证书",
        f"不动产权证书另有{CITY}（{city.uscc}）的签章，该机构不是文件载明的登记机构{ZHONGNING}",
        f"验真码由{CITY}（{city.uscc}）签发，不动产权证书载明的登记机构却是{ZHONGNING}（{county.uscc}）",
        f"不动产权证书的页面上没有印出登记机构“{ZHONGNING}”",
    )

    # A payload that names an issuer other than the unit's agency is refused for that alone.
    named = make_payload({**CERTIFICATE_FIELDS, "issuer": city.uscc}, city)
    pdf = _certificate(COUNTY_UNIT, CITY, named, seal_image_png(CITY, "不动产登记专用章"))
    sealed = PadesSealer.for_identity(city).seal(pdf, reason="不动产权证书", payload=named)
    assert check_document(sealed, trust).problems[0] == (
        f"不动产单元 {COUNTY_UNIT} 由{ZHONGNING}登记发证（《不动产登记暂行条例》第七条），"
        f"本不动产权证书却载明由{CITY}签发"
    )


LINES = (ReceiptLine("10119", "契税", "1", "1000000.00", "1%", "10000.00"),)


def _tax_certificate(payload: str, seal_png: bytes | None) -> bytes:
    view = TaxCertificateView(
        "326405260300000001",
        "2026年3月12日",
        "张三",
        "640502199001010011",
        TAX,
        LINES,
        "10000.00",
        "202603120001",
        "JF20260312000001",
    )
    return render_tax_certificate(view, qr_payload=payload, seal_png=seal_png)


def _tax_fields(issuer_uscc: str) -> dict:
    return {
        "kind": "电子完税凭证",
        "number": "326405260300000001",
        "amount": "10000.00",
        "issued_on": "2026-03-12",
        "case_number": "202603120001",
        "issuer": issuer_uscc,
    }


def test_a_tax_certificate_resealed_by_the_registration_agency_fails_naming_both(demo, trust):
    """税收征收管理法第三十四条: the 完税凭证 is the tax authority's. A forger with the registry's key re-renders
    the certificate naming 国家税务总局中卫市税务局 as 征收单位 and seals it, payload and all, with the
    registration agency's key: every signature is valid and trusted, and still it is not the bureau's."""
    bureau = demo.identity("tax-zhongwei")
    payload = make_payload(_tax_fields(bureau.uscc), bureau)
    pdf = _tax_certificate(payload, seal_image_png(TAX, "征税专用章"))
    genuine = PadesSealer.for_identity(bureau).seal(pdf, reason="电子完税凭证", payload=payload)
    assert check_document(genuine, trust).ok

    agency = demo.centre
    forged_payload = make_payload(_tax_fields(bureau.uscc), agency)
    pdf = _tax_certificate(forged_payload, seal_image_png(CITY, "票据专用章"))
    forged = PadesSealer.for_identity(agency).seal(pdf, reason="电子完税凭证", payload=forged_payload)
    report = check_document(forged, trust)
    assert report.seals.ok  # the signature itself is intact and by a trusted seal
    assert report.problems[0] == (
        f"电子完税凭证载明的征收单位为{TAX}（{bureau.uscc}），却由{CITY}（{agency.uscc}）盖章："
        f"盖章机构与文件所载机关不一致，本件不是{TAX}签发的电子完税凭证"
    )
    assert f"电子完税凭证另有{CITY}（{agency.uscc}）的签章" in report.problems[1]

    # Naming the agency as issuer instead does not help: a 完税凭证 is a tax authority's document.
    renamed = make_payload(_tax_fields(agency.uscc), agency)
    pdf = PadesSealer.for_identity(agency).seal(
        _tax_certificate(renamed, None), reason="电子完税凭证", payload=renamed
    )
    assert check_document(pdf, trust).problems == (
        f"电子完税凭证须由税务机关签发，验真码载明的签发机关却是{CITY}（{agency.uscc}）",
    )


def _fee_bill(payload: str, agency_png: bytes | None, fiscal_png: bytes | None) -> bytes:
    view = FeeBillView(
        "64010126",
        "0000000001",
        "a1b2c3",
        "2026年3月12日",
        "张三",
        "640502199001010011",
        (ReceiptLine("103040100101", "不动产登记费", "1", "80.00", "", "80.00"),),
        "80.00",
        CITY,
        CITY,
        "202603120001",
        "JF20260312000002",
        "64050026000000000001",
        supervisor=FISCAL,
    )
    return render_fee_bill(view, qr_payload=payload, seal_png=agency_png, supervisor_seal_png=fiscal_png)


def test_a_fee_bill_carries_the_collecting_agency_seal_and_the_fiscal_supervision_seal(demo, trust):
    """财政票据管理办法第九条: the 财政票据监制章 of the province's fiscal department beside the 执收单位's seal."""
    agency, fiscal = demo.centre, demo.identity("fiscal-nx")
    fields = {
        "kind": "登记费电子票据",
        "number": "0000000001",
        "amount": "80.00",
        "issued_on": "2026-03-12",
        "case_number": "202603120001",
        "bill_code": "64010126",
        "check_code": "a1b2c3",
        "issuer": agency.uscc,
    }
    payload = make_payload(fields, agency)
    drawn = _fee_bill(payload, seal_image_png(CITY, "票据专用章"), seal_image_png(FISCAL, "财政票据监制章"))
    by_agency = PadesSealer.for_identity(agency, co_sealed=True).seal(drawn, reason="登记费", payload=payload)
    both = PadesSealer.for_identity(fiscal).seal(by_agency, reason="财政票据监制")
    report = check_document(both, trust)
    assert report.ok, report.problems
    assert [s.signer_org for s in report.seals.signatures] == [CITY, FISCAL]

    # Without the 监制 seal the bill is not a 财政票据.
    missing = check_document(by_agency, trust).problems
    assert missing == (
        f"登记费电子票据载明的监制为{FISCAL}（{fiscal.uscc}），却由{CITY}（{agency.uscc}）盖章："
        f"盖章机构与文件所载机关不一致，本件不是{FISCAL}签发的登记费电子票据",
    )
    # A bank's seal added after the issuing authorities breaks the issued document.
    bank = PadesSealer.for_identity(demo.identity("bank-hh")).seal(both, reason="附加")
    assert not check_document(bank, trust).ok


def test_the_payload_reads_in_chinese_with_beijing_time():
    """What `verify` prints: labels a citizen reads, names instead of codes, Beijing time (UTC+8)."""
    city = policy_authorities().agency("zhongwei")
    rows = readable_fields(
        {
            "kind": "right_certificate",
            "accepted_on": "2026-12-04",
            "issuer": city.uscc,
            "holders": ["张三", "李四"],
        }
    )
    assert rows == [
        ("证书种类", "不动产权证书"),
        ("签发机关", f"中卫市自然资源局（统一社会信用代码 {city.uscc}）"),
        ("权利人", "张三、李四"),
        ("受理日期", "2026年12月04日"),
    ]
    assert readable_fields({"kind": "受理凭证"}) == [("文件种类", "受理凭证")]
    # A receipt reads with its own labels, what it is first.
    tax = policy_authorities().tax_bureau("tax-zhongwei")
    assert readable_fields(
        {"issued_on": "2026-03-12", "number": "3264", "kind": "电子完税凭证", "issuer": tax.uscc}
    ) == [
        ("文件种类", "电子完税凭证"),
        ("税票号码", "3264"),
        ("征收单位", f"国家税务总局中卫市税务局（统一社会信用代码 {tax.uscc}）"),
        ("填发日期", "2026年03月12日"),
    ]
    signed = dt.datetime(2026, 12, 4, 2, 21, 5, tzinfo=dt.UTC)
    assert beijing_time_text(signed) == "2026年12月04日 10:21:05 北京时间"
    # Just after midnight UTC+8 is still the previous day in UTC: the date a citizen sees is Beijing's.
    assert (
        beijing_time_text(dt.datetime(2026, 12, 3, 16, 30, tzinfo=dt.UTC))
        == "2026年12月04日 00:30:00 北京时间"
    )


def test_an_acceptance_receipt_names_the_agency_that_accepted():
    """《不动产登记暂行条例》第十七条: the registration agency that accepts issues the 受理凭证; under 跨县通办 that
    may be another county's agency than the unit's (README), so the receipt's payload names it, and only a
    registration agency may: a tax bureau cannot accept a registration."""
    authorities = policy_authorities()
    haiyuan, zhongning = authorities.agency("haiyuan"), authorities.agency("zhongning")
    receipt = {"kind": "受理凭证", "case_number": "202603050001", "unit_number": COUNTY_UNIT}
    named, problems = named_authorities({**receipt, "issuer": haiyuan.uscc}, authorities)
    assert named == (NamedAuthority("受理机构", haiyuan.name, haiyuan.uscc),) and problems == ()
    named, problems = named_authorities(receipt, authorities)  # an older receipt: the unit's agency
    assert named == (NamedAuthority("受理机构", zhongning.name, zhongning.uscc),) and problems == ()
    bureau = authorities.tax_bureau("tax-zhongwei")
    named, problems = named_authorities({**receipt, "issuer": bureau.uscc}, authorities)
    assert named == () and problems == (
        f"受理凭证须由不动产登记机构签发，验真码载明的签发机关却是{TAX}（{bureau.uscc}）",
    )
