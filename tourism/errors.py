"""Tourism's errors: each carries the HTTP status and a machine-readable code the app renders."""

__all__ = ["TourismError", "NotFound", "Conflict", "Forbidden", "InvalidInput", "Unavailable"]


class TourismError(Exception):
    """Base class: `status_code`, `code`, `message` and `details`, as docs/CONTRACTS.md asks."""

    status_code: int = 400
    code: str = "tourism_error"

    def __init__(self, message: str, *, code: str | None = None, details: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        if code is not None:
            self.code = code


class InvalidInput(TourismError):
    """The request is well-formed but its content breaks a rule (bad hours text, dates reversed)."""

    status_code = 422
    code = "invalid_input"


class NotFound(TourismError):
    status_code = 404
    code = "not_found"


class Conflict(TourismError):
    status_code = 409
    code = "conflict"


class Forbidden(TourismError):
    status_code = 403
    code = "forbidden"


class Unavailable(TourismError):
    """A feature needs something the server lacks (e.g. fonts for PDF posters)."""

    status_code = 503
    code = "unavailable"
