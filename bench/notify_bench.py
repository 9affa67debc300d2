"""Fan-out cost: a reply in a thread with 1,000 watchers against a reply in an unwatched one.

Builds a fresh database (SQLite in a temporary folder, or the PostgreSQL database named by
--database-url), 1,000 participants watching thread A and nobody watching thread B, then writes
replies through the real service (debate_posts.reply, as the reply form does), alternating
between the two threads so that machine load hits both alike. Reports the median and p90 of
each and their ratio; the target (issue 16) is a ratio of at most 2.

    make bench-notify                       # SQLite
    make bench-notify BENCH_DB=postgresql://postgres@127.0.0.1:5432/tribune_bench_notify
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(app, watchers):
    """Two threads, `watchers` participants watching the first; returns (author, A, B)."""
    from sqlalchemy import insert

    from tribune.extensions import db
    from tribune.models import Section, User, Watch
    from tribune.services import notify, posting

    db.drop_all()
    db.create_all()
    db.session.execute(
        insert(User),
        [
            {"username": f"w{n}", "username_key": f"w{n}", "session_token": f"t{n}"}
            for n in range(watchers + 2)
        ],
    )
    db.session.commit()
    author = db.session.get(User, watchers + 1)
    opener = db.session.get(User, watchers + 2)
    section = Section(area="tribune", slug="bench", title="bench")
    db.session.add(section)
    db.session.commit()
    notify.save_settings(author, auto_watch=False)
    notify.save_settings(opener, auto_watch=False)
    watched = posting.open_thread(opener, section, "پر بیننده", "متن نخست")
    quiet = posting.open_thread(opener, section, "بی بیننده", "متن نخست")
    db.session.execute(
        insert(Watch),
        [
            {"user_id": n, "target_kind": "thread", "target_key": str(watched.id),
             "level": "watch"}
            for n in range(1, watchers + 1)
        ],
    )
    db.session.commit()
    return author, watched, quiet


def measure(app, rounds, watchers):
    from sqlalchemy import func, select

    from tribune.extensions import db
    from tribune.models import Notification
    from tribune.services import debate_posts

    author, watched, quiet = build(app, watchers)
    times = {"watched": [], "quiet": []}
    body = "پاسخی برای سنجش هزینه‌ی خبر دادن به بینندگان. " * 8
    for n in range(rounds + 3):
        for name, thread in (("watched", watched), ("quiet", quiet)):
            started = time.perf_counter()
            debate_posts.reply(author, thread, f"{body} {n}")
            elapsed = time.perf_counter() - started
            if n >= 3:  # warm-up rounds are not counted
                times[name].append(elapsed * 1000)
    told = db.session.scalar(select(func.count()).select_from(Notification))
    expected = watchers * (rounds + 3)
    if told != expected:
        raise SystemExit(f"fan-out wrote {told} notifications, expected {expected}")
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--watchers", type=int, default=1000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    from tribune import create_app

    with tempfile.TemporaryDirectory() as tmp:
        config = {
            "INSTANCE_PATH": f"{tmp}/instance",
            "DATABASE_URL": args.database_url or f"sqlite:///{tmp}/bench.db",
            "INDEX_DIR": f"{tmp}/index",
            "NEW_ACCOUNT_DAYS": 0,
            "RATELIMIT_ENABLED": False,
        }
        app = create_app(config)
        with app.app_context():
            times = measure(app, args.rounds, args.watchers)
            from tribune.extensions import db

            db.session.remove()
            db.engine.dispose()
    rows = []
    for name in ("quiet", "watched"):
        values = sorted(times[name])
        p90 = values[int(len(values) * 0.9) - 1]
        rows.append((name, statistics.median(values), p90))
    ratio = rows[1][1] / rows[0][1]
    backend = "postgresql" if args.database_url else "sqlite"
    print(f"backend {backend}, {args.watchers} watchers, {args.rounds} replies each")
    for name, median, p90 in rows:
        label = "unwatched thread" if name == "quiet" else f"{args.watchers} watchers"
        print(f"  reply, {label:>16}: median {median:7.2f} ms   p90 {p90:7.2f} ms")
    print(f"  ratio (median): {ratio:.2f}  (target <= 2.00: {'met' if ratio <= 2 else 'MISSED'})")
    return 0 if ratio <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
