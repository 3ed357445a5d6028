// The CIMI client of the console: starts from the Cloud Entry Point and follows hrefs and
// operations, in JSON only, as cimi_client does in Python. No URL is ever built from pieces.

export const CIMI = "http://schemas.dmtf.org/cimi/1/";
export const ACTION = CIMI + "action/";
const JSON_TYPE = "application/json";
// A busy server answers 503 with Retry-After before calling OpenNebula: the request is sent
// again, a few times, waiting as asked (at most MAX_RETRY_SECONDS each time).
const BUSY_RETRIES = 4;
const MAX_RETRY_SECONDS = 2;

// A failure to show as it is: the server's CIMI error message, or why it could not be reached.
export class CimiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export class CimiClient {
  constructor(entryPointUrl, username, password) {
    this.entryPointUrl = entryPointUrl;
    // Kept in this object only (the page's memory): never in storage or in a URL.
    this.authorization = "Basic " + base64(`${username}:${password}`);
    this.username = username;
    this.entry = null;
  }

  // Reading the entry point needs no credentials; the machines collection does, so signing
  // in reads it too and a wrong password is refused with the server's own message.
  async signIn() {
    this.entry = await this.get(this.entryPointUrl);
    await this.get(this.collectionHref("machines"), { $first: 1, $last: 1 });
  }

  offers(collection) {
    return Boolean(this.entry && this.entry[collection] && this.entry[collection].href);
  }

  collectionHref(collection) {
    if (!this.offers(collection)) {
      throw new CimiError(0, `This cloud offers no ${collection} collection.`);
    }
    return this.entry[collection].href;
  }

  // Every member of a collection (an entry point key or an href), page after page while the
  // server's count says more exist.
  async members(collection, params = {}) {
    const href = collection.includes("/") ? collection : this.collectionHref(collection);
    const found = [];
    for (;;) {
      const pageParams = found.length ? { ...params, $first: found.length + 1 } : params;
      const page = await this.get(href, pageParams);
      const batch = membersOf(page);
      found.push(...batch);
      if (!batch.length || found.length >= (page.count ?? found.length)) return found;
    }
  }

  async get(href, params) {
    return (await this.send("GET", href, undefined, params)).document;
  }

  // POST a *Create body to the collection's `add` operation.
  async create(collection, body) {
    const listing = await this.get(this.collectionHref(collection), { $first: 1, $last: 1 });
    return this.send("POST", operationHref(listing, "add"), body);
  }

  // POST to a sub-collection (a machine's volumes) through its `add` operation.
  async attach(subcollectionHref, body) {
    const listing = await this.get(subcollectionHref);
    return this.send("POST", operationHref(listing, "add"), body);
  }

  act(resource, action, inputs = {}) {
    const body = { resourceURI: CIMI + "Action", action: ACTION + action, ...inputs };
    return this.send("POST", operationHref(resource, ACTION + action), body);
  }

  edit(resource, body) {
    return this.send("PUT", operationHref(resource, "edit"), body);
  }

  remove(resource) {
    return this.send("DELETE", operationHref(resource, "delete"));
  }

  async send(method, href, body, params) {
    const url = new URL(href, document.baseURI);
    for (const [key, value] of Object.entries(params || {})) url.searchParams.set(key, value);
    const headers = { Accept: JSON_TYPE, Authorization: this.authorization };
    if (body !== undefined) headers["Content-Type"] = JSON_TYPE;
    // Every POST carries an Idempotency-Key, so sending it again never acts twice: the server
    // answers a repeat with the first one's outcome.
    if (method === "POST") headers["Idempotency-Key"] = randomKey();
    const request = {
      method, headers, credentials: "omit", cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    };
    let response = await fetched(url, request);
    for (let retry = 0; retry < BUSY_RETRIES && busy(response); retry += 1) {
      await pause(Math.min(Number(response.headers.get("Retry-After")) || 1, MAX_RETRY_SECONDS));
      response = await fetched(url, request);
    }
    const answer = await readDocument(response);
    if (!response.ok) {
      const message = answer && answer.message
        ? answer.message : `${response.status} ${response.statusText}`;
      throw new CimiError(response.status, message);
    }
    return {
      status: response.status, document: answer,
      location: response.headers.get("Location"), job: response.headers.get("CIMI-Job-URI"),
    };
  }
}

// credentials "omit": the Authorization header is the console's own; without it the browser
// would answer a 401's Basic challenge with its own password prompt.
async function fetched(url, request) {
  try {
    return await fetch(url, request);
  } catch (failure) {
    throw new CimiError(0, `The server could not be reached (${failure.message}).`);
  }
}

function busy(response) {
  return response.status === 503 && response.headers.has("Retry-After");
}

function pause(seconds) {
  return new Promise((resolve) => { setTimeout(resolve, seconds * 1000); });
}

// 128 random bits in hex (crypto.randomUUID exists on secure origins only).
function randomKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export function hasOperation(resource, rel) {
  return (resource.operations || []).some((operation) => operation.rel === rel);
}

export function operationHref(resource, rel) {
  const operation = (resource.operations || []).find((candidate) => candidate.rel === rel);
  if (!operation) {
    throw new CimiError(0, `The server offers no ${rel.replace(ACTION, "")} operation on `
      + `${resource.name || resource.id}.`);
  }
  return operation.href;
}

// The member list of a collection document: its one list attribute besides operations.
export function membersOf(collection) {
  for (const [key, value] of Object.entries(collection || {})) {
    if (key !== "operations" && Array.isArray(value)) return value;
  }
  return [];
}

// base64 of the UTF-8 bytes of `text` (btoa alone takes Latin-1 only).
export function base64(text) {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

async function readDocument(response) {
  const type = response.headers.get("Content-Type") || "";
  if (!type.includes("json")) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}
