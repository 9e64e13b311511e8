"""`registry-desk check`: the invariants a live register must keep, each checked with set-based SQL.

The books (every journal entry balanced; 国库 and 财政专户 equal the settled tax and fee lines; every paid order
settled exactly once; per paid order, entry total = order amount = the channel's payment = its lines = its
receipts, each tax ticket's lines = its 电子完税凭证, each line credited in full to the account its kind
belongs to; every receipt has its PDF), the certificate numbers (unique per kind and year, no unexplained gap), the register
(every current right made by a recorded case or loaded as 存量数据, every current certificate on a current
right, one current ownership per unit, shares summing to 1) and the audit chain.

Decisions an auditor should know:
- Certificate numbers are allocated inside the recording transaction (kernel/numbers.py), so a rolled-back
  case leaves no gap. A missing number between the first number this system issued and the counter therefore
  means a deleted row, and is reported. Numbers loaded from an older register (certificates without a case:
  the demo register, migrated data) are a fragment of someone else's numbering and are not gap-checked; the
  counter must still be past them.
- A current right without a creating case is 存量数据 (loaded or migrated before this system took cases: the
  demo register, synthetic registers, migrations) when it was registered before the first case this system
  accepted. One registered after that, without a case, has no explanation and is reported. A right that names
  a case must name one that reached 登簿.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from registry_desk.domain.codes import CaseStatus, CertificateKind
from registry_desk.domain.ledger import LINE_ACCOUNTS, LedgerAccount
from registry_desk.domain.money import Money
from registry_desk.domain.payment_orders import REFUNDED, SETTLED, VOIDED
from registry_desk.payments.receipts import KIND_LABELS as RECEIPT_KINDS
from registry_desk.payments.receipts import PDF_GRACE
from registry_desk.payments.review import RETURNED
from registry_desk.payments.settlement import SETTLED_NOW
from registry_desk.kernel.audit import verify_chain
from registry_desk.kernel.context import utc_now
from registry_desk.operations.audit_coverage import RULE_COVERED, check_audit_coverage
from registry_desk.kernel.numbers import certificate_counter
from registry_desk.config import redact_url
from registry_desk.storage.database import Database, first_line
from registry_desk.storage.hall import integrity
from registry_desk.storage.hall import invariants as find
from registry_desk.storage.session import DBAPIError, Session

# How many offending records one problem lists by name before saying "and N more".
SAMPLE = 10

RECORDED_STATUSES = (CaseStatus.RECORDED, CaseStatus.CERTIFICATE_READY, CaseStatus.ISSUED)

RULE_ENTRY_BALANCED = "复式记账：每笔分录借贷相等"
RULE_BOOKS_BALANCED = "复式记账：全部账簿借贷相等"
RULE_ACCOUNTS_MATCH_LINES = "国库、财政专户入库额等于已入库的税费明细"
RULE_SETTLED_ONCE = "已缴款单恰好入账一次"
RULE_REFUNDED_ONCE = "已退款缴款单恰好冲销一次"
RULE_CERT_UNIQUE = "证号按种类和年度唯一"
RULE_CERT_GAPLESS = "证号连续不跳号（在登簿事务中分配）"
RULE_RIGHT_HAS_CASE = "现势权利须有设立它的业务件"
RULE_CERT_ON_CURRENT_RIGHT = "现势证书须对应现势权利"
RULE_ONE_OWNERSHIP = "一个不动产单元只有一项现势所有权"
RULE_SHARES = "按份共有的权利比例之和为1"
RULE_ORDER_FIGURES_AGREE = "每张已缴款单：分录合计＝应收金额＝渠道实收＝明细合计＝票据金额"
RULE_TAX_CERTIFICATES = "税款明细等于电子完税凭证（每个税票号一张，金额相同）"
RULE_LINE_ACCOUNT = "每条明细入其种类所属账户（税款入国库，登记费入财政专户），入账金额等于明细"
RULE_RECEIPT_PDF = "电子票据均已生成 PDF"
RULE_AUDIT = "审计链完整"
RULE_STORAGE = "数据库文件完好（SQLite integrity_check／PostgreSQL amcheck）"


@dataclass(frozen=True)
class Problem:
    rule: str
    record: str
    message: str

    def __str__(self) -> str:
        return f"【{self.rule}】{self.record}：{self.message}"


@dataclass
class CheckReport:
    problems: list[Problem] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # the rules that ran, in order
    as_of: datetime = field(default_factory=utc_now)  # the moment the check judges "a while ago" against
    notes: list[str] = field(default_factory=list)  # what could not be checked, and why

    @property
    def ok(self) -> bool:
        return not self.problems

    def rules_broken(self) -> set[str]:
        return {p.rule for p in self.problems}

    def add(self, rule: str, record: str, message: str) -> None:
        self.problems.append(Problem(rule, record, message))


def _names(values: list[str], total: int | None = None) -> str:
    shown = "、".join(values[:SAMPLE])
    rest = (total if total is not None else len(values)) - min(len(values), SAMPLE)
    return shown + (f" 等（另有 {rest} 项）" if rest > 0 else "")


def _fen(value: Any) -> str:
    fen = value.fen if isinstance(value, Money) else int(value or 0)
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


# ---------------------------------------------------------------------------------------------------------
# The books


def _check_entries_balanced(s: Session, report: CheckReport) -> None:
    # The sums are raw integers (fen), not Money objects, so a million postings cost no Python objects.
    for entry_id, memo, total, debits, credits in find.unbalanced_entries(s):
        if debits is None:
            message = f"分录没有任何记账行（合计 {_fen(total)} 元）"
        elif debits != credits:
            message = (
                f"借方合计 {_fen(debits)} 元，贷方合计 {_fen(credits)} 元，相差 {_fen(debits - credits)} 元"
            )
        else:
            message = f"分录合计记为 {_fen(total)} 元，而记账行借方合计 {_fen(debits)} 元"
        report.add(RULE_ENTRY_BALANCED, f"分录 {entry_id}（{memo}）", message)
    debits, credits = find.book_totals(s)
    if int(debits or 0) != int(credits or 0):
        report.add(
            RULE_BOOKS_BALANCED,
            "全部账簿",
            f"借方总额 {_fen(debits)} 元，贷方总额 {_fen(credits)} 元，相差 {_fen((debits or 0) - (credits or 0))} 元",
        )


_ACCOUNT_LABELS = {"treasury": "国库", "fiscal": "财政专户"}


def _check_accounts_match_lines(s: Session, report: CheckReport) -> None:
    booked = find.net_credits_of_accounts(s, list(_ACCOUNT_LABELS))
    credited = find.credited_lines_per_account(s)
    for account, label in _ACCOUNT_LABELS.items():
        in_books, in_lines = int(booked.get(account) or 0), int(credited.get(account) or 0)
        if in_books != in_lines:
            kind = "税款" if account == "treasury" else "登记费"
            report.add(
                RULE_ACCOUNTS_MATCH_LINES,
                label,
                f"{label}账户净入库 {_fen(in_books)} 元，已入库{kind}明细合计 {_fen(in_lines)} 元，"
                f"相差 {_fen(in_books - in_lines)} 元",
            )


def _check_settled_once(s: Session, report: CheckReport) -> None:
    rows = find.orders_booked_wrongly(
        s, paid=(SETTLED, REFUNDED), refunded=REFUNDED, voided=VOIDED, returned=RETURNED
    )
    for order_no, status, n_s, n_t, n_r, n_rr, n_ret in rows:
        record = f"缴款单 {order_no}"
        is_paid = status in (SETTLED, REFUNDED)
        if is_paid and n_s != 1:
            report.add(
                RULE_SETTLED_ONCE, record, f"已缴款（状态 {status}），但有 {n_s} 笔入账分录，应恰好 1 笔"
            )
        if is_paid and n_t != 1:
            report.add(
                RULE_SETTLED_ONCE,
                record,
                f"已缴款（状态 {status}），但有 {n_t} 笔入账的渠道支付流水，应恰好 1 笔",
            )
        if not is_paid and n_s:
            report.add(RULE_SETTLED_ONCE, record, f"状态为 {status}（未缴清），却有 {n_s} 笔入账分录")
        if not is_paid and n_t:
            report.add(
                RULE_SETTLED_ONCE,
                record,
                f"状态为 {status}（未缴清），却有 {n_t} 笔已入账的渠道支付流水（无支付不得入账）",
            )
        if status == REFUNDED and (n_r != 1 or n_rr != 1):
            report.add(
                RULE_REFUNDED_ONCE, record, f"已退款，但有 {n_r} 笔冲销分录、{n_rr} 条退款记录，应各 1 笔"
            )
        if status != REFUNDED and (n_r or n_rr != n_ret):
            report.add(
                RULE_REFUNDED_ONCE,
                record,
                f"状态为 {status}（未退款），却有 {n_r} 笔冲销分录、{n_rr} 条退款记录"
                f"（全额退回的金额不符支付 {n_ret} 笔）",
            )
        if n_ret and status != VOIDED:
            report.add(
                RULE_REFUNDED_ONCE, record, f"有 {n_ret} 笔已全额退回的支付，缴款单却未作废（状态 {status}）"
            )
        if n_ret > 1:
            report.add(RULE_REFUNDED_ONCE, record, f"有 {n_ret} 笔已全额退回的支付，一张缴款单至多 1 笔")
    for entry_id, kind in find.entries_without_order(s):
        report.add(RULE_SETTLED_ONCE, f"分录 {entry_id}", f"{kind} 分录没有对应的缴款单")


# The books against the world: every paid order's figures (its entry, the channel's payment, its lines, its
# receipts) tell one amount; each tax ticket has its 电子完税凭证; each line is credited, in full, to the
# account its kind belongs to by the rule settlement books with (domain/ledger.py LINE_ACCOUNTS). A
# tampering that keeps the entry balanced and the account totals equal to the lines (inflating an entry
# with its line, or moving money between 国库 and 财政专户 together with both lines) breaks one of these.

_PAID = (SETTLED, REFUNDED)


def _check_order_figures(s: Session, report: CheckReport) -> None:
    rows = find.orders_whose_amounts_disagree(s, paid=_PAID, refunded=REFUNDED, settled_outcome=SETTLED_NOW)
    for (
        order_no,
        status,
        amount,
        paid,
        entry,
        payment,
        lines,
        receipts,
        fee_lines,
        fee_receipts,
        *refund,
    ) in rows:
        figures = [("渠道实收（缴款单记录）", paid), ("入账分录合计", entry), ("渠道支付流水", payment)]
        figures += [("明细合计", lines), ("票据金额合计", receipts)]
        if status == REFUNDED:
            figures += [("冲销分录合计", refund[0]), ("退款记录合计", refund[1])]
        wrong = [
            f"{label} {_fen(value)} 元" if value is not None else f"{label}缺失"
            for label, value in figures
            if (value is None and label.startswith("渠道实收")) or (value is not None and value != amount)
        ]
        if fee_lines != fee_receipts:
            wrong.append(f"登记费明细 {_fen(fee_lines)} 元而登记费电子票据 {_fen(fee_receipts)} 元")
        report.add(
            RULE_ORDER_FIGURES_AGREE,
            f"缴款单 {order_no}",
            f"应收 {_fen(amount)} 元，但" + "，".join(wrong) + "（金额被改动或记录缺失）",
        )


def _check_tax_certificates(s: Session, report: CheckReport) -> None:
    label = RECEIPT_KINDS["tax"]
    for order_no, ticket, lines, certificate, n in find.tax_tickets_without_their_certificate(s, _PAID):
        record = f"缴款单 {order_no} 税票号 {ticket}"
        if lines is None:
            message = f"有{label} {n} 张（{_fen(certificate)} 元），该缴款单却没有此税票号的已缴税款明细"
        elif not n:
            message = f"税款明细 {_fen(lines)} 元已缴入国库，却没有对应的{label}"
        elif n != 1:
            message = f"税款明细 {_fen(lines)} 元对应 {n} 张{label}，应恰好 1 张"
        else:
            message = f"税款明细 {_fen(lines)} 元，{label}却为 {_fen(certificate)} 元"
        report.add(RULE_TAX_CERTIFICATES, record, message)


def _account_label(account: str | None) -> str:
    try:
        return LedgerAccount(account).label
    except ValueError:
        return f"未知账户“{account}”"


def _check_line_accounts(s: Session, report: CheckReport) -> None:
    accounts = {kind: account.value for kind, account in LINE_ACCOUNTS.items()}
    rows = find.lines_booked_elsewhere(s, _PAID, accounts, LedgerAccount.CLEARING.value)
    for order_no, ref, kind, line_account, expected, amount, posted, credit, debit in rows:
        record = f"缴款单 {order_no} 明细 {ref}"
        if kind is None:
            message = f"入账分录有一行不属于任何明细：{_account_label(posted)} 借 {_fen(debit)} 元、贷 {_fen(credit)} 元"
        elif expected is None:
            message = f"明细种类“{kind}”没有所属的入库账户"
        elif line_account != expected:
            message = f"{'税款' if kind == 'tax' else '登记费'}明细记在{_account_label(line_account)}，应入{_account_label(expected)}"
        elif posted is None:
            message = f"明细 {_fen(amount)} 元已缴，入账分录却没有它的记账行"
        elif posted != expected:
            message = f"明细应入{_account_label(expected)}，入账分录却记入{_account_label(posted)}"
        else:
            message = f"明细 {_fen(amount)} 元，入账分录贷记 {_fen(credit)} 元、借记 {_fen(debit)} 元"
        report.add(RULE_LINE_ACCOUNT, record, message)


def _check_receipt_documents(s: Session, report: CheckReport) -> None:
    """A receipt record is written in the settlement transaction and its PDF right after, in a transaction
    of its own; a receipt younger than PDF_GRACE without one is most likely being rendered this moment by
    the window that settled it, so it is noted, not reported. An older one was left behind (the process
    was killed between the two, or rendering failed): the next `payments poll` or window poll renders it."""
    late, young, names = find.receipts_without_pdf(s, report.as_of - PDF_GRACE, SAMPLE)
    if late:
        report.add(
            RULE_RECEIPT_PDF,
            "电子票据",
            f"{late} 张电子票据开具已超过 {int(PDF_GRACE.total_seconds() // 60)} 分钟仍没有 PDF："
            + _names([f"{RECEIPT_KINDS.get(k, k)} {n}（业务 {c}）" for k, n, c in names], late)
            + "（运行 registry-desk payments poll 或在窗口查询缴费即可补出）",
        )
    if young:
        report.notes.append(
            f"{young} 张电子票据开具不足 {int(PDF_GRACE.total_seconds() // 60)} 分钟，PDF 可能正在生成，未计为问题"
        )


# ---------------------------------------------------------------------------------------------------------
# Certificate numbers


def _check_certificate_numbers(s: Session, report: CheckReport) -> None:
    for kind, year, seq, n in find.shared_certificate_seqs(s):
        report.add(RULE_CERT_UNIQUE, f"{kind.label} {year} 年第 {seq:07d} 号", f"该证号被 {n} 本证书共用")
    for number, n in find.shared_certificate_numbers(s):
        report.add(RULE_CERT_UNIQUE, number, f"该证号被 {n} 本证书共用")

    # Per kind and year: the highest number, and the range this system issued (certificates with a case).
    groups = find.certificate_number_ranges(s)
    counters = find.certificate_counters(s)
    facts = {(kind, year): (int(highest), first_issued) for kind, year, highest, first_issued in groups}
    for name in counters:  # a counter whose every certificate is gone still promises numbers 1..value
        try:
            _, kind_value, year_text = name.split(":", 2)
            key = (CertificateKind(kind_value), int(year_text))
        except ValueError:
            report.add(RULE_CERT_GAPLESS, name, "无法识别的证号计数器名称")
            continue
        facts.setdefault(key, (0, None))
    for (kind, year), (highest, first_issued) in sorted(
        facts.items(), key=lambda kv: (kv[0][0].value, kv[0][1])
    ):
        counter_name = certificate_counter(kind, year)
        counter = counters.get(counter_name)
        label = f"{kind.label} {year} 年"
        if counter is None:
            if first_issued is not None:
                report.add(RULE_CERT_GAPLESS, label, f"本系统已发证号，却没有编号计数器 {counter_name}")
            continue  # numbers of an older register only, never allocated here
        if highest > counter:
            report.add(
                RULE_CERT_GAPLESS,
                label,
                f"编号计数器停在 {counter}，却已有第 {highest:07d} 号证书，下一个证号将重复",
            )
        # The run this system allocated starts just after the loaded number below the first one it issued
        # (after the highest loaded number when none of its own is left), or at 1.
        loaded_below = find.highest_loaded_seq(s, kind, year, first_issued)
        low = int(loaded_below or 0) + 1
        if low > counter:
            continue
        present = find.certificates_between(s, kind, year, low, counter)
        expected = counter - low + 1
        if present != expected:
            missing = _missing_seqs(s, kind, year, low, counter)
            report.add(
                RULE_CERT_GAPLESS,
                label,
                f"第 {low:07d} 至 {counter:07d} 号应有 {expected} 本，实有 {present} 本；缺号 "
                + _names([f"{n:07d}" for n in missing], expected - present)
                + "（证号在登簿事务中分配，缺号说明证书记录被删除）",
            )


def _missing_seqs(s: Session, kind: CertificateKind, year: int, low: int, high: int) -> list[int]:
    """The first few missing numbers, found by walking only the numbers that exist (never the whole range)."""
    seqs = find.seqs_between(s, kind, year, low, high)
    missing: list[int] = []
    expected = low
    for seq in seqs:
        while expected < seq and len(missing) < SAMPLE:
            missing.append(expected)
            expected += 1
        if len(missing) >= SAMPLE:
            return missing
        expected = seq + 1
    while expected <= high and len(missing) < SAMPLE:
        missing.append(expected)
        expected += 1
    return missing


# ---------------------------------------------------------------------------------------------------------
# The register


def _report_rows(
    report: CheckReport,
    rule: str,
    rows: list,
    describe: Callable[[tuple], str],
    record: str,
    message: str,
    total: int | None = None,
) -> None:
    if rows:
        report.add(rule, record, message + _names([describe(r) for r in rows], total))


def _check_rights_have_cases(s: Session, report: CheckReport) -> None:
    go_live = find.first_acceptance(s)
    if go_live is not None:
        total = find.caseless_rights_count(s, go_live)
        rows = find.caseless_rights(s, go_live, SAMPLE)
        _report_rows(
            report,
            RULE_RIGHT_HAS_CASE,
            rows,
            lambda r: f"权利 {r[0]}（{r[1].label}）",
            "现势权利",
            f"{total} 项现势权利登记于本系统开始受理之后，却没有设立它的业务件：",
            total,
        )
    rows = find.rights_of_unrecorded_cases(s, RECORDED_STATUSES, SAMPLE)
    _report_rows(
        report,
        RULE_RIGHT_HAS_CASE,
        rows,
        lambda r: f"权利 {r[0]}（业务 {r[1]}，{r[2].label}）",
        "现势权利",
        "设立权利的业务件未登簿：",
    )


def _check_certificates_on_current_rights(s: Session, report: CheckReport) -> None:
    total = find.certificates_on_dead_rights_count(s)
    if total:
        rows = find.certificates_on_dead_rights(s, SAMPLE)
        _report_rows(
            report,
            RULE_CERT_ON_CURRENT_RIGHT,
            rows,
            lambda r: f"{r[0]}（权利 {r[1]}）",
            "现势证书",
            f"{total} 本现势证书所载权利已不是现势：",
            total,
        )


def _check_one_ownership(s: Session, report: CheckReport) -> None:
    for unit_number, n in find.units_with_several_ownerships(s):
        report.add(RULE_ONE_OWNERSHIP, f"不动产单元 {unit_number}", f"有 {n} 项现势所有权")


def _check_shares(s: Session, report: CheckReport) -> None:
    totals: dict[int, Fraction] = defaultdict(Fraction)
    for right_id, share in find.shares_to_add_up(s):
        totals[right_id] += Fraction(share)
    bad = sorted(right_id for right_id, total in totals.items() if total != 1)
    for right_id in bad[:SAMPLE]:
        report.add(RULE_SHARES, f"权利 {right_id}", f"权利人的权利比例之和为 {totals[right_id]}，应为 1")
    if len(bad) > SAMPLE:
        report.add(RULE_SHARES, "现势权利", f"另有 {len(bad) - SAMPLE} 项权利的比例之和不为 1")
    for right_id in find.by_shares_rights_missing_a_share(s, SAMPLE):
        report.add(RULE_SHARES, f"权利 {right_id}", "按份共有，但有权利人未登记权利比例")


# ---------------------------------------------------------------------------------------------------------


CHECKS: tuple[tuple[str, Callable[[Session, CheckReport], None]], ...] = (
    (RULE_ENTRY_BALANCED, _check_entries_balanced),
    (RULE_ACCOUNTS_MATCH_LINES, _check_accounts_match_lines),
    (RULE_SETTLED_ONCE, _check_settled_once),
    (RULE_ORDER_FIGURES_AGREE, _check_order_figures),
    (RULE_TAX_CERTIFICATES, _check_tax_certificates),
    (RULE_LINE_ACCOUNT, _check_line_accounts),
    (RULE_RECEIPT_PDF, _check_receipt_documents),
    (RULE_CERT_UNIQUE, _check_certificate_numbers),
    (RULE_RIGHT_HAS_CASE, _check_rights_have_cases),
    (RULE_CERT_ON_CURRENT_RIGHT, _check_certificates_on_current_rights),
    (RULE_ONE_OWNERSHIP, _check_one_ownership),
    (RULE_SHARES, _check_shares),
    (RULE_COVERED, check_audit_coverage),
)


def check_database(db: Database, *, audit_chain: bool = True, now: datetime | None = None) -> CheckReport:
    """Runs every invariant in one read transaction (one consistent snapshot) and then walks the audit chain.

    The database's own check of its files comes first: a damaged file is named as such, and a rule whose
    reading fails on it is reported with the database's error instead of ending the check in a traceback."""
    report = CheckReport(as_of=now or utc_now())
    where = redact_url(db.url)
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        try:
            findings, looked = integrity.integrity_findings(s)
        except DBAPIError as error:
            findings, looked = [first_line(error)], True
            s.rollback()
        report.checked.append(RULE_STORAGE)
        if not looked:
            report.notes.append(
                "PostgreSQL 服务器未安装 amcheck 扩展，未做索引页级校验（CREATE EXTENSION amcheck）"
            )
        for finding in findings:
            report.add(
                RULE_STORAGE,
                where,
                f"数据库文件已损坏：{finding}；请停用并从备份恢复（registry-desk restore）",
            )
        for rule, check in CHECKS:
            try:
                check(s, report)
            except DBAPIError as error:
                report.add(rule, where, f"读取时数据库出错，本项未能核查：{first_line(error)}")
                s.rollback()
            report.checked.append(rule)
    if audit_chain:
        try:
            chain = verify_chain(db)
        except DBAPIError as error:
            report.add(RULE_AUDIT, where, f"读取审计链时数据库出错：{first_line(error)}")
        else:
            report.checked.append(RULE_AUDIT)
            if not chain.ok:
                record = f"审计记录第 {chain.first_bad_seq} 条" if chain.first_bad_seq else "审计链"
                report.add(RULE_AUDIT, record, chain.problem)
    return report
