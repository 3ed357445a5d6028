// The console's shell: sign in and out, and switching between the pages. Each page is a
// module exporting show(client) and hide(); only the shown page reads from the server.

import { CimiClient } from "./api.js";
import { announce, attempt, byId, clearError } from "./ui.js";
import * as machines from "./machines.js";
import * as volumes from "./volumes.js";
import * as images from "./images.js";
import * as credentials from "./credentials.js";

const PAGES = { machines, volumes, images, credentials };
const entryPointUrl = document.querySelector('meta[name="cimi-entry-point"]').content;
// The signed-in client, holding the credentials: in this variable only, gone on sign-out
// or when the page is closed or reloaded.
let client = null;
let current = null;

async function signIn(event) {
  event.preventDefault();
  const username = byId("username").value;
  const password = byId("password");
  const candidate = new CimiClient(entryPointUrl, username, password.value);
  const signedIn = await attempt(async () => {
    await candidate.signIn();
    return true;
  });
  if (!signedIn) {
    password.select();
    return;
  }
  client = candidate;
  password.value = "";
  byId("signed-in-as").textContent = `Signed in as ${username}`;
  byId("sign-in-page").hidden = true;
  byId("nav").hidden = false;
  byId("account").hidden = false;
  showPage("machines");
}

function signOut() {
  current?.hide();
  current = null;
  client = null;
  for (const name of Object.keys(PAGES)) byId(`${name}-page`).hidden = true;
  byId("nav").hidden = true;
  byId("account").hidden = true;
  byId("signed-in-as").textContent = "";
  clearError();
  byId("sign-in-page").hidden = false;
  byId("username").focus();
  announce("Signed out.");
}

function showPage(name) {
  current?.hide();
  clearError();
  for (const [pageName] of Object.entries(PAGES)) {
    byId(`${pageName}-page`).hidden = pageName !== name;
    const button = document.querySelector(`#nav [data-page="${pageName}"]`);
    if (pageName === name) button.setAttribute("aria-current", "page");
    else button.removeAttribute("aria-current");
  }
  current = PAGES[name];
  current.show(client);
  byId(`${name}-title`).focus();
}

byId("sign-in-form").addEventListener("submit", signIn);
byId("sign-out").addEventListener("click", signOut);
for (const button of document.querySelectorAll("#nav [data-page]")) {
  button.addEventListener("click", () => showPage(button.dataset.page));
}
for (const name of Object.keys(PAGES)) byId(`${name}-title`).setAttribute("tabindex", "-1");
