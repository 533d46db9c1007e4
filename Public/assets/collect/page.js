// The phone web form under /key/{token}: who the person is, their forms,
// their outbox. Works offline after the first visit: the service worker
// serves the page and assets, the Cache API holds `me` and the forms, and
// IndexedDB holds every record until the server has acknowledged it, and
// every answer as it is typed: a record being filled is a draft on the phone
// that survives Back, a reload or a closed browser.
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
let editing = null;    // { instanceID, form, startedAt, createdAt, original, warned }
let saving = Promise.resolve();  // writes to the outbox, one after the other
let pendingDraft = null;         // the latest answers not yet written to the outbox
// The record being filled, also kept synchronously: an IndexedDB write still
// under way when the page is reloaded or closed can be lost, this cannot.
const FILLING = `suivi.filling:${base}`;

const $ = (id) => document.getElementById(id);

/**
 * Places typed in sent records (commune, quartier...), the five latest per
 * question name, offered the next time: a resource person works in a few
 * places for days.
 */
const RECENT = `suivi.recentPlaces:${base}`;
const PLACE_QUESTION = /^(commune|quartier|neighbourhood|village|localite|lieu|place|marche)$/i;
const recentPlaces = () => { try { return JSON.parse(localStorage.getItem(RECENT) || "{}"); } catch { return {}; } };
function rememberPlaces(form, answers) {
  const recent = recentPlaces();
  for (const field of form.fields) {
    const value = (answers[field.path] ?? "").trim();
    if (field.type !== "string" || field.choices || !PLACE_QUESTION.test(field.name) || !value) continue;
    recent[field.name] = [value, ...(recent[field.name] ?? []).filter((place) => place !== value)].slice(0, 5);
  }
  try { localStorage.setItem(RECENT, JSON.stringify(recent)); } catch { /* full: nothing offered */ }
}

/**
 * The form language the person chose ("Wolof (wo)"), kept on the phone;
 * null follows the page's language.
 */
const FORM_LANGUAGE = "suivi.formLanguage";
const formLanguageOf = (form) => {
  const chosen = localStorage.getItem(FORM_LANGUAGE);
  return form.languages.includes(chosen) ? chosen : null;
};

/** "Wolof (wo)" → "Wolof": the language's own name, as the form writes it. */
const languageName = (name) => name.replace(/\s*\([^)]*\)\s*$/, "") || name;

/**
 * A choice of the form's languages when it has several (French, English,
 * Wolof...): questions, hints and choices are read in the one chosen.
 */
function renderFormLanguages(form) {
  const picker = $("form-language");
  const languages = form.languages.filter(Boolean);
  $("form-language-row").hidden = languages.length < 2;
  if (languages.length < 2) return;
  const shown = view.formLanguage ?? languages.find((name) => name.toLowerCase().includes(`(${language})`)) ?? languages[0];
  picker.replaceChildren(...languages.map((name) => new Option(languageName(name), name, false, name === shown)));
}

function text(key, ...values) {
  const entry = strings[language][key];
  return typeof entry === "function" ? entry(...values) : entry;
}

/**
 * A form's title in the chosen language. An XForm has one title (in French
 * for the shipped forms): the strings file names the shipped forms in
 * English; any other form keeps its own title.
 */
const formTitle = (formID, title) => strings[language].formTitles?.[formID] ?? title;

/** The URL of a form's description at a given version: cached for good. */
const formURL = (form) => `${base}/forms/${form.id}.json?hash=${encodeURIComponent(form.hash)}`;

/** A media file of a form (an image of a label), served beside it. */
const mediaURL = (form, name) => `${base}/forms/${encodeURIComponent(form.id)}/media/${encodeURIComponent(name)}`;

/** Every image a form shows, so it can be kept for offline use. */
const formImages = (form) => [...new Set(form.fields.flatMap((field) => [
  ...Object.values(field.images ?? {}), ...(field.choices ?? []).flatMap((choice) => Object.values(choice.images ?? {})),
]))];

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

/** The description of one exact version, only if the phone kept it (never fetched: the server serves the current one). */
async function keptForm(form) {
  const kept = await (await caches.open(DATA_CACHE)).match(formURL(form));
  return kept ? kept.json() : null;
}

/**
 * Drops kept descriptions of form versions the server no longer serves,
 * unless a draft began with them, and images no current form shows
 * (`images`: the URLs of those it does).
 */
async function forgetOldForms(images = []) {
  const cache = await caches.open(DATA_CACHE);
  const drafts = (await outbox.all().catch(() => [])).filter((record) => record.state === "draft" && record.formHash);
  const current = new Set([...person.forms.map((form) => formURL(form)), ...images,
    ...drafts.map((draft) => formURL({ id: draft.formID, hash: draft.formHash }))]
    .map((url) => new URL(url, location.href).href));
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
  // A draft's test link has no département: the line says nothing then.
  $("departement").textContent = person.departement.code
    ? text("departement", person.departement.name, person.departement.region) : "";
  $("server-url").textContent = person.collect_server_url;
  $("forms").replaceChildren(...person.forms.map((form) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "open secondary";
    button.dataset.form = form.id;
    button.textContent = formTitle(form.id, form.title);
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
    if (record.reviewState) item.dataset.review = record.reviewState;
    const title = document.createElement("strong");
    title.textContent = `${formTitle(record.formID, record.formTitle)} · ${record.label || ""}`;
    const state = document.createElement("div");
    state.className = `state ${record.state}`;
    state.textContent = {
      draft: () => text("stateDraft"),
      queued: () => text("stateQueued") + (record.error ? ` (${record.error})` : ""),
      sent: () => {
        const sent = text("stateSent", new Date(record.sentAt).toLocaleString(language === "fr" ? "fr-SN" : "en-GB"));
        // What the coordinator made of it, once they have looked.
        const review = { approved: "reviewApproved", has_issues: "reviewHasIssues", rejected: "reviewRejected" }[record.reviewState];
        return review ? `${sent} — ${text(review)}` : sent;
      },
      rejected: () => text("stateRejected", record.error),
    }[record.state]();
    item.append(title, state);
    if (record.state === "draft") item.addEventListener("click", () => openForm(record.formID, record));
    return item;
  }));
}

/**
 * Opens a form, new or from a draft. The form gets a history entry of its
 * own, so Android's Back closes it to the list (the draft kept) instead of
 * leaving the page.
 */
async function openForm(formID, draft = null, { push = true } = {}) {
  let form;
  try {
    // A draft goes on in the version it began with, while the phone keeps it.
    form = (draft?.formHash && await keptForm({ id: formID, hash: draft.formHash }))
      || await loadForm(person.forms.find((candidate) => candidate.id === formID));
  } catch {
    $("status").hidden = false;
    $("status").textContent = text("formUnavailable");
    return;
  }
  editing = {
    instanceID: draft?.instanceID ?? newInstanceID(), form, startedAt: draft?.startedAt ?? timestamp(),
    createdAt: draft?.createdAt ?? new Date().toISOString(), original: draft, warned: false,
  };
  view = new FormView($("questions"), form, strings, {
    language, formLanguage: formLanguageOf(form), answers: draft?.answers ?? {}, counts: draft?.counts ?? {},
    changed: answerChanged, confirm: ask, mediaURL: (name) => mediaURL(form, name), files: draft?.files ?? {},
    suggestions: recentPlaces(),
  });
  if (!draft) view.prefill({ departement: person.departement.code, today: timestamp().slice(0, 10) });
  if (push) history.pushState({ filling: editing.instanceID }, "");
  $("status").hidden = true;
  $("home").hidden = true;
  $("filling").hidden = false;
  $("form-title").textContent = formTitle(form.id, form.title);
  showFormMessage("", "error");
  $("finalise").textContent = text("finalise");
  renderFormLanguages(form);
  view.render();
  window.scrollTo(0, 0);
}

function recordLabel(form, answers) {
  const named = form.fields.find((field) => field.path.endsWith("/meta/instanceName"));
  return named ? answers[named.path] ?? "" : "";
}

function showFormMessage(message, kind) {
  $("form-errors").textContent = message;
  $("form-errors").className = kind;
}

/** The record being filled as a draft: its answers so far, no XML yet. */
function draftRecord() {
  const { form, instanceID, startedAt, createdAt } = editing;
  return {
    instanceID, base, state: "draft", formID: form.id, formHash: form.hash, formTitle: form.title, startedAt,
    answers: { ...view.answers }, counts: { ...view.counts }, label: recordLabel(form, view.computed()),
    files: { ...view.files }, xml: null, createdAt, attempts: 0, error: "",
  };
}

/** Queues a write to the outbox behind the ones before it, so the last answer wins. */
function write(work) {
  saving = saving.then(work).catch(() => {});
  return saving;
}

/** Every change is on the phone at once: nothing typed is lost if the page goes. */
function answerChanged() {
  if (!view || !editing) return;
  pendingDraft = draftRecord();
  // Photos stay out of this copy (no Blob in localStorage): IndexedDB has them.
  try { localStorage.setItem(FILLING, JSON.stringify({ ...pendingDraft, files: {} })); } catch { /* full: IndexedDB still has it */ }
  // Keystrokes come faster than writes: each write takes the latest answers.
  write(async () => {
    const record = pendingDraft;
    pendingDraft = null;
    if (record) await outbox.put(record);
  });
  if (editing.warned) {
    // The answers changed since the warnings: check them again before sending.
    editing.warned = false;
    $("finalise").textContent = text("finalise");
  }
}

/** Leaves the form for the list; the history entry the form added goes too. */
async function closeForm() {
  view = null;
  editing = null;
  pendingDraft = null;
  await saving;
  localStorage.removeItem(FILLING);
  if (history.state?.filling) history.back();  // popstate draws the list
  else await renderHome();
}

async function finalise() {
  const { problems, warnings } = view.check();
  if (problems.length) {
    showFormMessage(text("fixErrors", problems.length), "error");
    document.querySelector(`[data-path="${problems[0].path}"]`)?.scrollIntoView({ block: "center" });
    return;
  }
  if (warnings.length && !editing.warned) {
    // What the server would flag for review: said once, then the person decides.
    editing.warned = true;
    showFormMessage(text("checkWarnings", warnings.length), "warning");
    $("finalise").textContent = text("sendAnyway");
    document.querySelector(`[data-path="${warnings[0].path}"]`)?.scrollIntoView({ block: "center" });
    return;
  }
  const { form, instanceID, startedAt } = editing;
  const answers = view.computed();
  for (const field of form.fields) {
    if (field.preload === "uid") answers[field.path] = instanceID;
    if (field.path.endsWith("/start") && field.preload) answers[field.path] = startedAt;
    if (field.path.endsWith("/end") && field.preload) answers[field.path] = timestamp();
  }
  const record = {
    ...draftRecord(), state: "queued", label: recordLabel(form, answers),
    xml: instanceXML(form, answers, view.allCounts()), createdAt: new Date().toISOString(),
    // Only the photos the record names go with it.
    files: Object.fromEntries(view.attachedFiles(answers).map(({ name, blob }) => [name, blob])),
  };
  await write(() => outbox.put(record));
  rememberPlaces(form, answers);
  await closeForm();
  sendWaiting();
}

async function keepDraft() {
  const record = draftRecord();
  await write(() => outbox.put(record));
  await closeForm();
}

/** "Annuler": typed answers go only once the person says so. */
function cancel() {
  if (!view.touched) { closeForm(); return; }
  $("discard").showModal();
}

async function discard() {
  $("discard").close();
  const { instanceID, original } = editing;
  pendingDraft = null;
  localStorage.removeItem(FILLING);
  // A draft opened again goes back to what it was; a new record goes.
  await write(() => (original ? outbox.put(original) : outbox.remove(instanceID)));
  await closeForm();
}

/** A yes-or-no question in the page's own dialog (in the person's language). */
function ask(message) {
  const dialog = $("remove");
  $("remove-question").textContent = message;
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
    dialog.returnValue = "";
    dialog.showModal();
  });
}

function sendWaiting(force = false) {
  // Reviews are asked for when the page opens, the network returns or the person taps "send":
  // not on every timer tick, on a 2G budget.
  return outbox.flush(submissionURL, () => renderOutbox(), { force }).then(() => (force ? learnReviews() : null))
    .then(() => renderOutbox());
}

/**
 * Asks the server what coordinators made of the records this phone sent
 * (the 100 latest not settled yet: approved and rejected ones stay so), and
 * keeps it with them. Offline: nothing changes.
 */
async function learnReviews() {
  const settled = new Set(["approved", "rejected"]);
  const sent = (await outbox.all().catch(() => []))
    .filter((record) => record.base === base && record.state === "sent" && !settled.has(record.reviewState))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, 100);
  if (!sent.length || !navigator.onLine) return;
  try {
    const response = await fetch(`${base}/records?ids=${encodeURIComponent(sent.map((record) => record.instanceID).join(","))}`,
                                 { cache: "no-store" });
    if (!response.ok) return;
    const states = new Map((await response.json()).records.map((record) => [record.instance_id, record.review_state]));
    for (const record of sent) {
      const state = states.get(record.instanceID);
      if (state && state !== record.reviewState) await outbox.put({ ...record, reviewState: state });
    }
  } catch {
    // offline or the server away: asked again at the next send
  }
}

/** "Envoyer maintenant": says plainly when the network is what is missing. */
async function sendNow() {
  const status = $("send-status");
  status.textContent = navigator.onLine ? "" : text("sendWhenOnline");
  await sendWaiting(true);
  const waiting = (await outbox.all()).filter((record) => record.base === base && record.state === "queued");
  if (waiting.some((record) => !record.error)) status.textContent = text("sendWhenOnline");
  else if (waiting.length === 0) status.textContent = "";
}

/**
 * The answers kept synchronously by the last page go into the outbox, unless
 * that record has since been finalised or erased.
 */
async function recoverFilling() {
  let record = null;
  try { record = JSON.parse(localStorage.getItem(FILLING) || "null"); } catch { /* unreadable: IndexedDB has the draft */ }
  if (record?.state === "draft" && record.instanceID) {
    const kept = await outbox.get(record.instanceID).catch(() => null);
    if (!kept || kept.state === "draft") await outbox.put({ ...record, files: kept?.files ?? {} });
  }
  localStorage.removeItem(FILLING);
}

/** After a reload in the middle of a form, the form opens again with its draft. */
async function reopenDraft() {
  const instanceID = history.state?.filling;
  if (!instanceID) return;
  const draft = await outbox.get(instanceID).catch(() => null);
  if (draft?.state === "draft" && person.forms.some((form) => form.id === draft.formID)) {
    await openForm(draft.formID, draft, { push: false });
  } else {
    history.replaceState(null, "");
  }
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
  await recoverFilling();
  await renderHome();
  await reopenDraft();
  // Keep the page and every form for offline use; a form is downloaded
  // again only when its version (hash) changes.
  caches.open(DATA_CACHE).then(async (cache) => {
    await cache.add(location.pathname).catch(() => {});
    const images = [];
    await Promise.all(person.forms.map(async (form) => {
      const description = await loadForm(form).catch(() => null);
      // Its images too: a form opened offline shows them.
      for (const name of description ? formImages(description) : []) images.push(mediaURL(description, name));
    }));
    await Promise.all(images.map((url) => cache.add(url).catch(() => {})));
    await forgetOldForms(images);
  });
  sendWaiting(true);
}

$("language").addEventListener("click", () => {
  language = language === "fr" ? "en" : "fr";
  localStorage.setItem("suivi.language", language);
  if (view) {
    view.language = language;
    renderFormLanguages(editing.form);
    view.render();
    $("form-title").textContent = formTitle(editing.form.id, editing.form.title);
    $("finalise").textContent = text(editing.warned ? "sendAnyway" : "finalise");
  }
  renderTexts();
  if (!view) renderHome();
});
$("form-language").addEventListener("change", () => {
  localStorage.setItem(FORM_LANGUAGE, $("form-language").value);
  if (!view) return;
  view.formLanguage = $("form-language").value;
  view.render();
});
$("form").addEventListener("submit", (event) => { event.preventDefault(); finalise(); });
$("save-draft").addEventListener("click", keepDraft);
$("cancel").addEventListener("click", cancel);
$("discard-confirm").addEventListener("click", discard);
$("discard-keep").addEventListener("click", () => $("discard").close());
$("remove-keep").addEventListener("click", () => $("remove").close("no"));
$("remove-confirm").addEventListener("click", () => $("remove").close("yes"));
$("send-now").addEventListener("click", sendNow);
// Back (Android's button or gesture) while filling: the answers are already
// on the phone, so the form closes to the list and the draft shows there.
addEventListener("popstate", async () => {
  if (view && editing) {
    const record = draftRecord();
    if (view.touched) write(() => outbox.put(record));
    view = null;
    editing = null;
    pendingDraft = null;
    if ($("discard").open) $("discard").close();
    if ($("remove").open) $("remove").close("no");
    await saving;
    localStorage.removeItem(FILLING);
  }
  if (person) await renderHome();
});
addEventListener("online", () => { renderTexts(); sendWaiting(true); });
addEventListener("offline", renderTexts);
setInterval(() => sendWaiting(), 15000);

if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
load();
