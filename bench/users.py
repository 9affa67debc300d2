"""Simulated readers and participants over plain HTTP (stdlib only), for bench/pages.py.

A `Client` keeps one person's cookies; `hammer` drives one page as fast as `concurrency` clients
can; `mixed` runs simulated participants who each log in (through the real form, with its CSRF
token) and then read 8 : search 1 : post 1, thinking 0 s between requests, for a fixed time.
Each participant sends its own X-Forwarded-For address (the server trusts one proxy), as users
behind nginx would: per-address rate limits then count per person, not per benchmark.
Latencies are wall-clock milliseconds measured at the client.
"""

from __future__ import annotations

import http.client
import random
import re
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                  r'name="csrf_token" value="([^"]+)"')  # fmt: skip


class Client:
    """One browser: cookies kept between requests, one new connection per request."""

    def __init__(self, port: int, address: str | None = None, timeout: float = 30.0) -> None:
        self.port = port
        self.address = address
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        """(status, body text, headers) of one request."""
        headers = {"Accept-Encoding": "identity"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.address:
            headers["X-Forwarded-For"] = self.address
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            for value in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(value)
                for name, morsel in cookie.items():
                    self.cookies[name] = morsel.value
            return response.status, data.decode("utf-8", "replace"), response.headers
        finally:
            connection.close()

    def csrf_token(self, page: str) -> str:
        match = CSRF.search(page)
        if match is None:
            raise RuntimeError("no CSRF token on the page")
        return match.group(1) or match.group(2)

    def log_in(self, username: str, password: str) -> None:
        _status, page, _headers = self.request("GET", "/accounts/login")
        form = {"csrf_token": self.csrf_token(page), "username": username, "password": password}
        status, _page, headers = self.request("POST", "/accounts/login", form)
        if status != 302:
            raise RuntimeError(f"login of {username} answered {status}")


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def hammer(port: int, path: str, requests: int, concurrency: int = 2) -> dict:
    """`requests` GETs of `path` by `concurrency` clients at once: req/s and latencies (ms)."""
    latencies: list[float] = []
    errors = [0]
    remaining = [requests]
    lock = threading.Lock()

    def run():
        client = Client(port)
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            status, _body, _headers = client.request("GET", path)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors[0] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "seconds": seconds,
        "rps": len(latencies) / seconds,
        "p50": percentile(latencies, 0.5),
        "p99": percentile(latencies, 0.99),
        "errors": errors[0],
    }


@dataclass
class Mix:
    """What a mixed run measured, by kind of request."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, kind: str, ms: float, ok: bool) -> None:
        self.latencies.setdefault(kind, []).append(ms)
        if not ok:
            self.errors[kind] = self.errors.get(kind, 0) + 1

    def merge(self, other: Mix) -> None:
        for kind, values in other.latencies.items():
            self.latencies.setdefault(kind, []).extend(values)
        for kind, count in other.errors.items():
            self.errors[kind] = self.errors.get(kind, 0) + count


def participant(
    port: int,
    number: int,
    password: str,
    reads: list[str],
    threads: list[int],
    words: list[str],
    until: list[float],
    mix: Mix,
    lock: threading.Lock,
    ready: threading.Barrier,
    logins: threading.Semaphore,
) -> None:
    """One simulated participant: log in, then read 8 : search 1 : post 1 until `until[0]`
    (set once everybody has logged in, so logins are not in the figures)."""
    rng = random.Random(number)
    client = Client(port, address=f"10.14.{number // 250}.{number % 250 + 1}", timeout=120)
    try:
        # A few at a time: each login hashes a password (argon2, 64 MiB), and 50 at once on two
        # cores would time out before the measured part begins.
        with logins:
            client.log_in(f"bench{number}", password)
            token = client.csrf_token(client.request("GET", "/")[1])
    except BaseException:
        ready.abort()
        raise
    ready.wait()
    mine = Mix()
    while time.perf_counter() < until[0]:
        draw = rng.randrange(10)
        started = time.perf_counter()
        if draw < 8:
            kind = "read"
            status, _body, headers = client.request("GET", rng.choice(reads))
            if status == 302 and headers.get("Location", "").startswith("/t/"):
                # A thread the participant read part of opens at the first unread post: a
                # browser follows, and the reader waits for both (the last run counted these
                # as errors).
                location = headers["Location"].split("#", 1)[0]
                status, _body, _headers = client.request("GET", location)
            ok = status == 200
        elif draw == 8:
            kind = "search"
            query = urlencode({"q": rng.choice(words)})
            status, _body, _headers = client.request("GET", f"/search?{query}")
            ok = status == 200
        else:
            kind = "post"
            thread = rng.choice(threads)
            form = {
                "csrf_token": token,
                "body": f"پاسخ آزمایشی {number} به بحث {thread}: {' '.join(rng.sample(words, 5))}",
                "language": "fa",
            }
            status, _body, _headers = client.request("POST", f"/t/{thread}/reply", form)
            ok = status == 302
        mine.add(kind, (time.perf_counter() - started) * 1000, ok)
    with lock:
        mix.merge(mine)


def mixed(
    port: int,
    users: int,
    password: str,
    reads: list[str],
    threads: list[int],
    words: list[str],
    seconds: float,
) -> Mix:
    """`users` participants at once for `seconds` (after all have logged in)."""
    mix = Mix()
    lock = threading.Lock()
    deadline = [float("inf")]
    started = [0.0]

    def start():
        # Run by the barrier once everybody has logged in, before anyone goes on.
        started[0] = time.perf_counter()
        deadline[0] = started[0] + seconds

    ready = threading.Barrier(users + 1, action=start, timeout=900)
    logins = threading.Semaphore(4)
    workers = [
        threading.Thread(
            target=participant,
            args=(port, n, password, reads, threads, words, deadline, mix, lock, ready, logins),
            daemon=True,
        )
        for n in range(users)
    ]
    for worker in workers:
        worker.start()
    ready.wait()
    for worker in workers:
        worker.join(seconds + 120)
    mix.seconds = time.perf_counter() - started[0]
    return mix
