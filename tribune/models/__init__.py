"""Tables and their invariants. Models know nothing of requests or search."""

from tribune.models.debate import (
    ACTION_STATUSES,
    CALENDARS,
    Action,
    ClosureEvent,
    Commemoration,
    MembershipConfirmation,
    Paper,
    PaperSignature,
    PaperSignatureEvent,
    Quote,
    ThreadLink,
    Translation,
)
from tribune.models.follow import (
    MailOutbox,
    Notification,
    NotificationSettings,
    ReadMark,
    ThreadRead,
    Watch,
)
from tribune.models.forum import AREAS, LANGUAGES, THREAD_KINDS, Post, PostRevision, Section, Thread
from tribune.models.moderation import (
    ModerationLogEntry,
    ModeratorTerm,
    Report,
    Suspension,
)
from tribune.models.search import SearchChange, SearchState, SearchText
from tribune.models.security import PasswordReset, RecoveryCode, TwoFactor, UserSession
from tribune.models.site import (
    REGISTRATION_POLICIES,
    Invitation,
    SiteSettings,
    SiteText,
)
from tribune.models.users import ROLES, Association, Membership, User

__all__ = [
    "ACTION_STATUSES",
    "AREAS",
    "CALENDARS",
    "LANGUAGES",
    "REGISTRATION_POLICIES",
    "ROLES",
    "THREAD_KINDS",
    "Action",
    "Association",
    "ClosureEvent",
    "Commemoration",
    "Invitation",
    "MailOutbox",
    "Membership",
    "MembershipConfirmation",
    "ModerationLogEntry",
    "ModeratorTerm",
    "Notification",
    "NotificationSettings",
    "Paper",
    "PaperSignature",
    "PaperSignatureEvent",
    "PasswordReset",
    "Post",
    "PostRevision",
    "Quote",
    "ReadMark",
    "RecoveryCode",
    "Report",
    "SearchChange",
    "SearchState",
    "SearchText",
    "Section",
    "SiteSettings",
    "SiteText",
    "Suspension",
    "Thread",
    "ThreadLink",
    "ThreadRead",
    "Translation",
    "TwoFactor",
    "User",
    "UserSession",
    "Watch",
]
