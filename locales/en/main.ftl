# livechat in English: every word a person reads. One message a line; keep
# the keys in step with locales/ar/main.ftl (the tests check both ways).
# Arguments are isolated in the markup (names in <bdi>), not by Fluent.

## Every page

tab-title = { $title } · livechat
footer = Anonymous chat. Be kind; anything you write is seen by everyone in the room.
home-link = Home
go-home = Go to the home page.
join-again = Join again.
back-to-room = Back to the room
field-name = Name
field-room-code = Room code
not-live = Live updates are not connected.
not-live-reload = Reload the page
connection-lost = Connection lost: live updates will come back by themselves when it does.
session-ended = Your session ended: press { $join } to come back in.
session-has-ended = Your session has ended.
restarting-reload = The server is restarting. Reload the page in a moment.

## Home

home-title = Anonymous chat
home-skip = Skip to your name
home-lead = Talk with anyone, right now. No account: pick a name and go.
home-go = Go
home-greeting = Hello, { $name }. Now join a room with its code, pick a public room, make a private one, or meet a stranger.
home-invited = You are invited to room { $code }
home-join-room = Join room { $code }
home-join-heading = Join with a code
home-join = Join
home-public-rooms = Public rooms
home-online = { $n } online
home-private-heading = Private room
home-private-text = A new room only people with its code can join.
home-create = Create private room
home-random-heading = Random chat
home-random-text = Talk one to one with someone else who is waiting.
home-pair = Chat with a random stranger
code-shape = A code is { $len } letters or digits, like { $example }

## The room page

room-title-private = Room { $code }
room-title-public = # { $code }
unread-title = New activity · { $title }
mention-title = (@) You were mentioned · { $title }
room-skip = Skip to message box
room-skip-unread = Skip to new messages
room-code = Code { $code }
room-share = Link to share
room-chat = Chat
room-messages = Messages
room-people = People
room-leave = Leave
room-jump = Jump to newest
online-heading = Online
online-count = { $n } here now
online-count-live = { $count } here now
online-more = and { $n } more
online-owner = (owner)
send-label = Message
send-placeholder = Write a message
send-button = Send
send-unsent = Not sent: no connection. Your message is still here.
send-not-sent = Message not sent
send-open-again = Open the room again
rename-button = Change name
rename-done = Your name is now { $name }.
owner-remove = Remove { $name }
owner-lock = Lock room
owner-unlock = Unlock room
owner-lock-invalid = Press Lock room or Unlock room
rules-locked = This room is locked: nobody new may join
slow-mode = Slow mode: one message every { $pace }
read-only-until = This room is read-only until { $until }
pace-seconds = { $n } s
pace-minutes = { $n } min

own-you = You
own-mentions-you = mentions you

## The log

day-today = Today
day-yesterday = Yesterday
notice-joined = { $names } joined
notice-left = { $names } left
notice-renamed = { $from } is now known as { $to }
typing-line = { $name } is typing…
notice-paired = { $a } and { $b } are now talking: say hello
notice-stranger-left = { $name } left the chat
names-and = { $rest } and { $last }
names-comma = {", "}
names-others =
    { $n ->
        [one] { $n } other
       *[other] { $n } others
    }
change-owner = { $name } now owns this room
change-locked = The room was locked: nobody new may join
change-unlocked = The room was unlocked: anyone with its code may join
change-slow-off = Slow mode is off
change-read-only-off = This room is open for messages again
deleted-by-moderator = Removed by a moderator
deleted-by-author = Message deleted

## Live updates

stream-resynced = You were away for a while: some messages may have been missed. The log has been refreshed.
stream-deleted = A message was deleted.
stream-show-log = Show the log again
stream-show-online = Show who is here now
stream-restarting = The server is restarting: reconnecting in a moment…
stream-unreachable = The chat cannot be reached for a moment: reconnecting…
stream-missed-reload = Some messages may have been missed. Reload the page to see them.
stream-room-closed = This room has closed.
stream-you-left = You left this room.
streams-from-address = Too many chat pages are open from your network address: close some, then reload this one.

## Random chat

pair-random-chat = Random chat
pair-chatting-with = Chatting with { $name }
pair-again = Find a new stranger
pair-block = Block and find a new stranger
stranger-left = { $name } left
stranger-left-unknown = Your stranger left
pair-waiting = Waiting for a stranger
pair-looking = Looking for someone to talk with.
pair-moves = This page moves to your chat as soon as a stranger is found.
pair-your-stranger = Your stranger
pair-cancel = Cancel
pair-found = A stranger is here
pair-go = Go to your chat
pair-still-looking = Still looking: a link to your chat appears here when a stranger is found.
pair-go-with = Go to your chat with { $name }
pair-go-with-stranger = Go to your chat with a stranger
pair-no-longer-waiting = You are no longer waiting.
pair-not-waiting = You are not waiting for a stranger.

## A message and a person

message-skip = Skip to the message
message-from = Message from { $name }
message-deleted = This message was deleted.
message-sent = Sent { $at }
message-delete = Delete
report-legend = Why report this message?
report-button = Report
report-sent = Thanks: your report was sent to the moderators
report-no-reason = Pick one of the reasons to report this message: spam, harassment, hate, sexual content or something else
reason-spam = Spam or advertising
reason-harassment = Harassment or threats
reason-hate = Hate
reason-sexual = Sexual content
reason-other = Something else
person-title = { $name } in the room
person-you = (You)
person-this-is-you = This is you, as the others in the room see you.
ignored-heading = People you ignore
ignored-nobody = You ignore nobody.
ignore-button = Ignore { $name }
ignore-stop-button = Stop ignoring { $name }
ignore-done = You ignore { $name } now: nothing of theirs reaches you.
ignore-undone = You no longer ignore { $name }.
ignore-invalid = Choose Ignore or Stop ignoring

## Refusals

missed = You are not in this room, or it has closed.
missed-reload = { $missed } Reload the page to join again.
refused-title-not-yours = Not yours to delete
refused-title-slow-down = Slow down
refused-title-full = Full right now
refused-title-name-taken = That name is taken here
refused-title-no-typing = Only in random chat
refused-title-missed = Nothing here
refused-title-forbidden = Not allowed
refused-title-invalid = That request was not understood
refused-title-unavailable = Unavailable for a moment
error-home-button = Go to the home page
error-400 = The form was sent incomplete or in a shape this site does not read. Go back and try again.
error-403 = That request came from another site or is not yours to make, so it was refused.
error-404 = There is no page at this address. If it was a room, it may have closed when everyone left.
error-405-title = Not like that
error-405 = This address does not take that kind of request.
error-413-title = Too much at once
error-413 = What you sent was larger than this site accepts.
error-429 = Too many requests in a short time. Wait a moment and try again.
error-500-title = Something went wrong
error-500 = The server could not do that just now. Please try again.
chat-enter-code = Enter a room code
chat-no-such-room = No room with code { $code }
chat-not-member = You are not in this room
chat-full = No more rooms can be made right now: try again later
chat-queue-full = The queue is full right now: try again in a minute
chat-room-full = This room is full: try again later, or pick another room
chat-too-many-streams = You have too many pages of the chat open: close some, then reload this one
chat-unavailable = The chat cannot be reached for a moment: nothing was sent, try again in a few seconds
chat-name-taken = Someone in this room is already called { $name }: pick another name
chat-ignore-self = You cannot ignore yourself
chat-no-such-message = That message is not kept in this room
chat-not-yours = Only the person who sent a message can delete it
chat-too-late-to-delete = A message can be deleted only in the first { $minutes } minutes after it was sent
chat-rooms-held = Too many private rooms are open from your network address: try again when one of them has closed
chat-not-owner = Only the room's owner may do that
chat-removed = The room's owner removed you from this room
chat-locked = Room { $code } is locked: nobody new may join
chat-banned = You may not join or post until { $until }
chat-read-only = This room is read-only until { $until }
chat-remove-self = You cannot remove yourself: press Leave to go
chat-no-typing = Only a random chat tells the other person that you are typing
text-empty-name = Enter a name
text-empty-message = Type a message first
text-too-long-name = A name can be at most { $max } characters long; this one has { $got }
text-too-long-message = A message can be at most { $max } characters long; this one has { $got }
text-control-name = A name cannot hold control characters
text-control-message = A message cannot hold control characters
text-direction-name = A name cannot hold characters that change the direction of text (such as U+202E): please leave them out
text-direction-message = A message cannot hold characters that change the direction of text (such as U+202E): please leave them out
wait-for = { $why }: wait { $n } s and { $then }
wait-until = { $why }: { $then } at { $clock } UTC
wait-then-send = send again
wait-then-try = try again
wait-why-too-fast = You are sending messages too fast
wait-why-sessions = Too many new names from your network address
wait-why-messages = Too many messages from your network address
wait-why-rooms = Too many private rooms made from your network address
wait-why-pairs = Too many new strangers asked for from your network address
wait-why-reports = You are sending reports too fast
wait-why-reports-address = Too many reports from your network address
wait-why-sign-ins = Too many sign-ins from your network address
wait-why-typing = You are sending typing signals too often
wait-why-renames = You changed your name too often
wait-why-wrong-codes = Too many wrong room codes from your address or session

## The moderator console

console-title = Moderator console
console-skip-token = Skip to the token
console-skip-reports = Skip to open reports
console-token = Token
console-sign-in = Sign in
console-signed-in-as = Signed in as { $moderator }
console-sign-in-label = sign-in { $id }
console-sign-out = Sign out
console-open-reports = Open reports ({ $n })
console-no-reports = No open reports.
console-report-heading = { $reason } in { $room }, { $at }
console-session = session { $session }
console-said-at = said at { $at }
console-delete-message = Delete message
console-mute-for = Mute for
console-mute = Mute
console-ban-for = Ban session and address for
console-ban = Ban
console-close-report = Close report
console-live-rooms = Live rooms
console-no-rooms = No rooms are open.
console-room = Room
console-members = Members
console-slow-mode = Slow mode
console-read-only = Read-only
console-public = (public)
console-random = (random chat)
console-private = (private)
console-one-message-per = One message per
console-set-slow-mode = Set slow mode
console-read-only-for = Read-only for
console-make-read-only = Make read-only
console-public-only = Public rooms only
console-in-room = in { $room }
console-off = Off
console-delete-heading = Delete a message
console-message-link = Message link
console-action-log = Action log
console-nothing-done = Nothing done yet.
console-when = When
console-moderator = Moderator
console-what = What
console-session-column = Session
console-wrong-token = That token is not right: nothing was signed in. Check it and try again
console-sign-in-first = Your sign-in has ended: nothing was done. Sign in, then try again
console-log-failed = Done, but the action log could not be written: { $why }
console-no-such-report = That report is closed already, or there is no such report
console-paste-message = Paste the address of a message's page, such as /r/K7QX/m/1733200000000-12
console-no-message-there = No message is kept at that address
console-pick-a-time = Pick one of the times offered
console-no-room = No room has that code
console-public-only-read-only = Only a public room can be made read-only
console-did-delete = Deleted a message
console-did-mute = Muted for { $length }
console-did-ban = Banned session and address for { $length }
console-did-close = Closed report { $id }
console-did-slow = Slow mode: one message per { $length }
console-did-slow-off = Slow mode off
console-did-read-only = Read-only for { $length }
console-did-read-only-off = Read-only off
length-seconds =
    { $n ->
        [one] { $n } second
       *[other] { $n } seconds
    }
length-minutes =
    { $n ->
        [one] { $n } minute
       *[other] { $n } minutes
    }
length-hours =
    { $n ->
        [one] { $n } hour
       *[other] { $n } hours
    }
length-days =
    { $n ->
        [one] { $n } day
       *[other] { $n } days
    }

## Dates

date-long = { $weekday } { $day } { $month } { $year }
weekday-monday = Monday
weekday-tuesday = Tuesday
weekday-wednesday = Wednesday
weekday-thursday = Thursday
weekday-friday = Friday
weekday-saturday = Saturday
weekday-sunday = Sunday
month-january = January
month-february = February
month-march = March
month-april = April
month-may = May
month-june = June
month-july = July
month-august = August
month-september = September
month-october = October
month-november = November
month-december = December
# A full moment: "Thursday 3 December 2026, 07:46 UTC".
date-time = { $date }, { $time }
# The halves of the day on a 12-hour clock: "6:05 PM".
clock-am = AM
clock-pm = PM

## Settings and the unread marker

settings-title = Settings
settings-hint = Kept in this browser only, in a cookie of this site. They apply from the next page you open, to what arrives live there too.
settings-zone = Time zone
settings-zone-none = UTC (not chosen)
settings-zone-usual = Usual for your language
settings-zone-every = Every time zone
settings-clock = Clock
settings-clock-auto = As your language usually does
settings-clock-24 = 24-hour (18:05)
settings-clock-12 = 12-hour (6:05 PM)
settings-notices = Join and leave notices
settings-notices-shown = Shown
settings-notices-hidden = Hidden (the Online list still changes)
settings-size = Text size
settings-size-normal = Normal
settings-size-large = Large
settings-size-larger = Larger
settings-theme = Theme
settings-theme-system = Follow the system
settings-theme-light = Light
settings-theme-dark = Dark
settings-typing = Tell the other person when I am typing
settings-typing-hint = In random chat, where you talk with one stranger.
settings-lang = Language
settings-lang-auto = As my browser asks
settings-save = Save settings
settings-back = Back
settings-saved = Settings saved
unread-divider = New since you were last here
settings-wrong-zone = Time zone: choose one from the list; that one is not a time zone we know.
settings-wrong-clock = Clock: choose 24-hour, 12-hour, or as your language usually does.
settings-wrong-notices = Join and leave notices: choose shown or hidden.
settings-wrong-size = Text size: choose normal, large or larger.
settings-wrong-theme = Theme: choose follow the system, light or dark.
settings-wrong-typing = Tell the other person when I am typing: tick it or leave it empty.
settings-wrong-lang = Language: choose one from the list, or as your browser asks.
