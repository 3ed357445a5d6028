"""Whether this checkout answers byte for byte what another one answers, on the same pool:
`python -m bench.sameness --baseline DIR` (DIR: a copy of the other checkout's files, e.g.
`git archive main | tar -x -C DIR`).

A speed-up of the listing path must not change a document. This check starts an emulator,
fills it with machines of many shapes (names, descriptions and properties with characters
XML and JSON escape, network interfaces, snapshots, running, stopped, suspended, failed and
terminated machines, machines made outside CIMI) plus a bulk of copies so that collections
take several pages, then asks both checkouts' applications (in processes of their own, each
importing its own `app`) the same requests in JSON and XML: every collection of the Cloud
Entry Point and its members, and the machine collection under `$first`/`$last`, `$filter`,
`$orderby`, `$select` and `$expand`. Status, Content-Type, ETag and body must be equal.
"""
import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("application/json", "application/xml")
BULK_COPIES = 2400
SETTLE_SECONDS = 120
# Machine states that no timer changes: (STATE, LCM_STATE) of HOLD, RUNNING, POWEROFF,
# SUSPENDED, DONE and the boot failure.
SETTLED = {(2, 0), (3, 3), (8, 0), (5, 0), (6, 0), (3, 36)}
MACHINE_QUERIES = (
    {},
    {"$first": "1"},
    {"$first": "1001", "$last": "2000"},
    {"$first": "5", "$last": "5"},
    {"$first": "101", "$last": "150"},
    {"$first": "3000"},
    {"$last": "3"},
    {"$filter": "state='STARTED'"},
    {"$filter": "state='STOPPED'", "$first": "2", "$last": "40"},
    {"$filter": "state='ERROR'"},
    {"$filter": "state='SUSPENDED' or state='STARTED'"},
    {"$filter": "name='odd (name) [x] ~! 5'"},
    {"$filter": "property['purpose']='benchmark'", "$first": "1", "$last": "20"},
    {"$filter": "property['purpose']='benchmark'", "$orderby": "name:desc", "$last": "2"},
    {"$filter": "cpu>=2 and memory<1048576"},
    {"$filter": "description='Benchmark machine'", "$last": "7"},
    {"$orderby": "name"},
    {"$orderby": "created:desc,name", "$first": "10", "$last": "30"},
    {"$orderby": "state,name:desc", "$filter": "cpu>=1", "$last": "50"},
    {"$select": "name,state"},
    {"$select": "operations,description", "$first": "1", "$last": "40"},
    {"$select": "*", "$last": "10"},
    {"$expand": "*", "$first": "1", "$last": "60"},
    {"$expand": "machineImage,eventLog", "$first": "1", "$last": "30"},
    {"$expand": "*", "$select": "name,machineConfig", "$last": "25"},
    {"$expand": "*", "$filter": "state='STARTED'"},
    {"$expand": "disks,volumes,networkInterfaces", "$last": "5"},
    {"$filter": "state='STARTED'", "$orderby": "name", "$select": "name,ipAddresses",
     "$expand": "eventLog"},
)
OTHER_QUERIES = ({}, {"$expand": "*"}, {"$select": "name", "$last": "2"})
MEMBER_QUERIES = ({}, {"$expand": "*"})


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.sameness", description=__doc__)
    parser.add_argument("--baseline", required=True, type=Path,
                        help="the other checkout's files (its `app` is imported from there)")
    parser.add_argument("--keep", type=Path, help="write both answer files into this folder")
    options = parser.parse_args(argv)
    from bench.seeding import install_instance_types
    from onesim.seed import ONE_AUTH_FILE
    from onesim.testing import running_onesim
    with tempfile.TemporaryDirectory(prefix="cimi-sameness-") as data_dir, \
            running_onesim(data_dir=data_dir, seed="demo", in_process=False) as one:
        install_instance_types(one.endpoint, Path(data_dir) / ONE_AUTH_FILE)
        started = time.perf_counter()
        _seed(one)
        print(f"pool seeded and settled in {time.perf_counter() - started:.1f} s", flush=True)
        output = options.keep or Path(data_dir)
        output.mkdir(parents=True, exist_ok=True)
        answers = {}
        for name, tree in (("baseline", options.baseline.resolve()), ("this", REPO_ROOT)):
            path = output / f"{name}.jsonl"
            started = time.perf_counter()
            _dump(tree, one.endpoint, one.demo_session, path)
            answers[name] = path.read_text().splitlines()
            print(f"{name}: {len(answers[name])} answers from {tree} in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)
        return _compare(answers["baseline"], answers["this"])


def _seed(one):
    """Machines of many shapes as demo, a bulk of copies, then wait until none changes."""
    import pyone

    from app.one.metadata import encode_metadata
    from app.one.templates import build_template
    from bench.seeding import machine_attributes, machine_template

    demo = pyone.OneServer(one.endpoint, one.demo_session)
    usual = machine_attributes(demo)
    one.seed_vms(one.demo_session, machine_template(usual), BULK_COPIES)
    shapes = [
        ("odd (name) [x] ~!", encode_metadata("desc <&>\"' ]]> \t tab\nline\r\nCRLF", {
            "k<&>": "v\"'", "ünï": "çødé ✓", "empty": "", "ctl": "a\x01b\x7f"})),
        ("Zoë ~ (test) € ✓", encode_metadata("%cimi% looks encoded", {})),
        ("plain", {}),
        ("spaces  inside", encode_metadata("", {"a": "1", "b": "2", "c": "3"})),
        ("percent%name", encode_metadata("\ufffd \u2028 \U0001F600 outside the BMP", None)),
    ]
    ids = []
    for index, (name, metadata) in enumerate(shapes * 3):
        attributes = {**usual, **metadata, "NAME": f"{name} {index}"}
        if index % 3 == 1:
            attributes["NIC"] = [{"NETWORK_ID": 0}]
        if index % 4 == 2:
            attributes = {key: value for key, value in attributes.items()
                          if not key.startswith("CIMI_MACHINE")}
        if index % 5 == 3:
            attributes["CPU"], attributes["VCPU"], attributes["MEMORY"] = 2, 2, 512
        ids.append(demo.vm.allocate(build_template(attributes), True))
    for vm_id in ids[:4]:
        demo.vm.action("release", vm_id)
    _settle(demo, ids)
    demo.vm.snapshotcreate(ids[0], "first <snap>")
    demo.vm.disksnapshotcreate(ids[1], 0, "disk snap")
    for action, vm_id in (("poweroff-hard", ids[2]), ("suspend", ids[3]),
                          ("terminate-hard", ids[4])):
        demo.vm.action(action, vm_id)
    one.fail_boots(2)
    demo.vm.action("release", ids[10])
    demo.vm.action("release", ids[11])
    _settle(demo, ids)


def _settle(demo, ids):
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        states = {(vm.STATE, vm.LCM_STATE) for vm in (demo.vm.info(vm_id) for vm_id in ids)}
        if states <= SETTLED:
            return
        time.sleep(0.2)
    raise RuntimeError(f"machines did not settle: {sorted(states - SETTLED)}")


def _dump(tree, endpoint, session, path):
    """Run this file's `dump` with `tree`'s application in a process of its own."""
    environment = {**os.environ, "PYTHONPATH": str(tree), "CIMI_SAMENESS_SESSION": session}
    subprocess.run([sys.executable, __file__, "dump", endpoint, str(path)], cwd=tree,
                   env=environment, check=True, stdin=subprocess.DEVNULL)


def dump(endpoint, path):
    """Every request's answer, one JSON line each: request, status, headers, body."""
    here = Path(__file__).resolve().parent
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != here]
    from app import create_app
    client = create_app({"ONE_XMLRPC": endpoint}).test_client()
    credentials = base64.b64encode(os.environ["CIMI_SAMENESS_SESSION"].encode()).decode()
    with open(path, "w") as out:
        def get(url, query=None, media_type=FORMATS[0]):
            response = client.get(url, query_string=query, headers={
                "Authorization": "Basic " + credentials, "Accept": media_type,
                # Error bodies name the request: the same on both sides.
                "X-Request-ID": "sameness"})
            out.write(json.dumps({
                "request": [url, query, media_type], "status": response.status_code,
                "type": response.content_type, "etag": response.headers.get("ETag"),
                "body": base64.b64encode(response.data).decode()}) + "\n")
            return response
        entry = get("/cimi/").get_json()
        collections = [value["href"] for value in entry.values()
                       if isinstance(value, dict) and "href" in value]
        for media_type in FORMATS:
            for query in MACHINE_QUERIES:
                get("/cimi/machines", query, media_type)
            for href in collections:
                for query in OTHER_QUERIES:
                    get(href, query, media_type)
            for href in collections:
                members = (get(href, {"$last": "40"}).get_json() or {})
                for key, listed in members.items():
                    if not isinstance(listed, list) or key == "operations":
                        continue
                    for member in listed:
                        for query in MEMBER_QUERIES:
                            get(member["id"], query, media_type)
                        if href.endswith("/machines"):
                            for part in ("disks", "volumes", "networkInterfaces"):
                                get(member["id"] + "/" + part, {}, media_type)


def _compare(baseline, this):
    if len(baseline) != len(this):
        print(f"DIFFERENT: {len(baseline)} answers against {len(this)}")
        return 1
    differences = [(old, new) for old, new in zip(baseline, this) if old != new]
    for old, new in differences[:5]:
        old, new = json.loads(old), json.loads(new)
        print("DIFFERENT:", old["request"])
        for key in ("status", "type", "etag"):
            if old[key] != new[key]:
                print(f"  {key}: {old[key]!r} -> {new[key]!r}")
        old_body, new_body = base64.b64decode(old["body"]), base64.b64decode(new["body"])
        at = next((i for i, (a, b) in enumerate(zip(old_body, new_body)) if a != b),
                  min(len(old_body), len(new_body)))
        print(f"  body from byte {at}: {old_body[at - 60:at + 120]!r}\n"
              f"               -> {new_body[at - 60:at + 120]!r}")
    print(f"{len(this) - len(differences)} of {len(this)} answers equal"
          + (f", {len(differences)} different" if differences else ""))
    return 1 if differences else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["dump"]:
        dump(*sys.argv[2:4])
    else:
        sys.exit(main())
