// The Machines page: the list (refreshed while a machine changes state), the actions each
// machine's operations offer, and one machine's detail with its parts, events and Jobs.

import { ACTION, hasOperation, membersOf } from "./api.js";
import {
  announce, askText, attempt, confirmAction, el, guardedWhile, isChanging, keepingFocus, mib,
  rowButton, shortId, table, when,
} from "./ui.js";
import * as launch from "./launch.js";
import { Poller } from "./poller.js";

const ACTIONS = [
  { name: "start", label: "Start" },
  { name: "stop", label: "Stop", confirm: "Stop" },
  { name: "restart", label: "Restart", confirm: "Restart" },
  { name: "suspend", label: "Suspend", confirm: "Suspend" },
  { name: "capture", label: "Capture", image: "Name of the new image" },
  { name: "snapshot", label: "Snapshot", image: "Name of the snapshot" },
];

let client = null;
let detailHref = null;
const poller = new Poller(round);

export function show(signedIn) {
  client = signedIn;
  detailHref = null;
  document.getElementById("machine-detail").replaceChildren();
  document.getElementById("launch-open").onclick = () => launch.open(client, launched);
  poller.refresh();
}

export function hide() {
  poller.stop();
  client = null;
  detailHref = null;
  document.getElementById("machine-list").replaceChildren();
  document.getElementById("machine-detail").replaceChildren();
}

function launched(count) {
  announce(`${count} machine${count > 1 ? "s" : ""} launched.`);
  poller.afterAction();
}

// One refresh: the list, and the detail when one is open; true while anything changes.
async function round(isCurrent) {
  const reader = client;
  const machines = await guardedWhile(isCurrent, () => reader.members("machines"));
  if (!isCurrent()) return false;
  let changing = false;
  if (machines) {
    keepingFocus(() => document.getElementById("machine-list").replaceChildren(listOf(machines)));
    changing = machines.some(isChanging);
  }
  if (detailHref) changing = (await refreshDetail(reader, isCurrent)) || changing;
  return changing;
}

function listOf(machines) {
  if (!machines.length) return el("p", {}, "No machines yet: launch one.");
  const headers = ["Name", "State", "CPU", "Memory", "IP address", "Created", "Actions"];
  return table("Your machines", headers,
    machines.map((machine) => el("tr", { dataset: { machine: shortId(machine.id) } },
      el("th", { scope: "row" }, el("button", {
        type: "button", class: "link", onclick: () => openDetail(machine.id),
        dataset: { focusKey: `${machine.id} detail` },
        "aria-label": `Details of ${machine.name || shortId(machine.id)}`,
      }, machine.name || shortId(machine.id))),
      el("td", { class: "state" }, stateOf(machine)),
      el("td", {}, machine.cpu ?? "-"),
      el("td", {}, mib(machine.memory)),
      el("td", {}, (machine.ipAddresses || []).join(", ") || "-"),
      el("td", {}, when(machine.created)),
      el("td", { class: "actions" }, actionButtons(machine)))));
}

// The state, and the server's word on why a machine waits or failed.
function stateOf(machine) {
  const state = machine.state || "?";
  return [el("span", { class: `badge ${state.toLowerCase()}` }, state),
    machine.statusMessage ? el("span", { class: "why" }, machine.statusMessage) : null];
}

function actionButtons(machine) {
  const name = machine.name || shortId(machine.id);
  const buttons = ACTIONS.filter((action) => hasOperation(machine, ACTION + action.name))
    .map((action) => rowButton(machine, action.name, action.label, `${action.label} ${name}`,
      () => perform(machine, action)));
  if (hasOperation(machine, "delete")) {
    buttons.push(rowButton(machine, "delete", "Delete", `Delete ${name}`,
      () => remove(machine), { danger: true }));
  }
  return buttons;
}

async function perform(machine, action) {
  const name = machine.name || shortId(machine.id);
  let inputs = {};
  if (action.confirm
    && !(await confirmAction(`${action.label} machine ${name}?`, action.label))) return;
  if (action.image) {
    const imageName = await askText(`${action.label} machine ${name}`, action.image,
      `${name}-${action.name}`);
    if (imageName === null) return;
    inputs = imageName ? { image: { name: imageName } } : {};
  }
  const done = await attempt(() => client.act(machine, action.name, inputs));
  if (done) announce(`${action.label} requested for ${name}.`);
  poller.afterAction();
}

async function remove(machine) {
  const name = machine.name || shortId(machine.id);
  if (!(await confirmAction(`Delete machine ${name}? Its disks are destroyed; persistent `
    + "volumes are kept.", "Delete"))) return;
  if (detailHref === machine.id) closeDetail();
  const done = await attempt(() => client.remove(machine));
  if (done) announce(`Deletion of ${name} requested.`);
  poller.afterAction();
}

// --- one machine's detail -------------------------------------------------------------------

function openDetail(href) {
  detailHref = href;
  poller.refresh().then(() => document.getElementById("machine-detail").focus());
}

function closeDetail() {
  detailHref = null;
  document.getElementById("machine-detail").replaceChildren();
  document.getElementById("machines-title").focus();
}

// Renders the detail; true while the machine or one of its Jobs is still changing.
async function refreshDetail(reader, isCurrent) {
  const href = detailHref;
  const read = await guardedWhile(isCurrent, async () => {
    const machine = await reader.get(href, { $expand: "disks,volumes,networkInterfaces" });
    const events = await eventsOf(reader, machine);
    return { machine, events, jobs: await jobsOf(reader, machine) };
  });
  if (!isCurrent() || href !== detailHref) return false;
  if (!read) {
    closeDetail();
    return false;
  }
  keepingFocus(() => document.getElementById("machine-detail").replaceChildren(detailOf(read)));
  return isChanging(read.machine) || read.jobs.some((job) => job.state === "RUNNING");
}

async function eventsOf(reader, machine) {
  if (!machine.eventLog?.href) return [];
  const log = await reader.get(machine.eventLog.href);
  return log.events?.href ? reader.members(log.events.href) : [];
}

// The Jobs on the machine, and those that changed it on the way (a capture's Job targets the
// new image). A filter on targetResource cannot say the latter, so the user's Jobs are read.
async function jobsOf(reader, machine) {
  if (!reader.offers("jobs")) return [];
  const concerns = (job) => [job.targetResource, ...(job.affectedResources || [])]
    .some((reference) => reference?.href === machine.id);
  return (await reader.members("jobs")).filter(concerns);
}

function detailOf({ machine, events, jobs }) {
  const name = machine.name || shortId(machine.id);
  const facts = [
    ["State", machine.state], ["Why", machine.statusMessage], ["CPU", machine.cpu],
    ["Memory", mib(machine.memory)], ["Host", machine.host],
    ["IP addresses", (machine.ipAddresses || []).join(", ")], ["Created", when(machine.created)],
  ].filter(([, value]) => value !== undefined && value !== "");
  return el("article", { class: "card detail", "aria-labelledby": "detail-title" },
    el("div", { class: "page-head" },
      el("h3", { id: "detail-title" }, `Machine ${name}`),
      el("button", { type: "button", onclick: closeDetail, dataset: { focusKey: "close-detail" } },
        "Close details")),
    el("dl", {}, facts.map(([term, value]) => [el("dt", {}, term), el("dd", {}, value)])),
    el("div", { class: "actions" }, actionButtons(machine)),
    partsTable("Disks", machine.disks, ["Name", "Device", "Size", "Format", "Volatile"],
      (disk) => [disk.name, disk.initialLocation, mib(disk.capacity), disk.format,
        disk.volatile ? "yes" : "no"]),
    volumesOf(machine),
    partsTable("Network interfaces", machine.networkInterfaces, ["Name", "MAC", "IP addresses"],
      (nic) => [nic.name, nic.macAddress, (nic.ipAddresses || []).join(", ")]),
    table("Events", ["When", "Event", "State", "Outcome"], events.map((event) => el("tr", {},
      el("td", {}, when(event.timestamp)), el("td", {}, event.name || event.type),
      el("td", {}, event.content?.state || "-"), el("td", {}, event.outcome || "-")))),
    table("Jobs", ["When", "Action", "State", "Message"], jobs.map((job) => el("tr", {},
      el("td", {}, when(job.created)),
      el("td", {}, (job.action || job.name || "").replace(ACTION, "")),
      el("td", {}, job.state), el("td", {}, job.statusMessage || "")))));
}

function partsTable(caption, collection, headers, cells) {
  const members = membersOf(collection);
  return table(caption, headers, members.map((member) => el("tr", {},
    cells(member).map((cell) => el("td", {}, cell ?? "-")))));
}

// Attached volumes, each with a Detach button when the server offers it.
function volumesOf(machine) {
  const attachments = membersOf(machine.volumes);
  return table("Volumes", ["Volume", "Device", "Read-only", "Actions"],
    attachments.map((attachment) => {
      const volume = attachment.volume?.href ? shortId(attachment.volume.href) : "-";
      return el("tr", {},
        el("td", {}, attachment.name || volume), el("td", {}, attachment.initialLocation || "-"),
        el("td", {}, attachment.readOnly ? "yes" : "no"),
        el("td", {}, hasOperation(attachment, "delete")
          ? rowButton(attachment, "detach", "Detach", `Detach volume ${attachment.name || volume}`,
            () => detach(machine, attachment, volume))
          : null));
    }));
}

async function detach(machine, attachment, volume) {
  if (!(await confirmAction(`Detach volume ${attachment.name || volume} from `
    + `${machine.name || shortId(machine.id)}?`, "Detach"))) return;
  const done = await attempt(() => client.remove(attachment));
  if (done) announce("Detach requested.");
  poller.afterAction();
}
