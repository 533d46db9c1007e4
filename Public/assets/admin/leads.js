// Leads for coordinators: the list (the feed, latest version of each lead),
// likely duplicates to merge or keep apart, and the merge log with undo.
import { api, applyTexts, startPage, translate } from "./common.js";

const t = translate({
  fr: { title: "Pré-inscriptions", duplicates: "Doublons probables",
        duplicatesHelp: "Même nom dans le même département, téléphone différent ; pour une vue nationale, aussi le même téléphone ou NIN dans deux régions.",
        otherRegion: { phone: "même téléphone, autre région", national_id: "même NIN, autre région" },
        merges: "Fusions", leads: "Liste",
        more: "Afficher plus", merge: "Fusionner", apart: "Personnes différentes", undo: "Annuler",
        none: "Aucun.", name: "Nom", phone: "Téléphone", departement: "Département", status: "État",
        visits: "Visites", kept: "Conservée", mergedLead: "Fusionnée", reason: "Motif", undone: "annulée",
        done: "C'est fait.", statuses: { lead: "pré-inscrit", member: "adhérent", merged: "fusionnée", withdrawn: "retirée", erased: "effacée" } },
  en: { title: "Leads", duplicates: "Likely duplicates",
        duplicatesHelp: "Same name in the same département, different phone; nationally, also the same phone or ID number in two regions.",
        otherRegion: { phone: "same phone, other region", national_id: "same ID number, other region" },
        merges: "Merges", leads: "List", more: "Show more", merge: "Merge", apart: "Different people", undo: "Undo",
        none: "None.", name: "Name", phone: "Phone", departement: "Département", status: "Status", visits: "Visits",
        kept: "Kept", mergedLead: "Merged", reason: "Reason", undone: "undone", done: "Done.",
        statuses: { lead: "lead", member: "member", merged: "merged", withdrawn: "withdrawn", erased: "erased" } },
});
await startPage();
applyTexts(t);
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

function button(label, action) {
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = label;
  element.addEventListener("click", async () => {
    element.disabled = true;
    try { await action(); say(t("done")); await refresh(); } catch (error) { say(error.text ? error.text() : String(error)); element.disabled = false; }
  });
  return element;
}

const describe = (lead) => `#${lead.id} ${lead.name} · ${lead.phone ?? ""} · ${lead.departement ?? ""}`;

async function showDuplicates() {
  const body = document.querySelector("#duplicates tbody");
  body.replaceChildren();
  const { pairs } = await api("GET", "/api/v1/leads/duplicates");
  if (!pairs.length) cell(body.insertRow(), t("none"));
  for (const { leads: [first, second], reason } of pairs) {
    const row = body.insertRow();
    cell(row, describe(first));
    cell(row, describe(second) + (reason && reason !== "name" ? ` (${t("otherRegion")[reason] ?? reason})` : ""));
    const actions = cell(row, "");
    actions.append(button(t("merge"), () => api("POST", "/api/v1/leads/merges", { kept_id: first.id, merged_id: second.id })), " ",
                   button(t("apart"), () => api("POST", "/api/v1/leads/keep-apart", { lead_ids: [first.id, second.id] })));
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
    cell(row, `${merge.reason} · ${merge.merged_at.slice(0, 16).replace("T", " ")}`);
    const actions = cell(row, merge.undone_at ? t("undone") : "");
    if (!merge.undone_at) actions.append(button(t("undo"), () => api("POST", `/api/v1/leads/merges/${merge.id}/undo`)));
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
    cell(row, lead.departement);
    cell(row, t("statuses")[lead.status] ?? lead.status);
    cell(row, String(lead.visit_count), "number");
  }
}

async function refresh() {
  await Promise.all([showDuplicates(), showMerges(), more()]);
}

document.getElementById("more").addEventListener("click", () => more().catch((error) => say(error.text())));
refresh().catch((error) => say(error.text ? error.text() : String(error)));
