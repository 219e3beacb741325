"""Schemathesis drives every operation of the OpenAPI document against the app, in-process (ASGI).

One run per caller (anonymous, and customer, merchant and admin API tokens), each on its own database.
Every check schemathesis has runs on every response: no server error, every status, header and body as
documented, schema-valid requests accepted and schema-invalid ones refused. Bounded (a few examples per
operation and generation mode) so the four runs stay well under three minutes under `pytest -n 2`.
"""

from typing import Any

import asyncpg
import hypothesis
import pytest
import pytest_asyncio
import schemathesis
from hypothesis import HealthCheck
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import positive_data_acceptance

from marketplace.accounts.service import create_api_token

CALLERS = ("anonymous", "customer", "merchant", "admin")
# Schema-invalid input is refused by the same parsing whoever calls; anonymous callers reach the public
# routes' parsing and admins every route's, so the other two callers spend their time on valid input.
MODES = {
    "anonymous": (GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
    "customer": (GenerationMode.POSITIVE,),
    "merchant": (GenerationMode.POSITIVE,),
    "admin": (GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
}
EXAMPLES_PER_OPERATION = 4
# A schema-valid body may still break a rule of the domain (an e-mail address nobody can receive): 422.
CONFIG = SchemathesisConfig.from_dict({"checks": {"positive_data_acceptance": {
    "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]}}})
BOUNDS = hypothesis.settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                             suppress_health_check=list(HealthCheck),
                             phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate])


@pytest_asyncio.fixture
async def caller(request: pytest.FixtureRequest, pool: asyncpg.Pool) -> tuple[str, dict[str, str]]:
    role = request.param
    if role == "anonymous":
        return role, {}
    async with pool.acquire() as connection:
        created = await create_api_token(connection, name=f"schemathesis {role}", roles=[role], created_by=None)
    return role, {"Authorization": f"Bearer {created.token}"}


def _failures_of(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> str | None:
    # A webhook is authenticated by an HMAC signature of its body, and an upload must be a real image: no
    # schema can describe either, so schema-valid bytes are rightly refused there.
    body_is_checked_beyond_schema = operation.path.endswith("/webhook") or "multipart/form-data" in str(
        operation.definition.raw.get("requestBody", ""))
    excluded = [positive_data_acceptance] if body_is_checked_beyond_schema else []

    @BOUNDS
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def exercise(case: Any) -> None:
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    try:
        exercise()
    except hypothesis.errors.Unsatisfiable:
        return None  # nothing to make invalid: an operation without parameters or body
    except (FailureGroup, BaseExceptionGroup, AssertionError) as failure:
        return f"{operation.label} [{mode}]: {failure}"
    return None


@pytest.mark.parametrize("caller", CALLERS, indirect=True)
def test_every_operation_conforms_to_the_schema(settings: Any, caller: tuple[str, dict[str, str]]) -> None:
    from marketplace.app import create_app

    app = create_app(settings)
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app, config=CONFIG)
    failures: list[str] = []
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            role, headers = caller
            for mode in MODES[role]:
                if (failure := _failures_of(operation, mode, headers)) is not None:
                    failures.append(failure)
    finally:
        asgi.shutdown_lifespans()
    assert not failures, "\n".join(failures)
