// Forms published from the admin: the forms phones get, their states, and
// drafts from an XLSForm (converted by pyxform on the server) or an XForm,
// with what each draft changes before it is published.
import { api, ApiError, applyTexts, language, session, startPage, translate } from "./common.js";

const texts = {
  fr: { title: "Formulaires", help: "Déposez un XLSForm (ou un XForm) pour préparer un brouillon, vérifiez ce qu'il change, puis publiez-le : les téléphones reçoivent la nouvelle version à la prochaine mise à jour de leurs formulaires, sans redémarrer le serveur.",
        form: "Formulaire", version: "Version", state: "État", files: "Fichiers joints", draft: "Brouillon",
        upload: "Déposer un formulaire", target: "Pour", file: "Fichier XLSForm (.xlsx, .xls) ou XForm (.xml)",
        media: "Fichiers joints : images, sons, listes CSV ou XML (facultatif)", send: "Préparer le brouillon",
        newForm: "Un nouveau formulaire", newVersion: (title) => `Une nouvelle version de « ${title} »`,
        changes: "Ce que le brouillon change", draftFiles: "Fichiers joints", publish: "Publier", discard: "Abandonner le brouillon",
        open: "ouvert", closing: "en fermeture (plus proposé, fiches acceptées)", closed: "fermé (fiches refusées)",
        none: "aucun", see: (version) => `version ${version} — voir`, draftOf: (title) => `Brouillon : ${title}`,
        draftVersion: (version, published) => published ? `Version ${version} (publiée aujourd'hui : ${published})` : `Version ${version} (nouveau formulaire)`,
        added: (paths) => `Questions ajoutées : ${paths}`, removed: (paths) => `Questions retirées (elles restent dans les fiches déjà reçues) : ${paths}`,
        typeChanged: (path, from, to) => `${path} : type ${from} → ${to}`,
        choicesChanged: (path, added, removed) => `${path} : choix ajoutés [${added}], retirés [${removed}]`,
        noChange: "Aucune question ne change (libellés ou mise en page seulement).",
        warnings: "Avertissements de la conversion :", affected: "Indicateurs touchés par ces changements :",
        noMedia: "Aucun fichier joint.", uploading: "Conversion et vérification en cours…",
        drafted: (title) => `Brouillon de « ${title} » prêt : vérifiez-le puis publiez-le.`,
        published: (title, version) => `« ${title} » version ${version} publiée : les téléphones la recevront à leur prochaine mise à jour.`,
        discarded: "Brouillon abandonné.", stateChanged: (title) => `État de « ${title} » changé.`,
        confirmPublish: (title) => `Publier « ${title} » ? Les téléphones recevront cette version.`,
        confirmDiscard: "Abandonner ce brouillon et ses fichiers ?",
        confirmClose: (title) => `Fermer « ${title} » ? Les fiches envoyées ensuite seront refusées.`,
        testing: "Essayer sur un téléphone",
        testingHelp: "Un lien de test ouvre le brouillon dans ODK Collect ou un navigateur : les fiches envoyées restent à part (jamais comptées, ni exportées) et disparaissent avec le brouillon.",
        makeTestLink: "Créer un lien de test", newTestLink: "Nouveau lien de test (l'ancien ne marche plus)",
        testURL: (url) => `Lien de test, à saisir dans ODK Collect comme adresse du serveur (montré une seule fois) : ${url}`,
        testRecords: (count) => count === 0 ? "Aucune fiche de test reçue." : count === 1 ? "1 fiche de test reçue." : `${count} fiches de test reçues.`,
        confirmTestLink: "Créer un nouveau lien ? L'ancien ne marchera plus." },
  en: { title: "Forms", help: "Upload an XLSForm (or an XForm) to prepare a draft, check what it changes, then publish it: phones get the new version at their next form update, without restarting the server.",
        form: "Form", version: "Version", state: "State", files: "Attached files", draft: "Draft",
        upload: "Upload a form", target: "For", file: "XLSForm (.xlsx, .xls) or XForm (.xml) file",
        media: "Attached files: images, audio, CSV or XML lists (optional)", send: "Prepare the draft",
        newForm: "A new form", newVersion: (title) => `A new version of "${title}"`,
        changes: "What the draft changes", draftFiles: "Attached files", publish: "Publish", discard: "Discard the draft",
        open: "open", closing: "closing (not offered, records accepted)", closed: "closed (records refused)",
        none: "none", see: (version) => `version ${version} — see`, draftOf: (title) => `Draft: ${title}`,
        draftVersion: (version, published) => published ? `Version ${version} (published now: ${published})` : `Version ${version} (new form)`,
        added: (paths) => `Questions added: ${paths}`, removed: (paths) => `Questions removed (they stay in records already received): ${paths}`,
        typeChanged: (path, from, to) => `${path}: type ${from} → ${to}`,
        choicesChanged: (path, added, removed) => `${path}: choices added [${added}], removed [${removed}]`,
        noChange: "No question changes (labels or layout only).",
        warnings: "Conversion warnings:", affected: "Indicators affected by these changes:",
        noMedia: "No attached file.", uploading: "Converting and checking…",
        drafted: (title) => `Draft of "${title}" ready: check it, then publish it.`,
        published: (title, version) => `"${title}" version ${version} published: phones get it at their next update.`,
        discarded: "Draft discarded.", stateChanged: (title) => `State of "${title}" changed.`,
        confirmPublish: (title) => `Publish "${title}"? Phones will get this version.`,
        confirmDiscard: "Discard this draft and its files?",
        confirmClose: (title) => `Close "${title}"? Records sent afterwards will be refused.`,
        testing: "Try it on a phone",
        testingHelp: "A test link opens the draft in ODK Collect or a browser: records sent through it stay apart (never counted nor exported) and go with the draft.",
        makeTestLink: "Make a test link", newTestLink: "New test link (the old one stops working)",
        testURL: (url) => `Test link, to enter in ODK Collect as the server address (shown once): ${url}`,
        testRecords: (count) => count === 0 ? "No test record received." : count === 1 ? "1 test record received." : `${count} test records received.`,
        confirmTestLink: "Make a new link? The old one will stop working." },
};
const t = translate(texts);
const me = await startPage();
const isAdmin = me.user.role === "admin";
applyTexts(t);

const status = document.getElementById("status");
function say(text, isError = false) {
  status.textContent = text;
  status.hidden = false;
  status.classList.toggle("error", isError);
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

let shownDraft = null;

async function refresh() {
  const { forms, new_drafts: newDrafts } = await api("GET", "/api/v1/forms");
  const body = document.querySelector("#forms tbody");
  body.replaceChildren();
  const target = document.getElementById("target");
  target.replaceChildren(new Option(t("newForm"), ""));
  for (const form of forms) {
    const row = document.createElement("tr");
    row.append(element("td", `${form.title} (${form.id})`), element("td", form.version));
    const state = document.createElement("td");
    if (isAdmin) {
      const select = document.createElement("select");
      select.setAttribute("aria-label", `${t("state")} — ${form.title}`);
      for (const value of ["open", "closing", "closed"]) select.append(new Option(t(value), value, false, value === form.state));
      select.addEventListener("change", () => changeState(form, select));
      state.append(select);
    } else {
      state.textContent = t(form.state);
    }
    row.append(state, element("td", String(form.media_count)));
    const draftCell = document.createElement("td");
    if (form.draft_version) {
      const link = element("button", t("see", form.draft_version), "link");
      link.type = "button";
      link.addEventListener("click", () => showDraft(form.id));
      draftCell.append(link);
    } else {
      draftCell.textContent = t("none");
    }
    row.append(draftCell);
    body.append(row);
    target.append(new Option(t("newVersion", form.title), form.id));
  }
  for (const draft of newDrafts) {
    const row = document.createElement("tr");
    row.append(element("td", `${draft.title} (${draft.id})`), element("td", "—"), element("td", "—"), element("td", "—"));
    const cell = document.createElement("td");
    const link = element("button", t("see", draft.draft_version), "link");
    link.type = "button";
    link.addEventListener("click", () => showDraft(draft.id));
    cell.append(link);
    row.append(cell);
    body.append(row);
  }
}

async function changeState(form, select) {
  if (select.value === "closed" && !confirm(t("confirmClose", form.title))) {
    select.value = form.state;
    return;
  }
  try {
    await api("PATCH", `/api/v1/forms/${encodeURIComponent(form.id)}`, { state: select.value });
    say(t("stateChanged", form.title));
    await refresh();
  } catch (error) {
    say(error instanceof ApiError ? error.text() : String(error), true);
  }
}

function render(draft) {
  shownDraft = draft;
  const section = document.getElementById("draft");
  section.hidden = false;
  document.getElementById("draft-title").textContent = t("draftOf", draft.title);
  document.getElementById("draft-version").textContent = t("draftVersion", draft.version, draft.published_version);
  const warnings = document.getElementById("draft-warnings");
  warnings.replaceChildren();
  if (draft.warnings.length) {
    warnings.append(element("p", t("warnings")));
    const list = element("ul");
    for (const warning of draft.warnings) list.append(element("li", warning, "warning"));
    warnings.append(list);
  }
  const changes = document.getElementById("draft-changes");
  changes.replaceChildren();
  const c = draft.changes;
  // Questions by their names within the form, metadata left out.
  const named = (paths) => paths.map((path) => path.split("/").slice(2).join("/")).filter((name) => name && !name.startsWith("meta"));
  if (named(c.added).length) changes.append(element("li", t("added", named(c.added).join(", "))));
  if (named(c.removed).length) changes.append(element("li", t("removed", named(c.removed).join(", "))));
  for (const change of c.type_changed) {
    changes.append(element("li", t("typeChanged", named([change.path])[0] ?? change.path, change.from, change.to)));
  }
  for (const change of c.choices_changed) {
    changes.append(element("li", t("choicesChanged", named([change.path])[0] ?? change.path, change.added.join(", "), change.removed.join(", "))));
  }
  if (!changes.children.length) changes.append(element("li", t("noChange")));
  const indicators = document.getElementById("draft-indicators");
  indicators.replaceChildren();
  if (draft.affected_indicators.length) {
    indicators.append(element("p", t("affected")));
    const list = element("ul");
    for (const indicator of draft.affected_indicators) {
      const name = language() === "en" ? indicator.name_en : indicator.name_fr;
      list.append(element("li", `${name} — ${indicator.reason}`, "affected"));
    }
    indicators.append(list);
  }
  const media = document.getElementById("draft-media");
  media.replaceChildren();
  for (const file of draft.media) media.append(element("li", `${file.name} (${file.content_type}, ${file.size} o)`));
  if (!draft.media.length) media.append(element("li", t("noMedia")));
  document.getElementById("publish").hidden = !isAdmin;
  document.getElementById("test-link").hidden = !isAdmin;
  document.getElementById("test-url").hidden = true;
  showTestRecords(draft.form_id);
  section.scrollIntoView({ block: "start" });
}

let testLinkMade = false;
async function showTestRecords(formID) {
  const line = document.getElementById("test-records");
  try {
    const { records } = await api("GET", `/api/v1/forms/${encodeURIComponent(formID)}/draft/submissions`);
    line.textContent = t("testRecords", records.length);
  } catch {
    line.textContent = "";
  }
}

async function showDraft(formID) {
  try {
    render(await api("GET", `/api/v1/forms/${encodeURIComponent(formID)}/draft`));
  } catch (error) {
    say(error instanceof ApiError ? error.text() : String(error), true);
  }
}

// A multipart upload: `api()` sends JSON only.
async function upload(path, body) {
  const { csrf_token } = await session();
  const response = await fetch(path, {
    method: "POST", body, credentials: "same-origin", cache: "no-store",
    headers: { "X-CSRF-Token": csrf_token, "Accept": "application/json", "Accept-Language": language() },
  });
  if (!response.ok) throw await ApiError.from(response);
  return response.json();
}

document.getElementById("upload").addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = document.getElementById("file").files[0];
  if (!file) return;
  const body = new FormData();
  body.append("file", file, file.name);
  for (const media of document.getElementById("media").files) body.append("media", media, media.name);
  const formID = document.getElementById("target").value;
  const button = document.getElementById("send");
  button.disabled = true;
  say(t("uploading"));
  try {
    const draft = await upload(formID ? `/api/v1/forms/${encodeURIComponent(formID)}/draft` : "/api/v1/forms", body);
    say(t("drafted", draft.title));
    render(draft);
    await refresh();
  } catch (error) {
    say(error instanceof ApiError ? error.text() : String(error), true);
  } finally {
    button.disabled = false;
  }
});

document.getElementById("test-link").addEventListener("click", async () => {
  if (!shownDraft || (testLinkMade && !confirm(t("confirmTestLink")))) return;
  try {
    const made = await api("POST", `/api/v1/forms/${encodeURIComponent(shownDraft.form_id)}/draft/test-link`);
    testLinkMade = true;
    const line = document.getElementById("test-url");
    line.textContent = t("testURL", made.url);
    line.hidden = false;
    document.getElementById("test-link").textContent = t("newTestLink");
  } catch (error) {
    say(error instanceof ApiError ? error.text() : String(error), true);
  }
});

document.getElementById("publish").addEventListener("click", async () => {
  if (!shownDraft || !confirm(t("confirmPublish", shownDraft.title))) return;
  try {
    const published = await api("POST", `/api/v1/forms/${encodeURIComponent(shownDraft.form_id)}/draft/publish`);
    say(t("published", published.title, published.version));
    document.getElementById("draft").hidden = true;
    await refresh();
  } catch (error) {
    say(error instanceof ApiError ? error.text() : String(error), true);
  }
});

document.getElementById("discard").addEventListener("click", async () => {
  if (!shownDraft || !confirm(t("confirmDiscard"))) return;
  try {
    await api("DELETE", `/api/v1/forms/${encodeURIComponent(shownDraft.form_id)}/draft`);
    say(t("discarded"));
    document.getElementById("draft").hidden = true;
    await refresh();
  } catch (error) {
    say(error instanceof ApiError ? error.text() : String(error), true);
  }
});

await refresh();
