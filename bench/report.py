"""Printing: absolute figures per backend and pool size, then every ratio (and the absolute
targets: OpenNebula calls, memory) next to its target, each on a line ending in PASS or
FAIL, the backends' lines of one target side by side."""
import operator
from dataclasses import dataclass

from bench.clients import PAGE_FIRST, PAGE_LAST, PAGE_SIZE

PAGE_QUERY = f"?$first={PAGE_FIRST}&$last={PAGE_LAST}"


@dataclass(frozen=True)
class Target:
    kind: str             # how the line starts: "ratio", or what an absolute figure counts
    label: str
    comparison: str       # "<=" or ">="
    limit: float

    def met_by(self, value):
        compare = operator.le if self.comparison == "<=" else operator.ge
        return compare(value, self.limit)


@dataclass(frozen=True)
class Verdict:
    target: Target
    backend: str
    size: int
    value: float

    @property
    def met(self):
        return self.target.met_by(self.value)

    def line(self):
        target = self.target
        return (f"{target.kind:<6} {target.label:<66} {self.backend:<6} @{self.size:>8,}  "
                f"{self.value:9.3f}  target {target.comparison} {target.limit:g}  "
                f"{'PASS' if self.met else 'FAIL'}")


WHOLE_FLOOR = Target("ratio", "all machines, paged / raw vmpool.info read unparsed", "<=", 4.0)
WHOLE_PYONE = Target("ratio", "all machines, paged / pyone vmpool.info", "<=", 0.5)
FILTERED = Target("ratio", "all of $filter=state='STARTED' / pyone vmpool.info of ACTIVE",
                  "<=", 1.5)
PAGE_SCALING = Target("ratio", f"page {PAGE_QUERY} / same page at the smallest size", "<=", 1.2)
PAGE = Target("ratio", f"page {PAGE_QUERY} / raw paged vmpool.info", "<=", 1.5)
EXPAND_CALLS = Target("calls", "OpenNebula calls for a page of (up to) 1,000 with $expand=*",
                      "<=", 3)
EXPAND_TIME = Target("ratio", "page of (up to) 1,000 with $expand=* / same page without", "<=",
                     2.0)
MACHINE_RATE = Target("ratio", "GET one machine req/s / raw vm.info calls/s (16 clients)",
                      ">=", 1.0)
LAUNCH = Target("ratio", "launching: POST /cimi/machines / template.instantiate, 8 each",
                "<=", 1.3)
PEAK_MEMORY = Target("MB", "largest gunicorn worker's peak memory walking all machines",
                     "<=", 250.0)
TARGETS = (WHOLE_FLOOR, WHOLE_PYONE, FILTERED, PAGE_SCALING, PAGE, EXPAND_CALLS, EXPAND_TIME,
           MACHINE_RATE, LAUNCH, PEAK_MEMORY)


def verdicts(backend, all_results, machine_rates, launch):
    """The Verdicts of one backend's run: every size's, then the once-measured ones (at the
    largest size)."""
    smallest, largest = all_results[0], all_results[-1]
    found = []
    for results in all_results:
        size = results.size
        found += [
            Verdict(WHOLE_FLOOR, backend, size, results.walk.median / results.unparsed.seconds),
            Verdict(WHOLE_PYONE, backend, size, results.walk.median / results.raw_pool.median),
            Verdict(FILTERED, backend, size, results.filtered.median / results.raw_active.median),
            Verdict(PAGE, backend, size, results.page.median / results.raw_page.median),
            Verdict(EXPAND_CALLS, backend, size, sum(calls for _, calls in results.expand_calls)),
            Verdict(EXPAND_TIME, backend, size,
                    results.expanded_page.median / results.plain_page.median),
            Verdict(PEAK_MEMORY, backend, size, results.peak_memory_mb),
        ]
        if results is not smallest:
            found.append(Verdict(PAGE_SCALING, backend, size,
                                 results.page.median / smallest.page.median))
    raw_rate, machine_rate = machine_rates
    found.append(Verdict(MACHINE_RATE, backend, largest.size, machine_rate.median / raw_rate.median))
    found.append(Verdict(LAUNCH, backend, largest.size, launch.api / launch.raw_threads))
    return found


def print_header(lines):
    for line in lines:
        print(line)
    print()


def print_size(backend, results, seeding_seconds):
    print(f"== {backend}: {results.size:,} VMs, {results.running:,} of them RUNNING "
          f"(seeded in {seeding_seconds:.1f} s) ==")
    _measurement("raw", "one.vmpool.info, answer read but not parsed", _ms(results.unparsed.seconds),
                 f"body {results.unparsed.body_bytes / 1024 / 1024:.1f} MB")
    floor = results.unparsed.seconds
    _measurement("raw", "one.vmpool.infoextended pages the server reads, read only",
                 _ms(results.extended_read), f"{results.extended_read / floor:.2f}x the above")
    _measurement("raw", "the same pages unescaped and parsed by libxml2, no record",
                 _ms(results.extended_tree), f"{results.extended_tree / floor:.2f}x")
    _timing("raw", "pyone vmpool.info(-2, -1, -1, -1)", results.raw_pool)
    _timing("cimi", "GET /cimi/machines, every page", results.walk,
            f"{results.walk_pages} pages")
    _timing("raw", "pyone vmpool.info(-2, -1, -1, 3): ACTIVE", results.raw_active)
    _timing("cimi", "GET /cimi/machines?$filter=state='STARTED', every page", results.filtered)
    _timing("raw", f"pyone vmpool.info(-2, {PAGE_FIRST - 1}, -{PAGE_SIZE}, -1)", results.raw_page)
    _timing("cimi", f"GET /cimi/machines{PAGE_QUERY}", results.page)
    page = f"?$first=1&$last={results.expand_members}"
    _timing("cimi", f"GET /cimi/machines{page}", results.plain_page)
    calls = ", ".join(f"{method} x{count}" for method, count in results.expand_calls)
    _timing("cimi", f"GET /cimi/machines{page}&$expand=*", results.expanded_page,
            f"OpenNebula calls: {calls}")
    _measurement("memory", "largest gunicorn worker, VmHWM walking all machines",
                 f"{results.peak_memory_mb:8.1f} MB", "")
    print()


def print_once(backend, machine_rates, launch, settings):
    print(f"== {backend}: one machine, many machines ==")
    raw_rate, machine_rate = machine_rates
    _rate("raw", f"pyone vm.info, {settings.clients} threads", raw_rate)
    _rate("cimi", f"GET /cimi/machines/<id>, {settings.clients} clients", machine_rate)
    _measurement("raw", f"{launch.count} template.instantiate, {launch.clients} threads",
                 _ms(launch.raw_threads), "")
    _measurement("cimi", f"{launch.count} POST /cimi/machines, {launch.clients} clients",
                 _ms(launch.api), "")
    _measurement("raw", f"{launch.count} template.instantiate, one after the other",
                 _ms(launch.raw_sequential), "")
    _measurement("cli", f"cimi run-instance ttylinux --count {launch.count}", _ms(launch.cli),
                 f"{launch.cli / launch.raw_sequential:.2f}x the raw calls one after the other "
                 "(no target)")
    print()


def print_ratios(all_verdicts):
    """Every verdict, grouped by target (the backends side by side); the number met."""
    print("== ratios and targets ==")
    for target in TARGETS:
        for verdict in all_verdicts:
            if verdict.target is target:
                print(verdict.line())
    met = sum(verdict.met for verdict in all_verdicts)
    print(f"{met} of {len(all_verdicts)} targets met")


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
    print(f"{kind:<9}{what:<62}{value:>12}  {note}".rstrip())
