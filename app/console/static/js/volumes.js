// The Volumes page: create, list (owner, visibility, size, machines using it), attach to a
// machine (hot-plug), delete (offered only where the server offers it: to the owner).

import { CIMI, hasOperation } from "./api.js";
import {
  KIB_PER_GIB, announce, attempt, byId, clearError, confirmAction, el, gib, guarded,
  guardedWhile, isChanging, keepingFocus, rowButton, shortId, table, when,
} from "./ui.js";
import { pollingPage } from "./poller.js";

const page = pollingPage("volume-list", round);
export const { show, hide } = page;

async function round(client, isCurrent) {
  const volumes = await guardedWhile(isCurrent, () => client.members("volumes"));
  if (!isCurrent() || !volumes) return false;
  keepingFocus(() => byId("volume-list").replaceChildren(listOf(volumes)));
  return volumes.some(isChanging);
}

function listOf(volumes) {
  if (!volumes.length) return el("p", {}, "No volumes yet.");
  return table("Volumes you can use", ["Name", "State", "Size", "Owner", "Visibility",
    "Shareable", "Machines using it", "Created", "Actions"],
  volumes.map((volume) => {
    const name = volume.name || shortId(volume.id);
    return el("tr", { dataset: { volume: shortId(volume.id) } },
      el("th", { scope: "row" }, name), el("td", {}, volume.state),
      el("td", {}, gib(volume.capacity)), el("td", {}, volume.owner || "-"),
      el("td", {}, volume.visibility || "-"), el("td", {}, volume.shareable ? "yes" : "no"),
      el("td", {}, volume.users ?? "-"), el("td", {}, when(volume.created)),
      el("td", { class: "actions" },
        volume.state === "AVAILABLE"
          ? rowButton(volume, "attach", "Attach", `Attach ${name}`, () => attach(volume))
          : null,
        hasOperation(volume, "delete")
          ? rowButton(volume, "delete", "Delete", `Delete ${name}`, () => remove(volume),
            { danger: true })
          : null));
  }));
}

async function create(event) {
  event.preventDefault();
  const body = {
    resourceURI: CIMI + "VolumeCreate", name: byId("volume-name").value.trim(),
    volumeTemplate: {
      volumeConfig: { capacity: Number(byId("volume-size").value) * KIB_PER_GIB, format: "raw" },
    },
  };
  if (byId("volume-public").checked) body.visibility = "public";
  if (byId("volume-shareable").checked) body.shareable = true;
  if (await attempt(() => page.client.create("volumes", body))) {
    announce(`Volume ${body.name} created.`);
    byId("volume-form").reset();
    page.poller.afterAction();
  }
}

// Hot-plug into a machine chosen in the attach dialog.
async function attach(volume) {
  const listed = await attempt(() => page.client.members("machines"));
  if (!listed) return;
  const machines = listed.filter((machine) => machine.volumes?.href);
  const dialog = byId("attach-dialog");
  byId("attach-title").textContent = `Attach volume ${volume.name || shortId(volume.id)}`;
  clearError(byId("attach-error"));
  byId("attach-machine").replaceChildren(...machines.map((machine) => el("option",
    { value: machine.id }, `${machine.name || shortId(machine.id)} (${machine.state})`)));
  byId("attach-readonly").checked = false;
  dialog.onsubmit = async (event) => {
    event.preventDefault();
    const machine = machines.find((candidate) => candidate.id === byId("attach-machine").value);
    if (!machine) return;
    const body = { resourceURI: CIMI + "MachineVolume", volume: { href: volume.id } };
    if (byId("attach-readonly").checked) body.readOnly = true;
    const done = await attempt(() => page.client.attach(machine.volumes.href, body),
      byId("attach-error"));
    if (!done) return;
    dialog.close();
    announce(`Attach of ${volume.name || shortId(volume.id)} requested.`);
    page.poller.afterAction();
  };
  dialog.showModal();
}

async function remove(volume) {
  const name = volume.name || shortId(volume.id);
  if (!(await confirmAction(`Delete volume ${name} and its data?`, "Delete"))) return;
  if (await attempt(() => page.client.remove(volume))) announce(`Deletion of ${name} requested.`);
  page.poller.afterAction();
}

byId("volume-form").addEventListener("submit", create);
byId("attach-cancel").addEventListener("click", () => byId("attach-dialog").close());
