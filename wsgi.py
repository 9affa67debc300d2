"""The WSGI entry point: `gunicorn wsgi:app` (gunicorn.conf.py beside it sets the production set).

A configuration that would break with several workers or hosts is refused here, with a message
that says what to set (tribune/deployment.py).
"""

from tribune import create_app, deployment

app = create_app()
deployment.check_serving(app)
