"""What is measured at each pool size, server and raw backend side by side."""
import statistics
from dataclasses import dataclass

from bench.clients import PAGE_SIZE
from bench.onesim_pool import METHODS as EMULATOR_METHODS
from bench.processes import KIB, peak_memory_kib, reset_peak_memory
from bench.timing import rates_in_turns, time_in_turns


@dataclass(frozen=True)
class Settings:
    repeat: int
    clients: int
    rate_seconds: float


@dataclass(frozen=True)
class EmulatorCall:
    method: str
    seconds: float
    body_bytes: int


@dataclass(frozen=True)
class SizeResults:
    size: int
    emulator: tuple            # EmulatorCall per method
    raw_pool: object           # Timing
    raw_pool_extended: object
    raw_page: object
    listing: object
    listing_members: int
    page: object
    peak_memory_mb: float      # the largest worker's VmHWM while serving this size
    raw_vm_info: object        # Rate
    machine_get: object


def measure_size(size, raw, cimi, server, machine_id, settings):
    emulator = tuple(_emulator_call(raw, method, settings.repeat) for method in EMULATOR_METHODS)
    listing_members = _check_listing(cimi.machines(), size)
    _check_page(cimi.machines_page())
    workers = server.worker_pids()
    for pid in workers:
        reset_peak_memory(pid)
    raw_pool, raw_pool_extended, listing = time_in_turns(
        (raw.pool, raw.pool_extended, cimi.machines), settings.repeat)
    peak_memory_mb = max(peak_memory_kib(pid) for pid in workers) / KIB
    raw_page, page = time_in_turns((raw.page, cimi.machines_page), settings.repeat)
    raw_vm_info, machine_get = rates_in_turns(
        (lambda: raw.vm_info_caller(machine_id), lambda: cimi.machine_caller(machine_id)),
        settings.clients, settings.rate_seconds, settings.repeat)
    return SizeResults(size, emulator, raw_pool, raw_pool_extended, raw_page, listing,
                       listing_members, page, peak_memory_mb, raw_vm_info, machine_get)


def _emulator_call(raw, method, repeat):
    raw.emulator_seconds(method)
    samples = [raw.emulator_seconds(method) for _ in range(repeat)]
    return EmulatorCall(method, statistics.median(seconds for seconds, _ in samples),
                        samples[0][1])


def _check_listing(document, size):
    """The listing must stand for the same pool the raw call fetches; its member count."""
    if document["count"] != size:
        raise RuntimeError(f"the server counts {document['count']} machines, the pool has {size}")
    return len(document.get("machines", ()))


def _check_page(document):
    members = len(document.get("machines", ()))
    if members != PAGE_SIZE:
        raise RuntimeError(f"the page holds {members} machines instead of {PAGE_SIZE}")
