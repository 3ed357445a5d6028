"""Many machines at once (`cimi run-instance --count N`): created side by side, waited for
under one deadline.

The MachineCreates go to the server over at most CONNECTIONS connections at a time, so N
machines take about what the server needs to make N, not N round trips one after the
other. Each machine is shown once it and every machine asked for before it are answered, so
the output keeps the order of the request. The first failure stops the requests not sent
yet (those under way still finish): every machine made is reported all the same, and each
failure once, with how many machines it left out, so the user knows what exists.
"""
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from cimi_client.client import CimiError, ServiceError
from cimi_client.commands import describe_error

# Requests under way at once: enough to keep a server's OpenNebula busy, few enough to
# leave its other clients room (the server turns away what exceeds its own slots).
CONNECTIONS = 8
# Server answers after which nothing was made: refusals, and "busy" before it did anything.
NOTHING_MADE = range(400, 500), (503,)


@dataclass
class Launch:
    """The outcome of one MachineCreate: the machine made, or the error; neither when it
    was never sent (an earlier one had failed)."""
    number: int
    machine: dict | None = None
    error: CimiError | None = None


def launch_all(bodies, create, shown):
    """`create(body)` (the new machine's document) for every body, CONNECTIONS at a time;
    `shown(launch)` for each Launch in the order of `bodies`, as soon as it and those before
    it have ended. On Ctrl-C, what is under way still ends and is shown before it raises."""
    stop = threading.Event()

    def launch(number, body):
        if stop.is_set():
            return Launch(number)
        try:
            return Launch(number, machine=create(body))
        except CimiError as error:
            stop.set()
            return Launch(number, error=error)

    launches = []
    with ThreadPoolExecutor(max_workers=min(CONNECTIONS, len(bodies))) as pool:
        futures = [pool.submit(launch, number, body) for number, body in enumerate(bodies, 1)]
        try:
            for future in futures:
                launches.append(future.result())
                shown(launches[-1])
        except KeyboardInterrupt:
            stop.set()
            for future in futures[len(launches):]:
                if not future.cancel():
                    shown(future.result())
            raise
    return launches


def failure_lines(launches):
    """One line per distinct failure: what went wrong and how many machines it left out
    (those never sent count with the first failure, which stopped them)."""
    by_message = {}
    for launch in launches:
        if launch.error is not None:
            by_message.setdefault(describe_error(launch.error), []).append(launch.error)
    if len(launches) == 1:
        return list(by_message)
    never_sent = sum(1 for launch in launches if launch.machine is None and launch.error is None)
    return [f"{message} ({len(errors) + (never_sent if index == 0 else 0)} of "
            f"{len(launches)} machines {_fate(errors[0])})"
            for index, (message, errors) in enumerate(by_message.items())]


def _fate(error):
    if isinstance(error, ServiceError) and any(error.status in statuses
                                               for statuses in NOTHING_MADE):
        return "not created"
    return "not confirmed: `cimi describe-instance` shows whether they exist"
