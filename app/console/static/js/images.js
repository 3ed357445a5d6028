// The Images page: find images by name, register one from a URL, see its state (refreshed
// while an image is being made), delete those the server offers to delete.

import { CIMI, hasOperation } from "./api.js";
import {
  announce, attempt, byId, confirmAction, el, guardedWhile, isChanging, keepingFocus, mib,
  rowButton, shortId, table, when,
} from "./ui.js";
import { pollingPage } from "./poller.js";

let images = [];
const page = pollingPage("image-list", round);
export const { show, hide } = page;

async function round(client, isCurrent) {
  const read = await guardedWhile(isCurrent, () => client.members("machineImages"));
  if (!isCurrent() || !read) return false;
  images = read;
  render();
  return images.some(isChanging);
}

// The filter is applied to the images read last, as the user types.
function render() {
  const wanted = byId("image-filter").value.trim().toLowerCase();
  const shown = images.filter((image) => (image.name || "").toLowerCase().includes(wanted));
  keepingFocus(() => byId("image-list").replaceChildren(shown.length
    ? table("Machine images", ["Name", "State", "Size", "Format", "Owner", "Visibility",
      "Created", "Actions"], shown.map(rowOf))
    : el("p", {}, wanted ? "No image has that in its name." : "No images.")));
}

function rowOf(image) {
  const name = image.name || shortId(image.id);
  return el("tr", { dataset: { image: shortId(image.id) } },
    el("th", { scope: "row" }, name), el("td", {}, image.state), el("td", {}, mib(image.size)),
    el("td", {}, image.format || "-"), el("td", {}, image.owner || "-"),
    el("td", {}, image.visibility || "-"), el("td", {}, when(image.created)),
    el("td", { class: "actions" }, hasOperation(image, "delete")
      ? rowButton(image, "delete", "Delete", `Delete ${name}`, () => remove(image),
        { danger: true })
      : null));
}

async function register(event) {
  event.preventDefault();
  const url = byId("image-url").value.trim();
  const body = {
    resourceURI: CIMI + "MachineImage", type: "IMAGE", imageLocation: url,
    name: byId("image-name").value.trim() || url.replace(/\/+$/, "").split("/").pop(),
  };
  const description = byId("image-description").value.trim();
  if (description) body.description = description;
  if (await attempt(() => page.client.create("machineImages", body))) {
    announce(`Image ${body.name} registered.`);
    byId("image-form").reset();
    page.poller.afterAction();
  }
}

async function remove(image) {
  const name = image.name || shortId(image.id);
  if (!(await confirmAction(`Delete image ${name}?`, "Delete"))) return;
  if (await attempt(() => page.client.remove(image))) announce(`Deletion of ${name} requested.`);
  page.poller.afterAction();
}

byId("image-form").addEventListener("submit", register);
byId("image-filter").addEventListener("input", render);
