"""Static files for production: fingerprinted, cached for a year, sent compressed (issue 14).

`flask static build` (run by `make setup` and `make serve`, and by an operator after each
upgrade) copies tribune/static/ into STATIC_BUILD_DIR with a content hash in every name
(`css/tribune.3f2a9c1e07b4.css`), rewrites the style sheet's url(...) references to those names,
writes gzip and brotli copies beside them (WhiteNoise's compressor) and a manifest.json. When
the manifest is there, WhiteNoise serves the folder: a hashed name never changes content, so it
is sent with a year's `Cache-Control: immutable` and a repeat view asks for nothing but the page.
`url_for('static', filename=...)` gives the hashed name. Without a build (development, tests)
Flask serves tribune/static/ as before and the production check warns.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
from pathlib import Path

from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

MANIFEST = "manifest.json"
# name.<12 hex digits>.ext: what `build` writes, and what WhiteNoise may call immutable.
HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""")
# Kept beside the files they describe, never served.
SKIPPED_SUFFIXES = {".md", ".txt"}
# The headers Flask's responses carry that matter for a file (security.SECURITY_HEADERS).
FILE_HEADERS = {"X-Content-Type-Options": "nosniff", "Cross-Origin-Resource-Policy": "same-origin"}


def _hashed_name(relative: str, content: bytes) -> str:
    stem, dot, suffix = relative.rpartition(".")
    digest = hashlib.sha256(content).hexdigest()[:12]
    return f"{stem}.{digest}.{suffix}" if dot else f"{relative}.{digest}"


def _rewrite_css(text: str, relative: str, manifest: dict) -> str:
    folder = os.path.dirname(relative)

    def replace(match):
        quote, target = match.group(1), match.group(2)
        if target.startswith(("data:", "/", "#")) or "://" in target:
            return match.group(0)
        path, _sep, rest = target.partition("#")
        resolved = os.path.normpath(os.path.join(folder, path)).replace(os.sep, "/")
        if resolved not in manifest:
            raise ValueError(f"{relative} refers to {target}, which is not a static file")
        new = os.path.relpath(manifest[resolved], folder or ".").replace(os.sep, "/")
        return f"url({quote}{new}{'#' + rest if rest else ''}{quote})"

    return CSS_URL.sub(replace, text)


def build(source: Path, target: Path, quiet: bool = True) -> dict:
    """Write the fingerprinted, compressed copy of `source` into `target`; return the manifest.

    Built aside and swapped in, so workers serving the old build never see half a new one."""
    source, target = Path(source), Path(target)
    files = sorted(
        path.relative_to(source).as_posix()
        for path in source.rglob("*")
        if path.is_file() and path.suffix not in SKIPPED_SUFFIXES
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    # Not mkdtemp: its folder is private, and the web server's user must read this one.
    staging = target.with_name(f".{target.name}-new-{os.getpid()}-{secrets.token_hex(4)}")
    staging.mkdir()
    manifest: dict[str, str] = {}
    # Style sheets last: their hashes include the hashed names they refer to.
    for relative in sorted(files, key=lambda name: name.endswith(".css")):
        content = (source / relative).read_bytes()
        if relative.endswith(".css"):
            content = _rewrite_css(content.decode("utf-8"), relative, manifest).encode("utf-8")
        hashed = _hashed_name(relative, content)
        manifest[relative] = hashed
        for name in (relative, hashed):
            destination = staging / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(content)
    compressor = Compressor(quiet=True, log=lambda *args: None)
    for path in staging.rglob("*"):
        if path.is_file() and compressor.should_compress(path.name):
            for _written in compressor.compress(str(path)):
                pass
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        target.rename(old)
    staging.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return manifest


def _immutable(path, url):
    return bool(HASHED.search(url))


def _file_headers(headers, path, url):
    for name, value in FILE_HEADERS.items():
        headers[name] = value


def init_app(app) -> None:
    """Serve the build through WhiteNoise and name its files in url_for, when it exists."""
    folder = Path(app.config["STATIC_BUILD_DIR"])
    manifest_path = folder / MANIFEST
    # `flask run --debug` serves tribune/static/ itself, so an edited style sheet shows at once.
    app.config["STATIC_BUILT"] = manifest_path.exists() and not app.debug
    if not app.config["STATIC_BUILT"]:
        return
    manifest = json.loads(manifest_path.read_text())
    app.wsgi_app = WhiteNoise(
        app.wsgi_app,
        root=str(folder),
        prefix="static/",
        # An unhashed name (someone's old link) may change with the next build.
        max_age=3600,
        allow_all_origins=False,
        add_headers_function=_file_headers,
        immutable_file_test=_immutable,
    )

    @app.url_defaults
    def _hashed_static(endpoint, values):
        if endpoint == "static" and values.get("filename") in manifest:
            values["filename"] = manifest[values["filename"]]
