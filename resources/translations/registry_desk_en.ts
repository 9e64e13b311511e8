<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name>App</name>
    <message>
        <location filename="../../registry_desk/app.py" line="+80"/>
        <source>不动产登记一窗受理</source>
        <translation>Real-Estate Registration Counter</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>无法打开数据库</source>
        <translation>Cannot open the database</translation>
    </message>
</context>
<context>
    <name>CaseListModel</name>
    <message>
        <location filename="../../registry_desk/ui/case_list.py" line="+36"/>
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
        <source>单元</source>
        <translation>Unit</translation>
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
        <location line="+14"/>
        <source>{date}（已超期）</source>
        <translation>{date} (overdue)</translation>
    </message>
</context>
<context>
    <name>CaseListView</name>
    <message>
        <location line="+42"/>
        <source>暂无业务。受理的业务会显示在这里。</source>
        <translation>No cases yet. Cases accepted at the counter appear here.</translation>
    </message>
</context>
<context>
    <name>CertificatesModel</name>
    <message>
        <location filename="../../registry_desk/ui/models.py" line="+195"/>
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
    <name>Dialogs</name>
    <message>
        <location filename="../../registry_desk/ui/dialogs.py" line="+13"/>
        <source>无法办理</source>
        <translation>Cannot proceed</translation>
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
    <name>LoginDialog</name>
    <message>
        <location filename="../../registry_desk/ui/login.py" line="+46"/>
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
        <location filename="../../registry_desk/ui/main_window.py" line="+84"/>
        <source>不动产登记一窗受理 — 中卫市 — {name}（{role}）</source>
        <translation>Real-Estate Registration Counter — Zhongwei — {name} ({role})</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>不动产单元号、证书证明号、身份证号或统一社会信用代码、姓名、坐落（Ctrl+F）</source>
        <translation>Unit number, certificate number, ID number or USCC, name, address (Ctrl+F)</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+3"/>
        <source>查询</source>
        <translation>Search</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>查询：</source>
        <translation>Search:</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>在上方输入单元号、证号、证件号码、姓名或坐落，按回车查询。</source>
        <translation>Type a unit number, certificate number, ID number, name or address above and press Enter.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>← 返回结果（Alt+←）</source>
        <translation>← Back to results (Alt+←)</translation>
    </message>
    <message>
        <location line="+18"/>
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
        <source>数据库：{url}</source>
        <translation>Database: {url}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>当前用户：{name}（{role}）</source>
        <translation>Signed in: {name} ({role})</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>没有找到与“{query}”相符的单元、证书或权利人。</source>
        <translation>No unit, certificate or right holder matches “{query}”.</translation>
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
        <location line="+23"/>
        <source>无法打开登记簿</source>
        <translation>Cannot open the register</translation>
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
</TS>
