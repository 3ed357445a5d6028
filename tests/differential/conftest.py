"""Runs every scenario on onesim and on the real oned of the environment, once per session.

The real oned comes from `CIMI_TEST_ONE_XMLRPC` (its XML-RPC endpoint) and `CIMI_TEST_ONE_AUTH`
(a file holding oneadmin's `user:password`); without them the module is skipped. onesim runs
in process with the demo seed, slowed enough that a poll sees its transient states. All
scenarios run at once in threads, on both backends, so the whole comparison lasts about as
long as the longest scenario on oned.
"""
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from differential_backends import Backend, Context, real_oned
from differential_record import RunNames, ScenarioBroken
from differential_scenarios import SCENARIOS

ONESIM_SPEED = 2.0
# Set to a directory to keep every document read, per backend and scenario, for inspection.
DUMP_VARIABLE = "CIMI_DIFFERENTIAL_DUMP"


def run_scenario(backend, names, scenario):
    ctx = Context(backend, names)
    try:
        scenario(ctx)
    except ScenarioBroken as error:
        ctx.recorder.aborted = str(error)
    except Exception as error:  # an unexpected failure is reported as a difference, not lost
        ctx.recorder.aborted = f"{type(error).__name__}: {error}"
    finally:
        ctx.clean_up()
    return ctx.recorder


@pytest.fixture(scope="session")
def recordings():
    """{scenario name: (onesim recorder, oned recorder)}."""
    oned = real_oned()
    from onesim.testing import running_onesim

    with running_onesim(seed="demo", speed=ONESIM_SPEED, in_process=True) as sim:
        onesim = Backend("onesim", sim.endpoint, sim.admin_session)
        names = RunNames(f"dfx{secrets.token_hex(3)}")
        with ThreadPoolExecutor(max_workers=2 * len(SCENARIOS)) as pool:
            futures = {name: (pool.submit(run_scenario, onesim, names, scenario),
                              pool.submit(run_scenario, oned, names, scenario))
                       for name, scenario in SCENARIOS.items()}
            recorded = {name: (mine.result(), theirs.result()) for name, (mine, theirs) in futures.items()}
    if os.environ.get(DUMP_VARIABLE):
        dump(Path(os.environ[DUMP_VARIABLE]), recorded)
    return recorded


def dump(directory, recorded):
    for scenario, recorders in recorded.items():
        for backend, recorder in zip(("onesim", "oned"), recorders):
            folder = directory / backend / scenario
            folder.mkdir(parents=True, exist_ok=True)
            for number, (step, document) in enumerate(recorder.documents.items()):
                file_name = f"{number:03d}-" + "".join(char if char.isalnum() else "_" for char in step)
                (folder / f"{file_name}.xml").write_text(document)
