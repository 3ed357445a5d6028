"""Machine commands: the StratusLab guide's VM life-cycle (chapters 3 and 6) over CIMI."""
import base64
import json
import os
import shutil
import time
from pathlib import Path

from cimi_client import cloud_init
from cimi_client.client import ACTION, CIMI, CPU_USAGE, GONE, STATUS_MESSAGE, CimiError, short_id, why
from cimi_client.commands import NOT_NEGATIVE, POSITIVE, Arg, Command, created_href, find, pick
from cimi_client.launching import failure_lines, launch_all

KIB_PER_MIB = 1024
KIB_PER_GIB = 1024 * 1024
SAVE_PROPERTY = "saveOnShutdown"
STARTED = "STARTED"
BROKEN = {"ERROR", "FAILED"}
BANNER = "::::::::::::::::::::::::::\n:: Starting machine(s) ::\n::::::::::::::::::::::::::"
TABLE_HEADERS = ("id", "state", "vcpu", "memory", "cpu%", "host/ip", "name")
SSH_USER = "root"
DEFAULT_KEY_FILE = Path("~/.ssh/id_rsa.pub")


# --- run-instance -----------------------------------------------------------------------------

def run_instance(invocation):
    arguments, client, output = invocation.arguments, invocation.client, invocation.output
    if arguments.list_type:
        return list_types(invocation)
    if not arguments.image:
        raise CimiError("Give the IMAGE to run (an id or a name; see `cimi describe-images`).")
    image = find(client, "machineImages", arguments.image, "machine image", by_name=True)
    instance_type = find(client, "machineConfigs", invocation.settings["instance_type"],
                         "instance type", by_name=True)
    template = {
        "machineConfig": machine_config(instance_type, arguments),
        "machineImage": {"href": image["id"]},
    }
    template.update(launch_extras(invocation))
    output.note(BANNER)
    output.note(f":: Starting {arguments.count} machine{'s' if arguments.count > 1 else ''}")
    launched = []

    def shown(launch):
        if launch.machine is not None:
            launched.append(launch.machine)
            output.note(f":: Machine {launch.number} (vm ID: {short_id(launch.machine['id'])})")
            output.note(f"    Public ip: {address(launch.machine)}")

    try:
        launches = launch_all(
            [create_body(arguments, template, number) for number in range(1, arguments.count + 1)],
            lambda body: created_machine(client, client.create("machines", body),
                                         invocation.timeout),
            shown)
        failures = failure_lines(launches)
        for line in failures:
            output.error(line)
        invocation.failures += len(failures)
        if arguments.wait and not failures:
            launched[:] = all_started(invocation, launched)
    finally:
        # Even when some machines failed, the ones that exist are reported, so they can be
        # found and killed.
        for machine in launched:
            output.record(machine, f"{short_id(machine['id'])}, {address(machine)}")
    if not invocation.failures:
        output.note(":: Done!")


def create_body(arguments, template, number):
    body = {"resourceURI": CIMI + "MachineCreate", "machineTemplate": template}
    if arguments.name:
        body["name"] = arguments.name if arguments.count == 1 else f"{arguments.name}-{number}"
    if arguments.save:
        body["properties"] = {SAVE_PROPERTY: "true"}
    return body


def created_machine(client, answer, timeout):
    """The new machine: from the body when the server sends it, else read at `Location`
    once its Job (if any) has ended."""
    if answer.job:
        client.wait_for_job(answer.job, timeout)
    if answer.document and answer.document.get("id"):
        return answer.document
    if not answer.location:
        raise CimiError("The server accepted the machine but did not say where it is "
                        "(no Location).")
    return client.get(answer.location)


def all_started(invocation, machines):
    """Each machine once STARTED, in turn, under one deadline for them all (they boot side
    by side); a machine that fails or is still not STARTED at the deadline is reported, and
    the others are still waited for. The machines as last read."""
    deadline = time.monotonic() + invocation.timeout
    current = list(machines)

    def wait(index):
        current[index] = wait_until_started(invocation, machines[index], deadline)

    invocation.each(range(len(machines)), wait)
    return current


def wait_until_started(invocation, machine, deadline):
    output = invocation.output
    label = f"machine {short_id(machine['id'])}"
    current = invocation.client.wait_for_state(machine["id"], {STARTED} | BROKEN,
                                               invocation.timeout, output.progress(label),
                                               deadline)
    output.end_progress()
    if current["state"] != STARTED:
        raise CimiError(f"Machine {short_id(machine['id'])} is {current['state']}, not "
                        f"{STARTED}{why(current)}")
    return current


def machine_config(instance_type, arguments):
    """The instance type by reference, with --cpu, --ram, --swap and --volatile-disk
    overriding or adding to its values."""
    choice = {"href": instance_type["id"]}
    if arguments.cpu:
        choice["cpu"] = arguments.cpu
    if arguments.ram:
        choice["memory"] = arguments.ram * KIB_PER_MIB
    if arguments.swap is not None or arguments.volatile_disk:
        disks = list(instance_type.get("disks", ()))
        if arguments.swap is not None:
            disks = [disk for disk in disks if disk.get("format") != "swap"]
            if arguments.swap:
                disks.append({"capacity": arguments.swap * KIB_PER_MIB, "format": "swap"})
        disks += [{"capacity": size * KIB_PER_GIB, "format": "raw"}
                  for size in arguments.volatile_disk]
        choice["disks"] = disks
    return choice


def launch_extras(invocation):
    """Volumes, SSH key and cloud-init user data of a MachineCreate's template."""
    arguments, client = invocation.arguments, invocation.client
    extras = {}
    volumes = launch_volumes(client, arguments)
    if volumes:
        extras["volumes"] = volumes
    context = launch_context(arguments)
    keys = launch_keys(invocation, context)
    if keys:
        extras["credential"] = credential_for(client, keys, invocation.timeout)
    if context.user_data is not None:
        extras["userData"] = base64.b64encode(context.user_data).decode("ascii")
    return extras


def launch_volumes(client, arguments):
    if not (arguments.persistent_disk or arguments.readonly_disk):
        return []
    volumes = client.members("volumes")
    attached = [{"volume": {"href": pick(volumes, identifier, "volume")["id"]}}
                for identifier in arguments.persistent_disk]
    attached += [{"volume": {"href": pick(volumes, identifier, "volume")["id"]},
                  "readOnly": True} for identifier in arguments.readonly_disk]
    return attached


def launch_context(arguments):
    pairs = cloud_init.parse_option(arguments.cloud_init) if arguments.cloud_init else []
    built = cloud_init.build(pairs)
    if arguments.context_file:
        from_file = cloud_init.read_file(arguments.context_file)
        built = cloud_init.Context(built.keys + from_file.keys,
                                   built.user_data if built.user_data is not None
                                   else from_file.user_data)
    return built


def launch_keys(invocation, context):
    """The keys of the cloud-init context plus --key (or the configured key file): an explicit
    key file must exist; the default one is used only when present."""
    key_file = invocation.settings["user_public_key_file"]
    if key_file:
        return context.with_keys([cloud_init.read_key(key_file)]).keys
    if DEFAULT_KEY_FILE.expanduser().exists():
        return context.with_keys([cloud_init.read_key(DEFAULT_KEY_FILE)]).keys
    return context.keys


def credential_for(client, keys, timeout):
    """A Credential holding the public key(s): an existing one of the user's with the same
    key, else a new one."""
    public_key = "\n".join(keys)
    for credential in client.members("credentials"):
        if credential.get("publicKey") == public_key:
            return {"href": credential["id"]}
    body = {"resourceURI": CIMI + "CredentialCreate", "name": "cimi-ssh-key",
            "credentialTemplate": {"publicKey": public_key}}
    answer = client.create("credentials", body)
    if answer.job:
        client.wait_for_job(answer.job, timeout)
    return {"href": created_href(
        answer, "The server created the credential but did not say where it is.")}


def list_types(invocation):
    configurations = sorted(invocation.client.members("machineConfigs"),
                            key=lambda configuration: configuration.get("name", ""))
    default = invocation.settings["instance_type"]
    rows = [(("* " if configuration.get("name") == default else "  ")
             + configuration.get("name", ""),
             f"{configuration.get('cpu', '?')} CPU",
             f"{configuration.get('memory', 0) // KIB_PER_MIB} MB",
             f"{swap_kib(configuration) // KIB_PER_MIB} MB")
            for configuration in configurations]
    invocation.output.table(("  Type", "CPU", "RAM", "SWAP"), rows, configurations,
                            [configuration.get("name", "") for configuration in configurations])


def swap_kib(configuration):
    return sum(disk.get("capacity", 0) for disk in configuration.get("disks", ())
               if disk.get("format") == "swap")


# --- describe-instance ------------------------------------------------------------------------

def describe_instance(invocation):
    client, arguments = invocation.client, invocation.arguments
    machines = [with_usage(client, machine)
                for machine in invocation.chosen(client.members("machines"), "machine")]
    rows = [row(machine) for machine in machines]
    details = [reason_lines(machine) + (detail_lines(client, machine, arguments.verbose)
                                        if arguments.verbose else [])
               for machine in machines]
    invocation.output.table(TABLE_HEADERS, rows, machines,
                            [short_id(machine["id"]) for machine in machines], details)


def with_usage(client, machine):
    """A running machine read alone: a server that knows its CPU use (this server's
    `cpuUsage` extension) gives it there, not in listings."""
    return client.get(machine["id"]) if machine.get("state") == "STARTED" else machine


def row(machine):
    """The guide's columns; cpu% is the machine's `cpuUsage` where the server gives it."""
    usage = machine.get(CPU_USAGE)
    return (short_id(machine["id"]), machine.get("state", "?"), machine.get("cpu", "?"),
            machine.get("memory", "?"),
            f"{usage:g}" if isinstance(usage, (int, float)) else "-",
            address(machine), machine.get("name", ""))


def reason_lines(machine):
    """Why a machine is waiting or has failed, under its row whatever the verbosity."""
    return [f"why: {machine[STATUS_MESSAGE]}"] if machine.get(STATUS_MESSAGE) else []


def detail_lines(client, machine, verbosity):
    """-v: the machine's own attributes; -vv: also its disks, volumes and interfaces."""
    lines = []
    for key in ("description", "created", "updated", "host"):
        if machine.get(key):
            lines.append(f"{key}: {machine[key]}")
    for key in ("machineImage", "machineConfig"):
        if machine.get(key, {}).get("href"):
            lines.append(f"{key}: {short_id(machine[key]['href'])}")
    if machine.get("ipAddresses"):
        lines.append("ip addresses: " + ", ".join(machine["ipAddresses"]))
    for key, value in sorted(machine.get("properties", {}).items()):
        lines.append(f"property {key}: {value}")
    if verbosity > 1:
        for key in ("disks", "volumes", "networkInterfaces"):
            href = machine.get(key, {}).get("href")
            if href:
                lines.extend(f"{key}: {json.dumps(part_summary(member))}"
                             for member in client.members(href))
    return lines


def part_summary(member):
    """A disk, volume or interface without the attributes every resource has."""
    return {key: value for key, value in member.items()
            if key not in ("resourceURI", "operations", "created", "updated")}


def address(machine):
    addresses = machine.get("ipAddresses") or []
    return addresses[0] if addresses else machine.get("host") or "-"


# --- life-cycle actions -----------------------------------------------------------------------

def kill_instance(invocation):
    _for_each_machine(invocation, "delete",
                      lambda machine: (invocation.client.delete(machine), None), {GONE})


def start_instance(invocation):
    _for_each_machine(invocation, ACTION + "start",
                      lambda machine: (invocation.client.act(machine, "start"), None),
                      {STARTED} | BROKEN)


def restart_instance(invocation):
    _for_each_machine(invocation, ACTION + "restart",
                      lambda machine: (invocation.client.act(machine, "restart"), None),
                      {STARTED} | BROKEN)


def shutdown_instance(invocation):
    """A graceful stop; a machine launched with --save (or shut down with --save) is then
    captured into a new image once it has stopped."""
    client = invocation.client

    def shut_down(machine):
        answer = client.act(machine, "stop", force=False)
        saving = invocation.arguments.save or \
            machine.get("properties", {}).get(SAVE_PROPERTY) == "true"
        if not saving:
            return answer, None
        stopped = client.settle(answer, invocation.timeout, {"STOPPED"} | BROKEN, machine["id"])
        return capture(invocation, stopped)

    _for_each_machine(invocation, ACTION + "stop", shut_down, {"STOPPED"} | BROKEN)


def capture_instance(invocation):
    _for_each_machine(invocation, ACTION + "capture", lambda machine: capture(invocation, machine))


def capture(invocation, machine):
    """Capture the machine's disk as a new MachineImage: (the answer, the image's URI when the
    server tells it, through Location or the Job's resources)."""
    name = invocation.arguments.image_name or f"{machine.get('name', 'machine')}-capture"
    answer = invocation.client.act(machine, "capture", image={"name": name})
    job = invocation.client.wait_for_job(answer.job, invocation.timeout) if answer.job else None
    return answer, answer.location or _captured_image(job, machine)


def _captured_image(job, machine):
    if not job:
        return None
    references = [job.get("targetResource")] + list(job.get("affectedResources") or ())
    hrefs = [reference["href"] for reference in references
             if reference and reference.get("href") and reference["href"] != machine["id"]]
    return hrefs[0] if hrefs else None


def _for_each_machine(invocation, rel, work, settled_states=None):
    """`work` on each machine named, once it offers the operation `rel` (a machine still
    being created is waited for), then (with --wait) until it reaches a settled state.
    `work(machine)` returns the answer and the URI of the image it made, if any: -q prints
    that image's id (else the machine's), the text output says what was captured."""
    client, output = invocation.client, invocation.output
    machines = client.members("machines")
    waiting = getattr(invocation.arguments, "wait", False) and settled_states

    def one(identifier):
        machine = client.wait_for_operation(pick(machines, identifier, "machine"), rel,
                                            invocation.timeout)
        answer, image = work(machine)
        if waiting:
            invocation.settled(answer, settled_states, machine["id"], "machine")
        result = {"id": machine["id"], "status": answer.status}
        if image:
            result["machineImage"] = image
        output.record(result, short_id(image or machine["id"]), _captured_text(machine, image, rel))

    invocation.each(invocation.arguments.ids, one)


def _captured_text(machine, image, rel):
    if image:
        return f"CAPTURED {short_id(machine['id'])} as image {short_id(image)}"
    if rel == ACTION + "capture":
        return f"CAPTURE requested for machine {short_id(machine['id'])}"
    return None


# --- connect-instance -------------------------------------------------------------------------

def connect_instance(invocation):
    machine = find(invocation.client, "machines", invocation.arguments.id, "machine")
    addresses = machine.get("ipAddresses") or []
    if not addresses:
        raise CimiError(f"Machine {short_id(machine['id'])} has no IP address yet "
                        f"(it is {machine.get('state', 'in an unknown state')}).")
    ssh = shutil.which("ssh")
    if ssh is None:
        raise CimiError("No ssh command found on the PATH.")
    invocation.output.stdout.flush()
    os.execv(ssh, ["ssh", f"{SSH_USER}@{addresses[0]}", *invocation.arguments.ssh_arguments])


# --- the command table ------------------------------------------------------------------------

IDS = Arg("ids", nargs="+", metavar="ID", help="machine id (or URI)")
WAIT = Arg("--wait", action="store_true",
           help="wait (showing progress) until each machine has settled, up to --timeout")

COMMANDS = (
    Command("run-instance", run_instance, "start new machine(s) from an image",
            "Start machines from IMAGE (an id or a name, see describe-images) with an "
            "instance type; prints each machine's id and IP address (-q: `id, ip`).", (
                Arg("image", nargs="?", metavar="IMAGE", help="machine image id or name"),
                Arg("--list-type", action="store_true",
                    help="list the instance types (CPU, RAM, SWAP; the default marked with *)"),
                Arg("--cpu", type=POSITIVE, help="number of CPUs, overriding the type's"),
                Arg("--ram", type=POSITIVE, metavar="MB", help="RAM in MB, overriding the type's"),
                Arg("--swap", type=NOT_NEGATIVE, metavar="MB",
                    help="swap in MB, overriding the type's (0: none)"),
                Arg("--count", type=POSITIVE, default=1, metavar="N",
                    help="how many machines (default 1)"),
                Arg("--persistent-disk", action="append", default=[], metavar="ID",
                    help="attach this volume (repeatable)"),
                Arg("--readonly-disk", action="append", default=[], metavar="ID",
                    help="attach this volume read-only (repeatable)"),
                Arg("--volatile-disk", action="append", default=[], type=POSITIVE, metavar="GIB",
                    help="add a scratch disk of this many GiB, destroyed with the machine "
                         "(repeatable)"),
                Arg("--cloud-init", metavar="PAIRS",
                    help="cloud-init context as mimetype,file pairs joined by #, e.g. "
                         "'ssh,~/.ssh/id_rsa.pub#x-shellscript,run.sh' (none,FILE: FILE as is)"),
                Arg("--context-file", metavar="FILE",
                    help="cloud-init context file written by `cimi prepare-context`"),
                Arg("--save", action="store_true",
                    help="keep the disk as a new image when the machine is shut down with "
                         "`cimi shutdown-instance`"),
                Arg("--name", help="machine name (with --count, suffixed -1, -2, ...)"),
                WAIT,
            )),
    Command("describe-instance", describe_instance, "list machines",
            "List your machines, or the ones given: id, state, vcpu, memory (KiB), cpu%, "
            "host/ip, name. -v adds the machine's attributes, -vv its disks, volumes and "
            "network interfaces.", (
                Arg("ids", nargs="*", metavar="ID", help="machine id (default: all)"),
            )),
    Command("kill-instance", kill_instance, "destroy machines and release their resources",
            "Delete machines: like pulling the power cord; persistent volumes are kept.",
            (IDS, WAIT)),
    Command("shutdown-instance", shutdown_instance, "stop machines gracefully",
            "Stop machines gracefully. A machine started with --save (or given --save here) "
            "is captured into a new image once stopped; the image id is printed.", (
                IDS, WAIT,
                Arg("--save", action="store_true",
                    help="capture the disk into a new image once stopped"),
                Arg("--image-name", help="name of the captured image"),
            )),
    Command("start-instance", start_instance, "start stopped machines",
            "Start stopped or suspended machines.", (IDS, WAIT)),
    Command("restart-instance", restart_instance, "restart machines",
            "Restart (reboot) machines.", (IDS, WAIT)),
    Command("capture-instance", capture_instance, "save a machine's disk as a new image",
            "Capture machines' disks into new machine images; prints each image's id.", (
                IDS, Arg("--image-name", help="name of the new image"),
            )),
    Command("connect-instance", connect_instance, "ssh to a machine as root",
            "Run `ssh root@IP` for the machine; further arguments go to ssh.", (
                Arg("id", metavar="ID", help="machine id"),
                Arg("ssh_arguments", nargs="*", metavar="SSH-ARG", help="passed to ssh (after --)"),
            )),
)
