"""Names of moderation acts, report reasons and intervals, as readers see them."""

from tribune.i18n import lazy_gettext as _l
from tribune.i18n import ngettext

ACTION_LABELS = {
    "post.hide": _l("Post hidden"),
    "post.unhide": _l("Post shown again"),
    "thread.lock": _l("Thread locked"),
    "thread.unlock": _l("Thread unlocked"),
    "thread.pin": _l("Thread pinned"),
    "thread.unpin": _l("Thread unpinned"),
    "thread.move": _l("Thread moved"),
    "thread.merge": _l("Threads merged"),
    "thread.split": _l("Replies split into a new thread"),
    "thread.retitle": _l("Thread renamed"),
    "thread.slow_mode": _l("Slow mode changed"),
    "thread.close": _l("Debate closed with a synthesis"),
    "thread.reopen": _l("Debate reopened"),
    "user.suspend": _l("Account suspended"),
    "user.silence": _l("Account silenced (read-only)"),
    "user.lift": _l("Restriction lifted"),
    "user.disable": _l("Spam account disabled, its posts hidden"),
    "user.reinstate": _l("Account reinstated"),
    "report.resolve": _l("Report resolved"),
    "report.dismiss": _l("Report dismissed"),
    "term.grant": _l("Moderator term granted"),
    "term.end": _l("Moderator term ended early"),
    "section.create": _l("Section created"),
    "section.edit": _l("Section renamed or described"),
    "section.order": _l("Sections reordered"),
    "section.archive": _l("Section archived"),
    "section.unarchive": _l("Section opened again"),
    "section.merge": _l("Sections merged"),
    "site.identity": _l("Site name, texts or rules changed"),
    "site.registration": _l("Registration policy changed"),
    "user.admit": _l("Applicant admitted"),
    "user.admin_grant": _l("Administrator rights granted"),
    "user.admin_end": _l("Administrator rights ended"),
    "association.edit": _l("Association renamed or moved"),
    "association.merge": _l("Associations merged"),
}

REGISTRATION_POLICY_LABELS = {
    "open": _l("open to anyone"),
    "approval": _l("by approval"),
    "invitation": _l("by invitation"),
}

REPORT_REASON_LABELS = {
    "spam": _l("Spam or advertising"),
    "abuse": _l("Insult, threat or harassment"),
    "privacy": _l("Reveals personal data or puts someone at risk"),
    "off_topic": _l("Off topic here; belongs elsewhere"),
    "other": _l("Something else (say what)"),
}

REPORT_STATE_LABELS = {
    "open": _l("Open"),
    "resolved": _l("Resolved"),
    "dismissed": _l("Dismissed"),
}


def action_label(action):
    """The readable name of a logged act."""
    return str(ACTION_LABELS.get(action, action))


def interval_label(seconds):
    """A slow-mode interval in words ("off" for 0)."""
    if not seconds:
        return str(_l("off"))
    if seconds % 86400 == 0:
        n = seconds // 86400
        return ngettext("%(num)d day", "%(num)d days", n)
    if seconds % 3600 == 0:
        n = seconds // 3600
        return ngettext("%(num)d hour", "%(num)d hours", n)
    n = -(-seconds // 60)
    return ngettext("%(num)d minute", "%(num)d minutes", n)
