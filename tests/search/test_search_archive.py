"""`flask archive import/export`: the whole file is checked first; a good file is imported in one
transaction and indexed; an export imports back into an empty instance as the same content."""

import json

import pytest
from sqlalchemy import func, select

from tests.conftest import IsolatedClient, make_config, reset_schema
from tribune import create_app
from tribune.extensions import db
from tribune.models import Association, Post, Section, Thread, User
from tribune.models.debate import PaperSignature, Translation
from tribune.services import archive, moderation, posting


def write_lines(path, records):
    path.write_text(
        "".join(
            (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records
        ),
        encoding="utf-8",
    )
    return path


def thread_record(**overrides):
    record = {
        "area": "tribune",
        "section": "mailing-list-2010",
        "section_title": "فهرست پستی ۲۰۱۰",
        "kind": "discussion",
        "title": "نشست هامبورگ",
        "language": "fa",
        "posts": [
            {
                "author": "old.member",
                "created_at": "2010-03-28T14:30:00+04:30",
                "body": "گزارش نشست سه‌روزه‌ی كانون‌ها",
            },
            {
                "author": "sara",
                "created_at": "2010-03-29T09:00:00Z",
                "language": "de",
                "body": "Danke für den Bericht über die Räte.",
                "translations": [
                    {
                        "language": "fa",
                        "body": "سپاس برای گزارش شوراها",
                        "translator": "translator1",
                    }
                ],
            },
            {
                "author": "troll",
                "created_at": "2010-03-29T10:00:00+01:00",
                "body": "ناسزای پنهان",
                "hidden": True,
                "hidden_reason": "توهین به دیگران",
            },
        ],
    }
    record.update(overrides)
    return record


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_valid_file_is_imported_and_indexed(app, client, make_user, tmp_path):
    make_user("sara")
    path = write_lines(
        tmp_path / "archive.jsonl",
        [
            thread_record(),
            thread_record(
                kind="paper",
                title="بیانیه‌ی پایانی",
                association="hamburg-solidarity",
                posts=[
                    {
                        "author": "old.member",
                        "created_at": "2010-03-28T18:00:00+02:00",
                        "body": "متن بیانیه درباره‌ی همگامی",
                    }
                ],
            ),
        ],
    )
    result = app.test_cli_runner().invoke(args=["archive", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Imported 2 threads and 4 posts" in result.output
    assert count(Thread) == 2 and count(Post) == 4
    member = db.session.scalar(select(User).where(User.username == "old.member"))
    assert member.is_placeholder and member.password_hash is None and not member.is_active
    assert (
        db.session.scalar(select(Section).where(Section.slug == "mailing-list-2010")).area
        == "tribune"
    )
    association = db.session.scalar(
        select(Association).where(Association.slug == "hamburg-solidarity")
    )
    assert association is not None and count(PaperSignature) == 1
    first = db.session.scalar(select(Post).order_by(Post.id))
    assert first.created_at.isoformat() == "2010-03-28T10:00:00+00:00"
    hidden = db.session.scalar(select(Post).where(Post.is_hidden.is_(True)))
    assert hidden.hidden_reason == "توهین به دیگران"
    translation = db.session.scalar(select(Translation))
    assert translation.translator.username == "translator1" and translation.post.language == "de"
    # Indexed: Arabic letters in the archive, Persian ones typed; the hidden post stays hidden.
    found = client.get("/api/v1/search?q=کانون‌ها").get_json()
    assert [r["post_id"] for r in found["results"]] == [first.id]
    assert client.get("/api/v1/search?q=ناسزای").get_json()["total"] == 0
    assert client.get("/api/v1/search?q=association:hamburg-solidarity").get_json()["total"] == 1
    assert (
        client.get("/api/v1/search?q=همگامی from:1389-01-08 to:1389-01-08").get_json()["total"] == 1
    )
    assert client.get("/api/v1/search?q=همگامی&to=1389-01-08").get_json()["total"] == 1


def test_one_bad_line_names_the_line_and_imports_nothing(app, tmp_path):
    path = write_lines(
        tmp_path / "bad.jsonl",
        [
            thread_record(),
            thread_record(
                posts=[
                    {
                        "author": "sara",
                        "created_at": "2010-03-28T14:30:00",
                        "body": "بدون منطقه‌ی زمانی",
                    }
                ]
            ),
            thread_record(title="سوم"),
        ],
    )
    result = app.test_cli_runner().invoke(args=["archive", "import", str(path)])
    assert result.exit_code != 0
    assert f"{path}:2: posts[0].created_at: needs a time zone offset" in result.output
    assert "nothing was imported" in result.output
    assert count(Thread) == count(Post) == count(Section) == count(User) == 0


def test_every_bad_line_is_reported(app, tmp_path):
    path = write_lines(
        tmp_path / "bad.jsonl",
        [
            "{not json",
            thread_record(area="moon", titel="typo"),
            thread_record(posts=[]),
            thread_record(kind="discussion", association="paris"),
            thread_record(
                posts=[{"author": "x", "created_at": "yesterday", "body": "", "hidden": True}]
            ),
            thread_record(
                posts=[
                    {"author": "admin", "created_at": "2010-03-28T14:30:00Z", "body": "نام رزروشده"}
                ]
            ),
        ],
    )
    with pytest.raises(archive.ArchiveInvalid) as caught:
        archive.import_file(str(path))
    lines = [str(problem) for problem in caught.value.problems]
    assert lines[0].startswith(f"{path}:1: json: ")
    assert f"{path}:2: area: must be one of tribune, agenda" in lines
    assert f"{path}:2: titel: is not a field of the archive format" in lines
    assert any(line.startswith(f"{path}:3: posts: must be a non-empty list") for line in lines)
    assert any(line.startswith(f"{path}:4: association: only a position paper") for line in lines)
    fifth = [line for line in lines if line.startswith(f"{path}:5:")]
    assert {line.split(": ")[1] for line in fifth} == {
        "posts[0].author",
        "posts[0].created_at",
        "posts[0].body",
        "posts[0].hidden_reason",
    }
    assert f"{path}:6: posts[0].author: 'admin' is a reserved name" in lines
    assert count(Thread) == 0


def test_a_section_keeps_its_area(app, make_section, tmp_path):
    make_section(slug="women", area="agenda", title="زنان")
    path = write_lines(tmp_path / "a.jsonl", [thread_record(section="women")])
    with pytest.raises(archive.ArchiveInvalid) as caught:
        archive.import_file(str(path))
    assert str(caught.value.problems[0]) == (
        f"{path}:1: section: 'women' is a section of the agenda area"
    )


def _fill_instance(make_user, make_section, make_moderator):
    from tribune.services import debate_posts

    sara, kaveh = make_user("sara"), make_user("kaveh")
    tribune = make_section()
    agenda = make_section(slug="women", area="agenda", title="کارگروه زنان")
    first = posting.open_thread(
        sara, tribune, "چرا جمهوری لائیک؟", "## خلاصه\n\nجدایی **دین**", "fa"
    )
    reply = posting.reply(kaveh, first, "پاسخ با [پیوند](https://example.org)", "fa")
    posting.reply(sara, first, "Une réponse en français.", "fr")
    posting.open_thread(kaveh, agenda, "۸ مارس", "برنامه‌ی آکسیون", "fa", kind="action")
    moderator = make_moderator()
    moderation.hide_post(moderator, reply, "پیوند تبلیغاتی")
    french = db.session.scalar(select(Post).where(Post.language == "fr"))
    debate_posts.translate(kaveh, french, "fa", "پاسخی به فرانسوی")


def test_export_then_import_into_an_empty_instance_gives_the_same_content(
    app, make_user, make_section, make_moderator, tmp_path
):
    _fill_instance(make_user, make_section, make_moderator)
    runner = app.test_cli_runner()
    exported = tmp_path / "export.jsonl"
    result = runner.invoke(args=["archive", "export", str(exported), "--include-hidden"])
    assert result.exit_code == 0
    public = tmp_path / "public.jsonl"
    assert runner.invoke(args=["archive", "export", str(public)]).exit_code == 0
    assert "پیوند تبلیغاتی" in exported.read_text() and "پیوند" not in public.read_text()

    # End this app's open transaction: on PostgreSQL both apps share one database.
    db.session.remove()
    other = create_app(make_config(tmp_path / "other"))
    other.test_client_class = IsolatedClient
    with other.app_context():
        reset_schema()
        again = tmp_path / "again.jsonl"
        runner = other.test_cli_runner()
        result = runner.invoke(args=["archive", "import", str(exported)])
        assert result.exit_code == 0, result.output
        assert (
            runner.invoke(args=["archive", "export", str(again), "--include-hidden"]).exit_code == 0
        )
        assert again.read_text() == exported.read_text()
        client = other.test_client()
        assert client.get("/api/v1/search?q=لائیک").get_json()["total"] == 1
        assert client.get("/api/v1/search?q=پیوند").get_json()["total"] == 0
        db.session.remove()
        db.engine.dispose()


def test_the_export_omits_hidden_threads_entirely(app, make_thread, make_moderator, tmp_path):
    thread = make_thread(title="عنوانی که پنهان شد", body="متن نخست")
    moderation.hide_post(make_moderator(), db.session.scalar(select(Post)), "عنوان توهین‌آمیز")
    path = tmp_path / "e.jsonl"
    assert archive.export_file(str(path)) == 0
    assert archive.export_file(str(path), include_hidden=True) == 1
    record = json.loads(path.read_text().splitlines()[-1])  # after the header and sections
    assert record["posts"][0]["hidden"] is True and thread.title == record["title"]
