"""`python -m bench --quick` runs to the end and reports every target.

Only the shape of the report is checked, never a figure: timings belong to the benchmark,
not to the test suite.
"""
import subprocess
import sys
from pathlib import Path

from bench.report import MACHINE_RATE, LAUNCH, PAGE_SCALING, TARGETS
from bench.run import QUICK_SIZES

PROJECT = Path(__file__).resolve().parents[2]
RUN_SECONDS = 300


def test_quick_run_prints_every_ratio_and_exits_cleanly():
    result = subprocess.run([sys.executable, "-m", "bench", "--quick"], cwd=PROJECT,
                            capture_output=True, text=True, timeout=RUN_SECONDS)
    assert result.returncode == 0, result.stderr[-3000:]
    verdict_lines = [line for line in result.stdout.splitlines()
                     if line.endswith((" PASS", " FAIL"))]
    for target in TARGETS:
        lines = [line for line in verdict_lines
                 if line.startswith(target.kind + " ") and target.label in line]
        if target is PAGE_SCALING:
            # Each size compared with the smallest one.
            sizes = QUICK_SIZES[1:]
        elif target in (MACHINE_RATE, LAUNCH):
            # Measured once, at the largest size.
            sizes = QUICK_SIZES[-1:]
        else:
            sizes = QUICK_SIZES
        assert len(lines) == len(sizes), (target.label, result.stdout)
        assert all(" onesim @" in line for line in lines)
    assert "targets met" in result.stdout
    assert "cimi run-instance ttylinux --count" in result.stdout
