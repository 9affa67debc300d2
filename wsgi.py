"""The WSGI entry point: `gunicorn wsgi:app`."""

from tribune import create_app

app = create_app()
