"""Differences between what a scenario observed on onesim and on oned.

A `Difference` is (scenario, step, kind, detail):
- kind "missing in onesim" / "extra in onesim" / "moved in onesim": an element path (detail)
  oned's document has and onesim's lacks, the reverse, or one both have at other positions;
- "result" / "value": a call's normalized envelope or a recorded value differs (detail shows both);
- "states": the distinct states a walk went through differ, after dropping the states
  `MISSABLE_STATES` allows a poll to miss;
- "step only on oned" / "step only on onesim": one backend never got to that step. A step
  "<step>: <detail>" that follows from a call "<step>" whose result differs is not counted
  again, nor is a "seen in ..." read of a state only one backend's poll saw;
- "aborted": a scenario could not go on (detail says where).
"""
import difflib
from collections import namedtuple

from differential_known import MISSABLE_STATES

Difference = namedtuple("Difference", "scenario step kind detail")
MISSING = object()


def differences(scenario, onesim, oned):
    found = []
    if onesim.aborted != oned.aborted:
        found.append(Difference(scenario, "-", "aborted", f"onesim: {onesim.aborted} / oned: {oned.aborted}"))
    keys = list(oned.observations) + [key for key in onesim.observations if key not in oned.observations]
    differing_results = {step for kind, step in keys if kind == "result"
                         and onesim.observations.get((kind, step)) != oned.observations.get((kind, step))}
    for kind, step in keys:
        mine = onesim.observations.get((kind, step), MISSING)
        theirs = oned.observations.get((kind, step), MISSING)
        if mine is MISSING or theirs is MISSING:
            if not step.startswith("seen in ") and step.split(": ")[0] not in differing_results:
                found.append(Difference(scenario, step, "step only on " + ("oned" if mine is MISSING else "onesim"),
                                        kind))
        elif kind == "shape":
            found.extend(Difference(scenario, step, change, path) for change, path in path_changes(mine, theirs))
        elif kind == "states":
            mine, theirs = (visible_states(step, states) for states in (mine, theirs))
            if mine != theirs:
                found.append(Difference(scenario, step, "states", f"onesim {mine} / oned {theirs}"))
        elif mine != theirs:
            found.append(Difference(scenario, step, kind, f"onesim {mine!r} / oned {theirs!r}"))
    return found


def visible_states(walk, states):
    return [state for state in states if (walk, state) not in MISSABLE_STATES]


def path_changes(onesim_paths, oned_paths):
    """(change, path) for every path that differs, each path once per change."""
    missing, extra = [], []
    matcher = difflib.SequenceMatcher(None, oned_paths, onesim_paths, autojunk=False)
    for tag, oned_start, oned_end, onesim_start, onesim_end in matcher.get_opcodes():
        if tag in ("delete", "replace"):
            missing.extend(oned_paths[oned_start:oned_end])
        if tag in ("insert", "replace"):
            extra.extend(onesim_paths[onesim_start:onesim_end])
    moved = set(missing) & set(extra)
    changes = [("moved in onesim", path) for path in dict.fromkeys(missing) if path in moved]
    changes += [("missing in onesim", path) for path in dict.fromkeys(missing) if path not in moved]
    changes += [("extra in onesim", path) for path in dict.fromkeys(extra) if path not in moved]
    return changes
