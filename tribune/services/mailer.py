"""Sending one e-mail: through MAIL_TRANSPORT (a callable, for tests of other features) or SMTP.

SMTP uses TLS with certificates checked: STARTTLS (the default, port 587) or implicit TLS
(SMTP_SECURITY "tls", or port 465). "plain" is accepted only for a relay on this host
(config.smtp_settings refuses it for any other).
"""

import smtplib
import ssl

from flask import current_app

SMTP_TIMEOUT = 20


def mail_transport_configured():
    """Whether messages can leave this installation at all."""
    config = current_app.config
    return bool(config.get("MAIL_TRANSPORT") or config.get("SMTP_HOST"))


def deliver(message):
    """Send one message; raises on failure (smtplib.SMTPException, OSError)."""
    transport = current_app.config.get("MAIL_TRANSPORT") or smtp_send
    transport(message)


def smtp_send(message):
    """Send over SMTP with TLS as configured, certificates checked."""
    config = current_app.config
    host, port = config["SMTP_HOST"], config["SMTP_PORT"]
    security = config.get("SMTP_SECURITY") or ("tls" if port == 465 else "starttls")
    if security == "tls":
        context = ssl.create_default_context()
        connection = smtplib.SMTP_SSL(host, port, context=context, timeout=SMTP_TIMEOUT)
    else:
        connection = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
        if security != "plain":
            connection.starttls(context=ssl.create_default_context())
    with connection:
        if config.get("SMTP_USER"):
            connection.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
        connection.send_message(message)
