// Small DOM helpers shared by the pages. Data from the server is only ever set as text
// (textContent), never parsed as HTML.

export const KIB_PER_MIB = 1024;
export const KIB_PER_GIB = 1024 * 1024;

export function byId(id) {
  return document.getElementById(id);
}

// el("button", {type: "button", onclick: f}, "Start"): attributes starting with "on" are
// listeners, `dataset` fills data-* attributes, the rest are set as attributes. Children may
// be nested in arrays; null and undefined ones are left out.
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children.flat(Infinity).filter((child) => child !== undefined && child !== null)
    .map((child) => (child instanceof Node ? child : String(child))));
  return element;
}

// A button acting on one listed resource: its focus key (`<id> <verb>`) lets keepingFocus
// give it the focus back after a re-render, `label` names the resource for screen readers,
// and a destructive one is marked `danger`.
export function rowButton(resource, verb, text, label, onclick, { danger = false } = {}) {
  return el("button", {
    type: "button", class: danger ? "danger" : null, onclick,
    dataset: { focusKey: `${resource.id} ${verb}` }, "aria-label": label,
  }, text);
}

// Re-rendering replaces the buttons: the one that had the keyboard focus (marked with
// data-focus-key) gets it back.
export function keepingFocus(render) {
  const key = document.activeElement?.dataset?.focusKey;
  render();
  if (key) document.querySelector(`[data-focus-key="${CSS.escape(key)}"]`)?.focus();
}

// A table in a box of its own that scrolls sideways on a narrow screen, not the page.
export function table(caption, headers, rows) {
  return el("div", { class: "scroll" }, el("table", {},
    el("caption", {}, caption),
    el("thead", {}, el("tr", {}, headers.map((header) => el("th", { scope: "col" }, header)))),
    el("tbody", {}, rows)));
}

// The message of a failure, in the alert region nearest to where it happened (a dialog's own,
// or the page's): screen readers announce it (role="alert").
export function showError(error, region = document.getElementById("error")) {
  region.textContent = error.message || String(error);
  region.hidden = false;
}

export function clearError(region = document.getElementById("error")) {
  region.textContent = "";
  region.hidden = true;
}

export function announce(text) {
  const status = document.getElementById("status");
  status.textContent = text;
}

// Runs `work`, showing its failure (the server's CIMI message) instead of throwing. A failure
// stays shown until the user acts again (`attempt`): the pages' own refreshes do not hide it.
export async function guarded(work, region) {
  try {
    return await work();
  } catch (error) {
    showError(error, region);
    return undefined;
  }
}

// A page's own refresh: its failure is shown only while the page still is (`isCurrent()`).
export async function guardedWhile(isCurrent, work) {
  try {
    return await work();
  } catch (error) {
    if (isCurrent()) showError(error);
    return undefined;
  }
}

// What the user asked for: the last failure shown makes way for this one's outcome.
export function attempt(work, region) {
  clearError(region);
  return guarded(work, region);
}

// A yes/no question in the confirmation dialog: resolves true when confirmed.
export function confirmAction(question, confirmLabel) {
  const dialog = document.getElementById("confirm-dialog");
  dialog.querySelector("#confirm-question").textContent = question;
  dialog.querySelector("#confirm-yes").textContent = confirmLabel;
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
    dialog.returnValue = "";
    dialog.showModal();
  });
}

// One text value asked in the question dialog (a name for a captured image, say): resolves
// the value, or null when cancelled.
export function askText(question, label, initial) {
  const dialog = document.getElementById("ask-dialog");
  dialog.querySelector("#ask-question").textContent = question;
  dialog.querySelector("#ask-label").textContent = label;
  const input = dialog.querySelector("#ask-value");
  input.value = initial;
  return new Promise((resolve) => {
    const answered = () => resolve(dialog.returnValue === "ok" ? input.value : null);
    dialog.addEventListener("close", answered, { once: true });
    dialog.returnValue = "";
    dialog.showModal();
  });
}

export function mib(kib) {
  return Number.isInteger(kib) ? `${Math.round(kib / KIB_PER_MIB)} MB` : "-";
}

export function gib(kib) {
  if (!Number.isInteger(kib)) return "-";
  const value = kib / KIB_PER_GIB;
  return `${Number.isInteger(value) ? value : value.toFixed(2)} GiB`;
}

export function when(timestamp) {
  return timestamp ? new Date(timestamp).toLocaleString() : "-";
}

export function shortId(href) {
  return href.replace(/\/+$/, "").split("/").pop();
}

// CIMI's transitional states end in -ING (CREATING, STOPPING, ...): the resource is changing.
export function isChanging(resource) {
  return (resource.state || "").endsWith("ING");
}
