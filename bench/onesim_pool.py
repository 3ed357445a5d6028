"""How long onesim takes to answer one.vmpool.info and one.vmpool.infoextended with 1,000
and 10,000 VMs: inside the emulator, as an HTTP answer on loopback (encoding and transport
included) and through a plain XML-RPC client that also parses the answer. Medians of a
few calls.

Run from the project root: .venv/bin/python -m bench.onesim_pool
"""
import statistics
import time
import urllib.request
import xmlrpc.client

from onesim.testing import running_onesim

SIZES = (1_000, 10_000)
CALLS = 5
VM_TEMPLATE = ('NAME="bench"\nCPU="0.1"\nVCPU="1"\nMEMORY="64"\nLABELS="bench"\nCIMI_DESCRIPTION="x"\n'
               'GRAPHICS=[TYPE="VNC",LISTEN="127.0.0.1"]\nCONTEXT=[NETWORK="YES"]\n')
METHODS = ("one.vmpool.info", "one.vmpool.infoextended")
POOL_ARGUMENTS = (-2, -1, -1, -1)


def median_ms(call):
    timings = []
    for _ in range(CALLS):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def grow(emulator, session, count):
    while len(emulator.pool("vm")) < count:
        envelope = emulator.call("one.vm.allocate", session, VM_TEMPLATE, True)
        assert envelope[0], envelope


def http_answer(endpoint, body):
    request = urllib.request.Request(endpoint, data=body, headers={"Content-Type": "text/xml"})
    with urllib.request.urlopen(request) as response:
        return response.read()


def main():
    with running_onesim(seed="none") as one:
        session = one.admin_session
        proxy = xmlrpc.client.ServerProxy(one.endpoint)
        print(f"{'VMs':>7} {'method':<24} {'emulator ms':>12} {'HTTP answer ms':>15} "
              f"{'XML-RPC client ms':>18} {'body KB':>8}")
        for size in SIZES:
            grow(one.emulator, session, size)
            for method in METHODS:
                request = xmlrpc.client.dumps((session, *POOL_ARGUMENTS), method).encode()
                inside = median_ms(lambda: one.emulator.call(method, session, *POOL_ARGUMENTS))
                answer = median_ms(lambda: http_answer(one.endpoint, request))
                client = median_ms(lambda: getattr(proxy, method)(session, *POOL_ARGUMENTS))
                body = len(http_answer(one.endpoint, request)) / 1024
                print(f"{size:>7} {method:<24} {inside:>12.1f} {answer:>15.1f} {client:>18.1f} {body:>8.0f}")


if __name__ == "__main__":
    main()
