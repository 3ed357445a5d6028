"""A slow OpenNebula method under many clients, against gunicorn as configured by default
(one worker shown, of the default 16 threads): the requests waiting on it take at most the
process's slots, the others are answered 503 with Retry-After at once, and the Cloud Entry
Point, which needs no OpenNebula call, answers within a second throughout, in JSON and XML.
Emulator only: it slows one of onesim's methods (fault injection)."""
import threading
import time

import requests

from http_cimi import MEDIA_TYPES, HttpCimiClient
from support.servers import running_gunicorn

CLIENTS = 30
SLOW_SECONDS = 3
PROBES = 10


def test_a_slow_method_does_not_hold_up_the_cloud_entry_point(fmt, http_cimi, installed,
                                                              onesim_process):
    with running_gunicorn(installed.endpoint, threads=16) as entry_point_url:
        _, entry_point, _ = http_cimi.get(entry_point_url)
        machines = entry_point["machines"]["href"]
        onesim_process.delay("one.vmpool.infoextended", SLOW_SECONDS)
        try:
            answers, stop = [], threading.Event()
            clients = [threading.Thread(target=_list_until, args=(
                HttpCimiClient(fmt, installed.demo_session), machines, stop, answers))
                for _ in range(CLIENTS)]
            for client in clients:
                client.start()
            time.sleep(0.5)
            waits = [_timed_entry_point(entry_point_url, fmt) for _ in range(PROBES)]
            stop.set()
            for client in clients:
                client.join()
        finally:
            onesim_process.delay("one.vmpool.infoextended", 0)
    assert max(waits) < 1.0, waits
    statuses = {status for status, _ in answers}
    assert statuses == {200, 503}, statuses
    assert all(int(headers["Retry-After"]) >= 1 for status, headers in answers
               if status == 503)


def _list_until(client, machines, stop, answers):
    """One client listing machines again and again, as fast as it is answered."""
    while not stop.is_set():
        status, _, headers = client.get(machines)
        answers.append((status, headers))


def _timed_entry_point(url, fmt):
    started = time.monotonic()
    response = requests.get(url, headers={"Accept": MEDIA_TYPES[fmt]}, timeout=30)
    assert response.status_code == 200
    time.sleep(0.2)
    return time.monotonic() - started - 0.2
