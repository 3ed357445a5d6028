"""Medians of repeated calls, and request rates under concurrent clients.

The benchmark machine is shared and noisy, so every figure is a median over repetitions that
follow untimed warm-up calls (first-request costs of each gunicorn worker, imports, caches).
Calls that are compared with each other are timed in turns, repetition by repetition, so a
burst of load from elsewhere hits all of them alike.
"""
import statistics
import threading
import time
from dataclasses import dataclass

WARMUP_CALLS = 2
# A few refused or reset connections in a burst of new ones are the network's doing, and a
# loaded oned on SQLite refuses a call now and then ("database is locked"): one failed call,
# or this share of them, is printed with the rate; more means the figure says nothing.
TOLERATED_FAILURES = 0.01
# Generous: a client thread stuck past this is a hung server, and the run fails.
STRAGGLER_SECONDS = 60


@dataclass(frozen=True)
class Timing:
    """Seconds per call: the median and the spread of the repetitions."""
    median: float
    fastest: float
    slowest: float


@dataclass(frozen=True)
class Rate:
    """Successful calls per second of all clients together: the median and the spread of the
    runs, and how many calls failed in all runs."""
    median: float
    lowest: float
    highest: float
    failed: int


def time_in_turns(calls, repeat, budget_seconds=None):
    """A Timing for each of `calls`.

    With `budget_seconds`, repetitions stop early when another round would end past the
    budget, counted from the first call: a call of a minute (the whole of a 100,000-VM pool)
    needs fewer samples than one of a millisecond. A round longer than half the budget is
    timed once, its first call being the sample: warm-up costs are lost in its length.
    """
    started = time.perf_counter()
    first_round = [_timed(call) for call in calls]
    if budget_seconds is not None and sum(first_round) > budget_seconds / 2:
        return [Timing(seconds, seconds, seconds) for seconds in first_round]
    for call in calls:
        for _ in range(WARMUP_CALLS - 1):
            call()
    samples = [[] for _ in calls]
    for _ in range(repeat):
        for call, own in zip(calls, samples):
            own.append(_timed(call))
        spent = time.perf_counter() - started
        if budget_seconds is not None and spent + sum(own[-1] for own in samples) > budget_seconds:
            break
    return [Timing(statistics.median(own), min(own), max(own)) for own in samples]


def _timed(call):
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def rates_in_turns(call_makers, clients, seconds, repeat):
    """A Rate for each of `call_makers`: calls per second when `clients` threads call as fast
    as they can for `seconds`.

    Each maker is run once per thread, so every client has its own connection state.
    """
    clienteles = [[make_call() for _ in range(clients)] for make_call in call_makers]
    for calls in clienteles:
        for call in calls:
            call()
    runs = [[] for _ in call_makers]
    for _ in range(repeat):
        for calls, own in zip(clienteles, runs):
            own.append(_one_rate_run(calls, seconds))
    return [_rate_of(own) for own in runs]


def _rate_of(runs):
    rates = [rate for rate, _ in runs]
    return Rate(statistics.median(rates), min(rates), max(rates),
                sum(failed for _, failed in runs))


def _one_rate_run(calls, seconds):
    """(successful calls per second, failed calls) of one run."""
    start = threading.Barrier(len(calls) + 1)
    deadline = [0.0]
    counts = [0] * len(calls)
    failures = []

    def client(index, call):
        start.wait()
        while time.perf_counter() < deadline[0]:
            try:
                call()
            except Exception as error:  # noqa: BLE001 - weighed by the main thread
                failures.append(error)
            else:
                counts[index] += 1

    threads = [threading.Thread(target=client, args=(index, call), daemon=True)
               for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    deadline[0] = started + seconds
    start.wait()
    for thread in threads:
        thread.join(seconds + STRAGGLER_SECONDS)
        if thread.is_alive():
            raise TimeoutError("a benchmark client did not finish its last call")
    elapsed = time.perf_counter() - started
    succeeded = sum(counts)
    if len(failures) > max(1, TOLERATED_FAILURES * (succeeded + len(failures))):
        raise RuntimeError(f"{len(failures)} of {succeeded + len(failures)} calls failed, "
                           f"the first with: {failures[0]!r}")
    return succeeded / elapsed, len(failures)
