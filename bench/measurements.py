"""What is measured, server and raw backend side by side: at each pool size, then the
request rate on one machine and the launching of many machines once per backend."""
import queue
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from bench.clients import EXPANDED_PAGE_SIZE, PAGE_SIZE, STARTED_FILTER
from bench.processes import KIB, REPO_ROOT, peak_memory_kib, reset_peak_memory
from bench.timing import rates_in_turns, time_in_turns

CLI_SECONDS = 900


@dataclass(frozen=True)
class Settings:
    repeat: int
    clients: int
    rate_seconds: float
    budget_seconds: float      # for each whole-pool comparison at one size
    launches: int
    launch_clients: int


@dataclass(frozen=True)
class Transfer:
    seconds: float
    body_bytes: int


@dataclass(frozen=True)
class SizeResults:
    size: int
    running: int
    unparsed: Transfer         # raw vmpool.info, the answer read but not parsed
    extended_read: float       # seconds: the extended pages the server reads, read only
    extended_tree: float       # seconds: the same, each made a libxml2 tree
    raw_pool: object           # Timing of pyone vmpool.info
    walk: object               # Timing of every machine through GET /cimi/machines, paged
    walk_pages: int
    raw_active: object         # pyone vmpool.info of the ACTIVE VMs
    filtered: object           # every machine of $filter=state='STARTED', paged
    raw_page: object
    page: object
    expand_members: int
    plain_page: object         # GET /cimi/machines?$first=1&$last=<expand_members>
    expanded_page: object      # the same with $expand=*
    expand_calls: tuple        # (method, calls) of OpenNebula the expanded page took
    peak_memory_mb: float      # the largest worker's VmHWM while walking the collection


@dataclass(frozen=True)
class LaunchResults:
    count: int
    clients: int
    raw_threads: float         # seconds for `count` template.instantiate from `clients` threads
    api: float                 # seconds for `count` POST /cimi/machines from `clients` clients
    raw_sequential: float      # seconds for `count` template.instantiate one after the other
    cli: float                 # seconds for `cimi run-instance --count <count>`


def measure_size(size, running, raw, cimi, server, count_calls, settings):
    """`count_calls()`: {method: calls} OpenNebula answered so far."""
    members, walk_pages = cimi.walk()
    _check_members(members, size, "the collection")
    started, _ = cimi.walk(STARTED_FILTER)
    _check_members(started, running, "$filter=state='STARTED'")
    _check_page(cimi.machines_page())
    unparsed = _unparsed(raw, settings.repeat)
    page_size = -(-size // walk_pages)
    extended_read, extended_tree = (
        statistics.median(raw.extended_pages_seconds(size, page_size, tree)
                          for _ in range(settings.repeat))
        for tree in (False, True))
    workers = server.worker_pids()
    for pid in workers:
        reset_peak_memory(pid)
    raw_pool, walk = time_in_turns((raw.pool, cimi.walk), settings.repeat,
                                   settings.budget_seconds)
    peak_memory_mb = max(peak_memory_kib(pid) for pid in workers) / KIB
    raw_active, filtered = time_in_turns(
        (raw.active_pool, lambda: cimi.walk(STARTED_FILTER)), settings.repeat,
        settings.budget_seconds)
    raw_page, page = time_in_turns((raw.page, cimi.machines_page), settings.repeat)
    expand_members = min(EXPANDED_PAGE_SIZE, size)
    plain_page, expanded_page = time_in_turns(
        (lambda: cimi.machines_page(1, expand_members),
         lambda: cimi.machines_page(1, expand_members, expand=True)),
        settings.repeat, settings.budget_seconds)
    before = count_calls()
    cimi.machines_page(1, expand_members, expand=True)
    after = count_calls()
    expand_calls = tuple(sorted((method, after[method] - before.get(method, 0))
                                for method in after if after[method] != before.get(method, 0)))
    return SizeResults(size, running, unparsed, extended_read, extended_tree, raw_pool, walk,
                       walk_pages, raw_active, filtered, raw_page, page, expand_members,
                       plain_page, expanded_page, expand_calls, peak_memory_mb)


def measure_machine_rate(raw, cimi, machine_id, settings):
    """(raw vm.info Rate, GET one machine Rate) under `settings.clients` client threads."""
    return rates_in_turns(
        (lambda: raw.vm_info_caller(machine_id), lambda: cimi.machine_caller(machine_id)),
        settings.clients, settings.rate_seconds, settings.repeat)


def measure_launching(raw, cimi, template_id, template_href, cli_environment, settings):
    """Many machines made from one template by each side, once each (every launch adds
    machines: nothing is repeated)."""
    raw_ids, api_hrefs = [], []
    raw_call = lambda: raw.instantiate_caller(template_id, raw_ids)  # noqa: E731
    api_call = lambda: cimi.create_caller(template_href, api_hrefs)  # noqa: E731
    raw_call()()
    api_call()()
    raw_threads = _concurrently(raw_call, settings.launches, settings.launch_clients)
    api = _concurrently(api_call, settings.launches, settings.launch_clients)
    raw_sequential = _concurrently(raw_call, settings.launches, 1)
    cli = _run_cli(settings.launches, cli_environment)
    return LaunchResults(settings.launches, settings.launch_clients, raw_threads, api,
                         raw_sequential, cli)


def _concurrently(make_call, count, clients):
    """Seconds for `count` calls shared by `clients` threads, each with its own caller."""
    tasks = queue.Queue()
    for _ in range(count):
        tasks.put(None)
    failures = []

    def client(call):
        while True:
            try:
                tasks.get_nowait()
            except queue.Empty:
                return
            try:
                call()
            except Exception as error:  # noqa: BLE001 - reported by the main thread
                failures.append(error)

    threads = [threading.Thread(target=client, args=(make_call(),), daemon=True)
               for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{len(failures)} of {count} launches failed, the first with: "
                           f"{failures[0]!r}")
    return time.perf_counter() - started


def _run_cli(count, environment):
    command = [sys.executable, "-m", "cimi_client", "run-instance", "ttylinux", "--count",
               str(count), "-q"]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=REPO_ROOT, env=environment, capture_output=True,
                            text=True, timeout=CLI_SECONDS, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"cimi run-instance exited with {result.returncode}: "
                           f"{result.stderr[-1000:]}")
    return seconds


def _unparsed(raw, repeat):
    raw.unparsed_seconds()
    samples = [raw.unparsed_seconds() for _ in range(repeat)]
    return Transfer(statistics.median(seconds for seconds, _ in samples), samples[0][1])


def _check_members(members, expected, what):
    """The walk must stand for the pool the raw call fetches: every member, once."""
    ids = {member["id"] for member in members}
    if len(members) != expected or len(ids) != expected:
        raise RuntimeError(f"{what} gave {len(members)} members ({len(ids)} distinct), "
                           f"the pool has {expected}")


def _check_page(document):
    members = len(document.get("machines", ()))
    if members != PAGE_SIZE:
        raise RuntimeError(f"the page holds {members} machines instead of {PAGE_SIZE}")
