"""`python -m bench`: for each backend (the emulator, then a real OpenNebula when one is
named) start the server against it, grow the pool, measure, report."""
import argparse
import importlib.metadata
import os
import platform
import signal
import sys
import tempfile
import time
from pathlib import Path

from bench.clients import PAGE_LAST, CimiClient, RawBackend
from bench.measurements import Settings, measure_launching, measure_machine_rate, measure_size
from bench.processes import running_gunicorn
from bench.report import print_header, print_once, print_ratios, print_size, verdicts
from bench.seeding import (
    EmulatorSeeder, OnedSeeder, install_instance_types, last_vm_id, machine_attributes,
    machine_template, remove_vms_after,
)
from onesim.seed import ONE_AUTH_FILE
from onesim.testing import running_onesim

DEFAULT_SIZES = (1_000, 10_000, 100_000)
# 1% of 800 VMs RUNNING is 8 one-CPU machines: what the stock dummy host (8 CPUs) holds.
DEFAULT_REAL_SIZES = (200, 800)
QUICK_SIZES = (200, 400)
DEFAULT_REPEAT = 3
CLIENTS = 16
RATE_SECONDS = 3.0
QUICK_RATE_SECONDS = 0.5
# Seconds each whole-pool comparison may take at one size (at least one timed round).
BUDGET_SECONDS = 60.0
QUICK_BUDGET_SECONDS = 5.0
LAUNCHES, QUICK_LAUNCHES = 100, 8
LAUNCH_CLIENTS = 8
DEFAULT_TIME_LIMIT = 1800
# The emulator's life-cycle at oned's own pace: its scheduler pass reads the whole pool, and
# nothing measured waits for a machine to change state.
EMULATOR_SPEED = 1.0
TEMPLATE_NAME = "bench-template"
REAL_XMLRPC_VARIABLE, REAL_AUTH_VARIABLE = "CIMI_BENCH_ONE_XMLRPC", "CIMI_BENCH_ONE_AUTH"


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
                        help="emulator pool sizes, ascending (default: 1000,10000,100000)")
    parser.add_argument("--repeat", type=_positive, default=None,
                        help=f"timed repetitions of each measurement (default {DEFAULT_REPEAT}; "
                             f"fewer where a comparison would pass {BUDGET_SECONDS:g} s)")
    parser.add_argument("--quick", action="store_true",
                        help=f"a smoke run: sizes {','.join(map(str, QUICK_SIZES))}, "
                             f"1 repetition, short rate runs, {QUICK_LAUNCHES} launches")
    parser.add_argument("--one-xmlrpc", default=os.environ.get(REAL_XMLRPC_VARIABLE),
                        help="a real OpenNebula's XML-RPC endpoint: the same measurements "
                             f"against it too (default ${REAL_XMLRPC_VARIABLE})")
    parser.add_argument("--one-auth", type=Path, default=os.environ.get(REAL_AUTH_VARIABLE),
                        help="its oneadmin credentials file, user:password (default "
                             f"${REAL_AUTH_VARIABLE})")
    parser.add_argument("--real-sizes", type=_sizes, default=None,
                        help="pool sizes on the real OpenNebula (default: 200,800; 1%% of the "
                             "largest must fit its hosts as RUNNING one-CPU machines)")
    parser.add_argument("--real-only", action="store_true",
                        help="measure the real OpenNebula only, not the emulator")
    parser.add_argument("--time-limit", type=_positive, default=DEFAULT_TIME_LIMIT,
                        help="seconds the whole run may take (default %(default)s)")
    options = parser.parse_args(argv)
    if options.sizes is None:
        options.sizes = QUICK_SIZES if options.quick else DEFAULT_SIZES
    if options.real_sizes is None:
        options.real_sizes = QUICK_SIZES[:1] if options.quick else DEFAULT_REAL_SIZES
    if options.repeat is None:
        options.repeat = 1 if options.quick else DEFAULT_REPEAT
    if min(options.sizes + options.real_sizes) < PAGE_LAST:
        parser.error(f"every size must hold the measured page: at least {PAGE_LAST} VMs")
    if bool(options.one_xmlrpc) != bool(options.one_auth):
        parser.error("--one-xmlrpc and --one-auth go together")
    if options.real_only and not options.one_xmlrpc:
        parser.error("--real-only needs --one-xmlrpc and --one-auth")
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
    started = time.monotonic()
    settings = Settings(repeat=options.repeat, clients=CLIENTS,
                        rate_seconds=QUICK_RATE_SECONDS if options.quick else RATE_SECONDS,
                        budget_seconds=QUICK_BUDGET_SECONDS if options.quick else BUDGET_SECONDS,
                        launches=QUICK_LAUNCHES if options.quick else LAUNCHES,
                        launch_clients=LAUNCH_CLIENTS)
    print_header(_header_lines(settings))
    all_verdicts = []
    with tempfile.TemporaryDirectory(prefix="cimi-bench-") as workdir:
        workdir = Path(workdir)
        if not options.real_only:
            all_verdicts += _emulator_lane(workdir, options.sizes, settings)
        if options.one_xmlrpc:
            all_verdicts += _real_lane(workdir, options, settings)
    print_ratios(all_verdicts)
    print(f"load average at the end: {_load_average()}; whole run "
          f"{time.monotonic() - started:.0f} s")


def _emulator_lane(workdir, sizes, settings):
    data_dir = workdir / "onesim"
    data_dir.mkdir()
    with running_onesim(data_dir=data_dir, seed="demo", speed=EMULATOR_SPEED,
                        in_process=False) as one:
        install_instance_types(one.endpoint, data_dir / ONE_AUTH_FILE)
        calls_in_emulator = lambda cimi: one.calls  # noqa: E731
        return _lane("onesim", one.endpoint, one.demo_session, workdir, sizes, settings,
                     lambda attributes: EmulatorSeeder(one, attributes), calls_in_emulator)


def _real_lane(workdir, options, settings):
    """The same measurements on a real OpenNebula; what they made there is deleted again."""
    endpoint = options.one_xmlrpc
    admin_session = options.one_auth.read_text().strip()
    install_instance_types(endpoint, options.one_auth)
    last_id = last_vm_id(endpoint, admin_session)
    demo_session = "demo:demo"
    # The server's own count at /metrics: oned counts no calls for anyone.
    calls_by_server = lambda cimi: cimi.one_calls  # noqa: E731
    try:
        return _lane("oned", endpoint, demo_session, workdir, options.real_sizes, settings,
                     lambda attributes: OnedSeeder(endpoint, demo_session, attributes),
                     calls_by_server)
    finally:
        removed = remove_vms_after(endpoint, admin_session, last_id)
        print(f"oned: deleted the {removed} VMs the benchmark made\n")


def _lane(backend, endpoint, session, workdir, sizes, settings, make_seeder, make_call_counter):
    credentials = tuple(session.split(":", 1))
    with running_gunicorn(endpoint, workdir / f"gunicorn-{backend}.log", credentials) as server:
        raw = RawBackend(endpoint, session)
        cimi = CimiClient(server.base_url, credentials)
        print(f"{backend}: {endpoint}, gunicorn {len(server.worker_pids())} workers "
              "(gunicorn.conf.py)\n")
        attributes = machine_attributes(raw.one)
        seeder = make_seeder(attributes)
        count_calls = make_call_counter(cimi)
        all_results = []
        for size in sizes:
            seeding_seconds = seeder.grow_to(size)
            results = measure_size(size, seeder.running, raw, cimi, server, count_calls, settings)
            print_size(backend, results, seeding_seconds)
            all_results.append(results)
        machine_rates = measure_machine_rate(raw, cimi, seeder.machine_ids[0], settings)
        _remove_leftover_template(raw.one)
        template_id = raw.one.template.allocate(machine_template(attributes, TEMPLATE_NAME))
        try:
            launch = measure_launching(raw, cimi, template_id,
                                       f"{server.base_url}machineTemplates/{template_id}",
                                       _cli_environment(server.base_url, credentials, workdir),
                                       settings)
        finally:
            # Left behind on a real OpenNebula, it would hold its name against the next run.
            raw.one.template.delete(template_id, False)
        print_once(backend, machine_rates, launch, settings)
        return verdicts(backend, all_results, machine_rates, launch)


def _remove_leftover_template(one):
    """Delete the launch template a run killed before its clean-up left on a real OpenNebula
    (oned refuses a second template of that name)."""
    for template in one.templatepool.info(-3, -1, -1).VMTEMPLATE:
        if template.NAME == TEMPLATE_NAME:
            one.template.delete(template.ID, False)


def _cli_environment(base_url, credentials, workdir):
    """The `cimi` command's settings in its environment, no configuration file of the user's."""
    config = workdir / "cimi.cfg"
    config.write_text("[default]\n")
    username, password = credentials
    return {**os.environ, "CIMI_CONFIG": str(config), "CIMI_ENDPOINT": base_url,
            "CIMI_USERNAME": username, "CIMI_PASSWORD": password}


def _load_average():
    """The 1, 5 and 15 minute load averages: other work on the machine skews every figure."""
    return " ".join(f"{load:.2f}" for load in os.getloadavg())


def _header_lines(settings):
    command = " ".join(["python -m bench"] + sys.argv[1:])
    return [
        f"cimi-one benchmark: {command}",
        f"{os.cpu_count()} CPUs (load average {_load_average()}), Python "
        f"{platform.python_version()}, onesim as a process, all on 127.0.0.1",
        f"times: median of up to {settings.repeat} after warm-up calls (fastest..slowest; "
        f"fewer past {settings.budget_seconds:g} s a comparison); rates: {settings.clients} "
        f"client threads for {settings.rate_seconds:g} s, median of {settings.repeat} runs; "
        "server and raw calls timed in turns",
        f"clients: pyone {importlib.metadata.version('pyone')} (parses answers into its objects) "
        "and requests + JSON decoding; VMs owned by demo, 1% RUNNING, the others on hold",
    ]
