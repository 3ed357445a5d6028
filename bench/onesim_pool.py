"""How long onesim takes to answer one.vmpool.info and one.vmpool.infoextended with 1,000
and 10,000 VMs, over XML-RPC on loopback (median of a few calls, encoding and transport
included), next to the time spent in the emulator itself.

Run from the project root: .venv/bin/python -m bench.onesim_pool
"""
import statistics
import time
import xmlrpc.client

from onesim.testing import running_onesim

SIZES = (1_000, 10_000)
CALLS = 5
VM_TEMPLATE = ('NAME="bench"\nCPU="0.1"\nVCPU="1"\nMEMORY="64"\nLABELS="bench"\nCIMI_DESCRIPTION="x"\n'
               'GRAPHICS=[TYPE="VNC",LISTEN="127.0.0.1"]\nCONTEXT=[NETWORK="YES"]\n')
METHODS = ("one.vmpool.info", "one.vmpool.infoextended")


def median_seconds(call):
    timings = []
    for _ in range(CALLS):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def grow(one, session, count):
    emulator = one.emulator
    while len(emulator.pool("vm")) < count:
        envelope = emulator.call("one.vm.allocate", session, VM_TEMPLATE, True)
        assert envelope[0], envelope


def main():
    with running_onesim(seed="none") as one:
        session = one.admin_session
        proxy = xmlrpc.client.ServerProxy(one.endpoint)
        print(f"{'VMs':>7} {'method':<26} {'XML-RPC (ms)':>13} {'in emulator (ms)':>17} {'body (KB)':>10}")
        for size in SIZES:
            grow(one, session, size)
            for method in METHODS:
                remote = getattr(proxy, method)
                body = remote(session, -2, -1, -1, -1)[1]
                over_rpc = median_seconds(lambda: remote(session, -2, -1, -1, -1))
                inside = median_seconds(lambda: one.emulator.call(method, session, -2, -1, -1, -1))
                print(f"{size:>7} {method:<26} {over_rpc * 1000:>13.1f} {inside * 1000:>17.1f} "
                      f"{len(body) / 1024:>10.0f}")


if __name__ == "__main__":
    main()
