"""The harness's own logic, quickly and without servers: verdicts and their lines, paging
through a collection, the time budget, and growing the emulator's pool."""
import pytest

from bench import run, timing
from bench.clients import walk_collection
from bench.measurements import LaunchResults, SizeResults, Transfer
from bench.report import (
    EXPAND_CALLS, FILTERED, LAUNCH, MACHINE_RATE, PAGE_SCALING, PEAK_MEMORY, TARGETS,
    WHOLE_FLOOR, WHOLE_PYONE, Target, Verdict, print_size, verdicts,
)
from bench.seeding import EmulatorSeeder, running_share
from bench.timing import Rate, Timing


def timing_of(seconds):
    return Timing(seconds, seconds, seconds)


def size_results(size, walk=2.0, page=0.1):
    return SizeResults(size=size, running=size // 100, unparsed=Transfer(0.5, 1000),
                       extended_read=0.9, extended_tree=2.5,
                       raw_pool=timing_of(8.0), walk=timing_of(walk), walk_pages=size // 1000,
                       raw_active=timing_of(0.2), filtered=timing_of(0.4),
                       raw_page=timing_of(0.1), page=timing_of(page), expand_members=1000,
                       plain_page=timing_of(1.0), expanded_page=timing_of(1.5),
                       expand_calls=(("one.vmpool.infoextended", 1), ("one.vm.info", 2)),
                       peak_memory_mb=300.0)


def test_the_server_s_read_floor_is_printed_as_multiples_of_the_bare_transfer(capsys):
    print_size("onesim", size_results(10_000), seeding_seconds=1.0)
    lines = capsys.readouterr().out.splitlines()
    read = next(line for line in lines if "pages the server reads, read only" in line)
    tree = next(line for line in lines if "parsed by libxml2, no record" in line)
    assert "900.0 ms" in read and read.endswith("1.80x the above")
    assert "2500.0 ms" in tree and tree.endswith("5.00x")


def test_a_target_is_met_on_its_side_of_the_limit_included():
    at_most = Target("ratio", "x", "<=", 1.5)
    at_least = Target("ratio", "x", ">=", 1.0)
    assert at_most.met_by(1.5) and not at_most.met_by(1.51)
    assert at_least.met_by(1.0) and not at_least.met_by(0.99)


def test_a_verdict_line_names_target_backend_size_value_and_outcome():
    line = Verdict(WHOLE_FLOOR, "oned", 100_000, 4.25).line()
    assert line.startswith("ratio  " + WHOLE_FLOOR.label)
    assert " oned   @ 100,000 " in line
    assert line.endswith("4.250  target <= 4  FAIL")
    assert Verdict(WHOLE_FLOOR, "onesim", 10, 3.0).line().endswith("target <= 4  PASS")


def test_verdicts_divide_the_same_work_on_both_sides():
    small, large = size_results(1_000), size_results(100_000, walk=3.0, page=0.15)
    rates = (Rate(100.0, 90.0, 110.0, 0), Rate(80.0, 70.0, 90.0, 0))
    launch = LaunchResults(count=100, clients=8, raw_threads=2.0, api=3.0, raw_sequential=4.0,
                           cli=9.0)
    found = verdicts("onesim", [small, large], rates, launch)
    value = {(verdict.target, verdict.size): verdict.value for verdict in found}
    assert value[(WHOLE_FLOOR, 100_000)] == pytest.approx(3.0 / 0.5)
    assert value[(WHOLE_PYONE, 100_000)] == pytest.approx(3.0 / 8.0)
    assert value[(FILTERED, 1_000)] == pytest.approx(2.0)
    assert value[(PAGE_SCALING, 100_000)] == pytest.approx(1.5)
    assert (PAGE_SCALING, 1_000) not in value
    assert value[(EXPAND_CALLS, 1_000)] == 3
    assert value[(PEAK_MEMORY, 1_000)] == 300.0
    assert value[(MACHINE_RATE, 100_000)] == pytest.approx(0.8)
    assert value[(LAUNCH, 100_000)] == pytest.approx(1.5)
    assert {verdict.target for verdict in found} == set(TARGETS)
    assert all(verdict.backend == "onesim" for verdict in found)


def paged_server(total, largest_page):
    """A collection of `total` members that caps pages at `largest_page`; its requests."""
    requests = []

    def get_page(parameters):
        requests.append(parameters)
        first = int(parameters["$first"])
        last = min(int(parameters.get("$last", total)), first + largest_page - 1, total)
        return {"count": total, "machines": [{"id": n} for n in range(first, last + 1)]}
    return get_page, requests


@pytest.mark.parametrize("total, pages", [(0, 1), (999, 1), (1000, 1), (1001, 2), (10_500, 11)])
def test_a_walk_pages_at_the_largest_page_the_server_gives(total, pages):
    get_page, requests = paged_server(total, 1000)
    members, fetched = walk_collection(get_page, "machines")
    assert [member["id"] for member in members] == list(range(1, total + 1))
    assert fetched == len(requests) == pages
    assert requests[0] == {"$first": "1"}
    assert all(int(r["$last"]) - int(r["$first"]) == 999 for r in requests[1:])


def test_a_walk_that_stops_short_of_the_count_fails():
    def get_page(parameters):
        return {"count": 10, "machines": [{"id": 1}] if parameters["$first"] == "1" else []}
    with pytest.raises(RuntimeError, match="no members from 2 while 10 are counted"):
        walk_collection(get_page, "machines")


def clocked_call(monkeypatch, seconds):
    """A call that takes `seconds` of a fake clock; the list of its calls."""
    clock = [0.0]
    monkeypatch.setattr(timing.time, "perf_counter", lambda: clock[0])
    calls = []

    def call():
        calls.append(clock[0])
        clock[0] += seconds
    return call, calls


def test_the_budget_cuts_repetitions_of_slow_calls_but_keeps_one(monkeypatch):
    call, calls = clocked_call(monkeypatch, 10.0)
    [result] = timing.time_in_turns([call], repeat=5, budget_seconds=45.0)
    # A first call and WARMUP_CALLS - 1 more (20 s), then timed rounds while the next one
    # would still end within 45 s.
    assert len(calls) == timing.WARMUP_CALLS + 2 and result.median == 10.0


def test_a_round_past_half_the_budget_is_timed_once(monkeypatch):
    call, calls = clocked_call(monkeypatch, 40.0)
    [result] = timing.time_in_turns([call], repeat=3, budget_seconds=60.0)
    assert len(calls) == 1 and result == Timing(40.0, 40.0, 40.0)


def test_quick_calls_get_every_repetition_within_the_budget():
    calls = []
    timing.time_in_turns([lambda: calls.append(1)], repeat=4, budget_seconds=60.0)
    assert len(calls) == timing.WARMUP_CALLS + 4


class FakeOnesim:
    demo_session = "demo:demo"

    def __init__(self):
        self.requests = []
        self.next_id = 0

    def seed_vms(self, owner_session, template, count, running):
        self.requests.append((owner_session, count, running))
        ids = list(range(self.next_id, self.next_id + count))
        self.next_id += count
        return ids


def test_the_emulator_seeder_adds_what_is_missing_one_in_a_hundred_running():
    onesim = FakeOnesim()
    seeder = EmulatorSeeder(onesim, {"CPU": 1, "MEMORY": 128})
    seeder.grow_to(1_000)
    seeder.grow_to(10_000)
    seeder.grow_to(10_000)
    assert onesim.requests == [("demo:demo", 1_000, 10), ("demo:demo", 9_000, 90)]
    assert seeder.machine_ids == list(range(10_000))
    assert seeder.running == running_share(10_000) == 100
    assert "<NAME>bench</NAME>" in seeder.template


def test_options_name_a_real_opennebula_by_arguments_or_environment(monkeypatch, tmp_path):
    auth = tmp_path / "one_auth"
    monkeypatch.delenv(run.REAL_XMLRPC_VARIABLE, raising=False)
    monkeypatch.delenv(run.REAL_AUTH_VARIABLE, raising=False)
    options = run.parse_options([])
    assert options.one_xmlrpc is None and options.sizes == run.DEFAULT_SIZES
    monkeypatch.setenv(run.REAL_XMLRPC_VARIABLE, "http://127.0.0.1:2744/RPC2")
    monkeypatch.setenv(run.REAL_AUTH_VARIABLE, str(auth))
    options = run.parse_options(["--real-only"])
    assert options.one_xmlrpc == "http://127.0.0.1:2744/RPC2" and options.one_auth == auth
    assert options.real_sizes == run.DEFAULT_REAL_SIZES


@pytest.mark.parametrize("arguments", [
    ["--real-only"],
    ["--one-xmlrpc", "http://127.0.0.1:2744/RPC2"],
    ["--real-sizes", "100"],
    ["--sizes", "1000,200"],
])
def test_options_that_cannot_work_are_refused(monkeypatch, arguments):
    monkeypatch.delenv(run.REAL_XMLRPC_VARIABLE, raising=False)
    monkeypatch.delenv(run.REAL_AUTH_VARIABLE, raising=False)
    with pytest.raises(SystemExit):
        run.parse_options(arguments)
