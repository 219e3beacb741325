"""What the payment API and pages share: their controllers' base, ids checked before any query, return URLs,
the statement as CSV."""

from collections.abc import Mapping, Sequence
from typing import Any

from litestar import Controller, Request, Response

from marketplace.payments.dependencies import payment_dependencies
from marketplace.payments.errors import PaymentNotFound
from marketplace.payments.ledger import statement_csv
from marketplace.payments.models import LedgerEntry
from marketplace.platform.runtime import runtime_of
from marketplace.platform.settings import Settings

__all__ = ["MAX_ID", "PaymentsController", "reject_ids_out_of_range", "return_url", "statement_csv_response"]

MAX_ID = 2**63 - 1  # PostgreSQL bigint


def reject_ids_out_of_range(request: Request[Any, Any, Any]) -> None:
    """Ids in the path beyond PostgreSQL's bigint cannot exist: 404 before any query (a before_request hook)."""
    for value in request.path_params.values():
        if isinstance(value, int) and not 0 < value <= MAX_ID:
            raise PaymentNotFound("Not found.", code="not_found")


def return_url(request: Request[Any, Any, Any], settings: Settings, locale: str, path: str) -> str:
    """An absolute URL of this app's page `path` (the app may be mounted under a path prefix)."""
    prefix = runtime_of(request.app.state).path_prefix
    return f"{settings.base_url.rstrip('/')}{prefix}/{locale}{path}"


def statement_csv_response(lines: Sequence[tuple[LedgerEntry, int]], merchant_id: int,
                           headers: Mapping[str, str] | None = None) -> Response[str]:
    """A merchant's statement as a CSV attachment."""
    return Response(statement_csv(lines), media_type="text/csv", headers={
        "content-disposition": f'attachment; filename="statement-merchant-{merchant_id}.csv"', **(headers or {})})


class PaymentsController(Controller):
    """The base of the payment API's and pages' controllers: under /payments, with the payment settings and
    providers as dependencies, and path ids beyond bigint refused before any query."""

    path = "/payments"
    dependencies = payment_dependencies()
    before_request = reject_ids_out_of_range
