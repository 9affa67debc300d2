"""The preview: the same server pipeline that saves a post (Markdown, mentions, sanitizer)."""

from flask import current_app, render_template
from flask_login import login_required

from tribune.compose import bp
from tribune.compose.forms import PreviewForm
from tribune.extensions import limiter
from tribune.services.rendering import render_post

# Generous for a writer, a wall for a script using the renderer as a service.
PREVIEW_RATE_LIMIT = "120 per minute"


@bp.route("/preview", methods=["POST"])
@login_required
@limiter.limit(PREVIEW_RATE_LIMIT)
def preview():
    """The HTML a text will have once saved (a fragment for compose.js), or why it cannot be."""
    form = PreviewForm()
    if not form.validate_on_submit():
        errors = [str(e) for errors in form.errors.values() for e in errors]
        return render_template("compose/preview.html", html=None, errors=errors), 400
    html = render_post((form.body.data or "").replace("\r\n", "\n").strip())
    response = current_app.make_response(render_template("compose/preview.html", html=html,
                                                         errors=[]))  # fmt: skip
    response.headers["Cache-Control"] = "no-store"
    return response

