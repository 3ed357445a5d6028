"""/metrics: Prometheus text with requests by route template, method and status, their
latency, requests in flight and OpenNebula calls by method and outcome; no user name or id
among the label values."""
from prometheus_client.parser import text_string_to_metric_families


def samples(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for sample in family.samples}


def value(found, name, **labels):
    return found.get((name, tuple(sorted(labels.items()))), 0)


def test_requests_and_opennebula_calls_are_counted(cimi, client, app):
    (route,) = [rule.rule for rule in app.url_map.iter_rules()
                if rule.rule.startswith("/cimi/machines/<") and rule.rule.endswith(":machine_id>")]
    before = samples(client)
    assert cimi.get("/cimi/machines/987654").status == 404
    assert cimi.get("/cimi/machines").status == 200
    after = samples(client)
    request = {"route": route, "method": "GET", "status": "404"}
    assert value(after, "cimi_requests_total", **request) == \
        value(before, "cimi_requests_total", **request) + 1
    assert value(after, "cimi_request_duration_seconds_count", route=route, method="GET") > \
        value(before, "cimi_request_duration_seconds_count", route=route, method="GET")
    assert value(after, "cimi_opennebula_calls_total", method="vm.info", outcome="NotFound") == \
        value(before, "cimi_opennebula_calls_total", method="vm.info", outcome="NotFound") + 1
    assert value(after, "cimi_opennebula_call_duration_seconds_count", method="vm.info") > \
        value(before, "cimi_opennebula_call_duration_seconds_count", method="vm.info")
    assert value(after, "cimi_requests_in_flight") == 1     # the /metrics request itself


def test_no_user_name_or_id_is_a_label_value(cimi, client):
    cimi.get("/cimi/machines/424242")
    cimi.get("/cimi/nothing-here-424242")
    labels = {value for (_, pairs) in samples(client) for _, value in pairs}
    assert not any(cimi.user in label or "424242" in label for label in labels)
    assert "unmatched" in labels
