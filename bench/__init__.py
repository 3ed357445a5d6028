"""Benchmarks of cimi-one against the raw backend: `python -m bench` (or `make bench`).

One run starts the OpenNebula emulator and the real server under gunicorn as processes on
127.0.0.1, seeds the demo user's machines over XML-RPC, and measures, side by side from the
same client, the server's answers and the plain pyone calls that fetch the same data. It prints
absolute times, then each ratio next to its target with PASS or MISS. The exit status says
whether the run completed, never whether a target was met: these are measurements, not tests.

Options: `--sizes 1000,10000`, `--repeat 5`, `--quick` (small sizes for a smoke run),
`--time-limit` (seconds for the whole run). `python -m bench.profiling` shows where the server
spends the time of one of these requests; `bench/onesim_pool.py` times the emulator alone.
"""
