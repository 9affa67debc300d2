"""Reading a reader's search criteria from request arguments (the page's and the API's)."""

from __future__ import annotations

from tribune.services.search import FILTERS, MAX_RESULTS, SORTS, Criteria


class BadParameter(ValueError):
    """A request parameter outside its range (sort, page, per_page, thread)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def from_args(args, per_page_default: int, per_page_max: int) -> Criteria:
    """The criteria of request arguments q, area, section, author, association, lang, kind, from,
    to, sort, page, per_page and thread; BadParameter for one out of range."""
    sort = args.get("sort", "").strip()
    if sort and sort not in SORTS:
        raise BadParameter("sort", "sort must be relevance, newest or oldest.")
    page = _int_arg(args, "page", 1, 1, MAX_RESULTS)
    per_page = _int_arg(args, "per_page", per_page_default, 1, per_page_max)
    thread = args.get("thread", "").strip()
    thread_id = _int_arg(args, "thread", 0, 1, 2**62) if thread else None
    return Criteria(
        q=args.get("q", ""),
        filters={key: args.get(key, "") for key in FILTERS if args.get(key)},
        after=args.get("from", ""),
        before=args.get("to", ""),
        sort=sort,
        page=page,
        per_page=per_page,
        thread_id=thread_id,
    )


def _int_arg(args, name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name, "")
    if raw in ("", None):
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise BadParameter(name, f"{name} must be a whole number.") from None
    if not low <= value <= high:
        raise BadParameter(name, f"{name} must be between {low} and {high}.")
    return value
