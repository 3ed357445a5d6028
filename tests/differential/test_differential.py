"""onesim answers every scenario exactly like a real oned 7.0.2, but for the listed differences.

See differential_scenarios (what is done), differential_compare (what is compared) and
differential_known (the deliberate differences, each with its reason).
"""
import re

import pytest

from differential_backends import AUTH_VARIABLE, ENDPOINT_VARIABLE, real_oned_configured
from differential_compare import differences
from differential_known import KNOWN_DIFFERENCES
from differential_scenarios import SCENARIOS

pytestmark = pytest.mark.skipif(not real_oned_configured(),
                                reason=f"{ENDPOINT_VARIABLE} and {AUTH_VARIABLE} are not set: no real oned to compare onesim with")


def matches(pattern, text):
    """`*` matches anything; every other character, brackets included, only itself."""
    return re.fullmatch(".*".join(map(re.escape, pattern.split("*"))), text, re.DOTALL) is not None


def is_known(difference, known):
    return (matches(known.scenario, difference.scenario) and matches(known.step, difference.step)
            and matches(known.kind, difference.kind) and matches(known.detail, difference.detail))


def unlisted(found):
    return [difference for difference in found if not any(is_known(difference, known) for known in KNOWN_DIFFERENCES)]


def report(found):
    return "\n".join(f"{d.scenario} | {d.step} | {d.kind} | {d.detail}" for d in found)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_onesim_behaves_like_oned(recordings, scenario):
    found = unlisted(differences(scenario, *recordings[scenario]))
    assert not found, f"{len(found)} differences not listed in differential_known:\n{report(found)}"


def test_every_listed_difference_still_occurs(recordings):
    found = [difference for name in SCENARIOS for difference in differences(name, *recordings[name])]
    stale = [known for known in KNOWN_DIFFERENCES
             if not known.timing and not any(is_known(difference, known) for difference in found)]
    assert not stale, f"entries of differential_known that match no difference any more: {stale}"


def test_the_comparison_sees_a_changed_document():
    from differential_record import Recorder, RunNames

    names = RunNames("dfxself")
    onesim, oned = Recorder(names), Recorder(names)
    onesim.record("shape", "info", ["/VM", "/VM/ID", "/VM/NAME"])
    oned.record("shape", "info", ["/VM", "/VM/NAME", "/VM/ID", "/VM/STATE"])
    onesim.record("states", "a walk", ["PENDING", "RUNNING"])
    oned.record("states", "a walk", ["PENDING", "HOLD", "RUNNING"])
    found = {(d.step, d.kind, d.detail) for d in differences("self", onesim, oned)}
    assert ("info", "missing in onesim", "/VM/STATE") in found
    assert ("info", "moved in onesim", "/VM/ID") in found or ("info", "moved in onesim", "/VM/NAME") in found
    assert any(kind == "states" for _, kind, _ in found)
