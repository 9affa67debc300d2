"""Log lines for the production set: one JSON object per line, no client address, no query.

`gunicorn.conf.py` installs `RequestLogger` (gunicorn's `logger_class` setting) for the access
and error logs, and `configure()` formats the application's own loggers the same way, so that
journald or any collector reads one shape. Tribune keeps no IP address (PRODUCT.md, safety) and
logs no search query: a request line holds method, path, status, size and duration only.
"""

from __future__ import annotations

import json
import logging
import time

from gunicorn.glogging import Logger


class JsonFormatter(logging.Formatter):
    """{"time", "level", "logger", "message"} (+ "error" with the traceback) per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(level: int = logging.INFO) -> None:
    """Send every logger's records to stderr as JSON lines (the root logger's one handler)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Alembic announces its plugins at INFO on import; nothing an operator needs per worker.
    logging.getLogger("alembic").setLevel(logging.WARNING)


class RequestLogger(Logger):
    """gunicorn's logger with JSON lines and an access line without address or query string."""

    def setup(self, cfg):
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            for handler in logger.handlers:
                handler.setFormatter(JsonFormatter())

    def access(self, resp, req, environ, request_time):
        if not (self.cfg.accesslog or self.cfg.logconfig or self.cfg.logconfig_dict):
            return
        duration = request_time.seconds * 1000 + request_time.microseconds / 1000
        self.access_log.info(
            "request",
            extra={
                "fields": {
                    "method": req.method,
                    # The path only: a query string may hold what a reader searched for.
                    "path": req.path,
                    "status": resp.status_code,
                    "bytes": getattr(resp, "sent", None),
                    "ms": round(duration, 1),
                }
            },
        )
