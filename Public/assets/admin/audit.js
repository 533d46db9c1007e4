import { api, ApiError, applyTexts, language, startPage, translate } from "./common.js";

// Actions by name; an action not listed here shows as its name.
const ACTIONS = {
  "session.sign_in": ["Connexion", "Sign-in"],
  "session.sign_in_failed": ["Connexion refusée", "Failed sign-in"],
  "session.sign_out": ["Déconnexion", "Sign-out"],
  "session.password_change": ["Mot de passe changé", "Password changed"],
  "session.password_change_failed": ["Changement de mot de passe refusé", "Password change refused"],
  "user.create": ["Compte créé", "Account created"],
  "user.update": ["Compte modifié", "Account changed"],
  "user.deactivate": ["Compte désactivé", "Account deactivated"],
  "user.reactivate": ["Compte réactivé", "Account reactivated"],
  "user.password_reset": ["Mot de passe réinitialisé", "Password reset"],
  "api_key.create": ["Clé d'API créée", "API key created"],
  "api_key.revoke": ["Clé d'API révoquée", "API key revoked"],
  "export": ["Export de fiches", "Records exported"],
  "submissions.list": ["Fiches lues par l'API", "Records read through the API"],
  "review.list": ["Liste de vérification lue", "Review list read"],
  "leads.download": ["Pré-inscriptions lues", "Leads read"],
  "campaign.create": ["Campagne créée", "Campaign created"],
  "campaign.update": ["Campagne modifiée", "Campaign changed"],
  "campaign.delete": ["Campagne supprimée", "Campaign deleted"],
  "phase.create": ["Phase créée", "Phase created"],
  "phase.update": ["Phase modifiée", "Phase changed"],
  "phase.delete": ["Phase supprimée", "Phase deleted"],
  "campaign_days.set": ["Jours de campagne fixés", "Campaign days set"],
  "neighbourhood.add": ["Quartier ajouté", "Neighbourhood added"],
  "neighbourhood.delete": ["Quartier retiré", "Neighbourhood removed"],
  "target.set": ["Cible fixée", "Target set"],
  "indicator.add": ["Indicateur ajouté", "Indicator added"],
  "indicator.activate": ["Indicateur activé", "Indicator switched on"],
  "indicator.deactivate": ["Indicateur désactivé", "Indicator switched off"],
  "person.add": ["Personne ressource ajoutée", "Resource person added"],
  "person.update": ["Personne ressource modifiée", "Resource person changed"],
  "person.deactivate": ["Personne ressource désactivée", "Resource person deactivated"],
  "person.reactivate": ["Personne ressource réactivée", "Resource person reactivated"],
  "person.link_reissue": ["Nouveau lien personnel", "New personal link"],
  "person.link_revoke": ["Lien personnel révoqué", "Personal link revoked"],
  "people.import": ["Liste de personnes importée", "List of people imported"],
  "people.links_reissue": ["Nouveaux liens (feuille QR)", "New links (QR sheet)"],
  "submission.review": ["Fiche vérifiée", "Record reviewed"],
  "lead.merge": ["Pré-inscriptions fusionnées", "Leads merged"],
  "lead.merge_undo": ["Fusion annulée", "Merge undone"],
  "lead.keep_apart": ["Gardées séparées", "Kept apart"],
  "lead.membership": ["Adhésion enregistrée", "Membership recorded"],
  "lead.membership_import": ["Adhésions importées", "Memberships imported"],
  "lead.erase": ["Pré-inscription effacée", "Lead erased"],
};

const t = translate({
  fr: {
    title: "Journal d'audit", intro: "Qui a fait quoi, et quand. Le journal ne contient aucune donnée personnelle.",
    action: "Action", when: "Date", who: "Qui", target: "Objet", details: "Détails", more: "Plus anciens",
    all: "Toutes", nobody: "(inconnu)", commandLine: "ligne de commande", system: "Suivi", apiKey: "clé",
    targets: { user: "compte", api_key: "clé d'API", departement: "département", resource_person: "personne ressource", neighbourhood: "quartier", lead_merge: "fusion", memberships: "adhésions",
               campaign: "campagne", phase: "phase", indicator: "indicateur", lead: "pré-inscription", submission: "fiche",
               target: "cible" },
    empty: "Aucune ligne.", number: (kind, id) => `${kind} n° ${id}`,
  },
  en: {
    title: "Audit log", intro: "Who did what, and when. The log holds no personal data.", action: "Action",
    when: "When", who: "Who", target: "Target", details: "Details", more: "Older", all: "All", nobody: "(unknown)",
    commandLine: "command line", system: "Suivi", apiKey: "key",
    targets: { user: "account", api_key: "API key", departement: "département", resource_person: "resource person", neighbourhood: "neighbourhood", lead_merge: "merge", memberships: "memberships", campaign: "campaign",
               phase: "phase", indicator: "indicator", lead: "lead", submission: "record", target: "target" },
    number: (kind, id) => `${kind} #${id}`,
    empty: "No entries.",
  },
});

await startPage();
applyTexts(t);
const english = language() === "en";
const select = document.getElementById("action");
select.replaceChildren(new Option(t("all"), ""),
                       ...Object.entries(ACTIONS).map(([name, labels]) => new Option(labels[english ? 1 : 0], name)));
const body = document.querySelector("#entries tbody");
const more = document.getElementById("more");
const error = document.getElementById("error");
let next = null;
// Accounts by id, so lines name the account by its login rather than a number.
const logins = new Map((await api("GET", "/api/v1/users").catch(() => ({ users: [] }))).users.map((u) => [String(u.id), u.login]));
// Départements by code: "département Rufisque", not "département n° rufisque".
const departementNames = new Map((await api("GET", "/api/v1/departements").catch(() => ({ departements: [] })))
  .departements.map((item) => [item.code, item.name]));

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function who(actor) {
  switch (actor.kind) {
    case "user": return actor.label;
    case "api_key": return `${t("apiKey")} ${actor.label}`;
    case "command_line": return t("commandLine");
    case "system": return t("system");
    default: return t("nobody");
  }
}

function row(entry) {
  const tr = document.createElement("tr");
  tr.dataset.action = entry.action;
  const date = new Date(entry.at).toLocaleString(english ? "en-GB" : "fr-FR", { dateStyle: "short", timeStyle: "medium" });
  const label = ACTIONS[entry.action]?.[english ? 1 : 0] ?? entry.action;
  const kind = t("targets")[entry.target_kind] ?? entry.target_kind;
  const login = entry.target_kind === "user" ? logins.get(String(entry.target_id)) : undefined;
  const place = entry.target_kind === "departement" ? departementNames.get(String(entry.target_id)) : undefined;
  const target = !entry.target_kind ? "" : login ? `${kind} ${login}` : place ? `${kind} ${place}` : t("number", kind, entry.target_id);
  const details = Object.entries(entry.details || {}).map(([key, value]) => `${key}: ${value}`).join(" · ");
  tr.append(cell(date), cell(who(entry.actor)), cell(label), cell(target), cell(details, "details"));
  return tr;
}

async function load(reset) {
  error.textContent = "";
  const query = new URLSearchParams({ limit: "100" });
  if (select.value) query.set("action", select.value);
  if (!reset && next) query.set("before", next);
  try {
    const answer = await api("GET", `/api/v1/audit?${query}`);
    const rows = answer.entries.map(row);
    if (reset) body.replaceChildren(...rows); else body.append(...rows);
    if (reset && rows.length === 0) {
      const empty = cell(t("empty"));
      empty.colSpan = 5;
      const tr = document.createElement("tr");
      tr.append(empty);
      body.append(tr);
    }
    next = answer.next;
    more.hidden = !next;
  } catch (failure) {
    error.textContent = failure instanceof ApiError ? failure.text() : String(failure);
  }
}

select.addEventListener("change", () => load(true));
more.addEventListener("click", () => load(false));
await load(true);
