"""Two-factor authentication: TOTP codes from an authenticator app, and one-time recovery codes.

A code is accepted for the current 30-second step or one step either side (clocks drift), and
only once: the last step used is stored, so a code seen over a shoulder cannot be replayed.
Recovery codes are shown once and stored as digests.
"""

import io
import secrets

import pyotp
import segno
from sqlalchemy import delete, func, select, update

from tribune.extensions import db
from tribune.i18n import lazy_gettext as _l
from tribune.models import RecoveryCode, TwoFactor
from tribune.models.base import utcnow
from tribune.models.security import digest
from tribune.services import Invalid, Refused, passwords, sessions
from tribune.services.transaction import transaction

ISSUER = "Tribune"
STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
# Letters and digits that cannot be mistaken for one another when copied by hand.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
# Authenticator codes typed with Persian or Arabic-Indic digits count as well.
DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


def now():
    """The current time; tests replace it to travel in time."""
    return utcnow()


def _row(user):
    return db.session.scalar(select(TwoFactor).where(TwoFactor.user_id == user.id))


def is_enabled(user):
    """Whether the account has a confirmed second factor."""
    row = _row(user)
    return row is not None and row.enabled_at is not None


def new_secret():
    """A fresh TOTP secret (160 bits, base32)."""
    return pyotp.random_base32(32)


@transaction
def begin_setup(user):
    """Start setting up 2FA in this browser: a fresh secret, kept with its server-side session
    until confirmed (never in the cookie). Returns it. Commits."""
    row = sessions.current_row(user)
    if row is None:
        raise Refused(_l("Log in again to set up two-factor authentication."))
    row.two_factor_setup = new_secret()
    db.session.commit()
    return row.two_factor_setup


def setup_secret(user):
    """The secret this browser is setting up, or None if it has not begun."""
    row = sessions.current_row(user)
    return row.two_factor_setup if row is not None else None


def provisioning_uri(user, secret):
    """The otpauth:// address an authenticator app reads (from the QR code or by hand)."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_svg(uri):
    """The QR code of `uri` as an SVG document (bytes)."""
    buffer = io.BytesIO()
    qr = segno.make(uri, error="m")
    qr.save(buffer, kind="svg", scale=5, border=2, dark="#000", light="#fff")
    return buffer.getvalue()


def _clean_code(code):
    return "".join((code or "").translate(DIGITS).split()).replace("-", "").lower()


def _matching_step(secret, code, moment):
    """The time step (current or adjacent) whose TOTP equals `code`, or None."""
    totp = pyotp.TOTP(secret)
    current = int(moment.timestamp()) // STEP_SECONDS
    found = None
    for step in (current - 1, current, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def _accept_totp(row, code):
    step = _matching_step(row.secret, code, now())
    if step is None or step <= row.last_step:
        return False
    # A conditional update: of two requests racing with one code, only one wins.
    claimed = db.session.execute(
        update(TwoFactor)
        .where(TwoFactor.id == row.id, TwoFactor.last_step < step)
        .values(last_step=step)
    ).rowcount
    db.session.commit()
    db.session.refresh(row)
    return claimed == 1


def _accept_recovery_code(user, code):
    claimed = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == digest(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now())
    ).rowcount
    db.session.commit()
    return claimed == 1


@transaction
def verify(user, code):
    """Whether `code` (an authenticator code or an unused recovery code) opens the account.

    A code that works is used up. Commits.
    """
    row = _row(user)
    if row is None or row.enabled_at is None:
        return False
    cleaned = _clean_code(code)
    if len(cleaned) == 6 and cleaned.isdigit():
        return _accept_totp(row, cleaned)
    if 8 <= len(cleaned) <= 20:
        return _accept_recovery_code(user, cleaned)
    return False


def require(user, code):
    """Raise Invalid (on the `code` field) unless `code` verifies."""
    if not verify(user, code):
        raise Invalid(_l("This code is not right, or was already used."), field="code")


@transaction
def confirm(user, password, code):
    """Turn 2FA on with the password and a first code for the secret this browser is setting
    up; return the recovery codes.

    The password is asked so that someone holding a stolen session cannot lock the owner out.
    Sessions on other browsers end: whoever was logged in there must pass the second factor too.
    """
    row = sessions.current_row(user)
    secret = row.two_factor_setup if row is not None else None
    if not passwords.verify_password(user.password_hash, password):
        raise Invalid(_l("The password is not right."), field="password")
    if _row(user) is not None:
        raise Refused(_l("Two-factor authentication is already on."))
    step = _matching_step(secret, _clean_code(code), now()) if secret else None
    if step is None:
        raise Invalid(
            _l("This code is not right. Check the time on your phone and try again."),
            field="code",
        )
    codes = _enable(user, secret, step)
    row.two_factor_setup = None
    sessions.end_all(user, keep_current=True)
    return codes


def _enable(user, secret, step):
    """Store the confirmed secret (its first code's step used up); the new recovery codes."""
    moment = now()
    db.session.add(
        TwoFactor(
            user_id=user.id, secret=secret, created_at=moment, enabled_at=moment, last_step=step
        )
    )
    return _replace_recovery_codes(user)


@transaction
def enable_from_terminal(user, secret, code):
    """Turn 2FA on for `secret` after its first code, at the operator's terminal (`flask admin
    create`, `flask admin two-factor`); return the recovery codes. Commits.

    No password is asked: whoever runs the command already holds the server. Every session of
    the account ends, as when 2FA is turned on in a browser.
    """
    if is_enabled(user):
        raise Refused(_l("Two-factor authentication is already on."))
    step = _matching_step(secret, _clean_code(code), now())
    if step is None:
        raise Invalid(
            _l("This code is not right. Check the time on your phone and try again."),
            field="code",
        )
    codes = _enable(user, secret, step)
    sessions.end_all(user)
    db.session.commit()
    return codes


def _check_password_and_code(user, password, code):
    if not passwords.verify_password(user.password_hash, password):
        raise Invalid(_l("The password is not right."), field="password")
    require(user, code)


@transaction
def disable(user, password, code):
    """Turn 2FA off, after the password and a code. Commits."""
    _check_password_and_code(user, password, code)
    remove(user)
    db.session.commit()


@transaction
def regenerate_recovery_codes(user, password, code):
    """Replace every recovery code, after the password and a code; return the new ones."""
    _check_password_and_code(user, password, code)
    codes = _replace_recovery_codes(user)
    db.session.commit()
    return codes


def _replace_recovery_codes(user):
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=digest(raw), created_at=now()))
    return codes


def recovery_codes_left(user):
    """How many unused recovery codes the account has."""
    return db.session.scalar(
        select(func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )


def remove(user):
    """Delete the account's second factor and recovery codes. Does not commit."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(TwoFactor).where(TwoFactor.user_id == user.id))
