"""One log line per request: time, request id, method, route template, status, duration,
user and the OpenNebula calls made, never the password; X-Request-ID taken from the client
when it is a plain token, made up otherwise, and returned."""
import base64
import json
import logging

import pytest

from app.logs import REQUEST_LOGGER, JsonFormatter, TextFormatter


@pytest.fixture
def request_lines(caplog):
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    return lambda: [record for record in caplog.records if record.name == REQUEST_LOGGER]


def test_a_request_is_logged_once_with_its_calls_and_without_the_password(cimi, request_lines):
    result = cimi.get("/cimi/machines/987654", headers={"X-Request-ID": "trace-42"})
    assert result.status == 404
    assert result.headers["X-Request-ID"] == result.document["requestId"] == "trace-42"
    (record,) = request_lines()
    fields = record.fields
    assert (fields["request_id"], fields["method"], fields["status"], fields["user"]) == (
        "trace-42", "GET", 404, cimi.user)
    assert fields["route"].startswith("/cimi/machines/<") and fields["duration_ms"] >= 0
    assert fields["opennebula_calls"] >= 1 and "vm.info" in fields["opennebula_methods"]
    token = base64.b64encode(cimi.credentials.encode()).decode()
    for formatter in (JsonFormatter(), TextFormatter()):
        line = formatter.format(record)
        assert cimi.credentials not in line and token not in line and "trace-42" in line
    assert json.loads(JsonFormatter().format(record))["status"] == 404


@pytest.mark.parametrize("given", ["", "has space", "x" * 129, "quote\"d", "é"])
def test_a_request_id_that_is_not_a_plain_token_is_replaced(cimi, request_lines, given):
    result = cimi.get("/cimi/cloudEntryPoint", headers={"X-Request-ID": given})
    made = result.headers["X-Request-ID"]
    assert made != given and len(made) == 32
    assert request_lines()[-1].fields["request_id"] == made
