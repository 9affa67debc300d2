"""Every blueprint, and everything templates may call, registered in one place by create_app().

Each area is a package whose `__init__.py` holds its `bp` (microblog's shape); the helpers its
templates call stay beside the views they belong to and are named here, so a reader of a
template finds where a global comes from in one look, and no view module changes the
application as a side effect of being imported.
"""

from tribune import access
from tribune.text import bidi


def init_app(app):
    """Register the blueprints, then the template globals, filters and context."""
    from tribune.accounts import bp as accounts_bp
    from tribune.admin import bp as admin_bp
    from tribune.agenda import bp as agenda_bp
    from tribune.api import bp as api_bp
    from tribune.archive import bp as archive_bp
    from tribune.associations import bp as associations_bp
    from tribune.compose import bp as compose_bp
    from tribune.feeds import bp as feeds_bp
    from tribune.forum import bp as forum_bp
    from tribune.main import bp as main_bp
    from tribune.moderation import bp as moderation_bp
    from tribune.notifications import bp as notifications_bp
    from tribune.papers import bp as papers_bp
    from tribune.search import bp as search_bp

    # In the order they were always registered: where two rules match, the first one wins.
    for bp in (
        main_bp,
        accounts_bp,
        forum_bp,
        moderation_bp,
        search_bp,
        api_bp,
        papers_bp,
        agenda_bp,
        associations_bp,
        archive_bp,
        admin_bp,
        feeds_bp,
        compose_bp,
        notifications_bp,
    ):
        app.register_blueprint(bp)
    _templating(app)


def _templating(app):
    from tribune import admin
    from tribune.agenda import views as agenda_views
    from tribune.archive import views as archive_views
    from tribune.forum import post_html
    from tribune.forum import views as forum_views
    from tribune.main import views as main_views
    from tribune.moderation import views as moderation_views
    from tribune.notifications import views as notifications_views
    from tribune.papers import views as papers_views

    app.jinja_env.globals.update(
        # Templates ask the access module directly ("may this reader edit this post?").
        access=access,
        # A city and country as one phrase (issue 17).
        place=bidi.place,
        absolute_link=main_views.absolute_link,
        post_link=forum_views.post_link,
        profile_link=forum_views.profile_link,
        thread_link=papers_views.thread_link,
        # A thread page's posts, rendered in Python (docs/decisions/0207).
        post_articles=post_html.post_articles,
        debate_quoted_posts=papers_views.debate_quoted_posts,
        archive_month_url=archive_views.archive_month_url,
        calendar_month_url=agenda_views.month_url,
        moderation_label=moderation_views.moderation_label,
        slow_mode_label=moderation_views.slow_mode_label,
        registration_label=admin.registration_label,
    )
    app.jinja_env.filters.update(
        # Names where no markup can isolate them (a page's <title>, an <option>): FSI ... PDI.
        isolate=bidi.isolate,
        # A name inside a translated sentence ("New thread in %(section)s"): <bdi>name</bdi>.
        bdi=bidi.bdi,
        # A query's words each isolated (issue 17).
        isolated_words=bidi.isolated_words,
    )
    for processor in (
        _site,
        main_views.page_forms,
        notifications_views.notification_context,
        agenda_views.agenda_context,
    ):
        app.context_processor(processor)


def _site():
    # The site's name, tagline and rules as administrators wrote them (services/site.py).
    from tribune.i18n import current_locale
    from tribune.services import site

    snapshot = site.current()
    return {"site": snapshot, "site_name": snapshot.name(current_locale())}
