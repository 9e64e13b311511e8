"""Code lists of the register (REFERENCE §3): numeric codes with the Chinese labels users see."""

from __future__ import annotations

from enum import Enum, StrEnum


class LabelledIntEnum(int, Enum):
    """An integer code with its Chinese label: `RegistrationType.TRANSFER.label == "转移登记"`."""

    label: str

    def __new__(cls, code: int, label: str = "") -> LabelledIntEnum:
        # (`label` has a default only so that a look-up by value, `Kind(3)`, type-checks; members give it.)
        obj = int.__new__(cls, code)
        obj._value_ = code
        obj.label = label
        return obj

    @classmethod
    def from_code(cls, code: int | str) -> LabelledIntEnum:
        try:
            return cls(int(code))
        except (ValueError, KeyError) as exc:
            raise ValueError(f"未知的代码 {code}（{cls.__name__}）") from exc


class LabelledStrEnum(StrEnum):
    """A text code stored in the database with its Chinese label."""

    label: str

    def __new__(cls, code: str, label: str = "") -> LabelledStrEnum:
        obj = str.__new__(cls, code)
        obj._value_ = code
        obj.label = label
        return obj


class RegistrationType(LabelledIntEnum):
    """登记类型."""

    FIRST = (100, "首次登记")
    TRANSFER = (200, "转移登记")
    CHANGE = (300, "变更登记")
    CANCELLATION = (400, "注销登记")
    CORRECTION = (500, "更正登记")
    OBJECTION = (600, "异议登记")
    ADVANCE_NOTICE = (700, "预告登记")
    SEIZURE = (800, "查封登记")
    OTHER = (900, "其他登记")


class RightType(LabelledIntEnum):
    """权利类型."""

    OWNERSHIP = (4, "国有建设用地使用权/房屋所有权")
    EASEMENT = (19, "地役权")
    MORTGAGE = (37, "抵押权")
    ADVANCE_NOTICE = (96, "预告登记")
    OBJECTION = (97, "异议登记")
    SEIZURE = (98, "查封登记")

    @property
    def certificate_kind(self) -> CertificateKind:
        """Ownership gets a 不动产权证书; every other right a 不动产登记证明."""
        if self is RightType.OWNERSHIP:
            return CertificateKind.RIGHT_CERTIFICATE
        return CertificateKind.REGISTRATION_PROOF


class AdvanceNoticeKind(LabelledIntEnum):
    """预告登记种类."""

    PRESALE_PURCHASE = (1, "预售商品房买卖预告登记")
    OTHER_PURCHASE = (2, "其它不动产买卖预告登记")
    PRESALE_MORTGAGE = (3, "预售商品房抵押权预告登记")
    OTHER_MORTGAGE = (4, "其它不动产抵押权预告登记")

    @property
    def is_mortgage(self) -> bool:
        return self in (AdvanceNoticeKind.PRESALE_MORTGAGE, AdvanceNoticeKind.OTHER_MORTGAGE)


class CoOwnership(LabelledStrEnum):
    """共有方式."""

    SOLE = ("sole", "单独所有")
    JOINT = ("joint", "共同共有")
    BY_SHARES = ("shares", "按份共有")


class MortgageMode(LabelledStrEnum):
    """抵押方式."""

    GENERAL = ("general", "一般抵押")
    MAXIMUM = ("maximum", "最高额抵押")


class MortgageCancelReason(LabelledStrEnum):
    """抵押权注销原因."""

    DEBT_EXTINGUISHED = ("debt_extinguished", "主债权消灭")
    REALISED = ("realised", "抵押权已实现")
    WAIVED = ("waived", "抵押权人放弃抵押权")
    OTHER = ("other", "其他")


class RightStatus(LabelledStrEnum):
    CURRENT = ("current", "现势")
    HISTORICAL = ("historical", "历史")


class CertificateKind(LabelledStrEnum):
    RIGHT_CERTIFICATE = ("right_certificate", "不动产权证书")
    REGISTRATION_PROOF = ("registration_proof", "不动产登记证明")

    @property
    def number_word(self) -> str:
        """The word inside the certificate number: 不动产权 / 不动产证明."""
        return "不动产权" if self is CertificateKind.RIGHT_CERTIFICATE else "不动产证明"


class CertificateStatus(LabelledStrEnum):
    CURRENT = ("current", "现势")
    CANCELLED = ("cancelled", "注销")


class PartyKind(LabelledStrEnum):
    NATURAL = ("natural", "自然人")
    LEGAL = ("legal", "法人或其他组织")


class IdType(LabelledStrEnum):
    """证件种类, with the codes used in e-certificate holder data (REFERENCE §5)."""

    RESIDENT_ID = ("111", "居民身份证")
    USCC = ("001", "统一社会信用代码")
    PASSPORT = ("414", "护照")
    HK_MACAO_PERMIT = ("516", "港澳居民来往内地通行证")
    TAIWAN_PERMIT = ("511", "台湾居民来往大陆通行证")


class PartyRole(LabelledStrEnum):
    """Role of a party in a right or a case."""

    RIGHT_HOLDER = ("holder", "权利人")
    OBLIGOR = ("obligor", "义务人")
    DEBTOR = ("debtor", "债务人")
    AGENT = ("agent", "代理人")


class CaseStatus(LabelledStrEnum):
    """States of a case (业务件)."""

    ACCEPTED = ("accepted", "已受理")
    AWAITING_PAYMENT = ("awaiting_payment", "待缴费")
    IN_REVIEW = ("in_review", "审核中")
    RECORDED = ("recorded", "已登簿")
    CERTIFICATE_READY = ("certificate_ready", "已缮证")
    ISSUED = ("issued", "已发证")
    NOT_ACCEPTED = ("not_accepted", "不予受理")
    WITHDRAWN = ("withdrawn", "已撤回")
    REFUSED = ("refused", "已驳回")

    @property
    def is_open(self) -> bool:
        return self not in (
            CaseStatus.ISSUED,
            CaseStatus.NOT_ACCEPTED,
            CaseStatus.WITHDRAWN,
            CaseStatus.REFUSED,
        )


class Role(LabelledStrEnum):
    """Accounts' roles; the service layer checks them on every operation."""

    CLERK = ("clerk", "受理人员")
    REGISTRAR = ("registrar", "登簿人员")
    CASHIER = ("cashier", "收费人员")
    ADMIN = ("admin", "系统管理员")
    KIOSK = ("kiosk", "自助终端")


class SeizureKind(LabelledStrEnum):
    SEIZURE = ("seizure", "查封")
    WAITING = ("waiting", "轮候查封")
