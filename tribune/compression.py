"""Pages compressed for readers who send no cookie (Flask-Compress: brotli, else gzip).

Why not every page: a page that holds a secret (the CSRF token of a logged-in session) and
reflects what the request asked for (a search query, a `next` address) can leak that secret,
byte by byte, through its compressed length to someone who watches the network and can make
the browser send requests (BREACH). Tribune's readers are watched by a state that can do the
first and may try the second. A request without a cookie has no session: whatever its page
holds was made for that one response and is never sent again, so there is nothing to guess.
That is the reader who loads a page cold, on a slow link, which is whom compression is for.
docs/decisions/0201-compress-pages-for-readers-without-cookies.md has the reasoning.
"""

from flask import current_app, request
from flask_compress import Compress

compress = Compress()


def compress_cookieless(response):
    """after_request: compress the response when the request carried no cookie at all."""
    # Caches must keep the two forms apart.
    response.vary.add("Cookie")
    if request.cookies or not current_app.config["COMPRESS_PAGES"]:
        return response
    return compress.after_request(response)


def init_app(app):
    """Flask-Compress without its own hook: `compress_cookieless` decides per request."""
    app.config.setdefault("COMPRESS_REGISTER", False)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    app.config.setdefault("COMPRESS_MIMETYPES", ["text/html", "application/json", "text/calendar"])
    compress.init_app(app)
    app.after_request(compress_cookieless)
