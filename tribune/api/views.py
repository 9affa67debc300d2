"""JSON API, version 1: the search, as on the search page but ungrouped. GET only.

Nothing here changes state, so there is nothing for CSRF to protect and nothing is exempted.
"""

from datetime import UTC

from flask import current_app, jsonify, request, url_for

from tribune.api import bp
from tribune.extensions import limiter
from tribune.search import criteria as criteria_args
from tribune.search import messages
from tribune.search.views import RETRY_AFTER
from tribune.services import search as search_service


def _error(status, message, code, **extra):
    return jsonify({"error": message, "status": status, "code": code, **extra}), status


def _url(path):
    # Absolute only from the configured public address: the Host header is the client's choice.
    base = current_app.config.get("PUBLIC_URL", "").rstrip("/")
    return base + path


@bp.get("/search")
@limiter.limit(lambda: current_app.config["SEARCH_RATE_LIMIT"])
def search():
    """Search posts; parameters as on the search page, plus page and per_page (1-50)."""
    try:
        criteria = criteria_args.from_args(
            request.args,
            per_page_default=current_app.config["SEARCH_RESULTS_PER_PAGE"],
            per_page_max=current_app.config["SEARCH_API_MAX_PER_PAGE"],
        )
        outcome = search_service.run(criteria, group=False)
    except criteria_args.BadParameter as error:
        return _error(400, messages.parameter_error(error), "bad_parameter", parameter=error.name)
    except search_service.QuerySyntaxError as error:
        position = error.position if error.position >= 0 else None
        return _error(400, messages.query_error(error), error.code, position=position)
    except search_service.SearchUnavailable as problem:
        current_app.logger.error("search unavailable: %s", problem)
        response, status = _error(503, messages.unavailable(), "index_unavailable")
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response, status
    return jsonify(
        {
            "query": criteria.q,
            "total": outcome.total,
            # false when "total" is a lower bound: more matches were found than are counted
            "total_is_exact": outcome.total_is_exact,
            "page": outcome.page,
            "per_page": outcome.per_page,
            "has_next": outcome.has_next,
            "results": [_result(result) for result in outcome.results],
        }
    )


def _result(result):
    post = result.post
    thread = post.thread
    translation = result.translation
    return {
        "post_id": post.id,
        "thread_id": thread.id,
        "thread_title": thread.title,
        "area": thread.section.area,
        "section": thread.section.slug,
        "author": post.author.username,
        "language": post.language,
        # The text that matched: the post's own (null), or its translation into this language.
        "matched_translation": translation.language if translation is not None else None,
        "created_at": post.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "url": _url(_permalink(post, translation)),
        # HTML: the matched text escaped, with the matched words in <mark>…</mark>.
        "snippet": str(result.snippet),
    }


def _permalink(post, translation):
    if translation is None:
        return url_for("forum.permalink", post_id=post.id)
    return url_for("forum.permalink", post_id=post.id, read=translation.language)
