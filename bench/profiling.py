"""Where the server's time goes: `python -m bench.profiling [--size N] [--request listing]`.

Seeds an emulator process the way `python -m bench` does, then serves the benchmark's requests
with the application in this process (Flask's test client, no gunicorn) under cProfile, and
prints the functions that took the most time: the project's own by cumulative time, then
all by own time. Time spent waiting on the emulator shows up in the socket reads of the
gateway's transport.
"""
import argparse
import base64
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

import pyone

from app import create_app
from bench.clients import PAGE_PARAMETERS
from bench.seeding import EmulatorSeeder, install_instance_types, machine_attributes
from onesim.seed import ONE_AUTH_FILE
from onesim.testing import running_onesim

REQUESTS = ("listing", "page", "machine")
CALLS = {"listing": 3, "page": 3, "machine": 100}
PROJECT_CODE = r"/(app|schemas)/"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.profiling", description=__doc__)
    parser.add_argument("--size", type=int, default=10_000, help="VMs in the pool (default %(default)s)")
    parser.add_argument("--request", choices=REQUESTS, default="listing",
                        help="what to profile (default %(default)s)")
    parser.add_argument("--top", type=int, default=30, help="functions shown per table")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cimi-profile-") as data_dir, \
            running_onesim(data_dir=data_dir, seed="demo", in_process=False) as one:
        install_instance_types(one.endpoint, Path(data_dir) / ONE_AUTH_FILE)
        demo = pyone.OneServer(one.endpoint, one.demo_session)
        seeder = EmulatorSeeder(one, machine_attributes(demo))
        seeder.grow_to(options.size)
        request = _request(one, options.request, seeder.machine_ids[0])
        profile(request, CALLS[options.request], options.top)
    return 0


def _request(one, name, machine_id):
    client = create_app({"ONE_XMLRPC": one.endpoint}).test_client()
    headers = {"Authorization": "Basic " + base64.b64encode(one.demo_session.encode()).decode(),
               "Accept": "application/json"}
    path, parameters = {"listing": ("/cimi/machines", None),
                        "page": ("/cimi/machines", PAGE_PARAMETERS),
                        "machine": (f"/cimi/machines/{machine_id}", None)}[name]

    def request():
        response = client.get(path, query_string=parameters, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")

    return request


def profile(request, calls, top):
    request()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(calls):
        request()
    profiler.disable()
    print(f"{calls} requests, {(time.perf_counter() - started) / calls * 1000:.1f} ms each "
          "(profiled)\n")
    for order, restriction in (("cumulative", PROJECT_CODE), ("tottime", "")):
        report = io.StringIO()
        pstats.Stats(profiler, stream=report).sort_stats(order).print_stats(restriction, top)
        print(report.getvalue())


if __name__ == "__main__":
    sys.exit(main())
