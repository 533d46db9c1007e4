// Leads for coordinators: the list (the feed, latest version of each lead),
// likely duplicates to merge or keep apart, and the merge log with undo.
import { api, applyTexts, choiceLabels, formatNumber, language, startPage, translate } from "./common.js";

const t = translate({
  fr: { title: "Pré-inscriptions", duplicates: "Doublons probables",
        duplicatesHelp: "Même nom dans le même département, téléphone différent ; pour une vue nationale, aussi le même téléphone ou NIN dans deux régions.",
        otherRegion: { phone: "même téléphone, autre région", national_id: "même NIN, autre région" },
        merges: "Fusions", leads: "Liste",
        more: "Afficher plus", merge: "Fusionner", apart: "Personnes différentes", undo: "Annuler",
        none: "Aucun.", name: "Nom", phone: "Téléphone", departement: "Département", status: "État",
        visits: "Visites", kept: "Conservée", mergedLead: "Fusionnée", reason: "Motif", undone: "annulée",
        done: "C'est fait.", merged: (kept, merged) => `Fusion faite : #${merged} rejoint #${kept}.`, mergeUndone: "Fusion annulée : les deux pré-inscriptions sont de nouveau séparées.",
        keptApart: (a, b) => `#${a} et #${b} restent deux personnes ; ils ne seront plus proposés comme doublons.`,
        undoneMessage: "Fusion annulée : les deux pré-inscriptions sont à nouveau séparées.",
        nationalID: "NIN", trade: "Métier", neighbourhood: "Quartier", organisation: "OPA", since: "Enregistrée le",
        statuses: { lead: "pré-inscrit", member: "adhérent", merged: "fusionnée", withdrawn: "retirée", erased: "effacée" } },
  en: { title: "Leads", duplicates: "Likely duplicates",
        duplicatesHelp: "Same name in the same département, different phone; nationally, also the same phone or ID number in two regions.",
        otherRegion: { phone: "same phone, other region", national_id: "same ID number, other region" },
        merges: "Merges", leads: "List", more: "Show more", merge: "Merge", apart: "Different people", undo: "Undo",
        none: "None.", name: "Name", phone: "Phone", departement: "Département", status: "Status", visits: "Visits",
        kept: "Kept", mergedLead: "Merged", reason: "Reason", undone: "undone", done: "Done.",
        merged: (kept, merged) => `Merged: #${merged} joined #${kept}.`, mergeUndone: "Merge undone: the two leads are separate again.",
        keptApart: (a, b) => `#${a} and #${b} stay two people; they will not be offered as duplicates again.`,
        undoneMessage: "Merge undone: the two leads are separate again.",
        nationalID: "ID number", trade: "Trade", neighbourhood: "Neighbourhood", organisation: "Organisation", since: "Recorded on",
        statuses: { lead: "lead", member: "member", merged: "merged", withdrawn: "withdrawn", erased: "erased" } },
});
await startPage();
applyTexts(t);
// Words, not codes: département names and the form's own choice labels.
const [{ departements }, label] = await Promise.all([api("GET", "/api/v1/departements"), choiceLabels()]);
const departementName = (code) => departements.find((item) => item.code === code)?.name ?? code ?? "";
const shortDate = (at) => new Intl.DateTimeFormat(language() === "en" ? "en-GB" : "fr-FR", { dateStyle: "medium", timeZone: "UTC" })
  .format(new Date(at));
const statusBox = document.getElementById("status");

function say(text) {
  statusBox.hidden = false;
  statusBox.textContent = text;
}

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text ?? "";
  if (className) td.className = className;
  return td;
}

/// A button that runs `action`, then says what happened (`done` text) and,
/// when the action has one, offers its undo (`undo(answer)` runs it).
function button(text, action, { className = "", done = () => t("done"), undo = null } = {}) {
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = text;
  if (className) element.className = className;
  element.addEventListener("click", async () => {
    element.disabled = true;
    try {
      const answer = await action();
      say(done());
      if (undo) statusBox.append(" ", button(t("undo"), () => undo(answer), { className: "secondary undo", done: () => t("mergeUndone") }));
      await refresh();
    } catch (error) { say(error.text ? error.text() : String(error)); element.disabled = false; }
  });
  return element;
}

/// Enough of a lead to decide whether two are the same artisan.
function describe(lead) {
  const box = document.createElement("div");
  box.className = "lead-card";
  const title = document.createElement("strong");
  title.textContent = `#${lead.id} ${lead.name}`;
  const list = document.createElement("dl");
  const facts = [
    [t("phone"), lead.phone], [t("nationalID"), lead.national_id], [t("departement"), departementName(lead.departement)],
    [t("neighbourhood"), lead.neighbourhood], [t("trade"), lead.trade ? label("visite", "trade", lead.trade) : null],
    [t("organisation"), lead.organisation], [t("visits"), formatNumber(lead.visit_count ?? 0)],
    [t("since"), lead.created_at ? shortDate(lead.created_at) : null],
  ];
  for (const [name, value] of facts) {
    if (value === null || value === undefined || value === "") continue;
    list.append(Object.assign(document.createElement("dt"), { textContent: name }),
                Object.assign(document.createElement("dd"), { textContent: value }));
  }
  box.append(title, list);
  return box;
}

async function showDuplicates() {
  const body = document.querySelector("#duplicates tbody");
  body.replaceChildren();
  const { pairs } = await api("GET", "/api/v1/leads/duplicates");
  if (!pairs.length) cell(body.insertRow(), t("none"));
  for (const { leads: [first, second], reason } of pairs) {
    const row = body.insertRow();
    row.className = "duplicate-pair";
    cell(row, "").append(describe(first));
    const other = cell(row, "");
    other.append(describe(second));
    if (reason && reason !== "name") other.append(Object.assign(document.createElement("p"), { className: "muted", textContent: t("otherRegion")[reason] ?? reason }));
    const actions = cell(row, "", "pair-actions");
    // Merging is the one to think twice about: it looks different.
    actions.append(button(t("merge"), () => api("POST", "/api/v1/leads/merges", { kept_id: first.id, merged_id: second.id }),
                          { className: "merge", done: () => t("merged", first.id, second.id),
                            undo: (answer) => api("POST", `/api/v1/leads/merges/${answer.merge_id}/undo`) }), " ",
                   button(t("apart"), () => api("POST", "/api/v1/leads/keep-apart", { lead_ids: [first.id, second.id] }),
                          { className: "secondary apart", done: () => t("keptApart", first.id, second.id) }));
  }
}

async function showMerges() {
  const body = document.querySelector("#merges tbody");
  body.replaceChildren();
  const { merges } = await api("GET", "/api/v1/leads/merges?limit=50");
  if (!merges.length) cell(body.insertRow(), t("none"));
  for (const merge of merges) {
    const row = body.insertRow();
    cell(row, `${t("kept")} #${merge.kept_id} ← ${t("mergedLead")} #${merge.merged_id}`);
    cell(row, `${merge.reason} · ${shortDate(merge.merged_at)}`);
    const actions = cell(row, merge.undone_at ? t("undone") : "");
    if (!merge.undone_at) actions.append(button(t("undo"), () => api("POST", `/api/v1/leads/merges/${merge.id}/undo`),
                                                { className: "secondary", done: () => t("undoneMessage") }));
  }
}

// The feed gives each changed lead again: keep the latest version by id.
const leads = new Map();
let cursor = "0";

async function more() {
  const page = await api("GET", `/api/v1/leads?limit=200&after=${cursor}`);
  for (const lead of page.leads) leads.set(lead.id, lead);
  cursor = page.next;
  document.getElementById("more").hidden = page.leads.length < 200;
  const head = document.querySelector("#leads thead");
  head.replaceChildren();
  const titles = head.insertRow();
  for (const key of ["name", "phone", "departement", "status", "visits"]) titles.append(Object.assign(document.createElement("th"), { textContent: t(key) }));
  const body = document.querySelector("#leads tbody");
  body.replaceChildren();
  for (const lead of [...leads.values()].filter((lead) => lead.status !== "merged").sort((a, b) => a.id - b.id)) {
    const row = body.insertRow();
    cell(row, lead.name);
    cell(row, lead.phone);
    cell(row, departementName(lead.departement));
    cell(row, t("statuses")[lead.status] ?? lead.status);
    cell(row, String(lead.visit_count), "number");
  }
}

async function refresh() {
  await Promise.all([showDuplicates(), showMerges(), more()]);
}

document.getElementById("more").addEventListener("click", () => more().catch((error) => say(error.text())));
refresh().catch((error) => say(error.text ? error.text() : String(error)));
