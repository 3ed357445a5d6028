"""`python -m bench`: start the emulator and the server, grow the pool, measure, report."""
import argparse
import contextlib
import importlib.metadata
import os
import platform
import signal
import sys
import tempfile
from pathlib import Path

from bench.clients import PAGE_LAST, CimiClient, RawBackend
from bench.measurements import Settings, measure_size
from bench.processes import running_gunicorn
from bench.report import print_header, print_ratios, print_size
from bench.seeding import MachineSeeder, install_instance_types
from onesim.seed import ONE_AUTH_FILE
from onesim.testing import FAST_SPEED, running_onesim

DEFAULT_SIZES = (1_000, 10_000)
QUICK_SIZES = (200, 400)
DEFAULT_REPEAT = 5
CLIENTS = 16
RATE_SECONDS = 3.0
QUICK_RATE_SECONDS = 0.5
DEFAULT_TIME_LIMIT = 3600


class TimeLimitExceeded(Exception):
    pass


def main(argv=None):
    options = parse_options(argv)
    _install_signal_handlers(options.time_limit)
    try:
        run(options)
    except KeyboardInterrupt:
        print("\ninterrupted; servers stopped", file=sys.stderr)
        return 130
    except TimeLimitExceeded:
        print(f"\nthe run exceeded --time-limit {options.time_limit} s; servers stopped",
              file=sys.stderr)
        return 1
    finally:
        signal.alarm(0)
    return 0


def parse_options(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", type=_sizes, default=None,
                        help="pool sizes to measure, ascending (default: 1000,10000)")
    parser.add_argument("--repeat", type=_positive, default=None,
                        help=f"timed repetitions of each measurement (default {DEFAULT_REPEAT})")
    parser.add_argument("--quick", action="store_true",
                        help=f"a smoke run: sizes {','.join(map(str, QUICK_SIZES))}, "
                             "1 repetition, short rate runs")
    parser.add_argument("--time-limit", type=_positive, default=DEFAULT_TIME_LIMIT,
                        help="seconds the whole run may take (default %(default)s)")
    options = parser.parse_args(argv)
    if options.sizes is None:
        options.sizes = QUICK_SIZES if options.quick else DEFAULT_SIZES
    if options.repeat is None:
        options.repeat = 1 if options.quick else DEFAULT_REPEAT
    if options.sizes[0] < PAGE_LAST:
        parser.error(f"every size must hold the measured page: at least {PAGE_LAST} VMs")
    return options


def _sizes(text):
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a comma-separated list of numbers: {text!r}") from None
    if list(sizes) != sorted(set(sizes)):
        raise argparse.ArgumentTypeError("sizes must be distinct and ascending")
    return sizes


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _install_signal_handlers(time_limit):
    def interrupted(signal_number, frame):
        raise KeyboardInterrupt

    def out_of_time(signal_number, frame):
        raise TimeLimitExceeded

    # SIGTERM unwinds like Ctrl-C, so every server started is stopped on the way out.
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(time_limit)


def run(options):
    settings = Settings(repeat=options.repeat, clients=CLIENTS,
                        rate_seconds=QUICK_RATE_SECONDS if options.quick else RATE_SECONDS)
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cimi-bench-")))
        data_dir = workdir / "onesim"
        data_dir.mkdir()
        one = stack.enter_context(running_onesim(data_dir=data_dir, seed="demo",
                                                 speed=FAST_SPEED, in_process=False))
        install_instance_types(one.endpoint, data_dir / ONE_AUTH_FILE)
        seeder = MachineSeeder(one.endpoint, one.demo_session)
        credentials = tuple(one.demo_session.split(":", 1))
        server = stack.enter_context(running_gunicorn(one.endpoint, workdir / "gunicorn.log",
                                                      credentials))
        raw = RawBackend(one.endpoint, one.demo_session)
        cimi = CimiClient(server.base_url, credentials)
        print_header(_header_lines(settings, server))
        all_results = []
        for size in options.sizes:
            seeding_seconds = seeder.grow_to(size)
            results = measure_size(size, raw, cimi, server, seeder.machine_ids[0], settings)
            print_size(results, seeding_seconds, settings)
            all_results.append(results)
        print_ratios(all_results)
        print(f"load average at the end: {_load_average()}")


def _load_average():
    """The 1, 5 and 15 minute load averages: other work on the machine skews every figure."""
    return " ".join(f"{load:.2f}" for load in os.getloadavg())


def _header_lines(settings, server):
    command = " ".join(["python -m bench"] + sys.argv[1:])
    return [
        f"cimi-one benchmark: {command}",
        f"{os.cpu_count()} CPUs (load average {_load_average()}), Python "
        f"{platform.python_version()}, gunicorn {len(server.worker_pids())} workers "
        "(gunicorn.conf.py), onesim as a process, all on 127.0.0.1",
        f"times: median of {settings.repeat} after warm-up calls (fastest..slowest); rates: "
        f"{settings.clients} client threads for {settings.rate_seconds:g} s, median of "
        f"{settings.repeat} runs; server and raw calls timed in turns",
        f"clients: pyone {importlib.metadata.version('pyone')} (parses answers into its objects) "
        "and requests + JSON decoding; VMs owned by demo, on hold",
    ]
