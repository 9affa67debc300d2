"""Tables and their invariants. Models know nothing of requests or search."""

from tribune.models.forum import AREAS, LANGUAGES, THREAD_KINDS, Post, PostRevision, Section, Thread
from tribune.models.search import SearchChange, SearchState
from tribune.models.users import ROLES, Association, Membership, User

__all__ = [
    "AREAS",
    "LANGUAGES",
    "ROLES",
    "THREAD_KINDS",
    "Association",
    "Membership",
    "Post",
    "PostRevision",
    "SearchChange",
    "SearchState",
    "Section",
    "Thread",
    "User",
]
