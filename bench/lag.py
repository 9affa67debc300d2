"""Lag: how long after its commit a new post is found by search.

This process writes `count` replies through the services (posting.reply, as a request would)
at `rate` per second, each holding a unique word, and notes when each commit returned. A child
process (`python -m bench.lag`, below) polls the JSON API of its own application instance for
each word in turn until it is found, and notes when. Lag = found - committed, over the same
clock; the poller's resolution (one search plus 5 ms) is reported beside it.

Set-ups:
- postgres: the poller is a second application instance (its own instance folder, as another
  host would have) on the same database. Rows are derived in the writer's transaction, so the
  no poll begun after the commit should miss the post: "at_commit" counts the posts none missed.
- whoosh, in-request: the writer applies the change log when its application context ends (the
  end of a request); a search that finds the log ahead of the index catches up first.
- whoosh, worker: SEARCH_INDEX_IN_REQUEST=false; `flask search worker` in a child process
  applies the log every SEARCH_WORKER_INTERVAL seconds (1.0 by default, or --worker-interval).
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLL_PAUSE = 0.005
TIMEOUT = 30.0


def token(prefix: str, n: int) -> str:
    return f"{prefix}x{n}"


def measure(target, mode: str, count: int = 40, rate: float = 2.0, interval=None) -> dict:
    """Lag of `count` posts written at `rate`/s; mode: second-host, in-request or worker."""
    from bench.queries import percentile
    from tribune.extensions import db
    from tribune.models import Thread, User
    from tribune.services import posting

    in_request = mode != "worker"
    prefix = f"lagprobe{os.getpid()}t{int(time.time())}{mode[:2]}"
    children = []
    load_before = os.getloadavg()
    try:
        if mode == "worker":
            command = [str(Path(sys.executable).with_name("flask")), "--app", "tribune"]
            command += ["search", "worker"] + (["--interval", str(interval)] if interval else [])
            children.append(
                subprocess.Popen(
                    command,
                    env=target.env(in_request=False),
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        instance = "instance-b" if target.backend == "postgres" else "instance-poll"
        poller = subprocess.Popen(
            [sys.executable, "-m", "bench.lag", prefix, str(count)],
            env=target.env(instance=instance, in_request=in_request),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        children.append(poller)
        app = target.app(in_request=in_request)

        def write(body: str) -> float:
            # One application context per post, as one request: with in-request indexing the
            # change log is applied when it ends, after the commit.
            with app.app_context():
                author = db.session.get(User, 1)
                thread = db.session.get(Thread, 1)
                posting.reply(author, thread, body, "fa")
                committed = time.time()
                db.session.remove()
            return committed

        write(f"{token(prefix, 'warm')} گرم کردن")
        _expect(poller, "ready", 120)
        commits = []
        started = time.monotonic()
        for n in range(count):
            time.sleep(max(0.0, started + n / rate - time.monotonic()))
            commits.append(write(f"{token(prefix, n)} آزمایش تاخیر جستجو"))
        report = json.loads(_expect(poller, "{", count / rate + TIMEOUT * 2))
        with app.app_context():
            db.engine.dispose()
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
                try:
                    child.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    child.kill()
    lags, first = [], 0
    for n, committed in enumerate(commits):
        found = report["found"][n]
        if found is None:
            raise RuntimeError(f"post {n} not searchable within {TIMEOUT} s ({mode})")
        _begun, ended, missed = found
        lags.append((ended - committed) * 1000)
        # Searchable at commit: no poll begun after the commit returned missed the post.
        first += missed is None or missed < committed
    return {
        "mode": mode,
        "posts": count,
        "rate_per_second": rate,
        "p50_ms": round(percentile(lags, 50), 1),
        "p99_ms": round(percentile(lags, 99), 1),
        "max_ms": round(max(lags), 1),
        "at_commit": first,
        "poll_ms": report["poll_ms"],
        "worker_interval_s": interval if mode == "worker" else None,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def _expect(process, start: str, timeout: float) -> str:
    """The first line of `process`'s output that begins with `start`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 1.0)
        if ready:
            line = process.stdout.readline()
            if not line:
                break
            if line.startswith(start):
                return line
    raise RuntimeError(f"the poller did not say {start!r} within {timeout:.0f} s")


def poll(prefix: str, count: int) -> None:
    """The child: find the warm-up post, say "ready", then each post in turn; print JSON."""
    sys.path.insert(0, str(ROOT))
    from bench.load import Target

    # The parent's settings, as its environment gives them (index_dir is out/index).
    target = Target(
        os.environ["TRIBUNE_SEARCH_BACKEND"],
        Path(os.environ["TRIBUNE_INDEX_DIR"]).parent,
        os.environ["TRIBUNE_DATABASE_URL"],
    )
    app = target.app(
        instance=os.environ["TRIBUNE_INSTANCE_PATH"],  # absolute: replaces out/
        in_request=os.environ["TRIBUNE_SEARCH_INDEX_IN_REQUEST"] == "true",
    )
    client = app.test_client()
    durations = []

    def find(word: str):
        missed = None
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            begun = time.time()
            body = client.get("/api/v1/search", query_string={"q": word}).get_json()
            ended = time.time()
            durations.append(ended - begun)
            if body.get("total"):
                return begun, ended, missed
            missed = begun
            time.sleep(POLL_PAUSE)
        return None

    find(token(prefix, "warm"))
    print("ready", flush=True)
    found = [find(token(prefix, n)) for n in range(count)]
    poll_ms = round(1000 * sum(durations) / len(durations), 1) if durations else None
    print(json.dumps({"found": found, "poll_ms": poll_ms}), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="the lag poller (started by search_bench.py)")
    parser.add_argument("prefix")
    parser.add_argument("count", type=int)
    arguments = parser.parse_args()
    poll(arguments.prefix, arguments.count)
