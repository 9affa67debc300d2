"""Demo content written for Tribune: sections of both spaces, a few associations, papers, replies.

Loaded by `flask --app tribune demo load` (and `make run`) into an empty database, through the
same services participants use, so the demo exercises the real code paths.
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from tribune import demo_debates
from tribune.extensions import db
from tribune.models import Association, Post, Section
from tribune.services import accounts, debate, debate_posts, passwords, posting, thread_days
from tribune.services import sections as sections_service
from tribune.services.sections import SectionTexts

SECTIONS = [
    (
        "tribune",
        "alternatives",
        "بدیل‌ها",
        "بحث درباره‌ی بدیل جمهوری اسلامی: سوسیالیسم، جمهوری دمکراتیک لائیک، "
        "جمهوری دمکراتیک و دیگر دیدگاه‌ها.",
        {
            "en": {
                "title": "Alternatives",
                "description": "What should replace the Islamic Republic: socialism, a secular "
                "democratic republic, a democratic republic, and other views.",
            }
        },
    ),
    (
        "tribune",
        "strategy",
        "استراتژی و شعارها",
        "راه‌ها و شعارهای مبارزه، و این‌که چه چیزی ما را کنار هم نگه می‌دارد.",
        {
            "en": {
                "title": "Strategy and slogans",
                "description": "Ways and slogans of the struggle, and what keeps us together.",
            }
        },
    ),
    (
        "tribune",
        "coalition",
        "سازمان‌دهی همگامی",
        "ساختار افقی، هماهنگی چرخشی و شیوه‌ی تصمیم‌گیری.",
        {
            "en": {
                "title": "Organising the coalition",
                "description": "Horizontal structure, rotating coordination, how we decide.",
            }
        },
    ),
    (
        "tribune",
        "reports",
        "گزارش‌ها",
        "گزارش نشست‌ها و رویدادها برای بحث.",
        {
            "en": {
                "title": "Reports",
                "description": "Reports of meetings and events, for discussion.",
            }
        },
    ),
    (
        "agenda",
        "international",
        "کارگروه بین‌المللی",
        "ارتباط با نهادهای مترقی کشورهای میزبان.",
        {
            "en": {
                "title": "International working group",
                "description": "Links with progressive organisations of the host countries.",
            }
        },
    ),
    (
        "agenda",
        "women",
        "کارگروه زنان",
        "آکسیون‌ها و بزرگداشت‌ها، از جمله ۸ مارس.",
        {
            "en": {
                "title": "Women's working group",
                "description": "Actions and commemorations, 8 March among them.",
            }
        },
    ),
    (
        "agenda",
        "workers",
        "کارگروه کارگری",
        "همبستگی با کارگران و بزرگداشت اول ماه مه.",
        {
            "en": {
                "title": "Workers' working group",
                "description": "Solidarity with workers; 1 May.",
            }
        },
    ),
    (
        "agenda",
        "prisoners",
        "کارگروه زندانیان سیاسی",
        "دفاع از زندانیان سیاسی و کمیسیون ضد فراموشی.",
        {
            "en": {
                "title": "Political prisoners",
                "description": "Defending political prisoners; the commission against forgetting.",
            }
        },
    ),
    (
        "agenda",
        "website",
        "کارگروه وب‌سایت",
        "نگهداری این تریبون و ترجمه‌ی اسناد.",
        {
            "en": {
                "title": "Website working group",
                "description": "Keeping this tribune running; translating documents.",
            }
        },
    ),
]

ASSOCIATIONS = [
    ("hamburg-solidarity", "کانون همبستگی هامبورگ", "Hamburg", "Germany"),
    ("paris-freedom", "انجمن دفاع از آزادی‌ها، پاریس", "Paris", "France"),
    ("amsterdam-forum", "کانون گفت‌وگوی آمستردام", "Amsterdam", "Netherlands"),
    ("london-committee", "Iran Solidarity Committee London", "London", "United Kingdom"),
]

PEOPLE = [
    ("sara", "سارا"),
    ("kaveh", "کاوه"),
    ("maryam", "مریم"),
    ("jonas", "Jonas"),
    ("claire", "Claire"),
]

# (section, author, language, title, body, [(author, language, body), ...])
THREADS = [
    (
        "alternatives",
        "sara",
        "fa",
        "چرا جمهوری دمکراتیک لائیک؟",
        "## خلاصه\n\nجدایی کامل دین از دولت شرط لازم هر دمکراسی در ایران است. این نوشته از "
        "**جمهوری دمکراتیک لائیک** دفاع می‌کند.\n\n"
        "۱. دولت هیچ دینی را رسمی نمی‌شناسد.\n۲. آزادی بیان و تشکل بی‌قید و شرط است.\n"
        "۳. برابری کامل زن و مرد در قانون.\n\n"
        "> آزادی بدون برابری ناقص است و برابری بدون آزادی ناممکن.\n\n"
        "این پیشنهاد برای بحث است، نه برنامه‌ی عمل همگامی.",
        [
            (
                "kaveh",
                "fa",
                "با بخش اول موافقم، اما پرسش من این است: بدون تغییر مناسبات اقتصادی، "
                "دمکراسی سیاسی چقدر پایدار می‌ماند؟",
            ),
            (
                "claire",
                "fr",
                "Je partage l'exigence d'une république **laïque**. La question sociale "
                "reste pourtant ouverte : qui décide de l'économie ?",
            ),
            (
                "sara",
                "fa",
                "پرسش درستی است. پیشنهاد من این است که بحث اقتصادی را در رشته‌ی جداگانه "
                "ادامه دهیم تا این‌جا روی لائیسیته تمرکز کنیم.",
            ),
        ],
    ),
    (
        "alternatives",
        "kaveh",
        "fa",
        "سوسیالیسم: پاسخی به آزادی و برابری",
        "بدیل واقعی تنها با شوراهای کارگران و زحمتکشان ساخته می‌شود. این نوشته سه پرسش را پیش "
        "می‌کشد:\n\n- مالکیت اجتماعی بر منابع اصلی\n- دمکراسی شورایی در محل کار\n"
        "- همبستگی بین‌المللی\n\nنقد و پاسخ شما را می‌خوانم.",
        [
            (
                "maryam",
                "fa",
                "نوشته‌ی روشنی است. اما تجربه‌ی سوسیالیسم‌های دولتی را چگونه پاسخ "
                "می‌دهید؟ تضمین آزادی‌های فردی کجاست؟",
            ),
            (
                "jonas",
                "de",
                "Ein wichtiger Beitrag. Die Frage nach der Rolle der Räte in einer "
                "demokratischen Republik sollten wir weiter diskutieren.",
            ),
        ],
    ),
    (
        "strategy",
        "maryam",
        "fa",
        "«سرنگون باد» یا «نه به جمهوری اسلامی»؟",
        "کدام شعار بیشترین نیرو را کنار هم نگه می‌دارد؟ پیشنهاد می‌کنم در آکسیون‌ها شعاری را به کار "
        "ببریم که همه‌ی کانون‌ها پای آن بایستند، و بحث درباره‌ی بقیه را این‌جا ادامه دهیم.",
        [
            ("sara", "fa", "«نه به جمهوری اسلامی» گسترده‌تر است و کسی را بیرون نمی‌گذارد."),
            ("kaveh", "fa", "اما شعار باید روشن باشد. «سرنگون باد» هدف را بی‌پرده می‌گوید."),
        ],
    ),
    (
        "coalition",
        "jonas",
        "en",
        "Rotating coordination: a proposal for the next six months",
        "Coordination is technical and administrative, not political. I propose that the next "
        "association takes it over on the first of the month, with a written handover.\n\n"
        "1. The outgoing liaison writes a handover note.\n"
        "2. The incoming one confirms the calendar.\n"
        "3. Both sign the moderation log entry.",
        [("claire", "en", "Agreed. Could the handover note be public, like the moderation log?")],
    ),
    (
        "women",
        "maryam",
        "fa",
        "برنامه‌ی ۸ مارس در شهرهای مختلف",
        "هر کانون برنامه‌ی خود را این‌جا بنویسد تا تقویم مشترک را کامل کنیم: زمان، مکان و شعار.",
        [("claire", "fr", "À Paris : rassemblement place de la République, 15 h.")],
    ),
    (
        "prisoners",
        "sara",
        "fa",
        "کمیسیون ضد فراموشی: گردآوری شهادت‌ها",
        "پیشنهاد می‌کنم شهادت‌ها را با اجازه‌ی راویان و با رعایت امنیت آن‌ها بایگانی کنیم. "
        "هیچ نام و نشانی بدون رضایت منتشر نمی‌شود.",
        [],
    ),
]


def is_empty():
    """Whether the database holds no sections yet (a fresh install)."""
    return db.session.scalar(select(func.count(Section.id))) == 0


def load():
    """Write the demo content. Returns the number of posts written."""
    for position, (area, slug, title, description, translations) in enumerate(SECTIONS):
        texts = {"fa": SectionTexts(title, description)}
        for locale, given in translations.items():
            texts[locale] = SectionTexts(given["title"], given.get("description", ""))
        # The demo is written in Persian, whatever the site's default language will be.
        sections_service.build(area, slug, texts, position=position, default="fa")
    for slug, name, city, country in ASSOCIATIONS:
        db.session.add(Association(slug=slug, name=name, city=city, country=country))
    db.session.commit()

    people = {}
    for username, display_name in PEOPLE:
        # Demo accounts get a random password nobody knows: they show content, not a back door.
        people[username] = accounts.register(
            username, passwords.random_password(username), display_name=display_name
        )
    sections = {s.slug: s for s in db.session.scalars(select(Section))}
    associations = {a.slug: a for a in db.session.scalars(select(Association))}
    coordinator = demo_debates.create_coordinator()
    demo_debates.affiliate(people, associations, coordinator)

    written = 0
    threads = {}
    start = datetime.now(UTC) - timedelta(days=len(THREADS) * 3)
    for index, (slug, author, language, title, body, replies) in enumerate(THREADS):
        paper = demo_debates.paper_fields(title, associations)
        if paper is not None:
            thread = debate.publish_paper(
                people[author], sections[slug], title, body, language, *paper
            )
        else:
            thread = posting.open_thread(people[author], sections[slug], title, body, language)
        written += 1
        for number, (reply_author, reply_language, reply_body) in enumerate(replies):
            debate_posts.reply(
                people[reply_author],
                thread,
                reply_body,
                reply_language,
                quotes=demo_debates.quote_for(title, number, thread),
            )
            written += 1
        _spread_in_time(thread, start + timedelta(days=index * 3))
        threads[title] = thread
    return written + demo_debates.load(people, sections, associations, threads, coordinator)


def _spread_in_time(thread, opened):
    """Date the demo thread's posts hours apart, so the lists look like a living forum."""
    rows = db.session.scalars(select(Post).where(Post.thread_id == thread.id).order_by(Post.id))
    when = opened
    for post in rows:
        post.created_at = when
        when += timedelta(hours=7)
    thread.created_at = opened
    thread.last_post_at = when - timedelta(hours=7)
    # What is derived from the opening time follows it: a paper is listed by it, the archive
    # counts the thread on its day.
    if thread.paper is not None:
        thread.paper.created_at = opened
    thread_days.recount(thread.section)
    db.session.commit()
