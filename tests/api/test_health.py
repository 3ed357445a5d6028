"""/healthz and /readyz: outside the CIMI base path, JSON, no credentials. Liveness makes no
OpenNebula call; readiness says whether oned answers, 503 with the reason when it does not."""
import socket

from app import create_app


def test_healthz_answers_without_credentials_or_opennebula(client, calls):
    response = client.get("/healthz")
    assert (response.status_code, response.json) == (200, {"status": "ok"})
    assert calls == []


def test_readyz_is_200_while_opennebula_answers(client):
    response = client.get("/readyz")
    assert (response.status_code, response.json) == (200, {"status": "ok"})


def test_readyz_is_503_with_the_reason_when_opennebula_cannot_be_reached():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]      # nothing listens there once closed
    application = create_app({"ONE_XMLRPC": f"http://127.0.0.1:{port}/RPC2", "TESTING": True})
    response = application.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "reason": "OpenNebula cannot be reached."}
    assert response.headers["Retry-After"] == "5"
    assert application.test_client().get("/healthz").status_code == 200


def test_health_is_outside_the_cimi_base_path(client):
    assert client.get("/cimi/healthz").status_code == 404


def test_probes_answer_whatever_the_host_while_the_api_refuses_a_foreign_one(client):
    """A probe reaches a container or pod by whatever name: health and metrics build no
    hrefs, so the Host check that guards the API's hrefs does not apply to them."""
    for path in ("/healthz", "/readyz", "/metrics"):
        assert client.get(path, headers={"Host": "10.1.2.3:8080"}).status_code == 200, path
    assert client.get("/cimi/cloudEntryPoint", headers={"Host": "evil.example"}).status_code \
        == 400


def test_probes_and_metrics_answer_in_their_own_format_whatever_accept_asks(client):
    """A browser asks for text/html, a Prometheus scraper for text/plain; the CIMI API would
    refuse both (406), the probes and metrics answer as they always do."""
    for accept in ("text/html", "text/plain;version=0.0.4", "application/xml"):
        for path, media_type in (("/healthz", "application/json"),
                                 ("/readyz", "application/json"),
                                 ("/metrics", "text/plain")):
            response = client.get(path, headers={"Accept": accept})
            assert response.status_code == 200, (path, accept)
            assert response.mimetype == media_type, (path, accept)
    assert client.get("/cimi/cloudEntryPoint", headers={"Accept": "text/html"}).status_code \
        == 406
