"""The request log: one JSON object per line, with the status the client received and a request id."""

import json
import logging

import pytest

from marketplace.platform.telemetry import REQUESTS, JsonFormatter


def _request_lines(caplog: pytest.LogCaptureFixture) -> list[dict]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in caplog.records if record.name == "marketplace.access"]


async def test_csrf_refusal_is_logged_with_the_status_sent(client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="marketplace.access")
    response = await client.post("/vi/account/sign-in", data={"email": "a@example.vn", "password": "x"})
    assert response.status_code == 403
    [line] = [entry for entry in _request_lines(caplog) if entry["path"] == "/vi/account/sign-in"]
    assert line["status"] == 403


async def test_bad_token_is_logged_as_401_and_echoes_the_request_id(client, caplog) -> None:
    caplog.set_level(logging.INFO, logger="marketplace.access")
    response = await client.get("/api/v1/orders", headers={"Authorization": "Bearer not-a-token",
                                                            "X-Request-ID": "proxy-7f3a"})
    assert response.status_code == 401
    assert response.headers["x-request-id"] == "proxy-7f3a"
    [line] = [entry for entry in _request_lines(caplog) if entry["path"] == "/api/v1/orders"]
    assert line["status"] == 401 and line["request_id"] == "proxy-7f3a"


async def test_each_line_is_one_json_object_with_every_field(client, caplog) -> None:
    caplog.set_level(logging.INFO, logger="marketplace.access")
    response = await client.get("/api/v1/attractions", headers={"X-Request-ID": "bad id with spaces\n{"})
    generated = response.headers["x-request-id"]
    assert generated != "bad id with spaces\n{" and len(generated) == 32
    [line] = [entry for entry in _request_lines(caplog) if entry["path"] == "/api/v1/attractions"]
    assert {"time", "level", "event", "request_id", "method", "path", "status", "duration_ms"} <= set(line)
    assert line["event"] == "request" and line["request_id"] == generated and line["status"] == 200
    assert line["route"] == "/api/v1/attractions"


async def test_successful_probes_are_counted_but_not_logged(client, caplog) -> None:
    caplog.set_level(logging.INFO, logger="marketplace.access")
    counted = REQUESTS.labels("GET", "/healthz", "200")
    before = counted._value.get()
    for probe in ("/healthz", "/readyz"):
        response = await client.get(probe)
        assert response.status_code in (200, 503) and len(response.headers["x-request-id"]) == 32
    logged = [entry for entry in _request_lines(caplog) if entry["path"] in ("/healthz", "/readyz")]
    assert logged == [entry for entry in logged if entry["status"] >= 400]
    assert counted._value.get() == before + 1


def test_formatter_writes_no_text_prefix() -> None:
    record = logging.LogRecord("marketplace.x", logging.WARNING, __file__, 1, "disk %s", ("full",), None)
    text = JsonFormatter().format(record)
    assert text.startswith("{") and "\n" not in text
    assert json.loads(text)["event"] == "disk full" and json.loads(text)["level"] == "warning"
