"""Search benchmark: corpus -> database -> `search rebuild` -> query latency -> lag.

    .venv/bin/python bench/search_bench.py --backend whoosh --posts 10000
    .venv/bin/python bench/search_bench.py --backend postgres --posts 100000
    .venv/bin/python bench/search_bench.py --backend postgres --posts 100000 --reuse \\
        --stages queries                    # time the queries again on the loaded database
    make bench-search                       # the whole matrix (bench/run_all.py)

Stages (--stages, default all; results in OUT/results.json, OUT = bench/out/BACKEND-SIZE):
- load: a fresh database (SQLite file, or PostgreSQL database tribune_bench_SIZE, or the one
  --database-url names, which must be called tribune_bench*), its schema from `flask db
  upgrade`, then the corpus (corpus.py) bulk-inserted with no search data derived. --reuse
  keeps a database that already holds posts.
- rebuild: `flask search rebuild --quiet` in a child process: wall and CPU time, peak RSS
  (wait4 of that child), posts/s, search data on disk; then `flask search status` (--quick
  above 100k posts). PostgreSQL: VACUUM ANALYZE afterwards (timed apart), as autovacuum would
  leave a production database.
- queries: 200 queries of each kind (queries.py) through GET /api/v1/search in process (Flask
  test client, no network): p50/p99 per kind and band, median hits; 1-term queries again
  through the HTML page /search; PostgreSQL: EXPLAIN (ANALYZE, BUFFERS) of the slowest query
  of each kind into OUT/explain.txt.
- lag: commit -> searchable while posts are written at 2/s for 20 s (lag.py).
Machine load (os.getloadavg) is recorded before and after every stage: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import lag, queries  # noqa: E402
from bench.corpus import Corpus  # noqa: E402
from bench.load import FLASK, ROOT, Target, _label, load  # noqa: E402

STAGES = ("load", "rebuild", "queries", "lag")
THOROUGH_STATUS_UP_TO = 100_000


def loads() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def stage_load(target: Target, posts: int, corpus: Corpus, reuse: bool) -> dict | None:
    if reuse and target.exists():
        print("load: reusing the loaded database", flush=True)
        return None
    before = loads()
    started = time.perf_counter()
    target.create()
    schema = round(time.perf_counter() - started, 1)
    shown = [0]

    def progress(done, total):
        if done - shown[0] >= max(50_000, total // 10):
            shown[0] = done
            print(f"  loaded {done}/{total} posts", flush=True)

    result = load(target, posts, corpus, progress)
    result.update(schema_seconds=schema, load_average_before=before, load_average_after=loads())
    return result


def _size_on_disk(target: Target) -> dict:
    if target.backend == "whoosh":
        current = (target.index_dir / "CURRENT").read_text().strip()
        generation = sum(p.stat().st_size for p in (target.index_dir / current).rglob("*"))
        return {"search_mb": round(generation / 2**20, 1)}
    from sqlalchemy import create_engine, text

    engine = create_engine(target.database_url)
    with engine.connect() as connection:
        total, index, database = connection.execute(
            text(
                "SELECT pg_total_relation_size('search_texts'), "
                "pg_relation_size('ix_search_texts_vector'), pg_database_size(current_database())"
            )
        ).one()
    engine.dispose()
    return {
        "search_mb": round(total / 2**20, 1),
        "gin_index_mb": round(index / 2**20, 1),
        "database_mb": round(database / 2**20, 1),
    }


def stage_rebuild(target: Target, posts: int) -> dict:
    before = loads()
    started = time.perf_counter()
    with open(target.out / "rebuild.log", "w") as log:
        child = subprocess.Popen(
            [FLASK, "--app", "tribune", "search", "rebuild", "--quiet"],
            env=target.env(),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        output = child.stdout.read()
        # wait4: this child's own CPU time and peak RSS, not those of earlier children.
        _pid, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if child.returncode:
        raise RuntimeError(f"search rebuild failed ({child.returncode}): see {log.name}")
    line = output.strip().splitlines()[-1]
    derived = re.match(r"Derived (\d+) texts of (\d+) posts in ([\d.]+) s", line)
    cpu = usage.ru_utime + usage.ru_stime
    result = {
        "texts": int(derived.group(1)),
        "posts": int(derived.group(2)),
        "wall_seconds": round(seconds, 1),
        "command_seconds": float(derived.group(3)),
        "cpu_seconds": round(cpu, 1),
        "posts_per_second": round(int(derived.group(2)) / seconds),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "output": line,
        "load_average_before": before,
        "load_average_after": loads(),
    }
    if target.backend == "postgres":
        import psycopg

        started = time.perf_counter()
        url = target.database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")
        result["vacuum_analyze_seconds"] = round(time.perf_counter() - started, 1)
    result.update(_size_on_disk(target))
    started = time.perf_counter()
    thorough = posts <= THOROUGH_STATUS_UP_TO
    status = target.flask("search", "status", *([] if thorough else ["--quick"]), check=False)
    result["status"] = {
        "thorough": thorough,
        "exit_code": status.returncode,
        "seconds": round(time.perf_counter() - started, 1),
        "problems": [line for line in status.stderr.splitlines() if "problem" in line],
    }
    return result


def stage_queries(target: Target, corpus: Corpus, count: int, posts: int) -> dict:
    from tribune.extensions import db

    app = target.app()
    with app.app_context():
        chosen = queries.sample(corpus, db.session, count)
        db.session.remove()
    before = loads()
    started = time.perf_counter()
    api = queries.run(app, corpus, chosen)
    page = queries.run(app, corpus, [q for q in chosen if q.kind == "1-term"], path="/search")
    result = {
        "api": queries.summarize(api, posts),
        "page_1_term": queries.summarize(page, posts)["1-term"],
        "seconds": round(time.perf_counter() - started, 1),
        "load_average_before": before,
        "load_average_after": loads(),
    }
    (target.out / "queries.json").write_text(json.dumps(api, ensure_ascii=False, indent=1))
    if target.backend == "postgres":
        explained = queries.explain_slowest(app, api)
        # Parameters hold dates (after:, before:): written as text.
        (target.out / "explain.json").write_text(
            json.dumps(explained, ensure_ascii=False, default=str)
        )
        with open(target.out / "explain.txt", "w") as handle:
            for kind, item in explained.items():
                query = item["query"]
                handle.write(f"## {kind}: {query['q']} ({query['ms']} ms, {query['total']} hits)\n")
                for statement in item["statements"]:
                    handle.write(f"\n{statement['sql']}\n{statement['parameters']}\n\n")
                    handle.write(statement["plan"] + "\n")
                handle.write("\n")
        result["explained"] = {
            kind: {"q": item["query"]["q"], "ms": item["query"]["ms"]}
            for kind, item in explained.items()
        }
    with app.app_context():
        db.engine.dispose()
    return result


def stage_lag(target: Target, count: int, rate: float, interval: float | None) -> dict:
    modes = ["second-host"] if target.backend == "postgres" else ["in-request", "worker"]
    before = loads()
    result = {mode: lag.measure(target, mode, count, rate, interval) for mode in modes}
    return {**result, "load_average_before": before, "load_average_after": loads()}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("whoosh", "postgres"), default="whoosh")
    parser.add_argument("--posts", type=int, default=int(os.environ.get("BENCH_POSTS", 10_000)))
    parser.add_argument("--database-url", help="PostgreSQL: a database named tribune_bench*")
    parser.add_argument("--out", type=Path, help="default bench/out/BACKEND-SIZE")
    parser.add_argument("--reuse", action="store_true", help="keep a loaded database")
    parser.add_argument("--stages", default=",".join(STAGES), help=", ".join(STAGES))
    parser.add_argument("--queries", type=int, default=200, help="per kind")
    parser.add_argument("--lag-posts", type=int, default=40)
    parser.add_argument("--lag-rate", type=float, default=2.0, help="posts per second")
    parser.add_argument(
        "--worker-interval", type=float, help="whoosh worker (default SEARCH_WORKER_INTERVAL)"
    )
    args = parser.parse_args(argv)
    stages = args.stages.split(",")
    if not set(stages) <= set(STAGES):
        parser.error(f"--stages: choose among {', '.join(STAGES)}")
    out = (args.out or ROOT / "bench" / "out" / f"{args.backend}-{_label(args.posts)}").resolve()
    out.mkdir(parents=True, exist_ok=True)
    target = Target.make(args.backend, out, args.database_url, args.posts)
    corpus = Corpus()
    path = out / "results.json"
    # Stages run alone (--stages queries) add to what earlier runs recorded.
    report = json.loads(path.read_text()) if path.exists() and args.reuse else {}
    report.update(backend=args.backend, posts=args.posts, cpus=os.cpu_count())
    report["corpus_source"] = corpus.source
    if not target.exists() and "load" not in stages:
        parser.error(f"no loaded database at {target.database_url}: run the load stage")
    for stage in STAGES:
        if stage not in stages:
            continue
        started = time.perf_counter()
        print(f"{stage}: {args.backend}, {args.posts} posts ...", flush=True)
        if stage == "load":
            result = stage_load(target, args.posts, corpus, args.reuse)
            if result is None:
                continue
        elif stage == "rebuild":
            result = stage_rebuild(target, args.posts)
        elif stage == "queries":
            result = stage_queries(target, corpus, args.queries, args.posts)
        else:
            result = stage_lag(target, args.lag_posts, args.lag_rate, args.worker_interval)
        result["stage_seconds"] = round(time.perf_counter() - started, 1)
        report[stage] = result
        path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
        print(f"{stage}: {json.dumps(result, ensure_ascii=False)[:1500]}", flush=True)
    return report


if __name__ == "__main__":
    main()
