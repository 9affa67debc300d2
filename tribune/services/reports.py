"""Reports: participants flag posts; moderators resolve or dismiss each with a note.

A report is private between the reporter and the moderators: the reporter's name is never shown
to anyone else, and filing a report is not a moderation act (it is not logged). Handling one is,
and goes into the public log without the reporter.
"""

from sqlalchemy import func, select

from tribune import access
from tribune.extensions import db
from tribune.i18n import lazy_gettext as _l
from tribune.models import Report
from tribune.models.base import utcnow
from tribune.models.moderation import REPORT_REASONS, REPORT_STATES
from tribune.services import Invalid, NotFound, Refused
from tribune.services.moderation import acting_term, clean_reason
from tribune.services.moderation_log import record
from tribune.services.transaction import act, transaction

MAX_DETAILS_LENGTH = 2000


@transaction
def file_report(actor, post, reason, details=""):
    """Report a post to the moderators."""
    if not access.can_report(actor, post):
        raise NotFound()
    if reason not in REPORT_REASONS:
        raise Invalid(_l("Choose a reason."), field="reason")
    details = (details or "").replace("\r\n", "\n").strip()
    if len(details) > MAX_DETAILS_LENGTH:
        raise Invalid(_l("At most %(n)d characters.", n=MAX_DETAILS_LENGTH), field="details")
    if reason == "other" and len(details) < 3:
        raise Invalid(_l("Say in a few words what is wrong."), field="details")
    already = db.session.scalar(
        select(Report.id).where(
            Report.post_id == post.id, Report.reporter_id == actor.id, Report.state == "open"
        )
    )
    if already is not None:
        raise Refused(_l("You have already reported this post; the moderators will look at it."))
    report = Report(post=post, reporter_id=actor.id, reason=reason, details=details)
    db.session.add(report)
    db.session.commit()
    return report


@act
def handle_report(actor, report, decision, note):
    """Resolve (`decision="resolve"`) or dismiss (`"dismiss"`) an open report, with a note."""
    term = acting_term(actor)
    if decision not in ("resolve", "dismiss"):
        raise NotFound()
    note = clean_reason(note, field="note")
    if report.state != "open":
        raise Refused(_l("This report was already handled."))
    report.state = "resolved" if decision == "resolve" else "dismissed"
    report.handled_by_id = actor.id
    report.handled_at = utcnow()
    report.resolution_note = note
    thread = report.post.thread
    details = {"report_id": report.id, "report_reason": report.reason}
    record(actor, term, f"report.{decision}", "post", report.post_id, note, thread=thread,
           section=thread.section, details=details)
    db.session.commit()
    return report


def reports_page(state, page, per_page):
    """A page of reports in one state: open ones oldest first (a queue), others newest first."""
    if state not in REPORT_STATES:
        state = "open"
    order = Report.id.asc() if state == "open" else Report.id.desc()
    query = select(Report).where(Report.state == state).order_by(order)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def open_count():
    """How many reports wait for a moderator."""
    return db.session.scalar(select(func.count(Report.id)).where(Report.state == "open"))
