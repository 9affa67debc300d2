"""Every write goes through a service: check -> change -> record -> commit.

Services take the acting user as an argument and know nothing of requests. They raise the
errors below; views turn them into pages (NotFound -> 404, Invalid -> a form message).
"""


class ServiceError(Exception):
    """Base class of the errors services raise."""


class NotFound(ServiceError):
    """The object does not exist, or the actor may not know it does (same answer for both)."""


class Invalid(ServiceError):
    """Input that breaks a rule; `field` names the form field it belongs to, if any."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class Refused(ServiceError):
    """The actor may see the object but may not do this to it now (e.g. a locked thread)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message
