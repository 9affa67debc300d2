"""The public archive: lossless for what readers see, private data never, byte-identical round
trips, today's files still import, and every bad line named."""

import json

import pytest
from sqlalchemy import select

from tests.backup.filling import fill
from tests.conftest import IsolatedClient, make_config, reset_schema
from tribune import create_app
from tribune.extensions import db
from tribune.models import Section, Thread
from tribune.services import Invalid, archive, moderation


def export(app, path, *flags):
    result = app.test_cli_runner().invoke(args=["archive", "export", str(path), *flags])
    assert result.exit_code == 0, result.output
    return path.read_text(encoding="utf-8")


def fresh_instance(tmp_path, name):
    db.session.remove()  # on PostgreSQL both apps share one database
    other = create_app(make_config(tmp_path / name, SEARCH_INDEX_EACH_COMMIT=True))
    other.test_client_class = IsolatedClient
    return other


@pytest.mark.parametrize("flags", [(), ("--include-hidden",)])
def test_export_import_export_gives_the_same_bytes(app, client, tmp_path, flags):
    fill(client)
    first = export(app, tmp_path / "first.jsonl", *flags)
    lines = [json.loads(line) for line in first.splitlines()]
    threads = [line for line in lines if "posts" in line]
    # What readers see is all there: kind-specific fields, history, quotes, replies, links.
    assert any("paper" in t and len(t["paper"].get("signatures", [])) > 1 for t in threads)
    signatures = [s for t in threads for s in t.get("paper", {}).get("signatures", [])]
    assert any(s.get("withdrawn_by") for s in signatures)  # who withdrew it (issue 17)
    assert any("action" in t and t["action"]["timezone"] for t in threads)
    assert any(len(t.get("closures", [])) == 2 for t in threads)
    assert any(t.get("links") for t in threads)
    assert any(t.get("locked") and t.get("pinned") for t in threads)
    posts = [p for t in threads for p in t["posts"]]
    assert any(p.get("revisions") for p in posts) and any(p.get("quotes") for p in posts)
    assert any(p.get("reply_to") for p in posts)
    assert any(t.get("title") for p in posts for t in p.get("translations", []))
    assert any(line.get("type") == "association" and line.get("city") for line in lines)
    assert any(line.get("type") == "section" and line.get("description") for line in lines)
    # Never private data, never hidden content unless asked.
    for private in ("@example.org", "$argon2", "password", "secret", "handed over early"):
        assert private not in first, private
    assert ("buy now" in first) == bool(flags) and ("advertising" in first) == bool(flags)

    other = fresh_instance(tmp_path, "other")
    with other.app_context():
        reset_schema()
        result = other.test_cli_runner().invoke(
            args=["archive", "import", str(tmp_path / "first.jsonl")]
        )
        assert result.exit_code == 0, result.output
        assert export(other, tmp_path / "again.jsonl", *flags) == first
        check = other.test_cli_runner().invoke(args=["check"])
        assert check.exit_code == 0, check.output
        reader = other.test_client()
        found = reader.get("/api/v1/search", query_string={"q": "Saras"}).get_json()
        assert found["total"] == 1
        db.session.remove()
        db.engine.dispose()


def test_a_file_in_todays_format_still_imports(app, tmp_path):
    line = {
        "area": "tribune",
        "section": "alternatives",
        "section_title": "بدیل‌ها",
        "kind": "paper",
        "title": "جمهوری لائیک",
        "association": "hamburg",
        "posts": [
            {"author": "sara", "created_at": "2010-03-28T14:30:00+04:30", "body": "متن نخست",
             "translations": [{"language": "de", "body": "Erster Text", "translator": "jonas"}]},
            {"author": "kaveh", "created_at": "2010-03-29T10:00:00Z", "body": "پاسخ",
             "hidden": True, "hidden_reason": "تبلیغ"},
        ],
    }  # fmt: skip
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    report = archive.import_file(str(path))
    assert (report.threads, report.posts, report.translations) == (1, 2, 1)
    thread = db.session.scalar(select(Thread))
    assert thread.kind == "paper" and thread.paper is not None and thread.reply_count == 0
    out = tmp_path / "out.jsonl"
    archive.export_file(str(out), include_hidden=True)
    exported = json.loads(out.read_text(encoding="utf-8").splitlines()[-1])
    assert exported["paper"]["signatures"][0]["association"] == "hamburg"
    assert exported["posts"][1]["hidden_reason"] == "تبلیغ"


def _problems(path):
    with pytest.raises(archive.ArchiveInvalid) as raised:
        archive.import_file(str(path))
    return [str(problem) for problem in raised.value.problems]


THREAD = '{"area":"tribune","section":"s1","title":"عنوان","posts":[%s]}'
POST = '{"ref":"%s","author":"sara","created_at":"2010-03-28T14:30:00Z","body":"متن"%s}'


def test_every_bad_input_names_its_line(app, tmp_path):
    good = THREAD % (POST % ("p1", ""))
    bad_utf8 = tmp_path / "utf8.jsonl"
    bad_utf8.write_bytes(
        (good + "\n" + THREAD % (POST % ("p2", "")) + "\n").encode() + b'{"area":"\xff"}\n'
    )
    assert [p.split(": ")[0] for p in _problems(bad_utf8)] == [f"{bad_utf8}:3"]
    assert "not UTF-8 text at byte 10" in _problems(bad_utf8)[0]

    cut = tmp_path / "cut.jsonl"
    cut.write_text(good + "\n" + good[:40], encoding="utf-8")
    assert _problems(cut) == [
        f"{cut}:2: line: is cut off: the file ends in the middle of it (truncated?)"
    ]

    dangling = tmp_path / "dangling.jsonl"
    reply = POST % ("p2", ',"reply_to":"p9","quotes":[{"post":"p8","passage":"x"}]')
    dangling.write_text(good + "\n\n" + THREAD % reply + "\n", encoding="utf-8")
    assert _problems(dangling) == [
        f"{dangling}:3: posts[0].reply_to: p9 names no post of this file",
        f"{dangling}:3: posts[0].quotes[0].post: p8 names no post of this file",
    ]
    assert db.session.scalar(select(Thread)) is None


def test_a_paper_stays_in_the_tribune_when_moved_and_imported(
    app, make_user, make_section, make_moderator, tmp_path
):
    from tribune.services import debate

    tribune = make_section("alternatives")
    agenda = make_section("women", "agenda", "زنان")
    paper = debate.publish_paper(
        make_user(), tribune, "جمهوری لائیک", "متن", "fa", "خلاصه‌ای از این مقاله", "لائیسیته"
    )
    with pytest.raises(Invalid) as refused:
        moderation.move_thread(make_moderator(), paper, agenda, "belongs to the agenda")
    assert refused.value.field == "section" and "تریبون" in str(refused.value)
    assert db.session.get(Thread, paper.id).section_id == tribune.id
    path = tmp_path / "agenda-paper.jsonl"
    path.write_text(
        '{"area":"agenda","section":"women","kind":"paper","title":"عنوان",'
        '"posts":[{"author":"sara","created_at":"2010-03-28T14:30:00Z","body":"متن"}]}\n'
    )
    assert _problems(path) == [
        f"{path}:1: kind: position papers belong in the tribune (area tribune)"
    ]
    assert db.session.scalar(select(Section).where(Section.slug == "women")).thread_count == 0
