"""The progress indicator of `--wait`: a line of its own on stderr, after what stdout printed
before it, and nothing at all with -q or --json."""
import pytest

from cimi_client.machines import row
from cimi_client.output import JSON, QUIET, TEXT, Output


class BufferedStream:
    """A stream that reaches the shared file only when flushed, as a pipe's stdout does."""

    def __init__(self, file):
        self.file, self.pending = file, []

    def write(self, text):
        self.pending.append(text)

    def flush(self):
        self.file.extend(self.pending)
        self.pending.clear()


@pytest.fixture
def merged():
    """An Output whose stdout and stderr go to one file (2>&1), and that file's text."""
    file = []
    output = Output(TEXT, BufferedStream(file), BufferedStream(file))
    return output, lambda: "".join(file)


def test_a_progress_line_ends_with_a_newline_after_the_lines_before_it(merged):
    output, text = merged
    output.note(":: Machine 1 (vm ID: 7)")
    show = output.progress("machine 7")
    for state in ("CREATING", "CREATING", "STARTED"):
        show(state)
    output.end_progress()
    output.note(":: Done!")
    output.finish()
    assert text() == ":: Machine 1 (vm ID: 7)\n:: machine 7: CREATING. STARTED\n:: Done!\n"


def test_no_newline_without_progress(merged):
    output, text = merged
    output.progress("machine 7")
    output.end_progress()
    output.finish()
    assert text() == ""


@pytest.mark.parametrize("mode", [QUIET, JSON])
def test_quiet_and_json_show_no_progress(mode):
    file = []
    output = Output(mode, BufferedStream([]), BufferedStream(file))
    assert output.progress("machine 7") is None
    output.end_progress()
    output.stderr.flush()
    assert file == []


def test_cpu_percent_is_the_servers_cpu_usage_when_it_gives_one():
    machine = {"id": "http://cloud/cimi/machines/7", "state": "STARTED", "cpu": 2,
               "memory": 262144, "name": "web"}
    assert row({**machine, "cpuUsage": 37.5})[4] == "37.5"
    assert row({**machine, "cpuUsage": 0})[4] == "0"
    assert row(machine)[4] == "-"
