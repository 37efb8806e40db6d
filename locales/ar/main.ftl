# livechat بالعربية: كل كلمة يقرؤها الناس. رسالة في كل سطر، بالمفاتيح نفسها
# التي في locales/en/main.ftl (تتحقق الاختبارات من الاتجاهين).
# تُعزل المعاملات في الوسوم (الأسماء في <bdi>)، لا في Fluent.

## كل صفحة

tab-title = { $title } · livechat
footer = دردشة بلا هوية. كن لطيفًا؛ كل ما تكتبه يراه جميع من في الغرفة.
home-link = الرئيسية
go-home = اذهب إلى الصفحة الرئيسية.
join-again = انضم مرة أخرى.
back-to-room = العودة إلى الغرفة
field-name = الاسم
field-room-code = رمز الغرفة
not-live = التحديثات المباشرة غير متصلة.
not-live-reload = أعد تحميل الصفحة
connection-lost = انقطع الاتصال: ستعود التحديثات المباشرة من تلقاء نفسها عند عودته.
session-ended = انتهت جلستك: اضغط { $join } لتعود.
session-has-ended = انتهت جلستك.
restarting-reload = يُعاد تشغيل الخادم. أعد تحميل الصفحة بعد قليل.

## الصفحة الرئيسية

home-title = دردشة بلا هوية
home-skip = انتقل إلى اسمك
home-lead = تحدّث مع أي شخص، الآن. بلا حساب: اختر اسمًا وابدأ.
home-go = انطلق
home-greeting = أهلًا { $name }. انضم الآن إلى غرفة برمزها، أو اختر غرفة عامة، أو أنشئ غرفة خاصة، أو قابل شخصًا غريبًا.
home-invited = أنت مدعو إلى الغرفة { $code }
home-join-room = انضم إلى الغرفة { $code }
home-join-heading = انضم برمز
home-join = انضم
home-public-rooms = الغرف العامة
home-online =
    { $n ->
        [zero] لا أحد متصل
        [one] متصل واحد
        [two] متصلان
        [few] { $n } متصلين
        [many] { $n } متصلًا
       *[other] { $n } متصل
    }
home-private-heading = غرفة خاصة
home-private-text = غرفة جديدة لا ينضم إليها إلا من يعرف رمزها.
home-create = أنشئ غرفة خاصة
home-random-heading = دردشة عشوائية
home-random-text = تحدّث وجهًا لوجه مع شخص آخر ينتظر.
home-pair = دردش مع غريب عشوائي
code-shape = الرمز { $len } حروف أو أرقام، مثل { $example }

## صفحة الغرفة

room-title-private = الغرفة { $code }
room-title-public = # { $code }
unread-title = نشاط جديد · { $title }
mention-title = (@) ورد اسمك · { $title }
room-skip = انتقل إلى مربع الرسالة
room-skip-unread = انتقل إلى الرسائل الجديدة
room-code = الرمز { $code }
room-share = رابط للمشاركة
room-chat = الدردشة
room-messages = الرسائل
room-people = الأشخاص
room-leave = غادر
room-jump = انتقل إلى الأحدث
online-heading = المتصلون
online-count =
    { $n ->
        [zero] لا أحد هنا الآن
        [one] شخص واحد هنا الآن
        [two] شخصان هنا الآن
        [few] { $n } أشخاص هنا الآن
        [many] { $n } شخصًا هنا الآن
       *[other] { $n } شخص هنا الآن
    }
online-count-live = الحاضرون الآن: { $count }
online-more =
    { $n ->
        [one] وشخص آخر
        [two] وشخصان آخران
        [few] و{ $n } أشخاص آخرين
        [many] و{ $n } شخصًا آخر
       *[other] و{ $n } شخص آخر
    }
online-owner = (المالك)
send-label = الرسالة
send-placeholder = اكتب رسالة
send-button = أرسل
send-unsent = لم تُرسل: لا يوجد اتصال. رسالتك ما زالت هنا.
send-not-sent = لم تُرسل الرسالة
send-open-again = افتح الغرفة مرة أخرى
rename-button = غيّر الاسم
rename-done = اسمك الآن { $name }.
owner-remove = أزل { $name }
owner-lock = أقفل الغرفة
owner-unlock = افتح قفل الغرفة
owner-lock-invalid = اضغط «أقفل الغرفة» أو «افتح قفل الغرفة»
rules-locked = هذه الغرفة مقفلة: لا يمكن لأحد جديد الانضمام
slow-mode = الوضع البطيء: رسالة واحدة كل { $pace }
read-only-until = هذه الغرفة للقراءة فقط حتى { $until }
pace-seconds = { $n } ث
pace-minutes = { $n } د

own-you = أنت
own-mentions-you = يذكرك

## السجل

day-today = اليوم
day-yesterday = أمس
notice-joined = انضم إلى الغرفة: { $names }
notice-left = غادر الغرفة: { $names }
notice-renamed = أصبح { $from } يُعرف باسم { $to }
typing-line = { $name } يكتب…
notice-paired = { $a } و{ $b } يتحدثان الآن: ألقيا التحية
notice-stranger-left = غادر { $name } الدردشة
names-and = { $rest } و{ $last }
names-comma = {"، "}
names-others =
    { $n ->
        [one] شخص آخر
        [two] شخصان آخران
        [few] { $n } أشخاص آخرين
        [many] { $n } شخصًا آخر
       *[other] { $n } شخص آخر
    }
change-owner = أصبح { $name } مالك هذه الغرفة
change-locked = أُقفلت الغرفة: لا يمكن لأحد جديد الانضمام
change-unlocked = فُتح قفل الغرفة: يمكن لكل من يعرف رمزها الانضمام
change-slow-off = أُوقف الوضع البطيء
change-read-only-off = الغرفة مفتوحة للرسائل من جديد
deleted-by-moderator = أزالها أحد المشرفين
deleted-by-author = حُذفت الرسالة

## التحديثات المباشرة

stream-resynced = كنت غائبًا لبعض الوقت: ربما فاتتك بعض الرسائل. حُدّث السجل.
stream-deleted = حُذفت رسالة.
stream-show-log = اعرض السجل من جديد
stream-show-online = اعرض من هنا الآن
stream-restarting = يُعاد تشغيل الخادم: سيُعاد الاتصال بعد لحظات…
stream-unreachable = تعذّر الوصول إلى الدردشة مؤقتًا: يُعاد الاتصال…
stream-missed-reload = ربما فاتتك بعض الرسائل. أعد تحميل الصفحة لتراها.
stream-room-closed = أُغلقت هذه الغرفة.
stream-you-left = غادرت هذه الغرفة.
streams-from-address = صفحات الدردشة المفتوحة من عنوان شبكتك كثيرة جدًا: أغلق بعضها، ثم أعد تحميل هذه الصفحة.

## الدردشة العشوائية

pair-random-chat = دردشة عشوائية
pair-chatting-with = تدردش مع { $name }
pair-again = ابحث عن غريب جديد
pair-block = احظر وابحث عن غريب جديد
stranger-left = غادر { $name }
stranger-left-unknown = غادر الغريب الذي كنت تحدثه
pair-waiting = في انتظار غريب
pair-looking = نبحث عن شخص تتحدث معه.
pair-moves = تنتقل هذه الصفحة إلى دردشتك فور العثور على غريب.
pair-your-stranger = غريبك
pair-cancel = إلغاء
pair-found = وصل غريب
pair-go = اذهب إلى دردشتك
pair-still-looking = ما زلنا نبحث: يظهر هنا رابط إلى دردشتك عند العثور على غريب.
pair-go-with = اذهب إلى دردشتك مع { $name }
pair-go-with-stranger = اذهب إلى دردشتك مع غريب
pair-no-longer-waiting = لم تعد في الانتظار.
pair-not-waiting = لست في انتظار غريب.

## رسالة وشخص

message-skip = انتقل إلى الرسالة
message-from = رسالة من { $name }
message-deleted = حُذفت هذه الرسالة.
message-sent = أُرسلت { $at }
message-delete = احذف
report-legend = لماذا تبلّغ عن هذه الرسالة؟
report-button = بلّغ
report-sent = شكرًا: أُرسل بلاغك إلى المشرفين
report-no-reason = اختر أحد أسباب الإبلاغ عن هذه الرسالة: رسائل مزعجة، أو تحرّش، أو كراهية، أو محتوى جنسي، أو شيء آخر
reason-spam = رسائل مزعجة أو إعلانات
reason-harassment = تحرّش أو تهديد
reason-hate = كراهية
reason-sexual = محتوى جنسي
reason-other = شيء آخر
person-title = { $name } في الغرفة
person-you = (أنت)
person-this-is-you = هذا أنت، كما يراك الآخرون في الغرفة.
ignored-heading = الأشخاص الذين تتجاهلهم
ignored-nobody = لا تتجاهل أحدًا.
ignore-button = تجاهل { $name }
ignore-stop-button = أوقف تجاهل { $name }
ignore-done = أنت تتجاهل { $name } الآن: لن يصلك شيء منه.
ignore-undone = لم تعد تتجاهل { $name }.
ignore-invalid = اختر «تجاهل» أو «أوقف التجاهل»

## الرفض

missed = لست في هذه الغرفة، أو أنها أُغلقت.
missed-reload = { $missed } أعد تحميل الصفحة لتنضم مرة أخرى.
refused-title-not-yours = ليس لك أن تحذفها
refused-title-slow-down = تمهّل
refused-title-full = ممتلئ الآن
refused-title-name-taken = هذا الاسم مأخوذ هنا
refused-title-no-typing = في الدردشة العشوائية فقط
refused-title-missed = لا شيء هنا
refused-title-forbidden = غير مسموح
refused-title-invalid = لم يُفهم هذا الطلب
refused-title-unavailable = غير متاح للحظات
error-home-button = اذهب إلى الصفحة الرئيسية
error-400 = أُرسل النموذج ناقصًا أو بشكل لا يقرؤه هذا الموقع. ارجع وحاول مرة أخرى.
error-403 = جاء هذا الطلب من موقع آخر أو ليس لك أن تقدمه، فرُفض.
error-404 = لا توجد صفحة على هذا العنوان. إن كانت غرفة، فربما أُغلقت حين غادرها الجميع.
error-405-title = ليس هكذا
error-405 = هذا العنوان لا يقبل هذا النوع من الطلبات.
error-413-title = أكثر مما ينبغي دفعة واحدة
error-413 = ما أرسلته أكبر مما يقبله هذا الموقع.
error-429 = طلبات كثيرة جدًا في وقت قصير. انتظر قليلًا وحاول مرة أخرى.
error-500-title = حدث خطأ ما
error-500 = تعذّر على الخادم فعل ذلك الآن. حاول مرة أخرى من فضلك.
chat-enter-code = أدخل رمز غرفة
chat-no-such-room = لا توجد غرفة بالرمز { $code }
chat-not-member = لست في هذه الغرفة
chat-full = لا يمكن إنشاء غرف أخرى الآن: حاول لاحقًا
chat-queue-full = قائمة الانتظار ممتلئة الآن: حاول بعد دقيقة
chat-room-full = هذه الغرفة ممتلئة: حاول لاحقًا، أو اختر غرفة أخرى
chat-too-many-streams = لديك صفحات دردشة مفتوحة كثيرة جدًا: أغلق بعضها، ثم أعد تحميل هذه الصفحة
chat-unavailable = تعذّر الوصول إلى الدردشة للحظات: لم يُرسل شيء، حاول مرة أخرى بعد ثوانٍ
chat-name-taken = يوجد في هذه الغرفة من اسمه { $name }: اختر اسمًا آخر
chat-ignore-self = لا يمكنك تجاهل نفسك
chat-no-such-message = هذه الرسالة غير محفوظة في هذه الغرفة
chat-not-yours = لا يحذف الرسالة إلا من أرسلها
chat-too-late-to-delete =
    { $minutes ->
        [one] لا تُحذف الرسالة إلا في الدقيقة الأولى بعد إرسالها
        [two] لا تُحذف الرسالة إلا في الدقيقتين الأوليين بعد إرسالها
        [few] لا تُحذف الرسالة إلا في أول { $minutes } دقائق بعد إرسالها
       *[other] لا تُحذف الرسالة إلا في أول { $minutes } دقيقة بعد إرسالها
    }
chat-rooms-held = الغرف الخاصة المفتوحة من عنوان شبكتك كثيرة جدًا: حاول مرة أخرى حين تُغلق إحداها
chat-not-owner = لا يفعل ذلك إلا مالك الغرفة
chat-removed = أزالك مالك الغرفة منها
chat-locked = الغرفة { $code } مقفلة: لا يمكن لأحد جديد الانضمام
chat-banned = لا يمكنك الانضمام أو النشر حتى { $until }
chat-read-only = هذه الغرفة للقراءة فقط حتى { $until }
chat-remove-self = لا يمكنك إزالة نفسك: اضغط «غادر» لتخرج
chat-no-typing = الدردشة العشوائية وحدها تُعلم الطرف الآخر بأنك تكتب
text-empty-name = أدخل اسمًا
text-empty-message = اكتب رسالة أولًا
text-too-long-name = لا يتجاوز الاسم { $max } حرفًا؛ وهذا فيه { $got }
text-too-long-message = لا تتجاوز الرسالة { $max } حرف؛ وهذه فيها { $got }
text-control-name = لا يمكن أن يحوي الاسم محارف تحكم
text-control-message = لا يمكن أن تحوي الرسالة محارف تحكم
text-direction-name = لا يمكن أن يحوي الاسم محارف تغيّر اتجاه النص (مثل U+202E): احذفها من فضلك
text-direction-message = لا يمكن أن تحوي الرسالة محارف تغيّر اتجاه النص (مثل U+202E): احذفها من فضلك
wait-for = { $why }: انتظر { $n } ث ثم { $then }
wait-until = { $why }: { $then } عند الساعة { $clock } UTC
wait-then-send = أرسل مرة أخرى
wait-then-try = حاول مرة أخرى
wait-why-too-fast = أنت ترسل الرسائل بسرعة كبيرة
wait-why-sessions = أسماء جديدة كثيرة جدًا من عنوان شبكتك
wait-why-messages = رسائل كثيرة جدًا من عنوان شبكتك
wait-why-rooms = غرف خاصة كثيرة جدًا أُنشئت من عنوان شبكتك
wait-why-pairs = طلبات غرباء جدد كثيرة جدًا من عنوان شبكتك
wait-why-reports = أنت ترسل البلاغات بسرعة كبيرة
wait-why-reports-address = بلاغات كثيرة جدًا من عنوان شبكتك
wait-why-sign-ins = محاولات دخول كثيرة جدًا من عنوان شبكتك
wait-why-typing = ترسل إشارات الكتابة كثيرًا جدًا
wait-why-renames = غيّرت اسمك مرات كثيرة جدًا
wait-why-wrong-codes = رموز غرف خاطئة كثيرة جدًا من عنوانك أو جلستك

## لوحة المشرفين

console-title = لوحة المشرفين
console-skip-token = انتقل إلى الرمز السري
console-skip-reports = انتقل إلى البلاغات المفتوحة
console-token = الرمز السري
console-sign-in = سجّل الدخول
console-signed-in-as = مسجّل الدخول باسم { $moderator }
console-sign-in-label = تسجيل دخول { $id }
console-sign-out = سجّل الخروج
console-open-reports = البلاغات المفتوحة ({ $n })
console-no-reports = لا توجد بلاغات مفتوحة.
console-report-heading = { $reason } في { $room }، { $at }
console-session = الجلسة { $session }
console-said-at = قيلت عند { $at }
console-delete-message = احذف الرسالة
console-mute-for = اكتم لمدة
console-mute = اكتم
console-ban-for = احظر الجلسة والعنوان لمدة
console-ban = احظر
console-close-report = أغلق البلاغ
console-live-rooms = الغرف الحية
console-no-rooms = لا توجد غرف مفتوحة.
console-room = الغرفة
console-members = الأعضاء
console-slow-mode = الوضع البطيء
console-read-only = القراءة فقط
console-public = (عامة)
console-random = (دردشة عشوائية)
console-private = (خاصة)
console-one-message-per = رسالة واحدة كل
console-set-slow-mode = فعّل الوضع البطيء
console-read-only-for = للقراءة فقط لمدة
console-make-read-only = اجعلها للقراءة فقط
console-public-only = الغرف العامة فقط
console-in-room = في { $room }
console-off = إيقاف
console-delete-heading = احذف رسالة
console-message-link = رابط الرسالة
console-action-log = سجل الإجراءات
console-nothing-done = لم يُفعل شيء بعد.
console-when = متى
console-moderator = المشرف
console-what = ماذا
console-session-column = الجلسة
console-wrong-token = هذا الرمز غير صحيح: لم يُسجَّل الدخول. تحقق منه وحاول مرة أخرى
console-sign-in-first = انتهى تسجيل دخولك: لم يُفعل شيء. سجّل الدخول ثم حاول مرة أخرى
console-log-failed = تم، لكن تعذّرت كتابة سجل الإجراءات: { $why }
console-no-such-report = هذا البلاغ مغلق بالفعل، أو لا يوجد بلاغ كهذا
console-paste-message = الصق عنوان صفحة رسالة، مثل /r/K7QX/m/1733200000000-12
console-no-message-there = لا توجد رسالة محفوظة على هذا العنوان
console-pick-a-time = اختر إحدى المدد المعروضة
console-no-room = لا توجد غرفة بهذا الرمز
console-public-only-read-only = لا تُجعل للقراءة فقط إلا غرفة عامة
console-did-delete = حُذفت رسالة
console-did-mute = كُتم لمدة { $length }
console-did-ban = حُظرت الجلسة والعنوان لمدة { $length }
console-did-close = أُغلق البلاغ { $id }
console-did-slow = الوضع البطيء: رسالة واحدة كل { $length }
console-did-slow-off = أُوقف الوضع البطيء
console-did-read-only = للقراءة فقط لمدة { $length }
console-did-read-only-off = أُوقفت القراءة فقط
length-seconds =
    { $n ->
        [zero] { $n } ثانية
        [one] ثانية واحدة
        [two] ثانيتان
        [few] { $n } ثوانٍ
        [many] { $n } ثانية
       *[other] { $n } ثانية
    }
length-minutes =
    { $n ->
        [zero] { $n } دقيقة
        [one] دقيقة واحدة
        [two] دقيقتان
        [few] { $n } دقائق
        [many] { $n } دقيقة
       *[other] { $n } دقيقة
    }
length-hours =
    { $n ->
        [zero] { $n } ساعة
        [one] ساعة واحدة
        [two] ساعتان
        [few] { $n } ساعات
        [many] { $n } ساعة
       *[other] { $n } ساعة
    }
length-days =
    { $n ->
        [zero] { $n } يوم
        [one] يوم واحد
        [two] يومان
        [few] { $n } أيام
        [many] { $n } يومًا
       *[other] { $n } يوم
    }

## التواريخ

date-long = { $weekday } { $day } { $month } { $year }
weekday-monday = الاثنين
weekday-tuesday = الثلاثاء
weekday-wednesday = الأربعاء
weekday-thursday = الخميس
weekday-friday = الجمعة
weekday-saturday = السبت
weekday-sunday = الأحد
month-january = يناير
month-february = فبراير
month-march = مارس
month-april = أبريل
month-may = مايو
month-june = يونيو
month-july = يوليو
month-august = أغسطس
month-september = سبتمبر
month-october = أكتوبر
month-november = نوفمبر
month-december = ديسمبر
date-time = { $date }، { $time }
clock-am = ص
clock-pm = م

## Settings and the unread marker

settings-title = الإعدادات
settings-hint = تُحفظ في هذا المتصفح فقط، في ملف تعريف ارتباط لهذا الموقع. تسري من الصفحة التالية التي تفتحها، وعلى ما يصل إليها مباشرةً أيضًا.
settings-zone = المنطقة الزمنية
settings-zone-none = UTC (لم تُختر)
settings-zone-usual = المعتادة في لغتك
settings-zone-every = كل المناطق الزمنية
settings-clock = الساعة
settings-clock-auto = كما جرت عادة لغتك
settings-clock-24 = نظام 24 ساعة (18:05)
settings-clock-12 = نظام 12 ساعة (6:05 م)
settings-notices = إشعارات الانضمام والمغادرة
settings-notices-shown = ظاهرة
settings-notices-hidden = مخفية (تبقى قائمة المتصلين تتغير)
settings-size = حجم النص
settings-size-normal = عادي
settings-size-large = كبير
settings-size-larger = أكبر
settings-theme = المظهر
settings-theme-system = كما في النظام
settings-theme-light = فاتح
settings-theme-dark = داكن
settings-typing = أعلِم الطرف الآخر حين أكتب
settings-typing-hint = في الدردشة العشوائية، حيث تتحدث مع غريب واحد.
settings-lang = اللغة
settings-lang-auto = كما يطلب متصفحي
settings-save = احفظ الإعدادات
settings-back = رجوع
settings-saved = حُفظت الإعدادات
unread-divider = جديد منذ زيارتك الأخيرة
settings-wrong-zone = المنطقة الزمنية: اختر واحدة من القائمة؛ تلك ليست منطقة زمنية نعرفها.
settings-wrong-clock = الساعة: اختر نظام 24 ساعة أو 12 ساعة أو كما جرت عادة لغتك.
settings-wrong-notices = إشعارات الانضمام والمغادرة: اختر ظاهرة أو مخفية.
settings-wrong-size = حجم النص: اختر عاديًا أو كبيرًا أو أكبر.
settings-wrong-theme = المظهر: اختر كما في النظام أو فاتحًا أو داكنًا.
settings-wrong-typing = أعلِم الطرف الآخر حين أكتب: ضع علامة أو اتركه فارغًا.
settings-wrong-lang = اللغة: اختر واحدة من القائمة، أو كما يطلب متصفحك.
