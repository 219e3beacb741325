"""Payment errors, each with its HTTP status and a stable code."""

from marketplace.platform.errors import Conflict, Forbidden, NotFound, Unprocessable

__all__ = ["PaymentNotFound", "PaymentConflict", "PaymentUnavailable", "RefundInvalid", "PaymentForbidden"]


class PaymentNotFound(NotFound):
    code = "payment_not_found"


class PaymentConflict(Conflict):
    code = "payment_conflict"


class PaymentUnavailable(Conflict):
    code = "payment_method_unavailable"


class RefundInvalid(Unprocessable):
    code = "refund_invalid"


class PaymentForbidden(Forbidden):
    code = "payment_forbidden"
