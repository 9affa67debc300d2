"""Backup, restore and mirror benchmark: time and peak memory at a given size.

    .venv/bin/python bench/backup_bench.py --posts 100000      # make bench-backup BENCH_POSTS=...

1. load: the search benchmark's corpus (bench/corpus.py) bulk-loaded into a fresh SQLite
   database (bench/load.py), as a site on the embedded default would hold it.
2. backup: `flask backup create` of that database, in a child process.
3. restore: `flask backup restore` of the file into a fresh SQLite database (Whoosh search) and,
   with --postgres, into a fresh PostgreSQL database tribune_bench_restore_SIZE (the move to
   PostgreSQL), each in a child process; rows and search derivation are timed apart.
4. mirror: `flask mirror build` of the source database into an empty directory.

Each child's wall time, CPU time and peak RSS (wait4) go to bench/out/backup-SIZE/results.json
and a table on stdout. The machine is shared: the load average is recorded around each stage.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import Corpus  # noqa: E402
from bench.load import FLASK, ROOT, Target, _label, load  # noqa: E402


def loads() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def child(env: dict, *args: str, log: Path) -> dict:
    """Run `flask ARGS` as a child; its wall and CPU seconds, peak RSS and last output line."""
    before = loads()
    started = time.perf_counter()
    with open(log, "w") as errors:
        process = subprocess.Popen(
            [FLASK, "--app", "tribune", *args],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        output = process.stdout.read()
        _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"flask {' '.join(args)} failed: see {log}")
    return {
        "wall_seconds": round(seconds, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "output": output.strip().splitlines()[-1],
        "load_average_before": before,
        "load_average_after": loads(),
    }


def restore_into(target: Target, source: Target, backup: Path) -> dict:
    """A fresh, empty database and instance (holding the source's log key), then the restore."""
    instance = target.out / "instance"
    shutil.rmtree(target.out, ignore_errors=True)
    instance.mkdir(parents=True)
    shutil.copy(source.out / "instance" / "log_key", instance / "log_key")
    if target.backend == "postgres":
        import psycopg
        from sqlalchemy.engine import make_url

        from bench.load import _server_url

        name = make_url(target.database_url).database
        assert name.startswith("tribune_bench")
        with psycopg.connect(_server_url(target.database_url), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    result = child(
        target.env(), "backup", "restore", "--quiet", str(backup), log=target.out / "restore.log"
    )
    timed = re.search(r"in ([\d.]+) s.*in ([\d.]+) s", result["output"])
    result["rows_seconds"], result["search_seconds"] = map(float, timed.groups())
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true", help="also restore into PostgreSQL")
    parser.add_argument("--no-sqlite", action="store_true", help="do not restore into SQLite")
    parser.add_argument("--reuse", action="store_true", help="keep a loaded source database")
    parser.add_argument("--stages", default="load,backup,restore,mirror")
    args = parser.parse_args()
    stages = set(args.stages.split(","))
    label = _label(args.posts)
    out = ROOT / "bench" / "out" / f"backup-{label}"
    source = Target.make("whoosh", out / "source", None, args.posts)
    previous = out / "results.json"
    results: dict = json.loads(previous.read_text()) if args.reuse and previous.exists() else {}
    results["posts"] = args.posts
    if "load" in stages and not (args.reuse and source.exists()):
        source.out.mkdir(parents=True, exist_ok=True)
        source.create()
        started = time.perf_counter()
        results["load"] = load(source, args.posts, Corpus())
        results["load"]["seconds"] = round(time.perf_counter() - started, 1)
        print(f"load: {results['load']}", flush=True)
    backup = out / "site.backup"
    if "backup" in stages:
        results["backup"] = child(
            source.env(), "backup", "create", "--quiet", str(backup), log=out / "backup.log"
        )
        results["backup"]["megabytes"] = round(backup.stat().st_size / 1e6, 1)
        print(f"backup: {results['backup']}", flush=True)
    if "restore" in stages and not args.no_sqlite:
        sqlite = Target.make("whoosh", out / "restored-sqlite", None, args.posts)
        results["restore_sqlite"] = restore_into(sqlite, source, backup)
        print(f"restore into SQLite: {results['restore_sqlite']}", flush=True)
    if "restore" in stages and args.postgres:
        url = f"postgresql://postgres@127.0.0.1:5432/tribune_bench_restore_{label}"
        postgres = Target.make("postgres", out / "restored-postgres", url, args.posts)
        results["restore_postgres"] = restore_into(postgres, source, backup)
        print(f"restore into PostgreSQL: {results['restore_postgres']}", flush=True)
    if "mirror" in stages:
        mirror = out / "mirror"
        shutil.rmtree(mirror, ignore_errors=True)
        env = {**source.env(), "TRIBUNE_PUBLIC_URL": "https://tribune.example"}
        results["mirror"] = child(
            env, "mirror", "build", "--quiet", str(mirror), log=out / "mirror.log"
        )
        print(f"mirror: {results['mirror']}", flush=True)
    (out / "results.json").write_text(json.dumps(results, indent=2))
    print(f"\n| step ({args.posts} posts) | wall s | CPU s | peak RSS MB |")
    print("|---|---|---|---|")
    for key in ("backup", "restore_sqlite", "restore_postgres", "mirror"):
        if key in results:
            r = results[key]
            print(f"| {key} | {r['wall_seconds']} | {r['cpu_seconds']} | {r['peak_rss_mb']} |")


if __name__ == "__main__":
    main()
