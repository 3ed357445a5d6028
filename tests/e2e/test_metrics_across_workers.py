"""/metrics under gunicorn with several worker processes: whichever worker answers, the
counts are those of all of them."""
import requests
from prometheus_client.parser import text_string_to_metric_families

from support.servers import running_gunicorn

REQUESTS = 40


def cloud_entry_point_requests(metrics_url, route):
    text = requests.get(metrics_url, timeout=10).text
    return sum(sample.value for family in text_string_to_metric_families(text)
               for sample in family.samples
               if sample.name == "cimi_requests_total" and sample.labels["route"] == route)


def test_counts_add_up_across_worker_processes(installed):
    with running_gunicorn(installed.endpoint, workers=3) as entry_point:
        metrics = entry_point.split("/cimi/", 1)[0] + "/metrics"
        before = cloud_entry_point_requests(metrics, "/cimi/cloudEntryPoint")
        for _ in range(REQUESTS):
            # A new connection each time, so the requests spread over the workers.
            assert requests.get(entry_point, timeout=10).status_code == 200
        seen = {cloud_entry_point_requests(metrics, "/cimi/cloudEntryPoint") - before
                for _ in range(6)}
        assert seen == {REQUESTS}
