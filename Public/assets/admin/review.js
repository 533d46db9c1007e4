// Review of records for coordinators: flagged records first, with what the
// server's checks found; approve, mark as having issues, or reject (which
// takes the record out of the tallies), with a comment.
import { api, applyTexts, formatMoment, language, pickLabel, startPage, translate } from "./common.js";

const STATES = {
  fr: { received: "reçue", flagged: "signalée", approved: "approuvée", has_issues: "à problèmes", rejected: "rejetée" },
  en: { received: "received", flagged: "flagged", approved: "approved", has_issues: "has issues", rejected: "rejected" },
};
const FORMS = {
  fr: { visite: "Visite", causerie: "Causerie", emission_radio: "Émission radio" },
  en: { visite: "Visit", causerie: "Group talk", emission_radio: "Radio programme" },
};

const t = translate({
  fr: { title: "Revue des fiches", help: "Les fiches signalées par les contrôles du serveur viennent en premier. Une fiche rejetée sort des totaux.",
        show: "Afficher", toReview: "À revoir", flaggedOnly: "Signalées seulement", all: "Toutes", approvedOnly: "Approuvées",
        rejectedOnly: "Rejetées", form: "Formulaire", allForms: "Tous", form_visite: "Visite", form_causerie: "Causerie",
        form_emission_radio: "Émission radio", more: "Afficher plus", none: "Aucune fiche à afficher.",
        issues: "Problèmes relevés", answers: "Réponses", comment: "Commentaire", commentPlaceholder: "Pourquoi ? (facultatif)",
        approve: "Approuver", hasIssues: "A des problèmes", reject: "Rejeter", record: "Fiche", received: "reçue le",
        activity: "activité du", reviewed: (state) => `Fiche ${state}.`, previousComment: "Commentaire :",
        undo: "Annuler", undone: (state) => `Annulé : la fiche est de nouveau ${state}.`,
        empty: "(vide)", encrypted: "Fiche chiffrée",
        encryptedHelp: "Les réponses ont été chiffrées sur le téléphone : seule la clé privée du formulaire les ouvre (export avec la clé). La fiche compte comme reçue, pas dans les totaux." },
  en: { title: "Review records", help: "Records flagged by the server's checks come first. A rejected record leaves the tallies.",
        show: "Show", toReview: "To review", flaggedOnly: "Flagged only", all: "All", approvedOnly: "Approved",
        rejectedOnly: "Rejected", form: "Form", allForms: "All", form_visite: "Visit", form_causerie: "Group talk",
        form_emission_radio: "Radio programme", more: "Show more", none: "No record to show.",
        issues: "Issues found", answers: "Answers", comment: "Comment", commentPlaceholder: "Why? (optional)",
        approve: "Approve", hasIssues: "Has issues", reject: "Reject", record: "Record", received: "received",
        activity: "activity on", reviewed: (state) => `Record ${state}.`, previousComment: "Comment:",
        undo: "Undo", undone: (state) => `Undone: the record is ${state} again.`,
        empty: "(empty)", encrypted: "Encrypted record",
        encryptedHelp: "The answers were encrypted on the phone: only the form's private key opens them (export with the key). The record counts as received, not in the tallies." },
});
const stateName = (state) => (STATES[language()] || STATES.fr)[state] || state;
await startPage();
applyTexts(t);
// Questions and choices by name, per form: people read labels, not codes.
const { forms: catalogue } = await api("GET", "/api/v1/forms").catch(() => ({ forms: [] }));
const formsByID = Object.fromEntries(catalogue.map((form) => [form.id, form]));
const formName = (form) => (FORMS[language()] || FORMS.fr)[form] || formsByID[form]?.title || form;
const fieldOf = (formID, name) => formsByID[formID]?.fields.find((field) => field.name === name);
const fieldLabel = (formID, name) => pickLabel(fieldOf(formID, name)?.labels) || name;
/// A choice answer by its labels (a select_multiple's joined), any other as sent.
function valueText(formID, name, value) {
  const choices = fieldOf(formID, name)?.choices;
  if (!choices || value === "" || value === undefined) return value;
  return value.split(" ").map((code) => pickLabel(choices.find((choice) => choice.value === code)?.labels) || code).join(", ");
}
const list = document.getElementById("records");
const statusBox = document.getElementById("status");
const moreButton = document.getElementById("more");
const stateSelect = document.getElementById("state");
const formSelect = document.getElementById("form");
const params = new URLSearchParams(location.search);
if (params.has("state")) stateSelect.value = params.get("state");
if (params.has("form")) formSelect.value = params.get("form");
let nextOffset = 0;

function say(text, isError = false) {
  statusBox.hidden = false;
  statusBox.textContent = text;
  statusBox.classList.toggle("error", isError);
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

/// `/data/household_size` or `/data/group/field` names the answer `household_size` / `field`.
const answerName = (path) => path.split("/").pop();

/// True when `name` is a question inside one of the record's repeats.
function repeatedField(formID, name, repeated) {
  const path = fieldOf(formID, name)?.path || "";
  return path.split("/").slice(2, -1).some((step) => repeated.has(step));
}

/// Every instance of a repeat, numbered, each with its answers (and its
/// own repeats, nested).
function repeatSection(formID, name, instances, faulty) {
  const section = element("section", undefined, "repeat");
  section.append(element("h4", `${fieldLabel(formID, answerName(name))} (${instances.length})`));
  const list = element("ol");
  for (const instance of instances) {
    const item = element("li");
    const answers = element("dl", undefined, "answers");
    for (const [key, value] of Object.entries(instance)) {
      if (Array.isArray(value)) {
        item.append(repeatSection(formID, key, value, faulty));
        continue;
      }
      const question = answerName(key);
      const term = element("dt", fieldLabel(formID, question));
      term.title = key;
      const definition = element("dd", value === "" ? t("empty") : valueText(formID, question, value));
      answers.append(term, definition);
    }
    item.prepend(answers);
    list.append(item);
  }
  section.append(list);
  return section;
}

function card(record) {
  const item = element("li");
  item.dataset.id = record.id;
  item.dataset.state = record.review_state;
  const header = element("header");
  header.append(element("strong", `${formName(record.form_id)} · ${t("record")} #${record.id}`),
                element("span", stateName(record.review_state), `review-state ${record.review_state}`),
                element("span", [record.departement, record.activity_date && `${t("activity")} ${record.activity_date}`,
                                 `${t("received")} ${formatMoment(record.received_at)}`]
                  .filter(Boolean).join(" · "), "muted"));
  if (record.encrypted) header.append(element("span", t("encrypted"), "review-state encrypted"));
  item.append(header);
  if (record.encrypted) item.append(element("p", t("encryptedHelp"), "muted encrypted-help"));

  const faulty = new Set();
  if (record.issues.length) {
    item.append(element("h3", t("issues"), "muted"));
    const issues = element("ul", undefined, "issues");
    for (const issue of record.issues) {
      const name = answerName(issue.field || "");
      faulty.add(name);
      const message = language() === "en" ? (issue.message_en || issue.message) : issue.message;
      const value = valueText(record.form_id, name, record.answers[name]);
      issues.append(element("li", `${fieldLabel(record.form_id, name)} : ${message}${value !== undefined ? ` (« ${value || t("empty")} »)` : ""}`));
    }
    item.append(issues);
  }
  if (record.review_comment) item.append(element("p", `${t("previousComment")} ${record.review_comment}`, "muted comment"));

  const details = element("details");
  details.open = record.issues.length > 0;
  details.append(element("summary", t("answers")));
  const repeated = new Set(Object.keys(record.repeats || {}).map(answerName));
  const answers = element("dl", undefined, "answers");
  for (const [name, value] of Object.entries(record.answers)) {
    // A repeat's questions are shown with each of its instances below.
    if (fieldOf(record.form_id, name) && repeatedField(record.form_id, name, repeated)) continue;
    const term = element("dt", fieldLabel(record.form_id, name));
    term.title = name;
    const definition = element("dd", value === "" ? t("empty") : valueText(record.form_id, name, value));
    if (faulty.has(name)) { term.classList.add("at-fault"); definition.classList.add("at-fault"); }
    answers.append(term, definition);
  }
  details.append(answers);
  for (const [name, instances] of Object.entries(record.repeats || {})) {
    details.append(repeatSection(record.form_id, name, instances, faulty));
  }
  if (!record.encrypted) item.append(details);

  const verdict = element("div", undefined, "verdict");
  const commentID = `comment-${record.id}`;
  const label = element("label", t("comment"));
  label.htmlFor = commentID;
  const comment = element("textarea");
  comment.id = commentID;
  comment.name = "comment";
  comment.maxLength = 2000;
  comment.placeholder = t("commentPlaceholder");
  const actions = element("div", undefined, "row-actions");
  for (const [state, text, className] of [["approved", t("approve"), "approve"], ["has_issues", t("hasIssues"), "issues-button"],
                                          ["rejected", t("reject"), "reject"]]) {
    const button = element("button", text, className);
    button.type = "button";
    button.dataset.state = state;
    button.disabled = record.review_state === state;
    button.addEventListener("click", () => review(record, state, comment.value.trim(), item));
    actions.append(button);
  }
  verdict.append(label, comment, actions);
  item.append(verdict);
  return item;
}

async function review(record, state, comment, item, { undoing = false } = {}) {
  for (const button of item.querySelectorAll("button")) button.disabled = true;
  try {
    const answer = await api("PATCH", `/api/v1/submissions/${record.id}/review`, { state, comment: comment || null });
    const updated = { ...record, review_state: answer.review_state, review_comment: answer.review_comment };
    const replaced = card(updated);
    item.replaceWith(replaced);
    if (undoing) { say(t("undone", stateName(answer.review_state))); return; }
    // Said, with a way back: the record returns to what it was, comment included.
    say(t("reviewed", stateName(answer.review_state)));
    const undo = element("button", t("undo"), "secondary undo");
    undo.type = "button";
    undo.addEventListener("click", () => review(updated, record.review_state, record.review_comment ?? "", replaced, { undoing: true }));
    statusBox.append(" ", undo);
  } catch (error) {
    say(error.text ? error.text() : String(error), true);
    for (const button of item.querySelectorAll("button")) button.disabled = button.dataset.state === record.review_state;
  }
}

async function load(reset) {
  if (reset) { list.replaceChildren(); nextOffset = 0; }
  const query = new URLSearchParams({ limit: "50", offset: String(nextOffset) });
  if (stateSelect.value) query.set("state", stateSelect.value);
  if (formSelect.value) query.set("form", formSelect.value);
  try {
    const page = await api("GET", `/api/v1/review?${query}`);
    for (const record of page.submissions) list.append(card(record));
    if (!list.children.length) list.append(element("li", t("none"), "muted empty"));
    nextOffset = page.next_offset ?? 0;
    moreButton.hidden = page.next_offset === null;
    document.body.dataset.loaded = String(Date.now());
  } catch (error) {
    say(error.text ? error.text() : String(error), true);
  }
}

for (const select of [stateSelect, formSelect]) {
  select.addEventListener("change", () => {
    const query = new URLSearchParams();
    if (stateSelect.value !== "flagged,has_issues,received") query.set("state", stateSelect.value);
    if (formSelect.value) query.set("form", formSelect.value);
    history.replaceState(null, "", query.size ? `?${query}` : location.pathname);
    load(true);
  });
}
moreButton.addEventListener("click", () => load(false));
await load(true);
