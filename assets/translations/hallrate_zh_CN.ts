<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
    <context>
        <name>AdminScreen</name>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="177" />
            <source>Saved.</source>
            <translation>已保存。</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="177" />
            <source>Not saved: {problem}</source>
            <translation>未保存：{problem}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="202" />
            <source>App version: {v}</source>
            <translation>软件版本：{v}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="203" />
            <source>Rating content version: {v}</source>
            <translation>评价内容版本：{v}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="204" />
            <source>Data folder: {path}</source>
            <translation>数据目录：{path}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="209" />
            <source>Ratings stored: {n}</source>
            <translation>已存评价：{n} 条</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="210" />
            <source>Waiting to upload: {n}</source>
            <translation>待上传：{n} 条</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="211" />
            <source>Failed permanently: {n}</source>
            <translation>上传失败（不再重试）：{n} 条</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="212" />
            <source>Last error: {error}</source>
            <translation>最近错误：{error}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="212" />
            <source>none</source>
            <translation>无</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="219" />
            <source>Kiosk administration</source>
            <translation>评价器管理</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="220" />
            <source>Back</source>
            <translation>返回</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="221" />
            <source>Exit kiosk</source>
            <translation>退出评价器</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="222" />
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="223" />
            <source>Settings</source>
            <translation>设置</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="225" />
            <source>Counter id</source>
            <translation>窗口编号</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="226" />
            <source>Counter name</source>
            <translation>窗口名称</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="227" />
            <source>Staff id</source>
            <translation>工作人员编号</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="228" />
            <source>Staff name</source>
            <translation>工作人员姓名</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="229" />
            <source>Staff number</source>
            <translation>工号</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="230" />
            <source>New PIN</source>
            <translation>新管理密码</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="231" />
            <source>Language</source>
            <translation>语言</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="232" />
            <source>Idle timeout (s)</source>
            <translation>无操作返回（秒）</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="233" />
            <source>Cooldown (s)</source>
            <translation>评价间隔（秒）</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="237" />
            <source>leave empty to keep</source>
            <translation>留空则不修改</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="238" />
            <source>Save</source>
            <translation>保存</translation>
        </message>
        <message>
            <source>Open alerts for this counter: none</source>
            <translation>本窗口没有待处理提醒</translation>
        </message>
        <message>
            <source>Open alerts for staff: {n}</source>
            <translation>待处理提醒：{n} 条</translation>
        </message>
        <message>
            <source>nearest deadline {due}</source>
            <translation>最近期限 {due}</translation>
        </message>
        <message>
            <source>Refused by the server (kept here): {n}</source>
            <translation>被评分中心拒收（保存在本机）：{n}</translation>
        </message>
        <message>
            <source>Staff on duty</source>
            <translation>当班工作人员</translation>
        </message>
    </context>
    <context>
        <name>CommentScreen</name>
        <message>
            <location filename="../../kiosk/ui/screens/comment.py" line="68" />
            <source>Your comment (optional)</source>
            <extracomment>The citizen is done; carries the comment (possibly empty).</extracomment>
            <translation>您的意见（选填）</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/comment.py" line="69" />
            <source>Type here</source>
            <translation>请在此输入</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/comment.py" line="71" />
            <source>Use the keyboard below. The globe key switches between Chinese and English.</source>
            <translation>请使用下方键盘输入，按地球键可切换中英文。</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/comment.py" line="73" />
            <source>Back</source>
            <translation>返回</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/comment.py" line="74" />
            <source>Done</source>
            <translation>完成</translation>
        </message>
        <message>
            <source>Your comment (optional): tap a phrase or type</source>
            <translation>您的意见（可选）：点选常用语或输入</translation>
        </message>
        <message>
            <source>The keyboard types Chinese (pinyin) or English: the globe key switches.</source>
            <translation>键盘可输入中文（拼音）或英文，地球键切换。</translation>
        </message>
    </context>
    <context>
        <name>FlowController</name>
        <message numerus="yes">
            <location filename="../../kiosk/ui/flow.py" line="246" />
            <source>Thank you! A rating was just given here. Please wait %n second(s), then tap Submit again.</source>
            <extracomment>The settings key under which admin changes are kept in the store. Screens the idle timer watches: a citizen or admin who walks away is sent back. A rating was stored; carries its id. A partial rating was thrown away by the idle timer. A submission was refused; carries the message the citizen saw. The admin asked to leave kiosk mode.</extracomment>
            <translation>
                <numerusform>感谢您！本窗口刚刚完成一次评价，请 %n 秒后再点击“提交”。</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/flow.py" line="282" />
            <source>Sorry, this kiosk's storage is full and your rating was not saved. Please tell the staff.</source>
            <translation>抱歉，本评价器存储已满，评价未能保存，请告知工作人员。</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/flow.py" line="287" />
            <source>Sorry, this kiosk cannot save ratings right now. Please tell the staff.</source>
            <translation>抱歉，本评价器暂时无法保存评价，请告知工作人员。</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/flow.py" line="289" />
            <source>Sorry, your rating could not be saved. Please try again or tell the staff.</source>
            <translation>抱歉，评价未能保存，请重试或告知工作人员。</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/flow.py" line="320" />
            <source>a PIN has {low} to {high} digits</source>
            <translation>密码须为 {low} 至 {high} 位数字</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/flow.py" line="323" />
            <source>the counter id cannot be empty</source>
            <translation>窗口编号不能为空</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/flow.py" line="350" />
            <source>Service rating receipt</source>
            <translation>服务评价回执</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/flow.py" line="351" />
            <source>Thank you for your rating!</source>
            <translation>感谢您的评价！</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/flow.py" line="352" />
            <source>Scan to follow what happens to your rating</source>
            <translation>扫码查看评价处理进度</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/flow.py" line="353" />
            <source>Receipt code</source>
            <translation>回执码</translation>
        </message>
        <message>
            <source>Syncing…</source>
            <translation>正在同步…</translation>
        </message>
        <message>
            <source>The server address starts with https://</source>
            <translation>服务器地址应以 https:// 开头</translation>
        </message>
        <message>
            <source>Enter the enrollment code the administrator gave you.</source>
            <translation>请输入管理员提供的登记码。</translation>
        </message>
        <message>
            <source>Enrolling…</source>
            <translation>正在登记…</translation>
        </message>
        <message>
            <source>Enrollment failed: {why}</source>
            <translation>登记失败：{why}</translation>
        </message>
        <message>
            <source>Enrolled for {counter}.</source>
            <translation>已登记为 {counter}。</translation>
        </message>
        <message>
            <source>Exporting…</source>
            <translation>正在导出…</translation>
        </message>
        <message>
            <source>Exported {what}</source>
            <translation>已导出 {what}</translation>
        </message>
        <message>
            <source>Export failed: {why}</source>
            <translation>导出失败：{why}</translation>
        </message>
        <message numerus="yes">
            <source>A rating was just given here. Please wait %n second(s).</source>
            <translation>
                <numerusform>本窗口刚刚完成一次评价，请 %n 秒后再评价。</numerusform>
            </translation>
        </message>
        <message>
            <source>We will look into it and reply within {hours} hours.</source>
            <translation>我们将在 {hours} 小时内核实处理并答复。</translation>
        </message>
        <message>
            <source>Service hotline: {number}</source>
            <translation>服务热线：{number}</translation>
        </message>
    </context>
    <context>
        <name>PinPad</name>
        <message>
            <location filename="../../kiosk/ui/widgets/pinpad.py" line="75" />
            <source>Delete</source>
            <translation>删除</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/widgets/pinpad.py" line="77" />
            <source>OK</source>
            <translation>确定</translation>
        </message>
    </context>
    <context>
        <name>PinScreen</name>
        <message numerus="yes">
            <location filename="../../kiosk/ui/screens/pin.py" line="66" />
            <source>Wrong PIN. %n attempt(s) left.</source>
            <translation>
                <numerusform>密码错误，还可尝试 %n 次。</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../kiosk/ui/screens/pin.py" line="71" />
            <source>Too many wrong PINs. Locked for %n minute(s).</source>
            <translation>
                <numerusform>密码错误次数过多，已锁定 %n 分钟。</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/pin.py" line="75" />
            <source>Staff only: enter the admin PIN</source>
            <translation>仅限工作人员：请输入管理密码</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/pin.py" line="76" />
            <source>Back</source>
            <translation>返回</translation>
        </message>
    </context>
    <context>
        <name>RateScreen</name>
        <message>
            <location filename="../../kiosk/ui/screens/rate.py" line="152" />
            <source>Comment: {text}</source>
            <extracomment>Reason chips appear for this many stars or fewer.</extracomment>
            <translation>意见：{text}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/rate.py" line="154" />
            <source>Add a comment (optional)</source>
            <translation>填写意见（选填）</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/rate.py" line="161" />
            <source>Please rate our service: tap 1 to 5 stars for each item</source>
            <translation>请对以下各项打分：点击 1 至 5 颗星</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/rate.py" line="167" />
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/rate.py" line="168" />
            <source>Submit</source>
            <translation>提交</translation>
        </message>
        <message>
            <source>Tap 1 to 5 stars for each item</source>
            <translation>请为每一项点 1 至 5 颗星</translation>
        </message>
        <message>
            <source>What went wrong? Tap any that apply, then Submit</source>
            <translation>哪里不满意？可点选原因，然后点“提交”</translation>
        </message>
        <message>
            <source>Please rate “{name}” too: tap a star</source>
            <translation>请为“{name}”评分：点一颗星</translation>
        </message>
        <message>
            <source>Not rated</source>
            <translation>未评分</translation>
        </message>
        <message>
            <source>Next</source>
            <translation>下一步</translation>
        </message>
        <message>
            <source>Back</source>
            <translation>返回</translation>
        </message>
        <message>
            <source>Reasons for a low score (optional)</source>
            <translation>不满意的原因（可选）</translation>
        </message>
        <message>
            <source>Gave 1 or 2 stars? Tap what went wrong here. It helps us improve.</source>
            <translation>打 1 或 2 颗星时，可在这里点选原因，帮助我们改进。</translation>
        </message>
    </context>
    <context>
        <name>ScoreBadge</name>
        <message>
            <location filename="../../kiosk/ui/widgets/score_badge.py" line="43" />
            <source>{period}
no ratings yet</source>
            <translation>{period}
暂无评价</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/widgets/score_badge.py" line="45" />
            <source>{period}
{mean} · {count} ratings</source>
            <translation>{period}
{mean} 分 · {count} 条</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/widgets/score_badge.py" line="50" />
            <source>Counter score</source>
            <translation>窗口评分</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/widgets/score_badge.py" line="57" />
            <source>Today</source>
            <translation>今日</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/widgets/score_badge.py" line="58" />
            <source>This month</source>
            <translation>本月</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/widgets/score_badge.py" line="60" />
            <source>Computed on this kiosk</source>
            <translation>本机统计</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/widgets/score_badge.py" line="62" />
            <source>From the scoring server</source>
            <translation>来自评分中心</translation>
        </message>
    </context>
    <context>
        <name>ThanksScreen</name>
        <message>
            <location filename="../../kiosk/ui/screens/thanks.py" line="44" />
            <source>Thank you for your rating!</source>
            <extracomment>Room for the receipt QR a later issue adds; empty and unstyled until then.</extracomment>
            <translation>感谢您的评价！</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/thanks.py" line="45" />
            <source>Your rating has been saved.</source>
            <translation>您的评价已保存。</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/thanks.py" line="46" />
            <source>Tap anywhere to finish</source>
            <translation>轻触屏幕任意处结束</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/thanks.py" line="96" />
            <source>Printing your receipt…</source>
            <translation>正在打印回执…</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/thanks.py" line="97" />
            <source>Please take your printed receipt.</source>
            <translation>请取走打印的回执。</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/thanks.py" line="98" />
            <source>Sorry, the receipt could not be printed. Scan the code or note the receipt code instead.</source>
            <translation>抱歉，回执未能打印。请扫描二维码或记下回执码。</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/thanks.py" line="112" />
            <source>Scan to follow what happens to your rating</source>
            <translation>扫码查看评价处理进度</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/thanks.py" line="114" />
            <source>Follow your rating with this receipt code</source>
            <translation>凭回执码查询评价处理进度</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/thanks.py" line="115" />
            <source>Receipt code: {code}</source>
            <translation>回执码：{code}</translation>
        </message>
        <message>
            <source>We are sorry we did not satisfy you. The hall will look into it and reply within {hours} hours.</source>
            <translation>很抱歉没能让您满意。大厅将在 {hours} 小时内核实处理并答复。</translation>
        </message>
        <message>
            <source>Scan the QR below to follow it. If you would like us to call you back, you can leave a phone number on that page (optional).</source>
            <translation>扫描下方二维码可查看处理进度；如希望我们回电，可在该页面留下手机号码（自愿）。</translation>
        </message>
        <message>
            <source>Keep the receipt code below to follow it.</source>
            <translation>请记下下方回执码，用于查询处理进度。</translation>
        </message>
    </context>
    <context>
        <name>WelcomeScreen</name>
        <message>
            <location filename="../../kiosk/ui/screens/welcome.py" line="107" />
            <source>Staff on duty: {name}  No. {number}</source>
            <extracomment>The hall logo was held long enough: open the admin PIN pad. The citizen asked for the other language.</extracomment>
            <translation>当班工作人员：{name}　工号：{number}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/welcome.py" line="111" />
            <source>Rate our service</source>
            <translation>请您对本次服务进行评价</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/welcome.py" line="114" />
            <source>Large text</source>
            <translation>大字模式</translation>
        </message>
        <message>
            <source>Open alerts for staff: {n}</source>
            <translation>待处理提醒：{n} 条</translation>
        </message>
        <message>
            <source>nearest deadline {due}</source>
            <translation>最近期限 {due}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/welcome.py" line="167" />
            <source>Scan to rate on your phone</source>
            <translation>扫码评价</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/welcome.py" />
            <source>Serving you: {name}  No. {number}</source>
            <translation>为您服务：{name}　工号：{number}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/welcome.py" />
            <source>This counter is closed. Please go to another counter.</source>
            <translation>本窗口暂停服务，请到其他窗口办理。</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/welcome.py" />
            <source>Staff sign in</source>
            <translation>工作人员签到</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/welcome.py" />
            <source>Staff</source>
            <translation>工作人员</translation>
        </message>
    </context>
    <context>
        <name>SyncPanel</name>
        <message>
            <source>never</source>
            <translation>从未</translation>
        </message>
        <message>
            <source>Not enrolled: enter the server address and an enrollment code.</source>
            <translation>尚未登记：请输入服务器地址和登记码。</translation>
        </message>
        <message>
            <source>The server refused this device: enroll it again with a new code.</source>
            <translation>服务器拒绝了本设备：请用新的登记码重新登记。</translation>
        </message>
        <message>
            <source>Enrolled with {url}</source>
            <translation>已登记到 {url}</translation>
        </message>
        <message>
            <source>Waiting to upload: {n}</source>
            <translation>待上传：{n} 条</translation>
        </message>
        <message>
            <source>Dead letters (kept, not retried): {n}</source>
            <translation>无法投递（已保留，不再重试）：{n} 条</translation>
        </message>
        <message>
            <source>Last success: {when}</source>
            <translation>上次成功：{when}</translation>
        </message>
        <message>
            <source>Last error: {error}</source>
            <translation>上次错误：{error}</translation>
        </message>
        <message>
            <source>none</source>
            <translation>无</translation>
        </message>
        <message>
            <source>Next attempt: {when}</source>
            <translation>下次尝试：{when}</translation>
        </message>
        <message>
            <source>when due</source>
            <translation>按计划</translation>
        </message>
        <message>
            <source>Server sync</source>
            <translation>服务器同步</translation>
        </message>
        <message>
            <source>Sync now</source>
            <translation>立即同步</translation>
        </message>
        <message>
            <source>Enroll</source>
            <translation>登记</translation>
        </message>
        <message>
            <source>Export to USB</source>
            <translation>导出到U盘</translation>
        </message>
        <message>
            <source>Server address</source>
            <translation>服务器地址</translation>
        </message>
        <message>
            <source>Enrollment code</source>
            <translation>登记码</translation>
        </message>
        <message>
            <source>USB folder</source>
            <translation>U盘目录</translation>
        </message>
        <message>
            <source>Refused by the server (kept here): {n}</source>
            <translation>被评分中心拒收（保存在本机）：{n}</translation>
        </message>
        <message>
            <source>Last problem: {error}</source>
            <translation>最近的问题：{error}</translation>
        </message>
        <message>
            <source>the server could not be reached: check the network and address</source>
            <translation>无法连接评分中心：请检查网络和地址</translation>
        </message>
        <message>
            <source>the server was busy or down; the kiosk tries again by itself</source>
            <translation>评分中心繁忙或暂停服务，本机会自动重试</translation>
        </message>
        <message>
            <source>the server no longer accepts this kiosk: enroll it again</source>
            <translation>评分中心不再接受本机：请重新注册</translation>
        </message>
        <message>
            <source>the server's answer was not usable; the kiosk tries again by itself</source>
            <translation>评分中心的回复无法使用，本机会自动重试</translation>
        </message>
    </context>
    <context>
        <name>InviteScreen</name>
        <message>
            <location filename="../../kiosk/ui/screens/invite.py" />
            <source>Your service is complete. Please rate it.</source>
            <translation>您的业务已办理完毕，请对本次服务进行评价</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/invite.py" />
            <source>Served by {name}  No. {number}</source>
            <translation>为您服务：{name}　工号：{number}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/invite.py" />
            <source>Ticket {ticket}</source>
            <translation>排队号 {ticket}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/invite.py" />
            <source>Rate this service</source>
            <translation>评价本次服务</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/invite.py" />
            <source>Not now</source>
            <translation>暂不评价</translation>
        </message>
    </context>
    <context>
        <name>SignInScreen</name>
        <message>
            <location filename="../../kiosk/ui/screens/signin.py" />
            <source>Staff: enter your staff number to sign in</source>
            <translation>工作人员：请输入工号签到</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/signin.py" />
            <source>Now on duty: {name}</source>
            <translation>当前在岗：{name}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/signin.py" />
            <source>Nobody is signed in: the counter shows as closed.</source>
            <translation>尚无人签到：窗口显示为暂停服务。</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/signin.py" />
            <source>No staff member of this counter has that number.</source>
            <translation>本窗口没有这个工号的工作人员。</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/signin.py" />
            <source>Sign out</source>
            <translation>签退</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/signin.py" />
            <source>Back</source>
            <translation>返回</translation>
        </message>
    </context>
</TS>
