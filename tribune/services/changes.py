"""Record every change to searchable content in the same transaction as the change itself.

A `before_flush` listener looks at what the session is about to write. Whatever touches what
search shows (a post's text or visibility, a thread's title, section or lock, an account's name or
suspension, ...) adds a SearchChange row to the same flush, so the change and its record commit
or roll back together: the index can always be brought up to date from the database alone.
Services need not remember to call anything, so no write path can forget.
"""

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from tribune.models import Association, Post, Section, Thread, User
from tribune.models.search import SearchChange

# For each model: the kind of change row and the attributes that matter to search. A change to
# any other attribute (counters, timestamps of activity, session tokens) writes no row.
WATCHED = {
    Post: (
        "post",
        {"body_source", "language", "is_hidden", "thread_id", "author_id", "created_at"},
    ),
    Thread: ("thread", {"title", "section_id", "kind", "language", "author_id", "created_at"}),
    User: ("user", {"username", "display_name", "is_disabled", "is_placeholder"}),
    Section: ("section", {"slug", "area", "title"}),
    Association: ("association", {"slug", "name"}),
}

# Other modules (moderation, debates) register attributes of their own models here.
EXTRA_WATCHED = {}


def watch(model, kind, attributes):
    """Make changes to `attributes` of `model` write a change row of `kind`."""
    EXTRA_WATCHED[model] = (kind, set(attributes))


def _rule_for(obj):
    for model, rule in (*WATCHED.items(), *EXTRA_WATCHED.items()):
        if isinstance(obj, model):
            return rule
    return None


def _object_id(obj, kind):
    # Extra kinds (e.g. a paper's fields) map onto the thread or post they belong to.
    if hasattr(obj, "search_target"):
        return obj.search_target()
    return kind, obj.id


def _changed(obj, attributes):
    state = inspect(obj)
    if any(state.attrs[name].history.has_changes() for name in attributes):
        return True
    # `thread.section = other` changes section_id only during the flush, after this listener
    # ran: a many-to-one relationship over a watched key column counts as that column.
    for relation in state.mapper.relationships:
        if relation.direction.name != "MANYTOONE":
            continue
        keys = {state.mapper.get_property_by_column(c).key for c in relation.local_columns}
        if keys & attributes and state.attrs[relation.key].history.has_changes():
            return True
    return False


@event.listens_for(Session, "before_flush")
def _record_changes(session, flush_context, instances):
    pending = []
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        rule = _rule_for(obj)
        if rule is None:
            continue
        kind, attributes = rule
        if obj in session.new or obj in session.deleted or _changed(obj, attributes):
            pending.append((obj, kind))
    if not pending:
        return
    # New objects have no id before the flush; flush them first, then record.
    session.info.setdefault("search_pending", []).extend(pending)


@event.listens_for(Session, "after_flush")
def _write_changes(session, flush_context):
    pending = session.info.pop("search_pending", None)
    if not pending:
        return
    seen = set()
    for obj, kind in pending:
        target = _object_id(obj, kind)
        if target[1] is None or target in seen:
            continue
        seen.add(target)
        session.add(SearchChange(kind=target[0], object_id=target[1]))
