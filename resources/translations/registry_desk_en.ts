<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name>Accepting</name>
    <message>
        <location filename="../../registry_desk/ui/intake/accepting.py" line="+24"/>
        <source>不能受理：</source>
        <translation>Cannot accept: </translation>
    </message>
    <message>
        <location line="+4"/>
        <source>正在受理……</source>
        <translation>Accepting…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>受理（Ctrl+Enter）</source>
        <translation>Accept (Ctrl+Enter)</translation>
    </message>
    <message>
        <location line="+63"/>
        <source>受理凭证 {number}</source>
        <translation>Acceptance receipt {number}</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>已受理，业务号 {number}；受理凭证未能生成：{error}</source>
        <translation>Accepted as case {number}; the acceptance receipt could not be made: {error}</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>缴款单未能开具（打开业务时将重试）：{error}</source>
        <translation>the payment orders could not be issued (retried when the case is opened): {error}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>银行抵押合同未能作为电子签章件收取（可在材料中导入）：{error}</source>
        <translation>the bank&apos;s mortgage contract could not be taken as a sealed material (import it under Materials): {error}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>已受理；</source>
        <translation>Accepted; </translation>
    </message>
</context>
<context>
    <name>AdminExitDialog</name>
    <message>
        <location filename="../../registry_desk/ui/kiosk/window.py" line="+81"/>
        <source>管理员退出自助模式</source>
        <translation>Administrator: leave kiosk mode</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>管理员用户名</source>
        <translation>Administrator username</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>退出自助模式</source>
        <translation>Leave kiosk mode</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <location filename="../../registry_desk/ui/qt_app.py" line="+39"/>
        <source>无法启动</source>
        <translation>Cannot start</translation>
    </message>
    <message>
        <location filename="../../registry_desk/app.py" line="+40"/>
        <source>不动产登记一窗受理</source>
        <translation>Real-Estate Registration Counter</translation>
    </message>
    <message>
        <location line="+69"/>
        <source>已创建管理员“{0}”，请登录</source>
        <translation>Administrator “{0}” created; please sign in</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>无法打开数据库</source>
        <translation>Cannot open the database</translation>
    </message>
</context>
<context>
    <name>CaseDetailDialog</name>
    <message>
        <location filename="../../registry_desk/ui/case_detail.py" line="+196"/>
        <source>业务详情 — {number}</source>
        <translation>Case details — {number}</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>不动产单元：</source>
        <translation>Property unit:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>受理时间：</source>
        <translation>Accepted at:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>办结时限：</source>
        <translation>Due date:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>缴费：</source>
        <translation>Payment:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>证书证明：</source>
        <translation>Certificates:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>原因：</source>
        <translation>Reason:</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>角色</source>
        <translation>Role</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>姓名/名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>证件号码</source>
        <translation>ID number</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>材料</source>
        <translation>Material</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>必需</source>
        <translation>Required</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>提交情况</source>
        <translation>Submitted</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>经办人</source>
        <translation>By</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>环节</source>
        <translation>Step</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>说明</source>
        <translation>Details</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>正在办理……</source>
        <translation>Details</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>确认缴费</source>
        <translation>Confirm payment</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+193"/>
        <source>退还税费</source>
        <translation>Refund taxes and fees</translation>
    </message>
    <message>
        <location line="-192"/>
        <source>登簿（Ctrl+R）</source>
        <translation>Record (Ctrl+R)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>缮证</source>
        <translation>Certificate ready</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+292"/>
        <source>发证</source>
        <translation>Hand over</translation>
    </message>
    <message>
        <location line="-291"/>
        <source>收到所选材料</source>
        <translation>Material received</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>打印证书</source>
        <translation>Print certificate</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>打印受理凭证</source>
        <translation>Print acceptance receipt</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+314"/>
        <source>驳回</source>
        <translation>Refuse</translation>
    </message>
    <message>
        <location line="-313"/>
        <location line="+317"/>
        <source>撤回</source>
        <translation>Withdraw</translation>
    </message>
    <message>
        <location line="-316"/>
        <location line="+320"/>
        <source>不予受理</source>
        <translation>Do not accept</translation>
    </message>
    <message>
        <location line="-306"/>
        <source>材料与签名（免提交/免盖章）</source>
        <translation>Materials and signatures (e-certificates, e-seals)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>关闭（Esc）</source>
        <translation>Close (Esc)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>申请人</source>
        <translation>Applicants</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>申请材料</source>
        <translation>Materials</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>办理过程</source>
        <translation>History</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>{number}  {label}</source>
        <translation>{number}  {label}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{date}（承诺{days}个工作日）</source>
        <translation>{date} (promised within {days} working days)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>须缴纳税费</source>
        <translation>Taxes and fees due</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>免缴费</source>
        <translation>No fees</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>（登簿后生成）</source>
        <translation>(issued when recorded)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>是</source>
        <translation>Yes</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>否</source>
        <translation>No</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>一次性告知，尚需补正：{names}</source>
        <translation>Told once, still missing: {names}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>材料齐全。</source>
        <translation>All materials received.</translation>
    </message>
    <message>
        <location line="+69"/>
        <source>退费原因（将记入退费记录和冲红票据）：</source>
        <translation>Reason for the refund (written to the refund record and the red-letter bill):</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>房屋所有权转移给受让方；原不动产权证书注销，生成新的不动产权证书。</source>
        <translation>Ownership passes to the buyers; the old title certificate is cancelled and a new one is issued.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>在该单元设立抵押权（抵押权预告登记随之转为抵押权）；生成不动产登记证明（抵押权）。</source>
        <translation>A mortgage is registered on the unit (an advance notice of mortgage becomes the mortgage); a registration proof (mortgage) is issued.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>注销该抵押权，原不动产登记证明作废；不再发证，业务即办结。</source>
        <translation>The mortgage is cancelled and its registration proof becomes void; nothing is issued and the case is finished.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>在该单元记载预告登记；生成不动产登记证明（预告登记）。</source>
        <translation>An advance notice is registered on the unit; a registration proof (advance notice) is issued.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>确认对业务 {number}（{label}）审核通过并登簿？

单元：{unit}
坐落：{location}
{people}

登簿后：{effect}
登簿即生效，不能撤回。</source>
        <translation>Approve case {number} ({label}) and record it in the register?

Unit: {unit}
Location: {location}
{people}

After recording: {effect}
Recording takes effect at once and cannot be undone.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>登簿</source>
        <translation>Record</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>已登簿；电子证照暂未签发，将自动补发：{error}</source>
        <translation>Recorded; the e-certificates are not issued yet and will be issued automatically: {error}</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>申请材料 — {number}</source>
        <translation>Application materials — {number}</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>领证人姓名（核对身份证件后填写）：</source>
        <translation>Name of the person collecting (check their ID first):</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>驳回（不予登记）的理由，将书面告知申请人：</source>
        <translation>Reason for refusing registration (told to the applicants in writing):</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>申请人撤回申请的原因：</source>
        <translation>Why the applicants withdraw:</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>不予受理的理由，将书面告知申请人：</source>
        <translation>Reason for not accepting (told to the applicants in writing):</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>受理凭证 {number}</source>
        <translation>Acceptance receipt {number}</translation>
    </message>
</context>
<context>
    <name>CaseListModel</name>
    <message>
        <location filename="../../registry_desk/ui/case_list.py" line="+47"/>
        <source>业务号</source>
        <translation>Case no.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>类型</source>
        <translation>Type</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>单元/坐落</source>
        <translation>Unit / location</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>申请人</source>
        <translation>Applicants</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>受理时间</source>
        <translation>Accepted</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>办结时限</source>
        <translation>Due</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>用时</source>
        <translation>Time taken</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>{date}（已超期）</source>
        <translation>{date} (overdue)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{date}（今日到期）</source>
        <translation>{date} (due today)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{n}个工作日</source>
        <translation>{n} working days</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>（超期办结）</source>
        <translation> (finished late)</translation>
    </message>
</context>
<context>
    <name>CaseListView</name>
    <message>
        <location line="+83"/>
        <source>全部业务</source>
        <translation>All cases</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>在办</source>
        <translation>Open</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>已超期</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <location line="+26"/>
        <location line="+59"/>
        <source>暂无业务。受理的业务会显示在这里。</source>
        <translation>No cases yet. Cases accepted at the counter appear here.</translation>
    </message>
    <message>
        <location line="-55"/>
        <source>筛选：</source>
        <translation>Filter:</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>列表显示在办业务及近 {days} 天内受理或办结的业务；更早的业务请在上方搜索框输入12位业务号查找。</source>
        <translation>The list shows open cases and those accepted or finished in the last {days} days; find an older case by typing its 12-digit case number into the search box above.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>显示 {shown} / {total} 件；已超期 {overdue} 件，今日到期 {today} 件</source>
        <translation>Showing {shown} of {total}; {overdue} overdue, {today} due today</translation>
    </message>
</context>
<context>
    <name>CashierView</name>
    <message>
        <location filename="../../registry_desk/ui/cashier_view.py" line="+203"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>日期：</source>
        <translation>Date:</translation>
    </message>
    <message>
        <location line="+10"/>
        <location line="+15"/>
        <location line="+8"/>
        <source>缴款单号</source>
        <translation>Order no.</translation>
    </message>
    <message>
        <location line="-22"/>
        <location line="+13"/>
        <source>业务号</source>
        <translation>Case no.</translation>
    </message>
    <message>
        <location line="-12"/>
        <source>缴费方</source>
        <translation>Paying side</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>缴款人</source>
        <translation>Payer</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+12"/>
        <source>金额（元）</source>
        <translation>Amount (yuan)</translation>
    </message>
    <message>
        <location line="-11"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>开具时间</source>
        <translation>Issued</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>入账时间</source>
        <translation>Settled</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>退款单号</source>
        <translation>Refund no.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>退款时间</source>
        <translation>Refunded</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>经办人</source>
        <translation>Handled by</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>类别</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>说明</source>
        <translation>Note</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>当日缴款单</source>
        <translation>Today&apos;s orders</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>退费</source>
        <translation>Refunds</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>全额退回所选支付并作废缴款单…</source>
        <translation>Return the selected payment in full and void the order…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>待人工核查</source>
        <translation>Under review</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>对账</source>
        <translation>Reconciliation</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>获取本地渠道当日对账单并对账</source>
        <translation>Fetch the local channel&apos;s statement and reconcile</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>选择对账单文件（CSV）并对账…</source>
        <translation>Choose a statement file (CSV) and reconcile…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>打开对账报告PDF</source>
        <translation>Open the reconciliation report PDF</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>当日入库净额：国库 {treasury} 元，财政专户 {fiscal} 元，合计 {total} 元</source>
        <translation>Net credited today: treasury {treasury} yuan, fiscal account {fiscal} yuan, total {total} yuan</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>；待退费业务：{cases}</source>
        <translation>; cases awaiting refund: {cases}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>待缴费 {open} 张，已入账 {settled} 张，待核查 {review} 张，已退款 {refunded} 张，已作废 {voided} 张</source>
        <translation>{open} open, {settled} settled, {review} under review, {refunded} refunded, {voided} voided</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>缴款单</source>
        <translation>Order</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>渠道交易</source>
        <translation>Channel transaction</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>退回金额不符的支付</source>
        <translation>Return a payment of the wrong amount</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>缴款单 {order} 的实收金额与应收不符。全额退回该笔支付并作废缴款单后，缴费方可重新开具缴款单缴费。退回原因：</source>
        <translation>The amount received for order {order} differs from the amount due. Once the payment is returned in full and the order voided, the payer can be issued a new order and pay it. Reason for the return:</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>选择渠道对账单</source>
        <translation>Choose the channel statement</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>对账单 (*.csv)</source>
        <translation>Statements (*.csv)</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>对账相符，无差异。</source>
        <translation>Reconciled: no discrepancies.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>存在差异，请核查：</source>
        <translation>Discrepancies found, please check:</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>对账报告</source>
        <translation>Reconciliation report</translation>
    </message>
</context>
<context>
    <name>CertificatesModel</name>
    <message>
        <location filename="../../registry_desk/ui/models.py" line="+196"/>
        <source>证书证明号</source>
        <translation>Certificate no.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>种类</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>发证时间</source>
        <translation>Issued</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>持证人</source>
        <translation>Holder</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>印制号</source>
        <translation>Paper serial</translation>
    </message>
</context>
<context>
    <name>CollectionsChart</name>
    <message>
        <location filename="../../registry_desk/ui/cashier_view.py" line="-377"/>
        <source>国库</source>
        <translation>Treasury</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>财政专户</source>
        <translation>Fiscal account</translation>
    </message>
</context>
<context>
    <name>CrashHandler</name>
    <message>
        <location filename="../../registry_desk/ui/crash.py" line="+79"/>
        <source>程序错误</source>
        <translation>Program error</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>程序发生内部错误，刚才的操作没有完成。

错误：{error}

详细信息已写入日志：{path}
请将该日志交给系统管理员。</source>
        <translation>The program hit an internal error; the last operation was not completed.

Error: {error}

Details were written to the log: {path}
Please give this log to the system administrator.</translation>
    </message>
</context>
<context>
    <name>DashboardView</name>
    <message>
        <location filename="../../registry_desk/ui/dashboard_view.py" line="+179"/>
        <source>统计</source>
        <translation>Show</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>导出PDF…</source>
        <translation>Export PDF…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>每日受理（按业务类型）与登簿办结</source>
        <translation>Cases accepted per day (by type) and recorded</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+15"/>
        <location line="+103"/>
        <source>按时办结率</source>
        <translation>On-time rate</translation>
    </message>
    <message>
        <location line="-115"/>
        <source>税费入库（元）</source>
        <translation>Taxes and fees credited (yuan)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>自助终端每日打印</source>
        <translation>Kiosk prints per day</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+12"/>
        <source>业务类型</source>
        <translation>Business type</translation>
    </message>
    <message>
        <location line="-11"/>
        <source>受理</source>
        <translation>Accepted</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+100"/>
        <source>登簿办结</source>
        <translation>Recorded</translation>
    </message>
    <message>
        <location line="-99"/>
        <source>按时办结</source>
        <translation>On time</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>受理至出证平均（小时）</source>
        <translation>Average acceptance to certificate (hours)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>业务号</source>
        <translation>Case number</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>坐落</source>
        <translation>Location</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>受理日</source>
        <translation>Accepted on</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>办结期限</source>
        <translation>Due date</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>逾期天数</source>
        <translation>Days overdue</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>从</source>
        <translation>From</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>至</source>
        <translation>to</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>各业务类型</source>
        <translation>By business type</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>逾期业务</source>
        <translation>Overdue cases</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>受理 %1 件，登簿办结 %2 件，按时办结率 %3；入国库 %4 元，入财政专户 %5 元；自助打印证书 %6 本</source>
        <translation>%1 cases accepted, %2 recorded, on-time rate %3; %4 yuan to the treasury, %5 yuan to the fiscal account; %6 certificates printed at the kiosk</translation>
    </message>
    <message>
        <location line="+27"/>
        <location line="+2"/>
        <source>国库</source>
        <translation>Treasury</translation>
    </message>
    <message>
        <location line="-2"/>
        <location line="+3"/>
        <source>财政专户</source>
        <translation>Fiscal account</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>打印成功</source>
        <translation>Printed</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>已导出：%1</source>
        <translation>Exported: %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>导出统计看板</source>
        <translation>Export dashboard</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>PDF 文件 (*.pdf)</source>
        <translation>PDF files (*.pdf)</translation>
    </message>
</context>
<context>
    <name>Dialogs</name>
    <message>
        <location filename="../../registry_desk/ui/dialogs.py" line="+13"/>
        <source>无法办理</source>
        <translation>Cannot proceed</translation>
    </message>
</context>
<context>
    <name>FirstAdministratorDialog</name>
    <message>
        <location filename="../../registry_desk/ui/first_admin.py" line="+33"/>
        <source>设置首个管理员 — 不动产登记一窗受理</source>
        <translation>Set up the first administrator — Real-estate registration desk</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>这是一个新的生产登记簿，尚无任何账户。请设置首个系统管理员；其他账户由管理员登录后新增。演示账户不会在生产登记簿中创建。</source>
        <translation>This is a new production register with no accounts yet. Set up its first system administrator; further accounts are added by an administrator after signing in. Demo accounts are never created in a production register.</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>用户名</source>
        <translation>Username</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>密码（至少8位）</source>
        <translation>Password (at least 8 characters)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>再次输入密码</source>
        <translation>Repeat the password</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>创建管理员</source>
        <translation>Create administrator</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>退出</source>
        <translation>Quit</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>请输入用户名</source>
        <translation>Enter a user name</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>请输入管理员姓名</source>
        <translation>Enter the administrator&apos;s name</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>两次输入的密码不一致，请再次输入</source>
        <translation>The two passwords differ; please enter it again</translation>
    </message>
</context>
<context>
    <name>IntakeDialog</name>
    <message>
        <location filename="../../registry_desk/ui/intake/dialog.py" line="+108"/>
        <source>受理业务 — {unit}</source>
        <translation>New case — {unit}</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>不动产单元号：{number}&#x3000;坐落：{location}</source>
        <translation>Unit number: {number}&#x3000;Location: {location}</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>预告登记种类：</source>
        <translation>Advance notice kind:</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>从登记簿预填（F4）</source>
        <translation>Prefill from the register (F4)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>读取银行抵押合同（F6）</source>
        <translation>Read the bank&apos;s mortgage contract (F6)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>读取银行加盖电子签章的抵押合同：核验签章后按合同数据预填，受理后作为电子签章件收取</source>
        <translation>Read the bank&apos;s electronically sealed mortgage contract: the seal is verified, the form is filled from the contract&apos;s data, and after acceptance the file is taken as a sealed material</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>业务类型：</source>
        <translation>Business type:</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>要注销的抵押权：</source>
        <translation>Mortgage to cancel:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>注销原因：</source>
        <translation>Reason for cancellation:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>说明：</source>
        <translation>Note:</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>买卖价格（元）：</source>
        <translation>Sale price (yuan):</translation>
    </message>
    <message>
        <location line="-37"/>
        <source>登记事项</source>
        <translation>Registration terms</translation>
    </message>
    <message>
        <location line="+57"/>
        <source>受理（Ctrl+Enter）</source>
        <translation>Accept (Ctrl+Enter)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>取消（Esc）</source>
        <translation>Cancel (Esc)</translation>
    </message>
    <message>
        <location line="+93"/>
        <source>该业务类型暂不支持预填，请在窗口录入</source>
        <translation>This business type cannot be prefilled yet; enter it at the counter</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>承诺办结时限：{days}个工作日；{charged}。</source>
        <translation>Promised within {days} working days; {charged}.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>须缴纳税费</source>
        <translation>Taxes and fees due</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>不收费</source>
        <translation>free of charge</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>请填写成交价格（元）</source>
        <translation>Enter the price (yuan)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>房屋原值须为金额（元），或留空</source>
        <translation>The original value must be an amount in yuan, or empty</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>该单元没有可注销的现势抵押权</source>
        <translation>The unit has no current mortgage to cancel</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>请填写买卖价格（元）</source>
        <translation>Enter the sale price (yuan)</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>尚需：</source>
        <translation>Still needed: </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>填写完整，可以受理（Ctrl+Enter）。</source>
        <translation>Complete: ready to accept (Ctrl+Enter).</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>一次性告知，尚缺：{names}（可先受理，登簿前须补齐）</source>
        <translation>Told once, missing: {names} (may be accepted now; required before recording)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>材料齐全。</source>
        <translation>All materials received.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>；</source>
        <comment>separator between listed problems</comment>
        <translation>; </translation>
    </message>
</context>
<context>
    <name>KeyValueModel</name>
    <message>
        <location filename="../../registry_desk/ui/models.py" line="-82"/>
        <source>项目</source>
        <translation>Item</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>内容</source>
        <translation>Value</translation>
    </message>
</context>
<context>
    <name>Keypad</name>
    <message>
        <location filename="../../registry_desk/ui/kiosk/keypad.py" line="+24"/>
        <source>退格</source>
        <translation>Back</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>清除</source>
        <translation>Clear</translation>
    </message>
</context>
<context>
    <name>Kiosk</name>
    <message>
        <location filename="../../registry_desk/ui/kiosk/launch.py" line="+70"/>
        <source>不动产登记自助服务</source>
        <translation>Real Estate Registration Self-Service</translation>
    </message>
</context>
<context>
    <name>KioskPrinting</name>
    <message>
        <location filename="../../registry_desk/ui/kiosk/printing.py" line="+56"/>
        <source>未找到可用的打印机，请联系管理员</source>
        <translation>No usable printer was found; please call the administrator</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>无法读取待打印的文档 {name}</source>
        <translation>Cannot read the document to print: {name}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>打印机 {printer} 无法开始打印</source>
        <translation>Printer {printer} cannot start printing</translation>
    </message>
    <message>
        <location line="-12"/>
        <location line="+13"/>
        <source>默认打印机</source>
        <translation>default printer</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>打印机换页失败</source>
        <translation>The printer failed to start a new page</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <location filename="../../registry_desk/ui/kiosk/window.py" line="+52"/>
        <source>不动产登记自助服务</source>
        <translation>Real Estate Registration Self-Service</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>不动产登记自助服务 · 自助打证</source>
        <translation>Real Estate Registration Self-Service · Certificate Printing</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>管理员</source>
        <translation>Administrator</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>请扫描受理凭证上的二维码，或输入业务号</source>
        <translation>Scan the QR code on your acceptance receipt, or enter the case number</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>12位业务号</source>
        <translation>12-digit case number</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+225"/>
        <source>下一步</source>
        <translation>Next</translation>
    </message>
    <message>
        <location line="-210"/>
        <location line="+209"/>
        <source>请输入申请人的身份证号码</source>
        <translation>Enter the applicant&apos;s resident ID number</translation>
    </message>
    <message>
        <location line="-202"/>
        <location line="+254"/>
        <source>核验身份</source>
        <translation>Verify identity</translation>
    </message>
    <message>
        <location line="-252"/>
        <source>返回首页</source>
        <translation>Back to start</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>缴纳税费</source>
        <translation>Pay taxes and fees</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>打印不动产登记资料查询结果</source>
        <translation>Print a register search result</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+51"/>
        <source>办理完毕，退出</source>
        <translation>Done, sign out</translation>
    </message>
    <message>
        <location line="-29"/>
        <source>请用手机银行或支付应用扫码缴纳税费</source>
        <translation>Scan with your banking or payment app to pay the taxes and fees</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>模拟扫码支付</source>
        <translation>Simulate a QR payment</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+18"/>
        <source>返回办理进度</source>
        <translation>Back to progress</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>重新打印（使用下一张证书纸）</source>
        <translation>Print again (on the next sheet)</translation>
    </message>
    <message>
        <location line="+117"/>
        <source>业务号：{number}</source>
        <translation>Case number: {number}</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>已输入 {count}/{total} 位：{mask}</source>
        <translation>Entered {count}/{total} digits: {mask}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>已输入 {count}/18 位：{mask}</source>
        <translation>{count}/18 characters entered: {mask}</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>请输入受理凭证上的8位取件码</source>
        <translation>Enter the 8-digit pickup code on your acceptance receipt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>取件码印在您本人的受理凭证“取件码”一栏，仅限本人使用；补打过凭证的，以最新一份为准</source>
        <translation>The pickup code is printed in the “pickup code” box of your own acceptance receipt and is for you alone; if the receipt was reprinted, the latest copy counts</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>已受理</source>
        <translation>Accepted</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>待缴费</source>
        <translation>Awaiting payment</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>审核中</source>
        <translation>Under review</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>已登簿</source>
        <translation>Recorded</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>可打印/已缮证</source>
        <translation>Ready to print</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>已发证</source>
        <translation>Issued</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>已办结</source>
        <translation>Completed</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>您的申请已受理。</source>
        <translation>Your application has been accepted.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>您的申请已受理，正在等待缴纳税费；各方缴清后进入审核。</source>
        <translation>Your application has been accepted and is waiting for taxes and fees; review starts once every side has paid.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>税费已缴清（或本业务无需缴费），登记机构正在审核，承诺在 {due} 前办结。</source>
        <translation>Taxes and fees are paid (or none are due); the registry is reviewing the case and promises to finish by {due}.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>已记载于不动产登记簿，正在缮制证书，承诺在 {due} 前办结。</source>
        <translation>The register has been updated and the certificate is being prepared; promised by {due}.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>证书（证明）已缮制完成，持证人可在本机打印领取。</source>
        <translation>The certificate is ready; its holder can print it here.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>证书（证明）已发放，业务已办结。</source>
        <translation>The certificate has been issued; the case is complete.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>已记载于不动产登记簿，业务已办结（本业务不发证书或证明）。</source>
        <translation>Entered in the real estate register; the case is complete (this business issues no certificate or proof).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>申请未予受理，请到窗口了解原因。</source>
        <translation>The application was not accepted; please ask at a counter why.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>申请已撤回。</source>
        <translation>The application was withdrawn.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>申请未予登记（已驳回），请到窗口了解原因。</source>
        <translation>The registration was refused; please ask at a counter why.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>业务号 {number} · {business}</source>
        <translation>Case {number} · {business}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{role}：{name}（{id}）</source>
        <translation>{role}: {name} ({id})</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>受理日期 {accepted}&#x3000;承诺办结日期 {due}</source>
        <translation>Accepted on {accepted}   promised by {due}</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>打印{kind} {number}</source>
        <translation>Print {kind} {number}</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>缴款单 {order}（{kind}）</source>
        <translation>Payment order {order} ({kind})</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>合计 {amount} 元</source>
        <translation>Total {amount} yuan</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>请在 {time} 前完成支付</source>
        <translation>Please pay before {time}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>等待支付…</source>
        <translation>Waiting for payment…</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>缴费成功，税费已入账。电子票据如下：</source>
        <translation>Paid: the taxes and fees are booked. Your e-receipts:</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>正在打印，请稍候…</source>
        <translation>Printing, please wait…</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>打印完成，请取走您的证书。
证号：{number}
印刷序列号：{serial}</source>
        <translation>Printed. Please take your certificate.
Number: {number}
Paper serial: {serial}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>打印失败，印刷序列号 {serial} 的证书纸已作废。可以再试一次。</source>
        <translation>Printing failed; the sheet with serial {serial} is spoiled. You may try once more.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>打印再次失败，印刷序列号 {serial} 的证书纸已作废。请到窗口由工作人员为您办理。</source>
        <translation>Printing failed again; the sheet with serial {serial} is spoiled. Please go to a counter.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>正在打印查询结果，请稍候…</source>
        <translation>Printing the search result, please wait…</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>查询结果已打印，请取走。</source>
        <translation>The search result is printed; please take it.</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../registry_desk/ui/login.py" line="+49"/>
        <source>登录 — 不动产登记一窗受理</source>
        <translation>Sign in — Real-Estate Registration Counter</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>用户名</source>
        <translation>Username</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>（选择演示账户）</source>
        <translation>(choose a demo account)</translation>
    </message>
    <message>
        <location line="-33"/>
        <source>演示账户</source>
        <translation>Demo account</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>登录</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>退出</source>
        <translation>Quit</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>不动产登记一窗受理 — 中卫市</source>
        <translation>Real-Estate Registration Counter — Zhongwei</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>正在打开数据库…</source>
        <translation>Opening the database…</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>请输入用户名</source>
        <translation>Please enter a username</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>数据库正在打开，打开后自动登录…</source>
        <translation>The database is still opening; you will be signed in as soon as it is ready…</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>账户“{username}”是自助终端账户，不能登录窗口受理界面</source>
        <translation>“{username}” is a self-service kiosk account and cannot sign in at a counter</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../registry_desk/ui/main_window.py" line="+97"/>
        <source>不动产登记一窗受理 — 中卫市 — {name}（{role}）</source>
        <translation>Real-Estate Registration Counter — Zhongwei — {name} ({role})</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>不动产单元号、证书证明号、身份证号或统一社会信用代码、姓名、坐落（Ctrl+F）</source>
        <translation>Unit number, certificate number, ID number or USCC, name, address (Ctrl+F)</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+2"/>
        <source>查询</source>
        <translation>Search</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>查询：</source>
        <translation>Search:</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>在上方输入单元号、证号、证件号码、姓名或坐落，按回车查询。</source>
        <translation>Type a unit number, certificate number, ID number, name or address above and press Enter.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>← 返回结果（Alt+←）</source>
        <translation>← Back to results (Alt+←)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>受理业务（Ctrl+N）</source>
        <translation>New case (Ctrl+N)</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>登记簿查询</source>
        <translation>Register</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>业务列表</source>
        <translation>Cases</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>统计看板</source>
        <translation>Dashboard</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>收费对账</source>
        <translation>Collections</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>空白证书纸</source>
        <translation>Certificate paper</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>数据库：{url}</source>
        <translation>Database: {url}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>当前用户：{name}（{role}）</source>
        <translation>Signed in: {name} ({role})</translation>
    </message>
    <message>
        <location line="+64"/>
        <source>补发电子证照：完成 {done} 件，失败 {failed} 件</source>
        <translation>Pending e-certificates published: {done} done, {failed} failed</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>补发电子证照未完成：{error}</source>
        <translation>Publishing pending e-certificates did not finish: {error}</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>收款渠道查询失败：{error}</source>
        <translation>Payment channel query failed: {error}</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>请先查询并打开要受理的不动产单元，再按 Ctrl+N。</source>
        <translation>Search and open the unit first, then press Ctrl+N.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>受理业务仅限受理人员。</source>
        <translation>Only counter clerks accept cases.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>无法受理</source>
        <translation>Cannot accept</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>已受理：业务号 {number}</source>
        <translation>Accepted: case {number}</translation>
    </message>
    <message>
        <location line="+69"/>
        <source>没有找到与“{query}”相符的单元、证书、业务或权利人。</source>
        <translation>No unit, certificate, case or right holder matches “{query}”.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>只显示前 {n} 条结果，请输入更具体的内容；选中一条按回车打开登记簿。</source>
        <translation>Showing the first {n} results only; type something more specific, or select one and press Enter to open its register.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>找到 {n} 条结果：选中一条按回车打开登记簿。</source>
        <translation>{n} results: select one and press Enter to open its register.</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>无法打开登记簿</source>
        <translation>Cannot open the register</translation>
    </message>
</context>
<context>
    <name>MaterialsPanel</name>
    <message>
        <location filename="../../registry_desk/ui/materials_panel.py" line="+96"/>
        <source>材料</source>
        <translation>Material</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>必需</source>
        <translation>Required</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>提交情况</source>
        <translation>Submitted as</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>核验说明</source>
        <translation>Verification note</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>调取电子证照</source>
        <translation>Pull e-certificate</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>导入电子签章文件</source>
        <translation>Import sealed file</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>模拟银行推送</source>
        <translation>Simulate bank push</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>演示：由银行以电子签章出具抵押合同等材料并推送到本业务</source>
        <translation>Demo: the bank issues the mortgage contract and other documents with its electronic seal and pushes them to this case</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>纸质已收</source>
        <translation>Paper received</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>申请人签名</source>
        <translation>Applicants sign</translation>
    </message>
    <message>
        <location line="+13"/>
        <location line="+117"/>
        <source>选中材料可预览其电子件</source>
        <translation>Select a material to preview its electronic file</translation>
    </message>
    <message>
        <location line="-73"/>
        <source>是</source>
        <translation>Yes</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>否</source>
        <translation>No</translation>
    </message>
    <message>
        <location line="+82"/>
        <source>电子件预览（共 {n} 页）</source>
        <translation>Electronic file preview ({n} pages)</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>“{name}”已电子核验。</source>
        <translation>“{name}” verified electronically.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>已调取电子证照 {id}（{number}），签章与内容核验通过。</source>
        <translation>Pulled e-certificate {id} ({number}); seal and contents verified.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>选择电子签章文件（PDF）</source>
        <translation>Choose a sealed file (PDF)</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>银行没有需要推送的材料。</source>
        <translation>The bank has nothing to push.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>银行已推送：{names}（电子签章已核验）</source>
        <translation>Pushed by the bank: {names} (electronic seals verified)</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>“{name}”已收纸质件。</source>
        <translation>“{name}” received on paper.</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>申请书已签署并加盖登记机构电子签章：{names}</source>
        <translation>Application form signed and sealed by the registration office: {names}</translation>
    </message>
</context>
<context>
    <name>MaterialsSection</name>
    <message>
        <location filename="../../registry_desk/ui/intake/materials.py" line="+31"/>
        <source>材料（勾选＝已收纸质件）</source>
        <translation>Material (ticked = paper received)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>必需</source>
        <translation>Required</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>可替代纸质件</source>
        <translation>May replace paper</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>全部已收（Ctrl+M）</source>
        <translation>All received (Ctrl+M)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>申请材料</source>
        <translation>Materials</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>是</source>
        <translation>Yes</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>否</source>
        <translation>No</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>电子证照</source>
        <translation>e-certificate</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>电子签章件</source>
        <translation>e-sealed PDF</translation>
    </message>
</context>
<context>
    <name>MortgageBox</name>
    <message>
        <location filename="../../registry_desk/ui/intake/mortgage_section.py" line="+43"/>
        <source>万元</source>
        <translation>10,000 yuan</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>元</source>
        <translation>yuan</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>约定禁止或限制转让抵押不动产</source>
        <translation>Transfer of the mortgaged property prohibited or restricted by agreement</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>抵押方式：</source>
        <translation>Mortgage type:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>债务履行期限（起）：</source>
        <translation>Debt term from:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>债务履行期限（止）：</source>
        <translation>Debt term to:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>担保范围：</source>
        <translation>Scope of security:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>禁止转让：</source>
        <translation>No transfer:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>抵押面积（㎡，可空）：</source>
        <translation>Mortgaged area (m², optional):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>评估价值（元，可空）：</source>
        <translation>Assessed value (yuan, optional):</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>最高债权额（{unit}）：</source>
        <translation>Maximum secured amount ({unit}):</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>被担保主债权数额（{unit}）：</source>
        <translation>Secured principal ({unit}):</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>债权数额须大于0</source>
        <translation>The secured amount must be above 0</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>请填写债权数额（数字，最多精确到分）</source>
        <translation>Enter the secured amount (a number, at most to the fen)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>债务履行期限的止日须晚于起日</source>
        <translation>The debt term must end after it starts</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>抵押面积须为正数，最多两位小数（平方米），或留空</source>
        <translation>The mortgaged area must be a positive number of square metres with at most two decimals, or empty</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>评估价值须为金额（元），或留空</source>
        <translation>The assessed value must be an amount in yuan, or empty</translation>
    </message>
</context>
<context>
    <name>PaperStockView</name>
    <message>
        <location filename="../../registry_desk/ui/paper_stock_view.py" line="+50"/>
        <source>起始序列号</source>
        <translation>First serial</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>终止序列号</source>
        <translation>Last serial</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>总数</source>
        <translation>Total</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>已使用</source>
        <translation>Used</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>已作废</source>
        <translation>Spoiled</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>剩余</source>
        <translation>Left</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>载入人</source>
        <translation>Loaded by</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>载入号段</source>
        <translation>Load range</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>保存预警线</source>
        <translation>Save warning level</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>新号段</source>
        <translation>New range</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>库存预警线（张）</source>
        <translation>Warning level (sheets)</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>合计 {total} 张：已使用 {used}，已作废 {spoiled}，打印中 {printing}，剩余 {free}；下一张 {next}</source>
        <translation>{total} sheets: {used} used, {spoiled} spoiled, {printing} printing, {free} left; next {next}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>（无）</source>
        <translation>(none)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>空白证书纸已用完，自助打证机无法打证，请立即载入新的号段</source>
        <translation>Blank certificate paper is used up; the kiosk cannot print. Load a new range now</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>空白证书纸仅剩 {free} 张（预警线 {threshold} 张），请及时补充</source>
        <translation>Only {free} blank certificate sheets left (warning level {threshold}); refill soon</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>已载入号段 {first}—{last}，共 {count} 张</source>
        <translation>Loaded range {first}–{last}, {count} sheets</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>预警线已保存</source>
        <translation>Warning level saved</translation>
    </message>
</context>
<context>
    <name>PartiesSection</name>
    <message>
        <location filename="../../registry_desk/ui/intake/parties.py" line="+163"/>
        <source>刷身份证或输入证件号码后按回车</source>
        <translation>Swipe the ID card or type the ID number, then Enter</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>删除所选当事人</source>
        <translation>Remove selected party</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>共有方式：</source>
        <translation>Co-ownership:</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>添加为：</source>
        <translation>Add as:</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>申请人</source>
        <translation>Applicants</translation>
    </message>
    <message>
        <location line="+40"/>
        <location line="+29"/>
        <source>来自 当事人档案 {name}（{number}）</source>
        <translation>From the party records: {name} ({number})</translation>
    </message>
    <message>
        <location line="-23"/>
        <source>窗口录入</source>
        <translation>Entered at the counter</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>第{n}行（{role}）</source>
        <translation>Row {n} ({role})</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{where}须填写姓名或名称</source>
        <translation>{where}: name is required</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{where}的{kind}号码“{number}”无效</source>
        <translation>{where}: {kind} number &quot;{number}&quot; is not valid</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{where}按份共有须填写份额（如 1/2）</source>
        <translation>{where}: co-ownership by shares needs a share (e.g. 1/2)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{where}的代理人身份证号码无效</source>
        <translation>{where}: the agent&apos;s ID number is not valid</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>须有{label}（至少{n}位）</source>
        <translation>{label} required (at least {n})</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{label}最多{n}位</source>
        <translation>{label}: at most {n}</translation>
    </message>
</context>
<context>
    <name>PartyTable</name>
    <message>
        <location line="-282"/>
        <source>角色</source>
        <translation>Role</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>姓名/名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>证件种类</source>
        <translation>ID type</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>证件号码</source>
        <translation>ID number</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>份额</source>
        <translation>Share</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>通讯地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>联系电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>代理人</source>
        <translation>Agent</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>代理人身份证号</source>
        <translation>Agent&apos;s ID number</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>法定代表人</source>
        <translation>Legal representative</translation>
    </message>
    <message>
        <location line="+96"/>
        <source>窗口录入</source>
        <translation>Entered at the counter</translation>
    </message>
</context>
<context>
    <name>PaymentPanel</name>
    <message>
        <location filename="../../registry_desk/ui/payment_panel.py" line="+128"/>
        <source>税费同缴（一次扫码，税费同缴）</source>
        <translation>Taxes and fees (one scan pays all)</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>票据</source>
        <translation>Receipt</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>号码</source>
        <translation>Number</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>缴款人</source>
        <translation>Payer</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>金额（元）</source>
        <translation>Amount (yuan)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>预览/打印所选票据</source>
        <translation>Preview/print the selected receipt</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>收款渠道暂不可用：{error}</source>
        <translation>The payment channel is unavailable: {error}</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>本业务免缴登记费和税款。</source>
        <translation>This case pays no fee and no tax.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>尚未开具缴款单。</source>
        <translation>No payment order issued yet.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>税费 {total} 元已全部缴清入库。</source>
        <translation>Taxes and fees of {total} yuan are fully paid and credited.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>应缴税费合计 {total} 元：请各缴费方用手机扫描各自的二维码缴纳。</source>
        <translation>Taxes and fees due: {total} yuan. Each paying side scans its own QR code with a phone.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>（业务已终结，已缴税费待收费员退付）</source>
        <translation> (case closed; the cashier is to refund what was paid)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>（已冲红/退税）</source>
        <translation> (reversed/refunded)</translation>
    </message>
</context>
<context>
    <name>PdfPreviewDialog</name>
    <message>
        <location filename="../../registry_desk/ui/pdf_preview.py" line="+58"/>
        <source>打印（Ctrl+P）</source>
        <translation>Print (Ctrl+P)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>另存为（Ctrl+S）</source>
        <translation>Save as (Ctrl+S)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>缩小（Ctrl+-）</source>
        <translation>Zoom out (Ctrl+-)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>放大（Ctrl++）</source>
        <translation>Zoom in (Ctrl++)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>适合宽度</source>
        <translation>Fit width</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>关闭（Esc）</source>
        <translation>Close (Esc)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>共 {n} 页</source>
        <translation>{n} pages</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>无法打印</source>
        <translation>Cannot print</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>已发送打印：{n} 页。</source>
        <translation>Sent to the printer: {n} pages.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>另存为</source>
        <translation>Save as</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>PDF 文件 (*.pdf)</source>
        <translation>PDF files (*.pdf)</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>无法保存到 {path}：{error}</source>
        <translation>Cannot save to {path}: {error}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>已保存到 {path}</source>
        <translation>Saved to {path}</translation>
    </message>
</context>
<context>
    <name>Prefilling</name>
    <message>
        <location filename="../../registry_desk/ui/intake/prefilling.py" line="+71"/>
        <source>读取银行抵押合同</source>
        <translation>Read the bank&apos;s mortgage contract</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>电子签章 PDF (*.pdf)</source>
        <translation>Sealed PDF (*.pdf)</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>无法读取文件 {name}：{error}</source>
        <translation>Cannot read the file {name}: {error}</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>银行抵押合同 {number}：{bank} 电子签章已核验；受理后作为电子签章件收取</source>
        <translation>Bank mortgage contract {number}: seal of {bank} verified; it is taken as a sealed material on acceptance</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>{source}，持有年限按登簿日期 {since} 计至合同签订日期</source>
        <translation>{source}; years held counted from the registration date {since} to the contract date</translation>
    </message>
</context>
<context>
    <name>Printing</name>
    <message>
        <location filename="../../registry_desk/ui/printing.py" line="+120"/>
        <source>打印</source>
        <translation>Print</translation>
    </message>
</context>
<context>
    <name>QtRuntime</name>
    <message>
        <location filename="../../registry_desk/ui/qt_runtime.py" line="+47"/>
        <source>当前安装的 PySide6 {version} 存在引用计数缺陷（每发出一次信号丢失一个引用，运行一段时间后程序会随机崩溃），已拒绝启动以免丢失正在办理的业务。请安装 PySide6 6.11 或修复后的版本：pip install &quot;PySide6-Essentials!=6.12.0&quot; &quot;PySide6-Addons!=6.12.0&quot;</source>
        <translation>The installed PySide6 {version} has a reference-counting defect (every signal emitted loses one reference, and after a while the program crashes at random), so it refuses to start rather than lose the case in hand. Install PySide6 6.11 or a fixed release: pip install &quot;PySide6-Essentials!=6.12.0&quot; &quot;PySide6-Addons!=6.12.0&quot;</translation>
    </message>
</context>
<context>
    <name>RegisterView</name>
    <message>
        <location filename="../../registry_desk/ui/register_view.py" line="+75"/>
        <source>所有权</source>
        <translation>Ownership</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>抵押、预告、查封等限制</source>
        <translation>Mortgages, advance notices, seizures and other restrictions</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>无抵押、预告、查封等限制。</source>
        <translation>No mortgage, advance notice, seizure or other restriction.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>现势权利</source>
        <translation>Current rights</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>单元信息</source>
        <translation>Unit facts</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>历史</source>
        <translation>History</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>证书证明</source>
        <translation>Certificates</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>在办业务</source>
        <translation>Open cases</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>不动产单元号：{number}</source>
        <translation>Unit number: {number}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>坐落：{location}</source>
        <translation>Address: {location}</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>历史（{n}）</source>
        <translation>History ({n})</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>证书证明（{n}）</source>
        <translation>Certificates ({n})</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>在办业务（{n}）</source>
        <translation>Open cases ({n})</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>查封</source>
        <translation>Seized</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>抵押</source>
        <translation>Mortgaged</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>抵押预告</source>
        <translation>Mortgage notice</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>预告</source>
        <translation>Advance notice</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>异议</source>
        <translation>Objection</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>在办业务{n}件</source>
        <translation>{n} open case(s)</translation>
    </message>
</context>
<context>
    <name>RightsModel</name>
    <message>
        <location filename="../../registry_desk/ui/models.py" line="+18"/>
        <source>权利类型</source>
        <translation>Right</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>权利人</source>
        <translation>Right holder</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>义务人等</source>
        <translation>Obligors and others</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>登记内容</source>
        <translation>Particulars</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>登簿时间</source>
        <translation>Recorded</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>证书证明号</source>
        <translation>Certificate no.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>业务号</source>
        <translation>Case no.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>注销时间</source>
        <translation>Ended</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>注销原因</source>
        <translation>Reason ended</translation>
    </message>
</context>
<context>
    <name>SearchResultsModel</name>
    <message>
        <location line="-53"/>
        <source>类别</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>名称或坐落</source>
        <translation>Name or address</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>说明</source>
        <translation>Details</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>不动产单元</source>
        <translation>Unit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>证书证明</source>
        <translation>Certificates</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>权利人</source>
        <translation>Right holder</translation>
    </message>
</context>
<context>
    <name>SideCard</name>
    <message>
        <location filename="../../registry_desk/ui/payment_panel.py" line="-160"/>
        <source>已过期</source>
        <translation>Expired</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{side}&#x3000;订单 {order}</source>
        <translation>{side}  order {order}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>合计：{amount} 元</source>
        <translation>Total: {amount} yuan</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>已过期（{at}），请重新开具</source>
        <translation>Expired ({at}); please reissue</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>待缴费，有效期至 {at}</source>
        <translation>Awaiting payment, valid until {at}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>已缴清入库（{at}）</source>
        <translation>Paid and credited ({at})</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>重新开具缴款单</source>
        <translation>Reissue the order</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>模拟群众扫码支付</source>
        <translation>Simulate the applicant&apos;s scan and payment</translation>
    </message>
</context>
<context>
    <name>SignatureBox</name>
    <message>
        <location filename="../../registry_desk/ui/signature_pad.py" line="+206"/>
        <source>清除</source>
        <translation>Clear</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>单位以电子签章确认，可不签名</source>
        <translation>Organisations confirm with their electronic seal; no signature needed</translation>
    </message>
</context>
<context>
    <name>SignatureDialog</name>
    <message>
        <location line="+18"/>
        <source>申请人签名 — 业务 {number}</source>
        <translation>Applicants&apos; signatures — case {number}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>请各申请人在对应的签名区内签名，签名将载入不动产登记申请书。</source>
        <translation>Each applicant signs in their box; the signatures go into the registration application form.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>确认签名</source>
        <translation>Confirm signatures</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>SignaturePad</name>
    <message>
        <location line="-70"/>
        <source>请在此处签名</source>
        <translation>Sign here</translation>
    </message>
</context>
<context>
    <name>TransferSection</name>
    <message>
        <location filename="../../registry_desk/ui/intake/transfer_section.py" line="+40"/>
        <source>合同成交价格，单位：元</source>
        <translation>Contract price in yuan</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>是卖方家庭唯一住房</source>
        <translation>The seller family&apos;s only home</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>房屋原值（元），未能提供原值凭证的留空，个税按核定征收</source>
        <translation>Original value (yuan); leave empty when unproven (income tax at the deemed rate)</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>成交价格（元）：</source>
        <translation>Price (yuan):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>买方家庭住房套数（含本套）：</source>
        <translation>Homes of the buyer&apos;s family (including this one):</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>卖方持有满（年）：</source>
        <translation>Full years held by the seller:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>合同签订日期：</source>
        <translation>Contract date:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>房屋原值（元）：</source>
        <translation>Original value (yuan):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>房屋所在地区（城建税）：</source>
        <translation>District (city maintenance tax):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>税费试算：</source>
        <translation>Trial tax and fee quote:</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>填写成交价格后显示契税、增值税、个人所得税和登记费试算。</source>
        <translation>Enter the price to see deed tax, VAT, income tax and the registration fee.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>房屋原值须为金额（元），或留空</source>
        <translation>The original value must be an amount in yuan, or empty</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>注：{note}</source>
        <translation>Note: {note}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>（试算，以税务机关核定为准）</source>
        <translation>(trial calculation; the tax office assesses)</translation>
    </message>
</context>
<context>
    <name>parent</name>
    <message>
        <location filename="../../registry_desk/ui/materials_panel.py" line="-326"/>
        <source>PDF 文件 (*.pdf)</source>
        <translation>PDF files (*.pdf)</translation>
    </message>
</context>
</TS>
