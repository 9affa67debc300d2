"""gunicorn settings of the production set (`make serve`, deploy/tribune.service).

gunicorn reads this file from the directory it starts in. Everything here can be overridden
on the command line (`gunicorn -w 4 ...`) or by environment: WEB_CONCURRENCY (workers),
TRIBUNE_BIND (address), TRIBUNE_TRUSTED_PROXIES (1 behind nginx). Before forking any worker the
master checks the configuration (tribune/deployment.py) and refuses to start on a setting that
would break with several workers or hosts, saying what to set.
"""

import os

from tribune import deployment, logs

bind = os.environ.get("TRIBUNE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
# Long position papers and exports take a while on a busy host; a stuck worker is replaced.
timeout = 60
graceful_timeout = 30
# Restart each worker now and then, so slow leaks cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500
# Access lines through logs.RequestLogger: JSON, without client address or query string.
accesslog = "-"
errorlog = "-"
logger_class = logs.RequestLogger
# No control socket: its default path is shared by every gunicorn of the user, and this project
# restarts workers through systemd (deploy/) or honcho instead.
control_socket_disable = True
# nginx sits in front; forwarded headers are trusted by the app itself (TRIBUNE_TRUSTED_PROXIES).
forwarded_allow_ips = "127.0.0.1"


def on_starting(server):
    """Check the configuration with the real worker count before anything forks."""
    os.environ["TRIBUNE_WORKERS"] = str(server.cfg.workers)
    refusals, warnings = deployment.problems(deployment.environment_settings())
    for text in warnings:
        server.log.warning("UNSAFE CONFIGURATION: %s", text)
    if refusals:
        raise deployment.UnsafeConfiguration(deployment.refusal_text(refusals))


def post_fork(server, worker):
    """The application's own loggers write the same JSON lines as gunicorn's."""
    logs.configure()
