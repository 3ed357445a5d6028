// The Credentials page: the user's SSH keys; add one, choose the default (the key OpenNebula
// puts into machines launched without one), delete one.

import { CIMI, hasOperation } from "./api.js";
import {
  announce, attempt, byId, confirmAction, el, guarded, keepingFocus, rowButton, shortId, table,
  when,
} from "./ui.js";

const DEFAULT_PROPERTY = "default";
let client = null;

export function show(signedIn) {
  client = signedIn;
  refresh();
}

export function hide() {
  client = null;
  byId("credential-list").replaceChildren();
}

async function refresh() {
  const reading = client;
  const credentials = await guarded(() => client.members("credentials"));
  if (reading !== client || !credentials) return;
  keepingFocus(() => byId("credential-list").replaceChildren(listOf(credentials)));
}

function isDefault(credential) {
  return credential.properties?.[DEFAULT_PROPERTY] === "true";
}

function listOf(credentials) {
  if (!credentials.length) return el("p", {}, "No SSH keys yet.");
  return table("Your SSH keys", ["Name", "Key", "Default", "Created", "Actions"],
    credentials.map((credential) => {
      const name = credential.name || shortId(credential.id);
      return el("tr", { dataset: { credential: shortId(credential.id) } },
        el("th", { scope: "row" }, name),
        el("td", { class: "key" }, credential.publicKey || ""),
        el("td", {}, isDefault(credential) ? "default" : ""),
        el("td", {}, when(credential.created)),
        el("td", { class: "actions" },
          !isDefault(credential) && hasOperation(credential, "edit")
            ? rowButton(credential, "default", "Make default", `Make ${name} the default key`,
              () => makeDefault(credential))
            : null,
          hasOperation(credential, "delete")
            ? rowButton(credential, "delete", "Delete", `Delete ${name}`,
              () => remove(credential), { danger: true })
            : null));
    }));
}

async function add(event) {
  event.preventDefault();
  const template = { publicKey: byId("credential-key").value.trim() };
  const body = { resourceURI: CIMI + "CredentialCreate", credentialTemplate: template };
  const name = byId("credential-name").value.trim();
  if (name) body.name = name;
  if (byId("credential-default").checked) body.properties = { [DEFAULT_PROPERTY]: "true" };
  if (await attempt(() => client.create("credentials", body))) {
    announce("SSH key added.");
    byId("credential-form").reset();
    refresh();
  }
}

// The whole credential is sent back with the mark: the other credentials lose theirs.
async function makeDefault(credential) {
  const { operations, ...changed } = credential;
  changed.properties = { ...(credential.properties || {}), [DEFAULT_PROPERTY]: "true" };
  if (await attempt(() => client.edit(credential, changed))) announce("Default key changed.");
  refresh();
}

async function remove(credential) {
  const name = credential.name || shortId(credential.id);
  if (!(await confirmAction(`Delete the SSH key ${name}?`, "Delete"))) return;
  if (await attempt(() => client.remove(credential))) announce(`Key ${name} deleted.`);
  refresh();
}

byId("credential-form").addEventListener("submit", add);
