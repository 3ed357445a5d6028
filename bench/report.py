"""Printing: absolute figures per pool size, then every ratio (and the memory peak) next to
its target, each on a line ending in PASS or MISS."""
import operator
from dataclasses import dataclass

from bench.clients import PAGE_FIRST, PAGE_LAST, PAGE_SIZE

PAGE_QUERY = f"?$first={PAGE_FIRST}&$last={PAGE_LAST}"


@dataclass(frozen=True)
class Target:
    kind: str             # how the line starts: "ratio", or "peak" for an absolute figure
    label: str
    comparison: str       # "<=" or ">="
    limit: float

    def met_by(self, value):
        compare = operator.le if self.comparison == "<=" else operator.ge
        return compare(value, self.limit)


LISTING = Target("ratio", "GET /cimi/machines / raw vmpool.info", "<=", 1.0)
PAGE_SCALING = Target("ratio", f"page {PAGE_QUERY} / same page at the smallest size", "<=", 1.2)
PAGE = Target("ratio", f"page {PAGE_QUERY} / raw paged vmpool.info", "<=", 1.5)
MACHINE_RATE = Target("ratio", "GET one machine req/s / raw vm.info calls/s", ">=", 0.5)
PEAK_MEMORY = Target("peak", "largest gunicorn worker memory (VmHWM, MB)", "<=", 250.0)
TARGETS = (LISTING, PAGE_SCALING, PAGE, MACHINE_RATE, PEAK_MEMORY)


def print_header(lines):
    for line in lines:
        print(line)
    print()


def print_size(results, seeding_seconds, settings):
    print(f"== {results.size:,} VMs (seeded in {seeding_seconds:.1f} s) ==")
    for call in results.emulator:
        _measurement("emulator", f"{call.method}, answer read but not parsed",
                     _ms(call.seconds), f"body {call.body_bytes / 1024 / 1024:.1f} MB")
    _timing("raw", "pyone vmpool.info(-2, -1, -1, -1)", results.raw_pool)
    _timing("raw", "pyone vmpool.infoextended(-2, -1, -1, -1)", results.raw_pool_extended)
    _timing("raw", f"pyone vmpool.info(-2, {PAGE_FIRST - 1}, -{PAGE_SIZE}, -1)", results.raw_page)
    _timing("cimi", "GET /cimi/machines", results.listing,
            f"{results.listing_members:,} members, count {results.size:,}")
    _timing("cimi", f"GET /cimi/machines{PAGE_QUERY}", results.page)
    _rate("raw", f"pyone vm.info, {settings.clients} threads", results.raw_vm_info)
    _rate("cimi", f"GET /cimi/machines/<id>, {settings.clients} clients", results.machine_get)
    _measurement("memory", "largest gunicorn worker, VmHWM serving this size",
                 f"{results.peak_memory_mb:8.1f} MB", "")
    print()


def print_ratios(all_results):
    print("== ratios and targets ==")
    smallest = all_results[0]
    verdicts = []
    for results in all_results:
        verdicts.append(_ratio(LISTING, results.size,
                               results.listing.median / results.raw_pool.median))
        if results is not smallest:
            verdicts.append(_ratio(PAGE_SCALING, results.size,
                                   results.page.median / smallest.page.median))
        verdicts.append(_ratio(PAGE, results.size, results.page.median / results.raw_page.median))
        verdicts.append(_ratio(MACHINE_RATE, results.size,
                               results.machine_get.median / results.raw_vm_info.median))
        verdicts.append(_ratio(PEAK_MEMORY, results.size, results.peak_memory_mb))
    missed = verdicts.count(False)
    print(f"{len(verdicts) - missed} of {len(verdicts)} targets met")


def _ratio(target, size, value):
    met = target.met_by(value)
    print(f"{target.kind:<7}{target.label:<60} @{size:>7,} VMs  {value:9.3f}   "
          f"target {target.comparison} {target.limit:g}   {'PASS' if met else 'MISS'}")
    return met


def _ms(seconds):
    return f"{seconds * 1000:8.1f} ms"


def _timing(kind, what, timing, note=""):
    spread = f"{timing.fastest * 1000:.1f}..{timing.slowest * 1000:.1f} ms"
    _measurement(kind, what, _ms(timing.median), f"({spread}) {note}".rstrip())


def _rate(kind, what, rate):
    failed = f", {rate.failed} failed" if rate.failed else ""
    _measurement(kind, what, f"{rate.median:8.1f} /s",
                 f"({rate.lowest:.1f}..{rate.highest:.1f} /s{failed})")


def _measurement(kind, what, value, note):
    print(f"{kind:<9}{what:<58}{value:>12}  {note}".rstrip())
