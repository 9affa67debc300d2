"""Search benchmark: corpus -> database -> rebuild -> query latency (vs SQLite FTS5) -> lag.

    .venv/bin/python bench/search_bench.py --posts 10000        # make bench
    BENCH_POSTS=100000 make bench                                # the big one
    # only time the rebuild, on a copy of an existing database in a directory of its own:
    .venv/bin/python bench/search_bench.py --out /tmp/rb --reuse --stages rebuild

Stages (results go to bench/out/<posts>/results.json, or --out, and are printed as a table):
1. A corpus (bench/corpus.py) bulk-inserted into a fresh SQLite database (kept with --reuse).
2. `flask search rebuild` in a child process (--procs, default the command's): wall and CPU
   seconds of it and its indexing processes, the largest one's peak RSS, the index size.
3. Query latency through the JSON API (Flask test client, in process, no network): p50/p99 for
   1-term, 2-term, phrase and filtered queries; the same queries against SQLite FTS5 over the
   same text folded with tribune.text.persian.normalize, ranked by bm25 with snippet() and a
   total count, as the reference, each run right after the API's (the host's speed drifts).
4. Lag between a post's commit and its searchability under a steady stream of posts, with
   `flask search worker` in a child process (as deployed with several web workers), and with
   the in-request indexer (the default single-process setup).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from markupsafe import escape  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402

from bench.corpus import SECTIONS, Corpus  # noqa: E402
from tribune import create_app  # noqa: E402
from tribune.extensions import db  # noqa: E402
from tribune.models import Post, Section, Thread, User  # noqa: E402
from tribune.text.persian import normalize  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FLASK = str(Path(sys.executable).with_name("flask"))


def percentile(values, p):
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def env_for(out: Path, in_request: bool) -> dict:
    env = dict(os.environ)
    env.update(
        TRIBUNE_DATABASE_URL=f"sqlite:///{out / 'bench.db'}",
        TRIBUNE_INDEX_DIR=str(out / "index"),
        TRIBUNE_INSTANCE_PATH=str(out / "instance"),
        TRIBUNE_SEARCH_INDEX_IN_REQUEST="true" if in_request else "false",
    )
    return env


def make_app(out: Path, in_request: bool):
    return create_app(
        {
            "DATABASE_URL": f"sqlite:///{out / 'bench.db'}",
            "INDEX_DIR": str(out / "index"),
            "INSTANCE_PATH": str(out / "instance"),
            "RATELIMIT_ENABLED": False,
            "NEW_ACCOUNT_DAYS": 0,
            "SEARCH_INDEX_IN_REQUEST": in_request,
        }
    )


# 1. Corpus


def build_database(out: Path, posts: int, corpus: Corpus) -> dict:
    started = time.perf_counter()
    users = max(50, posts // 40)
    threads = corpus.threads(posts, users)
    app = make_app(out, in_request=False)
    with app.app_context():
        db.create_all()
        now = threads[0]["posts"][0]["created_at"]
        db.session.execute(
            insert(User),
            [
                {"id": i + 1, "username": f"user{i}", "username_key": f"user{i}",
                 "password_hash": None, "created_at": now}
                for i in range(users)
            ],
        )  # fmt: skip
        section_ids = {}
        for position, (area, slug) in enumerate(SECTIONS, start=1):
            section_ids[slug] = position
            db.session.add(
                Section(id=position, area=area, slug=slug, title=slug, position=position)
            )
        db.session.flush()
        post_id = 0
        thread_rows, post_rows = [], []
        for thread_id, thread in enumerate(threads, start=1):
            first_id = post_id + 1
            for item in thread["posts"]:
                post_id += 1
                post_rows.append({
                    "id": post_id, "thread_id": thread_id, "author_id": item["author"] + 1,
                    "language": item["language"], "body_source": item["body"],
                    "body_html": f"<p>{escape(item['body'])}</p>",
                    "created_at": item["created_at"],
                })  # fmt: skip
            thread_rows.append({
                "id": thread_id, "section_id": section_ids[thread["section"]],
                "author_id": thread["posts"][0]["author"] + 1, "title": thread["title"],
                "kind": thread["kind"], "language": thread["language"],
                "created_at": thread["posts"][0]["created_at"],
                "last_post_at": thread["posts"][-1]["created_at"], "last_post_id": None,
                "reply_count": len(thread["posts"]) - 1,
            })  # fmt: skip
            assert first_id <= post_id
        for start in range(0, len(thread_rows), 5000):
            db.session.execute(insert(Thread), thread_rows[start : start + 5000])
        for start in range(0, len(post_rows), 5000):
            db.session.execute(insert(Post), post_rows[start : start + 5000])
        db.session.execute(
            text("UPDATE threads SET last_post_id = "
                 "(SELECT max(id) FROM posts WHERE posts.thread_id = threads.id)")
        )  # fmt: skip
        db.session.commit()
        words = sum(len(row["body_source"].split()) for row in post_rows)
        db.session.remove()
        db.engine.dispose()
    return {
        "posts": len(post_rows),
        "threads": len(thread_rows),
        "users": users,
        "average_words": round(words / len(post_rows), 1),
        "text_source": corpus.source,
        "seconds": round(time.perf_counter() - started, 1),
    }


# 2. Rebuild


def rebuild(out: Path, procs: int | None) -> dict:
    command = [FLASK, "--app", "tribune", "search", "rebuild", "--quiet"]
    if procs is not None:
        command += ["--procs", str(procs)]
    load_before = os.getloadavg()
    started = time.perf_counter()
    result = subprocess.run(
        command,
        env=env_for(out, False),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    # The CLI and its indexing processes (waited for, so counted): CPU summed, peak RSS of the
    # largest single process.
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kb = usage.ru_maxrss
    # CPU time too: on a shared machine wall time depends on what else runs.
    cpu = usage.ru_utime + usage.ru_stime
    posts = int(re.search(r"Indexed (\d+) posts", result.stdout).group(1))
    processes = re.search(r"(\d+) process", result.stdout)
    size = sum(p.stat().st_size for p in (out / "index").rglob("*") if p.is_file())
    return {
        "posts": posts,
        "seconds": round(seconds, 1),
        "posts_per_second": round(posts / seconds),
        "cpu_seconds": round(cpu, 1),
        "posts_per_cpu_second": round(posts / cpu),
        "load_average_before": load_before,
        "load_average": os.getloadavg(),
        "peak_rss_mb": round(peak_kb / 1024),
        "index_mb": round(size / 2**20),
        "procs": int(processes.group(1)) if processes else procs,
        "output": result.stdout.strip(),
    }


# 3. Queries


def sample_queries(app, corpus: Corpus, count: int, rng: random.Random) -> dict[str, list]:
    words = corpus.query_words()
    with app.app_context():
        bodies = db.session.scalars(
            select(Post.body_source).where(Post.language == "fa").order_by(Post.id).limit(3000)
        ).all()
    bodies = [b for b in bodies if b]
    token = re.compile(r"[^\W\d_][^\s.،؛:!؟«»()\"']*")

    def prose_word():
        tokens = token.findall(rng.choice(bodies))
        return rng.choice([t for t in tokens if len(t) > 3] or tokens)

    def one():
        r = rng.random()
        pool = words["fa"] if r < 0.5 else words["latin"] if r < 0.75 else None
        return rng.choice(pool) if pool else prose_word()

    def phrase():
        tokens = token.findall(rng.choice(bodies))
        i = rng.randrange(max(1, len(tokens) - 1))
        return tokens[i : i + 2]

    filters = ["area:agenda", "lang:fa", "after:1395-01-01", "section:women", "kind:paper",
               "before:2015-12-31", "@user7"]  # fmt: skip
    out = {"1-term": [], "2-term": [], "phrase": [], "filtered": []}
    for _ in range(count):
        out["1-term"].append(([one()], None))
        out["2-term"].append(([one(), one()], None))
        out["phrase"].append((phrase(), "phrase"))
        out["filtered"].append(([one()], rng.choice(filters)))
    return out


def whoosh_query(terms, extra):
    if extra == "phrase":
        return '"' + " ".join(terms) + '"'
    return " ".join(terms) + (f" {extra}" if extra else "")


def api_latency(app, queries: dict, path="/api/v1/search", reference=None) -> tuple[dict, dict]:
    """Each query through the app (`path`), and right after it through `reference(terms,
    extra)` when given (the FTS5 query): the host's speed varies by tens of percent over
    minutes, and pairing the two keeps their ratio out of it. ({kind: app summary},
    {kind: reference summary})."""
    client = app.test_client()
    with app.app_context():
        for terms, extra in queries["1-term"][:20]:  # warm the searcher and caches
            client.get(path, query_string={"q": whoosh_query(terms, extra)})
        results, references = {}, {}
        for kind, items in queries.items():
            times, hits, reference_times = [], [], []
            for terms, extra in items:
                started = time.perf_counter()
                response = client.get(path, query_string={"q": whoosh_query(terms, extra)})
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (response.status_code, terms, extra)
                if path.startswith("/api"):
                    hits.append(response.get_json()["total"])
                if reference is not None:
                    reference_times.append(reference(terms, extra))
            results[kind] = summarize(times, hits)
            if reference is not None:
                references[kind] = summarize(reference_times, [])
    return results, references


def core_latency(app, queries: dict) -> dict:
    """The same queries through fulltext.searching directly: whoosh and snippets, no Flask, no
    database (the API adds one query to re-read the posts, and request handling)."""
    from tribune.fulltext import searching
    from tribune.fulltext.querylang import parse
    from tribune.services import search as search_service

    results = {}
    with app.app_context():
        store = search_service.store()
        for kind, items in queries.items():
            times = []
            for terms, extra in items:
                parsed = parse(whoosh_query(terms, extra))
                started = time.perf_counter()
                searching.search(store, parsed, group=False)
                times.append((time.perf_counter() - started) * 1000)
            results[kind] = summarize(times, [])
    return results


def summarize(times, hits):
    summary = {"p50_ms": round(percentile(times, 50), 2), "p99_ms": round(percentile(times, 99), 2)}
    if hits:
        summary["median_total"] = int(statistics.median(hits))
    return summary


def build_fts(out: Path) -> dict:
    started = time.perf_counter()
    path = out / "fts.db"
    path.unlink(missing_ok=True)
    source = sqlite3.connect(out / "bench.db")
    fts = sqlite3.connect(path)
    fts.executescript(
        """
        CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize = 'unicode61');
        CREATE TABLE meta(id INTEGER PRIMARY KEY, area TEXT, section TEXT, lang TEXT,
                          kind TEXT, author TEXT, created TEXT);
        CREATE INDEX meta_area ON meta(area); CREATE INDEX meta_lang ON meta(lang);
        CREATE INDEX meta_created ON meta(created);
        """
    )
    rows = source.execute(
        """SELECT p.id, CASE WHEN p.id = (SELECT min(id) FROM posts WHERE thread_id = t.id)
                  THEN t.title ELSE '' END, p.body_source, s.area, s.slug, p.language, t.kind,
                  u.username, p.created_at
           FROM posts p JOIN threads t ON t.id = p.thread_id JOIN sections s ON s.id = t.section_id
           JOIN users u ON u.id = p.author_id"""
    )
    for row in rows:
        fts.execute("INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)",
                    (row[0], normalize(row[1]), normalize(row[2])))  # fmt: skip
        fts.execute("INSERT INTO meta VALUES (?, ?, ?, ?, ?, ?, ?)", (row[0], *row[3:]))
    fts.commit()
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 1), "mb": round(path.stat().st_size / 2**20)}


FTS_FILTERS = {
    "area:agenda": ("m.area = ?", "agenda"),
    "lang:fa": ("m.lang = ?", "fa"),
    "after:1395-01-01": ("m.created >= ?", "2016-03-20"),
    "section:women": ("m.section = ?", "women"),
    "kind:paper": ("m.kind = ?", "paper"),
    "before:2015-12-31": ("m.created < ?", "2016-01-01"),
    "@user7": ("m.author = ?", "user7"),
}


def fts_query(out: Path):
    """A function running one query on the FTS5 reference, returning its milliseconds."""
    fts = sqlite3.connect(out / "fts.db")

    def match(terms, extra):
        quoted = [normalize(t).replace('"', "") for t in terms]
        if extra == "phrase":
            return '"' + " ".join(quoted) + '"'
        return " ".join(f'"{t}"' for t in quoted)

    def run(terms, extra) -> float:
        where, params = "fts MATCH ?", [match(terms, extra)]
        if extra in FTS_FILTERS:
            clause, value = FTS_FILTERS[extra]
            where += f" AND {clause}"
            params.append(value)
        started = time.perf_counter()
        fts.execute(
            "SELECT f.rowid, snippet(fts, 1, '<mark>', '</mark>', '…', 24) FROM fts f "
            f"JOIN meta m ON m.id = f.rowid WHERE {where} ORDER BY rank LIMIT 10",
            params,
        ).fetchall()
        fts.execute(
            f"SELECT count(*) FROM fts f JOIN meta m ON m.id = f.rowid WHERE {where}", params
        ).fetchone()
        return (time.perf_counter() - started) * 1000

    return run


# 4. Lag


def lag(out: Path, count: int, rate: float, worker: bool) -> dict:
    app = make_app(out, in_request=not worker)
    process = None
    if worker:
        process = subprocess.Popen(
            [FLASK, "--app", "tribune", "search", "worker", "--interval", "0.2"],
            env=env_for(out, False), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
    lags = []
    try:
        from tribune.services import posting

        client = app.test_client()
        with app.app_context():
            author = db.session.get(User, 1)
            thread = db.session.get(Thread, 1)
            # Warm up (worker started, searcher open) with one post that is not measured.
            probe = f"lagwarmup{os.getpid()}x{int(time.time())}"
            posting.reply(author, thread, f"{probe} گرم کردن", "fa")
            deadline = time.perf_counter() + 120
            while (
                not client.get("/api/v1/search", query_string={"q": probe}).get_json().get("total")
            ):
                if time.perf_counter() > deadline:
                    raise RuntimeError("the worker did not start within 120 s")
                time.sleep(0.1)
            for n in range(count):
                token = f"lagprobe{os.getpid()}x{n}y{int(time.time())}"
                slot = time.perf_counter()
                posting.reply(author, thread, f"{token} آزمایش تاخیر نمایه", "fa")
                committed = time.perf_counter()
                while True:
                    found = client.get("/api/v1/search", query_string={"q": token}).get_json()
                    if found.get("total"):
                        break
                    if time.perf_counter() - committed > 30:
                        raise RuntimeError("a post was not searchable within 30 s")
                    time.sleep(0.02)
                lags.append((time.perf_counter() - (committed if worker else slot)) * 1000)
                time.sleep(max(0.0, 1 / rate - (time.perf_counter() - slot)))
            db.session.remove()
            db.engine.dispose()
    finally:
        if process is not None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    result = {
        "posts": count,
        "rate_per_second": rate,
        "p50_ms": round(percentile(lags, 50)),
        "p99_ms": round(percentile(lags, 99)),
        "max_ms": round(max(lags)),
    }
    if process is not None:
        result["worker_exit_code"] = process.returncode
    return result


STAGES = ("rebuild", "queries", "lag")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=int(os.environ.get("BENCH_POSTS", 10_000)))
    parser.add_argument("--queries", type=int, default=200, help="per kind of query")
    parser.add_argument(
        "--procs", type=int, default=None, help="rebuild processes (default: the command's own)"
    )
    parser.add_argument("--lag-posts", type=int, default=40)
    parser.add_argument("--lag-rate", type=float, default=2.0, help="posts per second")
    parser.add_argument("--reuse", action="store_true", help="keep an existing database")
    parser.add_argument("--out", type=Path, help="working directory (default bench/out/POSTS)")
    parser.add_argument(
        "--stages",
        default=",".join(STAGES),
        help=f"comma-separated stages to run after the corpus: {', '.join(STAGES)} (default all)",
    )
    args = parser.parse_args()
    stages = set(args.stages.split(","))
    if not stages <= set(STAGES):
        parser.error(f"--stages: choose among {', '.join(STAGES)}")

    out = (args.out or ROOT / "bench" / "out" / str(args.posts)).resolve()
    out.mkdir(parents=True, exist_ok=True)
    corpus = Corpus()
    if not corpus.prose:
        # Word lists alone give other word frequencies (phrases of common words, far more
        # hits): figures from them do not compare with the README's.
        print(f"warning: {corpus.source}; pip install -e '.[bench]' (make bench does)", flush=True)
    report = {"posts_requested": args.posts, "machine_cpus": os.cpu_count()}
    if not (args.reuse and (out / "bench.db").exists()):
        for stale in ("bench.db", "bench.db-wal", "bench.db-shm"):
            (out / stale).unlink(missing_ok=True)
        import shutil

        shutil.rmtree(out / "index", ignore_errors=True)
        report["corpus"] = build_database(out, args.posts, corpus)
        print("corpus:", report["corpus"], flush=True)
    if "rebuild" in stages:
        report["rebuild"] = rebuild(out, args.procs)
        print("rebuild:", report["rebuild"], flush=True)

    if "queries" in stages:
        app = make_app(out, in_request=False)
        queries = sample_queries(app, corpus, args.queries, random.Random(7))
        report["fts5_build"] = build_fts(out)
        report["whoosh_api"], report["fts5"] = api_latency(app, queries, reference=fts_query(out))
        print("whoosh api:", report["whoosh_api"], flush=True)
        print("fts5:", report["fts5"], flush=True)
        report["whoosh_core"] = core_latency(app, queries)
        print("whoosh core:", report["whoosh_core"], flush=True)
        grouped = {"1-term": queries["1-term"][: args.queries // 2]}
        report["whoosh_page_grouped"], _ = api_latency(app, grouped, path="/search")
    if "lag" in stages:
        report["lag_worker"] = lag(out, args.lag_posts, args.lag_rate, worker=True)
        print("lag (worker):", report["lag_worker"], flush=True)
        report["lag_in_request"] = lag(out, args.lag_posts // 2, args.lag_rate, worker=False)
        print("lag (in request):", report["lag_in_request"], flush=True)
    (out / "results.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print_table(report)


def print_table(report):
    posts = report["rebuild"]["posts"] if "rebuild" in report else report["posts_requested"]
    print("\n== Search benchmark:", posts, "posts ==")
    if "whoosh_api" in report:
        print(f"{'query':<10} {'API p50':>9} {'p99':>8} {'core p50':>9} {'p99':>8} "
              f"{'FTS5 p50':>9} {'p99':>8} {'API/FTS5':>9}")  # fmt: skip
        for kind, whoosh in report["whoosh_api"].items():
            fts, core = report["fts5"][kind], report["whoosh_core"][kind]
            ratio = whoosh["p50_ms"] / fts["p50_ms"] if fts["p50_ms"] else float("inf")
            print(f"{kind:<10} {whoosh['p50_ms']:>7.1f}ms {whoosh['p99_ms']:>6.1f}ms "
                  f"{core['p50_ms']:>7.1f}ms {core['p99_ms']:>6.1f}ms "
                  f"{fts['p50_ms']:>7.2f}ms {fts['p99_ms']:>6.2f}ms {ratio:>8.1f}x")  # fmt: skip
    if "rebuild" in report:
        r = report["rebuild"]
        print(f"rebuild: {r['posts_per_second']} posts/s ({r['posts_per_cpu_second']} per CPU s), "
              f"{r['seconds']} s, {r['cpu_seconds']} s CPU, {r['procs']} processes, "
              f"peak RSS {r['peak_rss_mb']} MB (per process), index {r['index_mb']} MB, "
              f"load {r['load_average_before'][0]:.1f} -> {r['load_average'][0]:.1f}")  # fmt: skip
    for key in ("lag_worker", "lag_in_request"):
        if key in report:
            lag_ = report[key]
            print(f"{key}: p50 {lag_['p50_ms']} ms, p99 {lag_['p99_ms']} ms, "
                  f"max {lag_['max_ms']} ms")  # fmt: skip


if __name__ == "__main__":
    main()
