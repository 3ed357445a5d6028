// The launch dialog: a MachineCreate built as cimi_client's run-instance builds it (image and
// instance type by reference, overrides in machineConfig, volumes, credential, userData).

import { CIMI, base64 } from "./api.js";
import {
  KIB_PER_GIB, KIB_PER_MIB, attempt, byId, clearError, el, guarded, showError,
} from "./ui.js";

const DEFAULT_TYPE = "m1.small";
let client = null;
let onLaunched = null;
let images = [];
let types = [];

// Reads what the dialog offers (images, instance types, the user's keys and volumes), then
// opens it with the image search focused.
export async function open(signedIn, launched) {
  client = signedIn;
  onLaunched = launched;
  // One after the other: the server answers a few requests of a user at a time.
  const offered = await attempt(async () => {
    const read = [];
    for (const collection of ["machineImages", "machineConfigs", "credentials", "volumes"]) {
      read.push(await client.members(collection));
    }
    return read;
  });
  if (!offered) return;
  let credentials, volumes;
  [images, types, credentials, volumes] = offered;
  byId("launch-form").reset();
  clearError(byId("launch-error"));
  byId("launch-image-search").value = "";
  listImages();
  listTypes();
  byId("launch-key").replaceChildren(el("option", { value: "" }, "The default key (if any)"),
    ...credentials.map((credential) => el("option", { value: credential.id },
      credential.name || credential.id)));
  listVolumes(volumes);
  byId("launch-dialog").showModal();
  byId("launch-image-search").focus();
}

function listImages() {
  const wanted = byId("launch-image-search").value.trim().toLowerCase();
  const select = byId("launch-image");
  const chosen = select.value;
  const shown = images.filter((image) => image.state === "AVAILABLE"
    && (image.name || "").toLowerCase().includes(wanted));
  select.replaceChildren(...shown.map((image) => el("option", {
    value: image.id, selected: image.id === chosen,
  }, image.name || image.id)));
  if (select.selectedIndex < 0 && shown.length) select.selectedIndex = 0;
}

function listTypes() {
  const sorted = [...types].sort((a, b) => (a.cpu - b.cpu) || (a.memory - b.memory));
  byId("launch-type").replaceChildren(...sorted.map((type) => el("option", {
    value: type.id, selected: type.name === DEFAULT_TYPE,
  }, `${type.name}: ${type.cpu} CPU, ${type.memory / KIB_PER_MIB} MB RAM, `
    + `${swapKib(type) / KIB_PER_MIB} MB swap`)));
}

function swapKib(type) {
  return (type.disks || []).filter((disk) => disk.format === "swap")
    .reduce((sum, disk) => sum + (disk.capacity || 0), 0);
}

// One choice per volume: not attached, attached read-write (persistent) or read-only.
function listVolumes(volumes) {
  const fieldset = byId("launch-volumes");
  fieldset.replaceChildren(el("legend", {}, "Volumes"));
  if (!volumes.length) fieldset.append(el("p", {}, "You have no volumes."));
  volumes.forEach((volume, index) => {
    const id = `launch-volume-${index}`;
    fieldset.append(el("label", { for: id }, `${volume.name || volume.id} (${volume.state})`),
      el("select", { id, dataset: { volume: volume.id } },
        el("option", { value: "" }, "not attached"),
        el("option", { value: "rw" }, "attached"),
        el("option", { value: "ro" }, "attached read-only")));
  });
}

function numberOf(id) {
  const text = byId(id).value.trim();
  return text ? Number(text) : null;
}

function machineConfig() {
  const type = types.find((candidate) => candidate.id === byId("launch-type").value);
  const choice = { href: type.id };
  const cpu = numberOf("launch-cpu");
  const memory = numberOf("launch-memory");
  const volatile = numberOf("launch-volatile");
  if (cpu) choice.cpu = cpu;
  if (memory) choice.memory = memory * KIB_PER_MIB;
  if (volatile) {
    choice.disks = [...(type.disks || []), { capacity: volatile * KIB_PER_GIB, format: "raw" }];
  }
  return choice;
}

function machineTemplate() {
  const template = {
    machineConfig: machineConfig(), machineImage: { href: byId("launch-image").value },
  };
  const volumes = [...byId("launch-volumes").querySelectorAll("select")]
    .filter((select) => select.value)
    .map((select) => ({ volume: { href: select.dataset.volume },
      ...(select.value === "ro" ? { readOnly: true } : {}) }));
  if (volumes.length) template.volumes = volumes;
  if (byId("launch-key").value) template.credential = { href: byId("launch-key").value };
  const userData = byId("launch-user-data").value;
  if (userData) template.userData = base64(userData);
  return template;
}

// Machines are created one by one; the first refusal stops the launch and is shown in the
// dialog, and those already created are listed with the others.
async function launch(event) {
  event.preventDefault();
  const region = byId("launch-error");
  clearError(region);
  if (!byId("launch-image").value) {
    showError(new Error("Choose an image."), region);
    byId("launch-image-search").focus();
    return;
  }
  const count = numberOf("launch-count") || 1;
  const name = byId("launch-name").value.trim();
  const template = machineTemplate();
  let created = 0;
  for (let number = 1; number <= count; number += 1) {
    const body = { resourceURI: CIMI + "MachineCreate", machineTemplate: template };
    if (name) body.name = count === 1 ? name : `${name}-${number}`;
    if (!(await guarded(() => client.create("machines", body), region))) break;
    created += 1;
  }
  if (created === count) byId("launch-dialog").close();
  if (created) onLaunched(created);
}

byId("launch-image-search").addEventListener("input", listImages);
byId("launch-form").addEventListener("submit", launch);
byId("launch-cancel").addEventListener("click", () => byId("launch-dialog").close());
