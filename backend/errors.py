"""Domain errors, raised once where a rule is broken and turned into HTTP in one place (backend/error_handlers.py)."""


class ReserviaError(Exception):
    """A refusal a person can act on: a message for them, a code for scripts, an HTTP status."""

    status = 400
    code = "INVALID_INPUT"

    def __init__(self, message, code=None, fields=None, details=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}
        # More the client can act on, beside "error" and "code" ({"held_until": ...}).
        self.details = details or {}


class Invalid(ReserviaError):
    status = 400
    code = "INVALID_INPUT"


class NotAuthenticated(ReserviaError):
    status = 401
    code = "NOT_AUTHENTICATED"


class Forbidden(ReserviaError):
    status = 403
    code = "FORBIDDEN"


class NotFound(ReserviaError):
    status = 404
    code = "NOT_FOUND"


class Conflict(ReserviaError):
    status = 409
    code = "CONFLICT"


class UnsupportedMediaType(ReserviaError):
    status = 415
    code = "UNSUPPORTED_MEDIA_TYPE"


class TooManyAttempts(ReserviaError):
    """Logins held back after too many failures; `retry_after` seconds until the next may be tried."""

    status = 429
    code = "LOGIN_THROTTLED"

    def __init__(self, message, retry_after, code=None):
        super().__init__(message, code)
        self.retry_after = retry_after


# A 503 says when to ask again (Retry-After): in a second, the lock client's own pause between
# tries; nothing was changed, so asking again is safe.
RETRY_AFTER_UNAVAILABLE = 1


class Busy(ReserviaError):
    """The write lock stayed taken for the whole busy time-out; nothing was changed."""

    status = 503
    code = "BUSY"
    retry_after = RETRY_AFTER_UNAVAILABLE

    def __init__(self, message="The database is busy; try again in a moment.", code=None, fields=None):
        super().__init__(message, code, fields)


class Unavailable(ReserviaError):
    """A service Reservia depends on (the directory) did not answer; nothing was changed."""

    status = 503
    code = "UNAVAILABLE"
    retry_after = RETRY_AFTER_UNAVAILABLE
