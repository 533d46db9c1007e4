// The phone web form under /key/{token}: who the person is, their forms,
// their outbox. Works offline after the first visit: the service worker
// serves the page and assets, the Cache API holds `me` and the forms, and
// IndexedDB holds every record until the server has acknowledged it.
import fr from "../i18n/fr.js";
import en from "../i18n/en.js";
import { FormView, pick } from "./form.js";
import { instanceXML, newInstanceID, timestamp } from "./instance.js";
import * as outbox from "./outbox.js";

const strings = { fr, en };
const base = location.pathname.replace(/\/$/, "");
const submissionURL = `${base}/submission`;
const DATA_CACHE = "suivi-data";
let language = localStorage.getItem("suivi.language") === "en" ? "en" : "fr";
let person = null;
let view = null;       // the FormView being filled
let editing = null;    // { instanceID, form, startedAt }

const $ = (id) => document.getElementById(id);

function text(key, ...values) {
  const entry = strings[language][key];
  return typeof entry === "function" ? entry(...values) : entry;
}

/** The URL of a form's description at a given version: cached for good. */
const formURL = (form) => `${base}/forms/${form.id}.json?hash=${encodeURIComponent(form.hash)}`;

/** A form description, from the cache when this exact version is kept. */
async function loadForm(form) {
  const cache = await caches.open(DATA_CACHE);
  const kept = await cache.match(formURL(form));
  if (kept) return kept.json();
  const response = await fetch(formURL(form), { cache: "no-store" });
  if (!response.ok) throw new Error("unavailable");
  await cache.put(formURL(form), response.clone());
  return response.json();
}

/** Drops kept descriptions of form versions the server no longer serves. */
async function forgetOldForms() {
  const cache = await caches.open(DATA_CACHE);
  const current = new Set(person.forms.map((form) => new URL(formURL(form), location.href).href));
  for (const request of await cache.keys()) {
    if (request.url.includes(`${base}/forms/`) && !current.has(request.url)) await cache.delete(request);
  }
}

/** Network first, then the copy kept from the last successful answer. */
async function fetchKept(url) {
  const cache = await caches.open(DATA_CACHE);
  try {
    const response = await fetch(url, { cache: "no-store" });
    if (response.ok) await cache.put(url, response.clone());
    if (response.ok || response.status === 403) return response;
  } catch {
    // offline: fall through to the kept copy
  }
  const kept = await cache.match(url);
  if (kept) return kept;
  throw new Error("offline");
}

function renderTexts() {
  document.documentElement.lang = language;
  for (const element of document.querySelectorAll("[data-i18n]")) element.textContent = text(element.dataset.i18n);
  $("network").textContent = navigator.onLine ? text("online") : text("offlinePill");
}

async function renderHome() {
  renderTexts();
  if (!person) return;
  $("status").hidden = true;
  $("filling").hidden = true;
  $("home").hidden = false;
  $("greeting").textContent = text("greeting", person.name);
  $("departement").textContent = text("departement", person.departement.name, person.departement.region);
  $("server-url").textContent = person.collect_server_url;
  $("forms").replaceChildren(...person.forms.map((form) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "open secondary";
    button.dataset.form = form.id;
    button.textContent = form.title;
    button.addEventListener("click", () => openForm(form.id));
    item.append(button);
    return item;
  }));
  await renderOutbox();
}

async function renderOutbox() {
  const records = (await outbox.all()).filter((record) => record.base === base)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const list = $("outbox");
  if (records.length === 0) {
    const empty = document.createElement("li");
    empty.className = "muted";
    empty.textContent = text("emptyOutbox");
    list.replaceChildren(empty);
    return;
  }
  list.replaceChildren(...records.map((record) => {
    const item = document.createElement("li");
    item.dataset.instance = record.instanceID;
    item.dataset.state = record.state;
    const title = document.createElement("strong");
    title.textContent = `${record.formTitle} · ${record.label || ""}`;
    const state = document.createElement("div");
    state.className = `state ${record.state}`;
    state.textContent = {
      draft: () => text("stateDraft"),
      queued: () => text("stateQueued") + (record.error ? ` (${record.error})` : ""),
      sent: () => text("stateSent", new Date(record.sentAt).toLocaleString(language === "fr" ? "fr-SN" : "en-GB")),
      rejected: () => text("stateRejected", record.error),
    }[record.state]();
    item.append(title, state);
    if (record.state === "draft") item.addEventListener("click", () => openForm(record.formID, record));
    return item;
  }));
}

async function openForm(formID, draft = null) {
  let form;
  try {
    form = await loadForm(person.forms.find((candidate) => candidate.id === formID));
  } catch {
    $("status").hidden = false;
    $("status").textContent = text("formUnavailable");
    return;
  }
  editing = { instanceID: draft?.instanceID ?? newInstanceID(), form, startedAt: draft?.startedAt ?? timestamp() };
  view = new FormView($("questions"), form, strings, { language, answers: draft?.answers ?? {} });
  $("home").hidden = true;
  $("filling").hidden = false;
  $("form-title").textContent = form.title;
  $("form-errors").textContent = "";
  view.render();
  window.scrollTo(0, 0);
}

function recordLabel(form, answers) {
  const named = form.fields.find((field) => field.path.endsWith("/meta/instanceName"));
  return named ? answers[named.path] ?? "" : "";
}

async function save(state) {
  const { form, instanceID, startedAt } = editing;
  if (state === "queued") {
    const problems = view.validate();
    if (problems.length) {
      $("form-errors").textContent = text("fixErrors", problems.length);
      document.querySelector(`[data-path="${problems[0].path}"]`)?.scrollIntoView({ block: "center" });
      return;
    }
  }
  const answers = view.computed();
  for (const field of form.fields) {
    if (field.preload === "uid") answers[field.path] = instanceID;
    if (field.path.endsWith("/start") && field.preload) answers[field.path] = startedAt;
    if (field.path.endsWith("/end") && field.preload) answers[field.path] = timestamp();
  }
  await outbox.put({
    instanceID, base, state, formID: form.id, formTitle: form.title, startedAt,
    answers: view.answers, label: recordLabel(form, answers),
    xml: state === "queued" ? instanceXML(form, answers) : null,
    createdAt: new Date().toISOString(), attempts: 0, error: "",
  });
  view = null;
  editing = null;
  await renderHome();
  if (state === "queued") sendWaiting();
}

function sendWaiting(force = false) {
  return outbox.flush(submissionURL, () => renderOutbox(), { force }).then(() => renderOutbox());
}

async function load() {
  renderTexts();
  try {
    const response = await fetchKept(`${base}/me`);
    if (response.status === 403) throw new Error("revoked");
    person = await response.json();
  } catch (error) {
    $("status").textContent = text(error.message === "revoked" ? "revoked" : "offline");
    $("status").className = "error";
    return;
  }
  await renderHome();
  // Keep the page and every form for offline use; a form is downloaded
  // again only when its version (hash) changes.
  caches.open(DATA_CACHE).then(async (cache) => {
    await cache.add(location.pathname).catch(() => {});
    await Promise.all(person.forms.map((form) => loadForm(form).catch(() => {})));
    await forgetOldForms();
  });
  sendWaiting(true);
}

$("language").addEventListener("click", () => {
  language = language === "fr" ? "en" : "fr";
  localStorage.setItem("suivi.language", language);
  if (view) { view.language = language; view.render(); }
  renderTexts();
  if (!view) renderHome();
});
$("form").addEventListener("submit", (event) => { event.preventDefault(); save("queued"); });
$("save-draft").addEventListener("click", () => save("draft"));
$("cancel").addEventListener("click", () => { view = null; editing = null; renderHome(); });
$("send-now").addEventListener("click", () => sendWaiting(true));
addEventListener("online", () => { renderTexts(); sendWaiting(true); });
addEventListener("offline", renderTexts);
setInterval(() => sendWaiting(), 15000);

if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
load();
