"""Co-signatures name the member who signed for the association (issue 17): shown on the paper,
withdrawn by that member or the association's other members, every act kept in its history,
carried by the archive and through a merge of associations."""

import json

import pytest
from debate_support import fresh
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from tests.conftest import make_config, reset_schema
from tests.support import FAST_HASH, PASSWORD, login
from tribune import create_app
from tribune.extensions import db
from tribune.models import Association, PaperSignature, PaperSignatureEvent
from tribune.services import (
    Refused,
    accounts,
    archive,
    debate,
    debate_associations,
    people,
    sections,
)
from tribune.services.sections import SectionTexts


@pytest.fixture
def paris(make_association):
    return make_association("paris", "انجمن پاریس", "Paris")


def test_the_paper_says_who_signed_for_the_association(
    client, make_user, make_member, make_paper, paris
):
    paper = make_paper(author=make_user("sara"))
    kaveh = make_user("kaveh", display_name="Kaveh R.")
    make_member(kaveh, paris)
    debate.sign(kaveh, paper, paris)
    html = client.get(f"/t/{paper.id}").get_data(as_text=True)
    signatories = html.split('class="signatories"')[1].split("</ul>")[0]
    assert "انجمن پاریس" in signatories
    assert "signed by" in signatories and 'href="/accounts/u/kaveh"' in signatories
    assert "Kaveh R." in signatories
    # Nothing was withdrawn: no history to show yet.
    assert "History of the co-signatures" not in html


def test_the_signer_and_other_members_withdraw_outsiders_and_unconfirmed_cannot(
    app, make_user, make_member, make_paper, paris
):
    paper = make_paper(author=make_user("sara"))
    signer, colleague = make_user("kaveh"), make_user("maryam")
    stated, outsider = make_user("jonas"), make_user("outsider")
    signer_membership = make_member(signer, paris)
    make_member(colleague, paris)
    make_member(stated, paris, confirmed=False)
    signature = debate.sign(signer, paper, paris)
    for refused in (stated, outsider):
        with pytest.raises(Refused):
            debate.withdraw(refused, paper, signature)
    debate.withdraw(colleague, paper, signature)
    withdrawn = fresh(PaperSignature, signature.id)
    assert withdrawn.withdrawn_by_id == colleague.id and not withdrawn.is_active
    # The signer, even after leaving the association, may withdraw what they signed.
    debate.sign(signer, paper, paris)
    debate_associations.leave(signer, signer_membership)
    signer = fresh(type(signer), signer.id)
    debate.withdraw(signer, paper, fresh(PaperSignature, signature.id))
    assert fresh(PaperSignature, signature.id).withdrawn_by_id == signer.id


def test_signing_again_keeps_who_signed_before(client, make_user, make_member, make_paper, paris):
    paper = make_paper(author=make_user("sara"))
    kaveh, maryam = make_user("kaveh"), make_user("maryam")
    make_member(kaveh, paris)
    make_member(maryam, paris)
    signature = debate.sign(kaveh, paper, paris)
    debate.withdraw(maryam, paper, signature)
    debate.sign(maryam, paper, paris)
    acts = [(e.kind, e.actor.username) for e in debate.history(paper)]
    assert acts == [("sign", "kaveh"), ("withdraw", "maryam"), ("sign", "maryam")]
    assert fresh(PaperSignature, signature.id).signed_by_id == maryam.id
    html = client.get(f"/t/{paper.id}").get_data(as_text=True)
    history = html.split('class="signature-history"')[1].split("</details>")[0]
    assert history.count("<li>") == 3
    assert history.index("/accounts/u/kaveh") < history.index("/accounts/u/maryam")
    assert "withdrew the signature of" in history


def test_withdrawing_through_the_page(client, make_user, make_member, make_paper, paris):
    paper = make_paper(author=make_user("sara"))
    kaveh, maryam = make_user("kaveh"), make_user("maryam")
    make_user("outsider")
    make_member(kaveh, paris)
    make_member(maryam, paris)
    signature = debate.sign(kaveh, paper, paris)
    login(client, "outsider")
    assert "/withdraw" not in client.get(f"/t/{paper.id}").get_data(as_text=True)
    response = client.post(f"/papers/{paper.id}/signatures/{signature.id}/withdraw")
    assert response.status_code == 404 and fresh(PaperSignature, signature.id).is_active
    client.post("/accounts/logout")
    login(client, "maryam")
    page = client.get(f"/t/{paper.id}").get_data(as_text=True)
    assert f"/papers/{paper.id}/signatures/{signature.id}/withdraw" in page
    client.post(f"/papers/{paper.id}/signatures/{signature.id}/withdraw")
    assert fresh(PaperSignature, signature.id).withdrawn_by_id == maryam.id


def test_the_archive_carries_who_withdrew_and_older_files_still_import(
    app, tmp_path, make_user, make_member, make_paper, paris
):
    paper = make_paper(author=make_user("sara"))
    kaveh, maryam = make_user("kaveh"), make_user("maryam")
    make_member(kaveh, paris)
    make_member(maryam, paris)
    debate.withdraw(maryam, paper, debate.sign(kaveh, paper, paris))
    out = tmp_path / "out.jsonl"
    archive.export_file(str(out))
    record = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()][-1]
    [signature] = record["paper"]["signatures"]
    assert signature["signed_by"] == "kaveh" and signature["withdrawn_by"] == "maryam"

    # The same paper in a file written before issue 17: nobody named as withdrawing it.
    del signature["withdrawn_by"]
    record["title"] = "نسخه‌ی قدیمی"
    record.pop("ref", None)
    record["section"] = "alternatives-old"
    old = tmp_path / "old.jsonl"
    old.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    archive.import_file(str(old))
    imported = db.session.scalars(
        select(PaperSignature).order_by(PaperSignature.id.desc()).limit(1)
    ).one()
    assert imported.withdrawn_at is not None and imported.withdrawn_by_id is None
    events = db.session.scalars(
        select(PaperSignatureEvent)
        .where(PaperSignatureEvent.signature_id == imported.id)
        .order_by(PaperSignatureEvent.id)
    ).all()
    assert [(e.kind, e.actor.username if e.actor else None) for e in events] == [
        ("sign", "kaveh"),
        ("withdraw", None),
    ]


def test_merging_associations_keeps_the_history_of_a_paper_both_signed(
    app, admin, make_user, make_member, make_paper, paris, make_association
):
    duplicate = make_association("paris-2", "انجمن پاریس (دوباره)", "Paris")
    paper = make_paper(author=make_user("sara"))
    kaveh, maryam = make_user("kaveh"), make_user("maryam")
    make_member(kaveh, paris)
    make_member(maryam, duplicate)
    debate.sign(kaveh, paper, paris)
    debate.withdraw(maryam, paper, debate.sign(maryam, paper, duplicate))
    people.merge_associations(admin, duplicate, paris, "the same association, entered twice")
    acts = [(e.kind, e.actor.username, e.signature.association_id) for e in debate.history(paper)]
    assert sorted(acts) == sorted(
        [("sign", "kaveh", paris.id), ("sign", "maryam", paris.id),
         ("withdraw", "maryam", paris.id)]
    )  # fmt: skip


def test_0011_backfills_the_history_from_existing_signatures_and_downgrades(tmp_path):
    app = create_app(make_config(tmp_path, PASSWORD_HASH=FAST_HASH))
    with app.app_context():
        reset_schema()
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        coordinator = accounts.register("coordinator", PASSWORD, role="admin")
        sara, kaveh, maryam = (accounts.register(n, PASSWORD) for n in ("sara", "kaveh", "maryam"))
        section = sections.build(
            "tribune", "alternatives", {"fa": SectionTexts("بدیل‌ها")}, default="fa"
        )
        paris = Association(slug="paris", name="انجمن پاریس", city="Paris")
        db.session.add(paris)
        db.session.commit()
        for member in (kaveh, maryam):
            membership = debate_associations.state_affiliation(member, paris)
            debate_associations.confirm(coordinator, membership)
        paper = debate.publish_paper(
            sara, section, "جمهوری لائیک", "متن نخست", "fa", "جدایی دین از دولت.", "لائیک"
        )
        debate.withdraw(maryam, paper, debate.sign(kaveh, paper, paris))
        paper_id = paper.id
        db.session.remove()
        # Back to the schema before issue 17: the history goes, the signature stays.
        downgrade(revision="0009")
        assert "paper_signature_events" not in inspect(db.engine).get_table_names()
        upgrade()
        db.session.remove()
        events = db.session.scalars(
            select(PaperSignatureEvent).order_by(PaperSignatureEvent.id)
        ).all()
        assert [(e.kind, e.actor.username) for e in events] == [
            ("sign", "kaveh"),
            ("withdraw", "maryam"),
        ]
        assert {e.signature.thread_id for e in events} == {paper_id}
        db.session.remove()
        db.engine.dispose()
