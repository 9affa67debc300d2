"""The tribune's debates: position papers (lists, comparison, publishing, signatures),
translations of posts, syntheses that close a debate, links to the agenda's actions."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from tribune import access
from tribune.accounts.forms import EmptyForm
from tribune.extensions import db
from tribune.forms import attach_error
from tribune.forum import queries as forum_queries
from tribune.i18n import LANGUAGE_NAMES, current_locale
from tribune.i18n import gettext as _
from tribune.models import Association, PaperSignature, Post, Thread, ThreadLink
from tribune.papers import bp, queries, thread_page
from tribune.papers.forms import CloseForm, PaperFieldsForm, PaperForm, TranslationForm
from tribune.services import (
    Invalid,
    Refused,
    agenda,
    debate,
    debate_closing,
    debate_posts,
    posting,
)
from tribune.services.debate import ID_RULE as ID
from tribune.services.debate import as_id
from tribune.web import existing_page, page_arg


def _thread_or_404(thread_id):
    thread = db.session.get(Thread, thread_id)
    if thread is None or not access.can_view_thread_title(current_user, thread):
        abort(404)
    return thread


def _back(thread):
    return redirect(url_for("forum.thread", thread_id=thread.id))


def _filters():
    """The position key and association chosen in the address (404 for an unknown one)."""
    association = None
    if slug := request.args.get("association"):
        association = queries.association_by_slug(slug)
        if association is None:
            abort(404)
    return request.args.get("position") or None, association


@bp.route("/")
def index():
    """Every position paper, filterable by the position it defends and by co-signatory."""
    position_key, association = _filters()
    pagination = existing_page(
        queries.papers_page(
            current_user,
            page_arg(),
            current_app.config["THREADS_PER_PAGE"],
            position_key=position_key,
            association=association,
        )
    )
    return render_template(
        "papers/index.html",
        pagination=pagination,
        signatures=queries.signatures_of(pagination.items),
        positions=queries.positions(current_user, association),
        position_key=position_key,
        position_label=queries.label_of(position_key) if position_key else None,
        association=association,
        associations=queries.associations(),
    )


@bp.route("/compare")
def compare():
    """The papers of each position side by side, optionally those one association co-signed."""
    _position, association = _filters()
    columns = queries.comparison(current_user, association)
    threads = [thread for column in columns for thread in column[3]]
    return render_template(
        "papers/compare.html",
        columns=columns,
        signatures=queries.signatures_of(threads),
        association=association,
        associations=queries.associations(),
    )


def _sign_choices(form):
    """The associations the current user may name as co-signatories."""
    choices = [
        m.association
        for m in current_user.memberships
        if access.can_sign_for(current_user, m.association)
    ]
    form.associations.choices = [SelectChoice(a.id, a.name) for a in choices]
    return {a.id: a for a in choices}


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Publish a position paper in a section of the tribune."""
    if not access.may_write(current_user):
        abort(404)
    form = PaperForm()
    sections = {s.slug: s for s in queries.tribune_sections()}
    form.section.choices = [
        SelectChoice(slug, s.localized("title", current_locale())) for slug, s in sections.items()
    ]
    signable = _sign_choices(form)
    if request.method == "GET" and request.args.get("section") in sections:
        form.section.data = request.args["section"]
    if form.validate_on_submit():
        try:
            thread = debate.publish_paper(
                current_user,
                sections.get(form.section.data),
                form.title.data,
                form.body.data,
                form.language.data,
                form.summary.data,
                form.position.data,
                [signable[i] for i in form.associations.data or [] if i in signable],
            )
        except Invalid as error:
            attach_error(form, error)
        except Refused as refused:
            # New-account posting limits: say why and keep what was typed.
            form.form_errors.append(str(refused.message))
        else:
            return _back(thread)
    return render_template(
        "papers/new.html", form=form, known_positions=queries.positions(current_user)
    )


@bp.route(f"/<{ID}:thread_id>/edit", methods=["GET", "POST"])
@login_required
def edit(thread_id):
    """Change a paper's summary and position (the text is edited as its opening post)."""
    thread = _thread_or_404(thread_id)
    if not access.can_edit_paper(current_user, thread):
        abort(404)
    form = PaperFieldsForm(obj=thread.paper)
    if form.validate_on_submit():
        try:
            debate.edit_paper(current_user, thread, form.summary.data, form.position.data)
        except Invalid as error:
            attach_error(form, error)
        except Refused:
            abort(404)
        else:
            flash(_("The paper's summary and position were saved."), "success")
            return _back(thread)
    return render_template(
        "papers/edit.html",
        form=form,
        thread=thread,
        known_positions=queries.positions(current_user),
    )


def _chosen_association():
    """The association named by the posted form (with a valid CSRF token), else 400."""
    association_id = as_id(request.form.get("association"))
    association = db.session.get(Association, association_id) if association_id else None
    if not EmptyForm().validate_on_submit() or association is None:
        abort(400)
    return association


@bp.route(f"/<{ID}:thread_id>/sign", methods=["POST"])
@login_required
def sign(thread_id):
    """Name one's association as co-signatory of a paper."""
    thread = _thread_or_404(thread_id)
    association = _chosen_association()
    try:
        debate.sign(current_user, thread, association)
    except Refused as refused:
        flash(str(refused.message), "error")
    else:
        flash(_("%(name)s now co-signs this paper.", name=association.name), "success")
    return _back(thread)


@bp.route(f"/<{ID}:thread_id>/ask", methods=["POST"])
@login_required
def ask_signature(thread_id):
    """Ask an association's confirmed members to co-sign one's paper."""
    thread = _thread_or_404(thread_id)
    association = _chosen_association()
    try:
        told = debate.request_signature(current_user, thread, association)
    except Refused as refused:
        flash(str(refused.message), "error")
    else:
        if told:
            flash(_("The confirmed members of %(name)s were asked to co-sign.",
                    name=association.name), "success")
        else:
            flash(_("%(name)s has no confirmed member to ask yet.", name=association.name),
                  "error")
    return _back(thread)


@bp.route(f"/<{ID}:thread_id>/signatures/<{ID}:signature_id>/withdraw", methods=["POST"])
@login_required
def withdraw(thread_id, signature_id):
    """Withdraw an association's co-signature."""
    thread = _thread_or_404(thread_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        debate.withdraw(current_user, thread, db.session.get(PaperSignature, signature_id))
    except Refused:
        abort(404)
    flash(_("The co-signature was withdrawn."), "success")
    return _back(thread)


@bp.route(f"/threads/<{ID}:thread_id>/close", methods=["GET", "POST"])
@login_required
def close(thread_id):
    """Close a debate with a synthesis: what was agreed, what remains disputed."""
    thread = _thread_or_404(thread_id)
    if not access.can_close_debate(current_user, thread):
        abort(404)
    form = CloseForm()
    if form.validate_on_submit():
        try:
            debate_closing.close(current_user, thread, form.agreed.data, form.disputed.data)
        except Invalid as error:
            attach_error(form, error)
        except Refused:
            abort(404)
        else:
            flash(_("The debate is closed; the synthesis is shown on top."), "success")
            return _back(thread)
    return render_template("papers/close.html", form=form, thread=thread)


@bp.route(f"/threads/<{ID}:thread_id>/reopen", methods=["POST"])
@login_required
def reopen(thread_id):
    """Reopen a closed debate, saying why."""
    thread = _thread_or_404(thread_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        debate_closing.reopen(current_user, thread, request.form.get("reason", ""))
    except Invalid as error:
        flash(str(error.message), "error")
    except Refused:
        abort(404)
    else:
        flash(_("The debate is open again; its earlier synthesis stays in its history."), "success")
    return _back(thread)


@bp.route(f"/threads/<{ID}:thread_id>/links", methods=["POST"])
@login_required
def link(thread_id):
    """Relate a debate and an action (typed as an address or a number)."""
    thread = _thread_or_404(thread_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        agenda.link(current_user, thread, agenda.find_thread(request.form.get("reference")))
    except Invalid as error:
        flash(str(error.message), "error")
    else:
        flash(_("The two threads are related; each shows the other."), "success")
    return _back(thread)


@bp.route(f"/links/<{ID}:link_id>/remove", methods=["POST"])
@login_required
def unlink(link_id):
    """Remove the relation between a debate and an action."""
    relation = db.session.get(ThreadLink, link_id)
    if relation is None or not EmptyForm().validate_on_submit():
        abort(404)
    back = (
        relation.action
        if as_id(request.form.get("back")) == relation.action_id
        else relation.debate
    )
    agenda.unlink(current_user, relation)
    return _back(back)


@bp.route(f"/posts/<{ID}:post_id>/translate", methods=["GET", "POST"])
@login_required
def translate(post_id):
    """Translate a post into another language, or update one's translation."""
    post = db.session.get(Post, post_id)
    if post is None or not access.can_view_post(current_user, post):
        abort(404)
    if not access.can_translate(current_user, post):
        abort(404)
    form = TranslationForm()
    form.language.choices = [
        SelectChoice(code, name, render_kw={"lang": code})
        for code, name in LANGUAGE_NAMES.items()
        if code != post.language
    ]
    opening = posting.is_opening_post(post)
    chosen = request.args.get("language") or form.language.data or form.language.choices[0].value
    existing = debate_posts.translation_of(post, chosen)
    if request.method == "GET":
        form.language.data = chosen
        if access.can_edit_translation(current_user, existing):
            form.body.data = existing.body_source
            form.title.data = existing.title or ""
    if form.validate_on_submit():
        try:
            debate_posts.translate(
                current_user,
                post,
                form.language.data,
                form.body.data,
                title=form.title.data if opening else None,
            )
        except Invalid as error:
            attach_error(form, error)
        except Refused as refused:
            # Posting limits, or the post was hidden meanwhile: say why, keep the translation.
            form.form_errors.append(str(refused.message))
        else:
            flash(_("Thank you: the translation is published beside the original."), "success")
            page = forum_queries.page_of_post(post, current_app.config["POSTS_PER_PAGE"])
            return redirect(
                url_for(
                    "forum.thread",
                    thread_id=post.thread_id,
                    page=page if page > 1 else None,
                    read=form.language.data,
                    _anchor=f"p{post.id}",
                )
            )
    return render_template(
        "papers/translate.html",
        form=form,
        post=post,
        opening=opening,
        existing=existing,
        others=debate_posts.translations_of([post]).get(post.id, []),
    )


def debate_quoted_posts(form):
    # The reply form labels each quote with the quoted post's author.
    return thread_page.quoted_authors(form)


def thread_link(post, anchor, **params):
    """The address of the post's thread page at the page being read, with `params` and `anchor`.

    A function rather than a template macro: the thread page builds two of these per post.
    """
    return url_for(
        "forum.thread",
        thread_id=post.thread_id,
        page=request.args.get("page"),
        _anchor=anchor,
        **params,
    )
