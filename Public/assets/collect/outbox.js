// The outbox: every record lives in IndexedDB from the moment it is saved
// until the server answers 201. The XML is fixed when the record is
// finalised, so every resend carries the same bytes and the same instance
// id: the server recognises a resend and never stores it twice.

const DATABASE = "suivi";
const STORE = "records";

let opened = null;

/** One connection for the page's life: opening one per write is slow on a phone. */
function open() {
  opened ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => {
      const store = request.result.createObjectStore(STORE, { keyPath: "instanceID" });
      store.createIndex("state", "state");
    };
    request.onsuccess = () => {
      const database = request.result;
      // Another version of the page wants to upgrade: let it, reopen later.
      database.onversionchange = () => { database.close(); opened = null; };
      database.onclose = () => { opened = null; };
      resolve(database);
    };
    request.onerror = () => { opened = null; reject(request.error); };
  });
  return opened;
}

async function transaction(mode, work) {
  const database = await open();
  return new Promise((resolve, reject) => {
    const tx = database.transaction(STORE, mode);
    const result = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(result?.result ?? result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export const put = (record) => transaction("readwrite", (store) => { store.put(record); });
export const remove = (instanceID) => transaction("readwrite", (store) => { store.delete(instanceID); });
export const get = (instanceID) => transaction("readonly", (store) => store.get(instanceID));
export const all = () => transaction("readonly", (store) => store.getAll());

/** Reads the French-then-English message of an OpenRosaResponse body. */
function messageOf(text) {
  const match = /<message[^>]*>([\s\S]*?)<\/message>/.exec(text || "");
  if (!match) return "";
  const element = document.createElement("textarea");
  element.innerHTML = match[1];
  return element.value;
}

/**
 * Sends one finalised record. Resolves to the updated record:
 * sent (201), rejected (a 4xx the phone cannot fix by retrying), or still
 * queued with a later `nextAttemptAt` (network down, 5xx, timeout, 408, 429).
 */
export async function send(record, submissionURL, timeoutMs = 30000) {
  const body = new FormData();
  body.append("xml_submission_file", new Blob([record.xml], { type: "text/xml" }), "submission.xml");
  // Each photo as Collect sends it: a part named by its file name.
  for (const [name, blob] of Object.entries(record.files ?? {})) body.append(name, blob, name);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const attempts = (record.attempts || 0) + 1;
  try {
    const response = await fetch(submissionURL, {
      method: "POST", body, signal: controller.signal, cache: "no-store",
      // The server words its answer in the language the person chose here.
      headers: { "X-OpenRosa-Version": "1.0", "Accept-Language": localStorage.getItem("suivi.language") === "en" ? "en" : "fr" },
    });
    const text = await response.text();
    if (response.status === 201) {
      return { ...record, state: "sent", attempts, sentAt: response.headers.get("Date") || new Date().toUTCString(), error: "" };
    }
    if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
      return { ...record, state: "rejected", attempts, error: messageOf(text) || `HTTP ${response.status}` };
    }
    return retryLater(record, attempts, messageOf(text) || `HTTP ${response.status}`);
  } catch (error) {
    return retryLater(record, attempts, "");
  } finally {
    clearTimeout(timer);
  }
}

/** Exponential backoff with jitter, from 2 s up to 5 minutes. */
function retryLater(record, attempts, error) {
  const delay = Math.min(300000, 2000 * 2 ** Math.min(attempts - 1, 8)) * (0.75 + Math.random() / 2);
  return { ...record, state: "queued", attempts, error, nextAttemptAt: Date.now() + delay };
}

let running = null;

/**
 * Sends every queued record that is due, one at a time. Calls `changed`
 * after each answer so the page can redraw. Only one pass runs at once.
 */
export function flush(submissionURL, changed, { force = false } = {}) {
  if (running) return running;
  running = (async () => {
    try {
      const records = (await all()).filter((r) => r.state === "queued")
        .filter((r) => force || !r.nextAttemptAt || r.nextAttemptAt <= Date.now())
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      for (const record of records) {
        const updated = await send(record, submissionURL);
        await put(updated);
        changed?.(updated);
        if (updated.state === "queued") break;  // the network is down: stop this pass
      }
    } finally {
      running = null;
    }
  })();
  return running;
}
