"""Demo content of the debates and the agenda (issue 3), loaded by tribune/demo.py through the
services: affiliations, position papers with co-signatures, a quoting reply, translations (one
made outdated by a later edit), a debate closed with a synthesis, actions in the calendar
related to a debate, and commemorations in both calendars.
"""

from datetime import time, timedelta

from sqlalchemy import select

from tribune.extensions import db
from tribune.models import Post
from tribune.models.base import utcnow
from tribune.services import (
    accounts,
    agenda,
    agenda_commemorations,
    debate,
    debate_associations,
    debate_closing,
    debate_posts,
    passwords,
    posting,
    terms,
)
from tribune.text import recurrence

# username -> [(association slug, public)]; the last of jonas's stays awaiting confirmation.
AFFILIATIONS = {
    "sara": [("hamburg-solidarity", True)],
    "kaveh": [("paris-freedom", True)],
    "maryam": [("amsterdam-forum", False)],
    "claire": [("paris-freedom", True)],
    "jonas": [("hamburg-solidarity", True)],
}
PENDING = {("jonas", "hamburg-solidarity")}

# Threads of demo.THREADS published as position papers, by title.
PAPERS = {
    "چرا جمهوری دمکراتیک لائیک؟": {
        "position": "جمهوری دمکراتیک لائیک",
        "summary": "جدایی کامل دین از دولت، آزادی بی‌قید و شرط بیان و تشکل، و برابری کامل زن و "
        "مرد در قانون: سه پایه‌ی هر دمکراسی پایدار در ایران.",
        "signed_by": ["hamburg-solidarity"],
    },
    "سوسیالیسم: پاسخی به آزادی و برابری": {
        "position": "سوسیالیسم",
        "summary": "بدیل واقعی با شوراهای کارگران و زحمتکشان، مالکیت اجتماعی بر منابع اصلی و "
        "همبستگی بین‌المللی ساخته می‌شود.",
        "signed_by": ["paris-freedom"],
    },
}

# More papers, so that the comparison has several alternatives side by side.
EXTRA_PAPERS = [
    (
        "alternatives",
        "maryam",
        "fa",
        "جمهوری دمکراتیک: حداقلی که همه را کنار هم نگه می‌دارد",
        "جمهوری دمکراتیک",
        "یک جمهوری دمکراتیک با انتخابات آزاد، قانون اساسی برآمده از مجلس مؤسسان و حقوق برابر "
        "ملیت‌ها؛ باقی پرسش‌ها را به رأی مردم بسپاریم.",
        [],
        "پیشنهاد این نوشته ساده است: بر سر کمترین‌ها توافق کنیم.\n\n"
        "- انتخابات آزاد و مجلس مؤسسان\n- حقوق برابر همه‌ی ملیت‌ها\n"
        "- آزادی زندانیان سیاسی\n\nبحث درباره‌ی شکل اقتصاد را پس از آن به رأی بگذاریم.",
    ),
    (
        "alternatives",
        "claire",
        "fr",
        "Pour une république laïque et sociale",
        "جمهوری دمکراتیک لائیک",
        "La laïcité n'est pas une option : sans séparation de la religion et de l'État, aucune "
        "liberté ne dure. Mais elle doit aller de pair avec des droits sociaux.",
        ["paris-freedom"],
        "Ce texte rejoint la proposition d'une **république démocratique laïque** et y ajoute "
        "une exigence sociale : le droit au travail, au logement et à la santé.\n\n"
        "Nous le soumettons au débat, pas au programme d'action de la coalition.",
    ),
]

# (paper title, index of the reply) -> the passage of the paper's opening post it quotes.
QUOTES = {
    ("چرا جمهوری دمکراتیک لائیک؟", 0): "جدایی کامل دین از دولت شرط لازم هر دمکراسی در ایران است.",
}

GERMAN = (
    "Die Republik, die wir vorschlagen",
    "## Zusammenfassung\n\nDie vollständige Trennung von Religion und Staat ist die notwendige "
    "Bedingung jeder Demokratie im Iran. Dieser Text verteidigt eine **laizistische "
    "demokratische Republik**.\n\n1. Der Staat erkennt keine Religion als offiziell an.\n"
    "2. Meinungs- und Vereinigungsfreiheit ohne Bedingungen.\n"
    "3. Volle Gleichheit von Frauen und Männern vor dem Gesetz.\n\n"
    "> Freiheit ohne Gleichheit ist unvollständig, Gleichheit ohne Freiheit unmöglich.\n\n"
    "Dies ist ein Vorschlag zur Debatte, nicht das Aktionsprogramm der Koalition.",
)
ENGLISH = (
    "Why a secular democratic republic?",
    "## Summary\n\nThe full separation of religion and state is the necessary condition of any "
    "democracy in Iran. This paper argues for a **secular democratic republic**.\n\n"
    "1. The state recognises no religion as official.\n"
    "2. Freedom of speech and association without conditions.\n"
    "3. Full equality of women and men before the law.\n4. Abolition of the death penalty.\n\n"
    "> Freedom without equality is incomplete, and equality without freedom impossible.\n\n"
    "This is a proposal for debate, not the coalition's programme of action.",
)
EDIT_ADDITION = "\n۴. لغو مجازات اعدام.\n"

SYNTHESIS = (
    "- در آکسیون‌های مشترک شعاری به کار می‌رود که همه‌ی کانون‌ها پای آن می‌ایستند: "
    "«نه به جمهوری اسلامی».\n- هر کانون در برنامه‌های خود آزاد است شعارهای دیگر را هم به کار ببرد.",
    "- این‌که «سرنگون باد» شعار مشترک باشد یا نه، هنوز مورد اختلاف است و در بحث بدیل‌ها "
    "ادامه می‌یابد.",
)

# (section, author, language, title, body, month, day, hour, zone, city, place, hours, debate)
ACTIONS = [
    (
        "women",
        "claire",
        "fr",
        "8 mars : rassemblement à Paris",
        "Rassemblement pour la journée internationale des femmes, en solidarité avec les femmes "
        "d'Iran. Slogan commun : « Non à la République islamique ».",
        3,
        8,
        15,
        "Europe/Paris",
        "Paris",
        "Place de la République",
        2,
        "«سرنگون باد» یا «نه به جمهوری اسلامی»؟",
    ),
    (
        "workers",
        "sara",
        "fa",
        "اول ماه مه در هامبورگ",
        "حضور مشترک کانون‌ها در راهپیمایی اول ماه مه، با پلاکاردهای همبستگی با کارگران ایران.",
        5,
        1,
        11,
        "Europe/Berlin",
        "Hamburg",
        "Rathausmarkt",
        3,
        None,
    ),
]
PAST_ACTION = (
    "prisoners",
    "maryam",
    "fa",
    "شب همبستگی با زندانیان سیاسی در آمستردام",
    "خواندن نامه‌های زندانیان و گردآوری امضا برای آزادی آن‌ها.",
    19,
    "Europe/Amsterdam",
    "Amsterdam",
    "Dam",
    2,
)

# (title, translations, calendar, month, day, since, working group, description)
COMMEMORATIONS = [
    ("۸ مارس، روز جهانی زن", {"en": "8 March, International Women's Day",
     "de": "8. März, Internationaler Frauentag", "fr": "8 mars, journée internationale des femmes"},
     "gregorian", 3, 8, 1911, "women", ""),
    ("اول ماه مه، روز جهانی کارگر", {"en": "1 May, International Workers' Day",
     "de": "1. Mai, Tag der Arbeit", "fr": "1er mai, fête des travailleurs"},
     "gregorian", 5, 1, None, "workers", ""),
    ("۲۵ نوامبر، روز جهانی مبارزه با خشونت علیه زنان", {"en": "25 November, day against violence "
     "against women", "de": "25. November, Tag gegen Gewalt an Frauen",
     "fr": "25 novembre, journée contre les violences faites aux femmes"},
     "gregorian", 11, 25, None, "women", ""),
    ("۱۰ دسامبر، روز جهانی حقوق بشر", {"en": "10 December, Human Rights Day",
     "de": "10. Dezember, Tag der Menschenrechte", "fr": "10 décembre, journée des droits humains"},
     "gregorian", 12, 10, 1950, "prisoners", ""),
    ("۱۶ آذر، روز دانشجو", {"en": "16 Azar, Student Day", "de": "16. Azar, Tag der Studierenden",
     "fr": "16 Azar, journée des étudiants"},
     "jalali", 9, 16, 1332, None, "به یاد سه دانشجوی کشته‌شده در دانشگاه تهران در سال ۱۳۳۲."),
    ("نوروز", {"en": "Nowruz", "de": "Nouruz", "fr": "Norouz"},
     "jalali", 1, 1, None, None, ""),
]  # fmt: skip


def affiliate(people, associations, coordinator):
    """State the demo affiliations and confirm them (the coordinator is an administrator)."""
    for username, items in AFFILIATIONS.items():
        for slug, public in items:
            membership = debate_associations.state_affiliation(
                people[username], associations[slug], public
            )
            if (username, slug) not in PENDING:
                debate_associations.confirm(coordinator, membership)


def paper_fields(title, associations):
    """(summary, position, [Association]) for a demo thread published as a paper, or None."""
    paper = PAPERS.get(title)
    if paper is None:
        return None
    return paper["summary"], paper["position"], [associations[s] for s in paper["signed_by"]]


def quote_for(title, index, thread):
    """The quotes of the demo reply `index` of the thread titled `title`."""
    passage = QUOTES.get((title, index))
    if passage is None:
        return ()
    return [(_opening(thread).id, passage)]


def _opening(thread):
    return db.session.scalar(
        select(Post).where(Post.thread_id == thread.id).order_by(Post.id).limit(1)
    )


def create_coordinator():
    """An administrator account nobody can log in to: it confirms the demo affiliations."""
    return accounts.register(
        "coordination",
        passwords.random_password("coordination"),
        display_name="هماهنگی",
        role="admin",
    )


def load(people, sections, associations, threads, coordinator):
    """Everything after the demo threads exist. Returns the number of posts written."""
    written = 0
    for section, author, language, title, position, summary, signed, body in EXTRA_PAPERS:
        threads[title] = debate.publish_paper(
            people[author],
            sections[section],
            title,
            body,
            language,
            summary,
            position,
            [associations[s] for s in signed],
        )
        written += 1

    paper = threads["چرا جمهوری دمکراتیک لائیک؟"]
    opening = _opening(paper)
    debate_posts.translate(people["jonas"], opening, "de", GERMAN[1], title=GERMAN[0])
    # The author edits the original after the German translation: it shows as possibly outdated.
    body = opening.body_source.replace(
        "۳. برابری کامل زن و مرد در قانون.\n", "۳. برابری کامل زن و مرد در قانون." + EDIT_ADDITION
    )
    posting.edit_post(people["sara"], opening, body, "fa", title=paper.title)
    debate_posts.translate(people["claire"], opening, "en", ENGLISH[1], title=ENGLISH[0])

    _close_the_slogans_debate(people, coordinator, threads)
    written += _actions(people, sections, threads)
    _commemorations(people, sections)
    return written


def _close_the_slogans_debate(people, coordinator, threads):
    now = utcnow()
    terms.grant_term(
        coordinator,
        people["jonas"],
        now - timedelta(days=1),
        now + timedelta(days=180),
        "Rotating moderation: the website working group's turn.",
    )
    debate_closing.close(
        people["jonas"], threads["«سرنگون باد» یا «نه به جمهوری اسلامی»؟"], *SYNTHESIS
    )


def _next(month, day, today):
    return recurrence.next_occurrence(recurrence.GREGORIAN, month, day, today + timedelta(days=1))


def _actions(people, sections, threads):
    today = utcnow().date()
    written = 0
    for (
        section, author, language, title, body, month, day, hour, zone, city, place, hours,
        debate_title,
    ) in ACTIONS:  # fmt: skip
        thread = agenda.open_action(
            people[author],
            sections[section],
            title,
            body,
            language,
            _next(month, day, today),
            time(hour),
            zone,
            city,
            place,
            time(hour + hours),
        )
        written += 1
        if debate_title:
            agenda.link(people[author], thread, threads[debate_title])
    section, author, language, title, body, hour, zone, city, place, hours = PAST_ACTION
    agenda.open_action(
        people[author],
        sections[section],
        title,
        body,
        language,
        today - timedelta(days=12),
        time(hour),
        zone,
        city,
        place,
        time(hour + hours),
    )
    return written + 1


def _commemorations(people, sections):
    for title, names, calendar, month, day, since, section, description in COMMEMORATIONS:
        agenda_commemorations.add(
            people["maryam"],
            title,
            calendar,
            month,
            day,
            description=description,
            since_year=since,
            section=sections.get(section) if section else None,
            translations=names,
        )
