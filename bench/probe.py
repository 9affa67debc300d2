"""The probe page: the least a Flask thread page can cost (issue 14's yardstick).

Plain Flask and sqlite3, no ORM, no templates: one query for a thread's first 50 posts with
their authors, each escaped into an <article>. `bench/pages.py` serves it from the same SQLite
file as Tribune's thread page and times both, interleaved. Run alone:
`PROBE_DB=bench/out/pages/10k/bench.db .venv/bin/flask --app bench.probe run`.
"""

import os
import sqlite3

from flask import Flask, g
from markupsafe import escape

app = Flask(__name__)
QUERY = """SELECT p.id, u.username, p.created_at, p.body_html FROM posts p
           JOIN users u ON u.id = p.author_id WHERE p.thread_id = ? ORDER BY p.id LIMIT 50"""


def connection():
    if "db" not in g:
        g.db = sqlite3.connect(os.environ["PROBE_DB"])
    return g.db


@app.teardown_appcontext
def close(_error):
    if (db := g.pop("db", None)) is not None:
        db.close()


@app.route("/t/<int:thread_id>")
def thread(thread_id):
    rows = connection().execute(QUERY, (thread_id,)).fetchall()
    articles = "".join(
        f'<article id="p{i}"><header><a href="/u/{escape(u)}">{escape(u)}</a> '
        f"<time>{escape(c)}</time></header><div>{b}</div></article>"
        for i, u, c, b in rows
    )
    return f"<!doctype html><html><body><h1>Thread {thread_id}</h1>{articles}</body></html>"
