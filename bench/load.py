"""Where a benchmark run keeps its data, and the bulk load of a corpus into it.

A `Target` is one backend on one database: the SQLite file (whoosh) or a PostgreSQL database
named tribune_bench* (postgres), with the instance folders of the application instances that
use it. The corpus is written with Core inserts on an engine of our own, outside any Tribune
application, so no search row or change-log row is derived while loading: `search rebuild`
derives them afterwards, and that is what the benchmark times.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from markupsafe import escape
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from bench.corpus import SECTIONS, START, Corpus
from tribune.database import normalise_url
from tribune.models import Post, Section, Thread, Translation, User

ROOT = Path(__file__).resolve().parent.parent
FLASK = str(Path(sys.executable).with_name("flask"))
BATCH = 2000


@dataclass
class Target:
    """One backend on one database, and the folders of its application instances."""

    backend: str  # "whoosh" or "postgres"
    out: Path
    database_url: str

    @classmethod
    def make(cls, backend: str, out: Path, database_url: str | None, posts: int) -> Target:
        if backend == "whoosh":
            return cls(backend, out, f"sqlite:///{out / 'bench.db'}")
        url = database_url or (
            f"postgresql://postgres@127.0.0.1:5432/tribune_bench_{_label(posts)}"
        )
        name = make_url(normalise_url(url)).database or ""
        # Other sessions' databases live on the same server: never touch one we did not make.
        if not is_bench_database(name):
            raise SystemExit(
                f"--database-url must name a database tribune_bench* or *_bench, not {name!r}"
            )
        return cls(backend, out, normalise_url(url))

    @property
    def index_dir(self) -> Path:
        return self.out / "index"

    def settings(self, instance: str = "instance", in_request: bool = True) -> dict[str, str]:
        """TRIBUNE_* variables of an application instance (a child process, the CLI)."""
        return {
            "TRIBUNE_DATABASE_URL": self.database_url,
            "TRIBUNE_SEARCH_BACKEND": self.backend,
            "TRIBUNE_INDEX_DIR": str(self.index_dir),
            "TRIBUNE_INSTANCE_PATH": str(self.out / instance),
            "TRIBUNE_SEARCH_INDEX_IN_REQUEST": "true" if in_request else "false",
        }

    def env(self, instance: str = "instance", in_request: bool = True) -> dict[str, str]:
        return {**os.environ, **self.settings(instance, in_request)}

    def app(self, instance: str = "instance", in_request: bool = True):
        """An application instance in this process (the API is timed through its test client)."""
        from tribune import create_app

        return create_app(
            {
                "DATABASE_URL": self.database_url,
                "SEARCH_BACKEND": self.backend,
                "INDEX_DIR": str(self.index_dir),
                "INSTANCE_PATH": str(self.out / instance),
                "SEARCH_INDEX_IN_REQUEST": in_request,
                "RATELIMIT_ENABLED": False,
                "NEW_ACCOUNT_DAYS": 0,
            }
        )

    def flask(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [FLASK, "--app", "tribune", *args],
            env=self.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=check,
        )

    def exists(self) -> bool:
        """Whether a loaded database is there to reuse."""
        if self.backend == "whoosh":
            return (self.out / "bench.db").exists()
        import psycopg

        name = make_url(self.database_url).database
        with psycopg.connect(_server_url(self.database_url), autocommit=True) as connection:
            found = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
        if not found:
            return False
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                return bool(connection.scalar(text("SELECT count(*) FROM posts")))
        except Exception:
            return False
        finally:
            engine.dispose()

    def create(self) -> None:
        """An empty database with the schema of `flask db upgrade`."""
        import shutil

        shutil.rmtree(self.index_dir, ignore_errors=True)
        if self.backend == "whoosh":
            for name in ("bench.db", "bench.db-wal", "bench.db-shm"):
                (self.out / name).unlink(missing_ok=True)
        else:
            import psycopg

            name = make_url(self.database_url).database
            # Other sessions' databases live on the same server: drop only a benchmark's own.
            if not is_bench_database(name):
                raise SystemExit(f"refusing to drop {name!r}: not a benchmark database")
            with psycopg.connect(_server_url(self.database_url), autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
                connection.execute(f'CREATE DATABASE "{name}"')
        self.flask("db", "upgrade")


def is_bench_database(name: str) -> bool:
    """Whether a PostgreSQL database is one a benchmark may drop and create."""
    return name.startswith("tribune_bench") or name.endswith("_bench")


def _label(posts: int) -> str:
    if posts % 1_000_000 == 0:
        return f"{posts // 1_000_000}m"
    return f"{posts // 1000}k" if posts % 1000 == 0 else str(posts)


def _server_url(url: str) -> str:
    """The psycopg URL of the server's maintenance database."""
    parsed = make_url(url).set(drivername="postgresql", database="postgres")
    return parsed.render_as_string(hide_password=False)


def load(target: Target, posts: int, corpus: Corpus, progress=None) -> dict:
    """Write the corpus's users, sections, threads, posts and translations; return counts."""
    started = time.perf_counter()
    users = max(50, posts // 40)
    engine = create_engine(target.database_url)
    counts = {"posts": 0, "threads": 0, "translations": 0, "words": 0}
    with engine.begin() as connection:
        connection.execute(
            insert(User.__table__),
            [
                {"id": i + 1, "username": f"user{i}", "username_key": f"user{i}",
                 "password_hash": None, "created_at": START}
                for i in range(users)
            ],
        )  # fmt: skip
        connection.execute(
            insert(Section.__table__),
            [
                {"id": n, "area": area, "slug": slug, "title": slug, "position": n}
                for n, (area, slug) in enumerate(SECTIONS, start=1)
            ],
        )
    section_ids = {slug: n for n, (_area, slug) in enumerate(SECTIONS, start=1)}
    threads, post_rows, translations = [], [], []
    post_id = translation_id = 0

    def flush():
        with engine.begin() as connection:
            if threads:
                connection.execute(insert(Thread.__table__), threads)
            if post_rows:
                connection.execute(insert(Post.__table__), post_rows)
            if translations:
                connection.execute(insert(Translation.__table__), translations)
        threads.clear()
        post_rows.clear()
        translations.clear()
        if progress is not None:
            progress(counts["posts"], posts)

    for thread_id, thread in enumerate(corpus.threads(posts, users), start=1):
        first = thread["posts"][0]
        threads.append({
            "id": thread_id, "section_id": section_ids[thread["section"]],
            "author_id": first["author"] + 1, "title": thread["title"], "kind": thread["kind"],
            "language": thread["language"], "created_at": first["created_at"],
            "last_post_at": thread["posts"][-1]["created_at"], "last_post_id": None,
            "reply_count": len(thread["posts"]) - 1,
        })  # fmt: skip
        counts["threads"] += 1
        for item in thread["posts"]:
            post_id += 1
            translated = item["translation"]
            post_rows.append({
                "id": post_id, "thread_id": thread_id, "author_id": item["author"] + 1,
                "language": item["language"], "body_source": item["body"],
                "body_html": f"<p>{escape(item['body'])}</p>", "created_at": item["created_at"],
                "translation_count": 1 if translated else 0,
            })  # fmt: skip
            counts["words"] += item["body"].count(" ") + 1
            if translated:
                translation_id += 1
                translations.append({
                    "id": translation_id, "post_id": post_id, "language": translated["language"],
                    "translator_id": translated["translator"] + 1, "title": translated["title"],
                    "body_source": translated["body"],
                    "body_html": f"<p>{escape(translated['body'])}</p>",
                    "created_at": item["created_at"],
                })  # fmt: skip
        counts["posts"] = post_id
        if len(post_rows) >= BATCH:
            flush()
    flush()
    counts["translations"] = translation_id
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE threads SET last_post_id = "
                "(SELECT max(id) FROM posts WHERE posts.thread_id = threads.id)"
            )
        )
        if target.backend == "postgres":
            # Explicit ids leave the sequences at 1: the lag stage's posts would collide.
            for table in ("users", "sections", "threads", "posts", "translations"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
        assert connection.scalar(select(func.count(Post.id))) == post_id
    engine.dispose()
    words = counts.pop("words")
    return {
        **counts,
        "users": users,
        "average_words": round(words / max(1, counts["posts"]), 1),
        "text_source": corpus.source,
        "seconds": round(time.perf_counter() - started, 1),
    }
