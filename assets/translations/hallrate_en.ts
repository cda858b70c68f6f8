<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
    <context>
        <name>AdminScreen</name>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="177" />
            <source>Saved.</source>
            <translation>Saved.</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="177" />
            <source>Not saved: {problem}</source>
            <translation>Not saved: {problem}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="202" />
            <source>App version: {v}</source>
            <translation>App version: {v}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="203" />
            <source>Rating content version: {v}</source>
            <translation>Rating content version: {v}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="204" />
            <source>Data folder: {path}</source>
            <translation>Data folder: {path}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="209" />
            <source>Ratings stored: {n}</source>
            <translation>Ratings stored: {n}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="210" />
            <source>Waiting to upload: {n}</source>
            <translation>Waiting to upload: {n}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="211" />
            <source>Failed permanently: {n}</source>
            <translation>Failed permanently: {n}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="212" />
            <source>Last error: {error}</source>
            <translation>Last error: {error}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="212" />
            <source>none</source>
            <translation>none</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="219" />
            <source>Kiosk administration</source>
            <translation>Kiosk administration</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="220" />
            <source>Back</source>
            <translation>Back</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="221" />
            <source>Exit kiosk</source>
            <translation>Exit kiosk</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="222" />
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="223" />
            <source>Settings</source>
            <translation>Settings</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="225" />
            <source>Counter id</source>
            <translation>Counter id</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="226" />
            <source>Counter name</source>
            <translation>Counter name</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="227" />
            <source>Staff id</source>
            <translation>Staff id</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="228" />
            <source>Staff name</source>
            <translation>Staff name</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="229" />
            <source>Staff number</source>
            <translation>Staff number</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="230" />
            <source>New PIN</source>
            <translation>New PIN</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="231" />
            <source>Language</source>
            <translation>Language</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="232" />
            <source>Idle timeout (s)</source>
            <translation>Idle timeout (s)</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="233" />
            <source>Cooldown (s)</source>
            <translation>Cooldown (s)</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="237" />
            <source>leave empty to keep</source>
            <translation>leave empty to keep</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/admin.py" line="238" />
            <source>Save</source>
            <translation>Save</translation>
        </message>
        <message>
            <source>Open alerts for this counter: none</source>
            <translation>Open alerts for this counter: none</translation>
        </message>
        <message>
            <source>Open alerts for staff: {n}</source>
            <translation>Open alerts for staff: {n}</translation>
        </message>
        <message>
            <source>nearest deadline {due}</source>
            <translation>nearest deadline {due}</translation>
        </message>
        <message>
            <source>Refused by the server (kept here): {n}</source>
            <translation>Refused by the server (kept here): {n}</translation>
        </message>
        <message>
            <source>Staff on duty</source>
            <translation>Staff on duty</translation>
        </message>
    </context>
    <context>
        <name>CommentScreen</name>
        <message>
            <location filename="../../kiosk/ui/screens/comment.py" line="68" />
            <source>Your comment (optional)</source>
            <extracomment>The citizen is done; carries the comment (possibly empty).</extracomment>
            <translation>Your comment (optional)</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/comment.py" line="69" />
            <source>Type here</source>
            <translation>Type here</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/comment.py" line="71" />
            <source>Use the keyboard below. The globe key switches between Chinese and English.</source>
            <translation>Use the keyboard below. The globe key switches between Chinese and English.</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/comment.py" line="73" />
            <source>Back</source>
            <translation>Back</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/comment.py" line="74" />
            <source>Done</source>
            <translation>Done</translation>
        </message>
        <message>
            <source>Your comment (optional): tap a phrase or type</source>
            <translation>Your comment (optional): tap a phrase or type</translation>
        </message>
        <message>
            <source>The keyboard types Chinese (pinyin) or English: the globe key switches.</source>
            <translation>The keyboard types Chinese (pinyin) or English: the globe key switches.</translation>
        </message>
    </context>
    <context>
        <name>FlowController</name>
        <message numerus="yes">
            <location filename="../../kiosk/ui/flow.py" line="246" />
            <source>Thank you! A rating was just given here. Please wait %n second(s), then tap Submit again.</source>
            <extracomment>The settings key under which admin changes are kept in the store. Screens the idle timer watches: a citizen or admin who walks away is sent back. A rating was stored; carries its id. A partial rating was thrown away by the idle timer. A submission was refused; carries the message the citizen saw. The admin asked to leave kiosk mode.</extracomment>
            <translation>
                <numerusform>Thank you! A rating was just given here. Please wait %n second, then tap Submit again.</numerusform>
                <numerusform>Thank you! A rating was just given here. Please wait %n seconds, then tap Submit again.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/flow.py" line="282" />
            <source>Sorry, this kiosk's storage is full and your rating was not saved. Please tell the staff.</source>
            <translation>Sorry, this kiosk's storage is full and your rating was not saved. Please tell the staff.</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/flow.py" line="287" />
            <source>Sorry, this kiosk cannot save ratings right now. Please tell the staff.</source>
            <translation>Sorry, this kiosk cannot save ratings right now. Please tell the staff.</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/flow.py" line="289" />
            <source>Sorry, your rating could not be saved. Please try again or tell the staff.</source>
            <translation>Sorry, your rating could not be saved. Please try again or tell the staff.</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/flow.py" line="320" />
            <source>a PIN has {low} to {high} digits</source>
            <translation>a PIN has {low} to {high} digits</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/flow.py" line="323" />
            <source>the counter id cannot be empty</source>
            <translation>the counter id cannot be empty</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/flow.py" line="350" />
            <source>Service rating receipt</source>
            <translation>Service rating receipt</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/flow.py" line="351" />
            <source>Thank you for your rating!</source>
            <translation>Thank you for your rating!</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/flow.py" line="352" />
            <source>Scan to follow what happens to your rating</source>
            <translation>Scan to follow what happens to your rating</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/flow.py" line="353" />
            <source>Receipt code</source>
            <translation>Receipt code</translation>
        </message>
        <message>
            <source>Syncing…</source>
            <translation>Syncing…</translation>
        </message>
        <message>
            <source>The server address starts with https://</source>
            <translation>The server address starts with https://</translation>
        </message>
        <message>
            <source>Enter the enrollment code the administrator gave you.</source>
            <translation>Enter the enrollment code the administrator gave you.</translation>
        </message>
        <message>
            <source>Enrolling…</source>
            <translation>Enrolling…</translation>
        </message>
        <message>
            <source>Enrollment failed: {why}</source>
            <translation>Enrollment failed: {why}</translation>
        </message>
        <message>
            <source>Enrolled for {counter}.</source>
            <translation>Enrolled for {counter}.</translation>
        </message>
        <message>
            <source>Exporting…</source>
            <translation>Exporting…</translation>
        </message>
        <message>
            <source>Exported {what}</source>
            <translation>Exported {what}</translation>
        </message>
        <message>
            <source>Export failed: {why}</source>
            <translation>Export failed: {why}</translation>
        </message>
        <message numerus="yes">
            <source>A rating was just given here. Please wait %n second(s).</source>
            <translation>
                <numerusform>A rating was just given here. Please wait %n second(s).</numerusform>
                <numerusform>A rating was just given here. Please wait %n second(s).</numerusform>
            </translation>
        </message>
        <message>
            <source>We will look into it and reply within {hours} hours.</source>
            <translation>We will look into it and reply within {hours} hours.</translation>
        </message>
        <message>
            <source>Service hotline: {number}</source>
            <translation>Service hotline: {number}</translation>
        </message>
    </context>
    <context>
        <name>PinPad</name>
        <message>
            <location filename="../../kiosk/ui/widgets/pinpad.py" line="75" />
            <source>Delete</source>
            <translation>Delete</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/widgets/pinpad.py" line="77" />
            <source>OK</source>
            <translation>OK</translation>
        </message>
    </context>
    <context>
        <name>PinScreen</name>
        <message numerus="yes">
            <location filename="../../kiosk/ui/screens/pin.py" line="66" />
            <source>Wrong PIN. %n attempt(s) left.</source>
            <translation>
                <numerusform>Wrong PIN. %n attempt left.</numerusform>
                <numerusform>Wrong PIN. %n attempts left.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../kiosk/ui/screens/pin.py" line="71" />
            <source>Too many wrong PINs. Locked for %n minute(s).</source>
            <translation>
                <numerusform>Too many wrong PINs. Locked for %n minute.</numerusform>
                <numerusform>Too many wrong PINs. Locked for %n minutes.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/pin.py" line="75" />
            <source>Staff only: enter the admin PIN</source>
            <translation>Staff only: enter the admin PIN</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/pin.py" line="76" />
            <source>Back</source>
            <translation>Back</translation>
        </message>
    </context>
    <context>
        <name>RateScreen</name>
        <message>
            <location filename="../../kiosk/ui/screens/rate.py" line="152" />
            <source>Comment: {text}</source>
            <extracomment>Reason chips appear for this many stars or fewer.</extracomment>
            <translation>Comment: {text}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/rate.py" line="154" />
            <source>Add a comment (optional)</source>
            <translation>Comment (optional)</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/rate.py" line="161" />
            <source>Please rate our service: tap 1 to 5 stars for each item</source>
            <translation>Please rate our service: tap 1 to 5 stars for each item</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/rate.py" line="167" />
            <source>Cancel</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/rate.py" line="168" />
            <source>Submit</source>
            <translation>Submit</translation>
        </message>
        <message>
            <source>Tap 1 to 5 stars for each item</source>
            <translation>Tap 1 to 5 stars for each item</translation>
        </message>
        <message>
            <source>What went wrong? Tap any that apply, then Submit</source>
            <translation>What went wrong? Tap any that apply, then Submit</translation>
        </message>
        <message>
            <source>Please rate “{name}” too: tap a star</source>
            <translation>Please rate “{name}” too: tap a star</translation>
        </message>
        <message>
            <source>Not rated</source>
            <translation>Not rated</translation>
        </message>
        <message>
            <source>Next</source>
            <translation>Next</translation>
        </message>
        <message>
            <source>Back</source>
            <translation>Back</translation>
        </message>
        <message>
            <source>Reasons for a low score (optional)</source>
            <translation>Reasons for a low score (optional)</translation>
        </message>
        <message>
            <source>Gave 1 or 2 stars? Tap what went wrong here. It helps us improve.</source>
            <translation>Gave 1 or 2 stars? Tap what went wrong here. It helps us improve.</translation>
        </message>
    </context>
    <context>
        <name>ScoreBadge</name>
        <message>
            <location filename="../../kiosk/ui/widgets/score_badge.py" line="43" />
            <source>{period}
no ratings yet</source>
            <translation>{period}
no ratings yet</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/widgets/score_badge.py" line="45" />
            <source>{period}
{mean} · {count} ratings</source>
            <translation>{period}
{mean} · {count} ratings</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/widgets/score_badge.py" line="50" />
            <source>Counter score</source>
            <translation>Counter score</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/widgets/score_badge.py" line="57" />
            <source>Today</source>
            <translation>Today</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/widgets/score_badge.py" line="58" />
            <source>This month</source>
            <translation>This month</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/widgets/score_badge.py" line="60" />
            <source>Computed on this kiosk</source>
            <translation>Computed on this kiosk</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/widgets/score_badge.py" line="62" />
            <source>From the scoring server</source>
            <translation>From the scoring server</translation>
        </message>
    </context>
    <context>
        <name>ThanksScreen</name>
        <message>
            <location filename="../../kiosk/ui/screens/thanks.py" line="44" />
            <source>Thank you for your rating!</source>
            <extracomment>Room for the receipt QR a later issue adds; empty and unstyled until then.</extracomment>
            <translation>Thank you for your rating!</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/thanks.py" line="45" />
            <source>Your rating has been saved.</source>
            <translation>Your rating has been saved.</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/thanks.py" line="46" />
            <source>Tap anywhere to finish</source>
            <translation>Tap anywhere to finish</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/thanks.py" line="96" />
            <source>Printing your receipt…</source>
            <translation>Printing your receipt…</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/thanks.py" line="97" />
            <source>Please take your printed receipt.</source>
            <translation>Please take your printed receipt.</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/thanks.py" line="98" />
            <source>Sorry, the receipt could not be printed. Scan the code or note the receipt code instead.</source>
            <translation>Sorry, the receipt could not be printed. Scan the code or note the receipt code instead.</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/thanks.py" line="112" />
            <source>Scan to follow what happens to your rating</source>
            <translation>Scan to follow what happens to your rating</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/thanks.py" line="114" />
            <source>Follow your rating with this receipt code</source>
            <translation>Follow your rating with this receipt code</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/thanks.py" line="115" />
            <source>Receipt code: {code}</source>
            <translation>Receipt code: {code}</translation>
        </message>
        <message>
            <source>We are sorry we did not satisfy you. The hall will look into it and reply within {hours} hours.</source>
            <translation>We are sorry we did not satisfy you. The hall will look into it and reply within {hours} hours.</translation>
        </message>
        <message>
            <source>Scan the QR below to follow it. If you would like us to call you back, you can leave a phone number on that page (optional).</source>
            <translation>Scan the QR below to follow it. If you would like us to call you back, you can leave a phone number on that page (optional).</translation>
        </message>
        <message>
            <source>Keep the receipt code below to follow it.</source>
            <translation>Keep the receipt code below to follow it.</translation>
        </message>
    </context>
    <context>
        <name>WelcomeScreen</name>
        <message>
            <location filename="../../kiosk/ui/screens/welcome.py" line="107" />
            <source>Staff on duty: {name}  No. {number}</source>
            <extracomment>The hall logo was held long enough: open the admin PIN pad. The citizen asked for the other language.</extracomment>
            <translation>Staff on duty: {name}  No. {number}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/welcome.py" line="111" />
            <source>Rate our service</source>
            <translation>Rate our service</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/welcome.py" line="114" />
            <source>Large text</source>
            <translation>Large text</translation>
        </message>
        <message>
            <source>Open alerts for staff: {n}</source>
            <translation>Open alerts for staff: {n}</translation>
        </message>
        <message>
            <source>nearest deadline {due}</source>
            <translation>nearest deadline {due}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/welcome.py" line="167" />
            <source>Scan to rate on your phone</source>
            <translation>Scan to rate on your phone</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/welcome.py" />
            <source>Serving you: {name}  No. {number}</source>
            <translation>Serving you: {name}  No. {number}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/welcome.py" />
            <source>This counter is closed. Please go to another counter.</source>
            <translation>This counter is closed. Please go to another counter.</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/welcome.py" />
            <source>Staff sign in</source>
            <translation>Staff sign in</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/welcome.py" />
            <source>Staff</source>
            <translation>Staff</translation>
        </message>
    </context>
    <context>
        <name>SyncPanel</name>
        <message>
            <source>never</source>
            <translation>never</translation>
        </message>
        <message>
            <source>Not enrolled: enter the server address and an enrollment code.</source>
            <translation>Not enrolled: enter the server address and an enrollment code.</translation>
        </message>
        <message>
            <source>The server refused this device: enroll it again with a new code.</source>
            <translation>The server refused this device: enroll it again with a new code.</translation>
        </message>
        <message>
            <source>Enrolled with {url}</source>
            <translation>Enrolled with {url}</translation>
        </message>
        <message>
            <source>Waiting to upload: {n}</source>
            <translation>Waiting to upload: {n}</translation>
        </message>
        <message>
            <source>Dead letters (kept, not retried): {n}</source>
            <translation>Dead letters (kept, not retried): {n}</translation>
        </message>
        <message>
            <source>Last success: {when}</source>
            <translation>Last success: {when}</translation>
        </message>
        <message>
            <source>Last error: {error}</source>
            <translation>Last error: {error}</translation>
        </message>
        <message>
            <source>none</source>
            <translation>none</translation>
        </message>
        <message>
            <source>Next attempt: {when}</source>
            <translation>Next attempt: {when}</translation>
        </message>
        <message>
            <source>when due</source>
            <translation>when due</translation>
        </message>
        <message>
            <source>Server sync</source>
            <translation>Server sync</translation>
        </message>
        <message>
            <source>Sync now</source>
            <translation>Sync now</translation>
        </message>
        <message>
            <source>Enroll</source>
            <translation>Enroll</translation>
        </message>
        <message>
            <source>Export to USB</source>
            <translation>Export to USB</translation>
        </message>
        <message>
            <source>Server address</source>
            <translation>Server address</translation>
        </message>
        <message>
            <source>Enrollment code</source>
            <translation>Enrollment code</translation>
        </message>
        <message>
            <source>USB folder</source>
            <translation>USB folder</translation>
        </message>
        <message>
            <source>Refused by the server (kept here): {n}</source>
            <translation>Refused by the server (kept here): {n}</translation>
        </message>
        <message>
            <source>Last problem: {error}</source>
            <translation>Last problem: {error}</translation>
        </message>
        <message>
            <source>the server could not be reached: check the network and address</source>
            <translation>the server could not be reached: check the network and address</translation>
        </message>
        <message>
            <source>the server was busy or down; the kiosk tries again by itself</source>
            <translation>the server was busy or down; the kiosk tries again by itself</translation>
        </message>
        <message>
            <source>the server no longer accepts this kiosk: enroll it again</source>
            <translation>the server no longer accepts this kiosk: enroll it again</translation>
        </message>
        <message>
            <source>the server's answer was not usable; the kiosk tries again by itself</source>
            <translation>the server's answer was not usable; the kiosk tries again by itself</translation>
        </message>
    </context>
    <context>
        <name>InviteScreen</name>
        <message>
            <location filename="../../kiosk/ui/screens/invite.py" />
            <source>Your service is complete. Please rate it.</source>
            <translation>Your service is complete. Please rate it.</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/invite.py" />
            <source>Served by {name}  No. {number}</source>
            <translation>Served by {name}  No. {number}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/invite.py" />
            <source>Ticket {ticket}</source>
            <translation>Ticket {ticket}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/invite.py" />
            <source>Rate this service</source>
            <translation>Rate this service</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/invite.py" />
            <source>Not now</source>
            <translation>Not now</translation>
        </message>
    </context>
    <context>
        <name>SignInScreen</name>
        <message>
            <location filename="../../kiosk/ui/screens/signin.py" />
            <source>Staff: enter your staff number to sign in</source>
            <translation>Staff: enter your staff number to sign in</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/signin.py" />
            <source>Now on duty: {name}</source>
            <translation>Now on duty: {name}</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/signin.py" />
            <source>Nobody is signed in: the counter shows as closed.</source>
            <translation>Nobody is signed in: the counter shows as closed.</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/signin.py" />
            <source>No staff member of this counter has that number.</source>
            <translation>No staff member of this counter has that number.</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/signin.py" />
            <source>Sign out</source>
            <translation>Sign out</translation>
        </message>
        <message>
            <location filename="../../kiosk/ui/screens/signin.py" />
            <source>Back</source>
            <translation>Back</translation>
        </message>
    </context>
</TS>
