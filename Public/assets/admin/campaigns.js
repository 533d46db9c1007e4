import { api, applyTexts, startPage, translate } from "./common.js";
import { departementOptions, departements as loadDepartements, el, say } from "./build.js";

const t = translate({
  fr: {
    title: "Campagnes", choose: "Campagne", newCampaign: "Nouvelle campagne", name: "Nom", startsOn: "Début", endsOn: "Fin",
    firstPhase: "Première phase (facultatif)", phaseExample: "ex. Dakar", create: "Créer la campagne",
    none: "Aucune campagne pour l'instant : créez-en une ci-dessous.", created: "Campagne créée.",
    phases: "Phases", addPhase: "Ajouter une phase", phaseName: "Nom de la phase", add: "Ajouter",
    days: "Jours de campagne", day: "Jour", departement: "Département", noDays: "Aucun jour fixé.",
    neighbourhoods: "Quartiers choisis pour les visites", neighbourhood: "Quartier", noNeighbourhoods: "Aucun quartier choisi.",
    remove: "Retirer", deletePhase: "Supprimer la phase", deleteCampaign: "Supprimer la campagne",
    confirmDelete: "Supprimer définitivement ? Les jours, quartiers et cibles seront effacés.", saved: "Enregistré.",
    period: (a, b) => `du ${a} au ${b}`,
  },
  en: {
    title: "Campaigns", choose: "Campaign", newCampaign: "New campaign", name: "Name", startsOn: "Start", endsOn: "End",
    firstPhase: "First phase (optional)", phaseExample: "e.g. Dakar", create: "Create the campaign",
    none: "No campaign yet: create one below.", created: "Campaign created.",
    phases: "Phases", addPhase: "Add a phase", phaseName: "Phase name", add: "Add",
    days: "Campaign days", day: "Day", departement: "Département", noDays: "No day set.",
    neighbourhoods: "Neighbourhoods chosen for visits", neighbourhood: "Neighbourhood", noNeighbourhoods: "No neighbourhood chosen.",
    remove: "Remove", deletePhase: "Delete the phase", deleteCampaign: "Delete the campaign",
    confirmDelete: "Delete for good? Days, neighbourhoods and targets will be erased.", saved: "Saved.",
    period: (a, b) => `${a} to ${b}`,
  },
});

const me = await startPage();
applyTexts(t);
const canEdit = me.user.role === "admin" || me.user.role === "coordinator";
const national = canEdit && !me.user.region;
const allDepartements = await loadDepartements(api);
const names = Object.fromEntries(allDepartements.map((d) => [d.code, d.name]));
const picker = document.getElementById("campaign");
document.getElementById("new-campaign-box").hidden = !national;

async function refresh(selectedID) {
  const { campaigns } = await api("GET", "/api/v1/campaigns");
  picker.replaceChildren(...campaigns.map((c) => el("option", { value: c.id }, `${c.name} (${t("period", c.starts_on, c.ends_on)})`)));
  if (!campaigns.length) {
    document.getElementById("details").replaceChildren(el("p", { className: "muted" }, t("none")));
    return;
  }
  const chosen = campaigns.find((c) => String(c.id) === String(selectedID)) || campaigns[0];
  picker.value = chosen.id;
  show(chosen);
}

function show(campaign) {
  const box = document.getElementById("details");
  box.replaceChildren(el("h2", {}, t("phases")));
  for (const phase of campaign.phases) box.append(phaseSection(campaign, phase));
  if (national) {
    const name = el("input", { id: "new-phase-name", required: true, maxLength: 200 });
    const start = el("input", { type: "date", required: true, value: campaign.starts_on });
    const end = el("input", { type: "date", required: true, value: campaign.ends_on });
    box.append(el("form", { className: "row-form editor", id: "add-phase", onsubmit: async (event) => {
      event.preventDefault();
      await act(() => api("POST", `/api/v1/campaigns/${campaign.id}/phases`,
        { name: name.value, starts_on: start.value, ends_on: end.value, position: campaign.phases.length + 1 }), campaign.id);
    } }, el("div", {}, el("label", {}, t("phaseName")), name), el("div", {}, el("label", {}, t("startsOn")), start),
    el("div", {}, el("label", {}, t("endsOn")), end), el("button", { type: "submit" }, t("addPhase"))));
    box.append(el("button", { type: "button", className: "danger", onclick: async () => {
      if (confirm(t("confirmDelete"))) await act(() => api("DELETE", `/api/v1/campaigns/${campaign.id}`));
    } }, t("deleteCampaign")));
  }
}

function phaseSection(campaign, phase) {
  const section = el("section", { className: "phase", dataset: { phase: phase.name } },
    el("h3", {}, `${phase.name} — ${t("period", phase.starts_on, phase.ends_on)}`));
  // Campaign days, grouped by département.
  section.append(el("h4", {}, t("days")));
  const byDepartement = {};
  for (const { departement, day } of phase.days) (byDepartement[departement] ||= []).push(day);
  const list = el("ul", { className: "days" });
  for (const [code, days] of Object.entries(byDepartement)) {
    list.append(el("li", {}, el("strong", {}, names[code] || code), " ",
      days.map((day) => el("span", { className: "chip" }, day, canEdit ? el("button", { type: "button", title: t("remove"),
        onclick: () => act(() => api("PUT", `/api/v1/phases/${phase.id}/days/${code}`, { days: days.filter((d) => d !== day) }), campaign.id),
      }, "×") : null))));
  }
  section.append(phase.days.length ? list : el("p", { className: "muted" }, t("noDays")));
  if (canEdit) {
    const departement = el("select", { className: "day-departement" });
    departementOptions(departement, allDepartements);
    const day = el("input", { type: "date", className: "day-date", min: phase.starts_on, max: phase.ends_on, required: true });
    section.append(el("form", { className: "row-form add-day", onsubmit: async (event) => {
      event.preventDefault();
      const days = [...(byDepartement[departement.value] || []), day.value];
      await act(() => api("PUT", `/api/v1/phases/${phase.id}/days/${departement.value}`, { days }), campaign.id);
    } }, el("div", {}, el("label", {}, t("departement")), departement), el("div", {}, el("label", {}, t("day")), day),
    el("button", { type: "submit" }, t("add"))));
  }
  // Neighbourhoods.
  section.append(el("h4", {}, t("neighbourhoods")));
  const places = el("ul", { className: "neighbourhoods" }, phase.neighbourhoods.map((n) => el("li", {},
    `${names[n.departement] || n.departement} : ${n.name} `,
    canEdit ? el("button", { type: "button", className: "small secondary",
      onclick: () => act(() => api("DELETE", `/api/v1/neighbourhoods/${n.id}`), campaign.id) }, t("remove")) : null)));
  section.append(phase.neighbourhoods.length ? places : el("p", { className: "muted" }, t("noNeighbourhoods")));
  if (canEdit) {
    const departement = el("select", { className: "neighbourhood-departement" });
    departementOptions(departement, allDepartements);
    const name = el("input", { className: "neighbourhood-name", required: true, maxLength: 200 });
    section.append(el("form", { className: "row-form add-neighbourhood", onsubmit: async (event) => {
      event.preventDefault();
      await act(() => api("POST", `/api/v1/phases/${phase.id}/neighbourhoods`, { departement: departement.value, name: name.value }), campaign.id);
    } }, el("div", {}, el("label", {}, t("departement")), departement), el("div", {}, el("label", {}, t("neighbourhood")), name),
    el("button", { type: "submit" }, t("add"))));
  }
  if (national) {
    section.append(el("button", { type: "button", className: "small danger", onclick: async () => {
      if (confirm(t("confirmDelete"))) await act(() => api("DELETE", `/api/v1/phases/${phase.id}`), campaign.id);
    } }, t("deletePhase")));
  }
  return section;
}

/// Runs a change, reports the outcome and redraws.
async function act(change, campaignID) {
  try {
    await change();
    say("message", t("saved"));
    await refresh(campaignID);
  } catch (error) {
    say("message", error, true);
  }
}

picker.addEventListener("change", () => refresh(picker.value));
document.getElementById("new-campaign").addEventListener("submit", async (event) => {
  event.preventDefault();
  const value = (id) => document.getElementById(id).value.trim();
  const body = { name: value("campaign-name"), starts_on: value("campaign-start"), ends_on: value("campaign-end") };
  if (value("phase-name")) {
    body.phases = [{ name: value("phase-name"), starts_on: value("phase-start") || body.starts_on, ends_on: value("phase-end") || body.ends_on }];
  }
  try {
    const { campaign } = await api("POST", "/api/v1/campaigns", body);
    say("message", t("created"));
    event.target.reset();
    document.getElementById("new-campaign-box").open = false;
    await refresh(campaign.id);
  } catch (error) {
    say("message", error, true);
  }
});
await refresh(new URLSearchParams(location.search).get("campaign"));
