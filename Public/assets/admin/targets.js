import { api, applyTexts, formatDay, formatMoment, formatNumber, language, startPage, translate } from "./common.js";
import { departementOptions, departements as loadDepartements, el, say } from "./build.js";

const t = translate({
  fr: {
    title: "Cibles", phase: "Phase", indicator: "Indicateur", departement: "Département", baseline: "Référence",
    milestone: "Jalon", target: "Cible", set: "Fixer la cible", save: "Enregistrer", history: "Historique",
    when: "Date", who: "Par", saved: "Cible enregistrée.", none: "Aucune cible pour cette phase.",
    noPhase: "Créez d'abord une campagne et une phase (page Campagnes).",
    help: "Tableau de suivi : situation de référence, jalon et cible, par indicateur et par département, pour chaque phase.",
    historyOf: (indicator, departement) => `Historique : ${indicator}, ${departement}`, other: "(clé d'API ou ligne de commande)",
  },
  en: {
    title: "Targets", phase: "Phase", indicator: "Indicator", departement: "Département", baseline: "Baseline",
    milestone: "Milestone", target: "Target", set: "Set the target", save: "Save", history: "History",
    when: "Date", who: "By", saved: "Target saved.", none: "No target for this phase.",
    noPhase: "Create a campaign and a phase first (Campaigns page).",
    help: "Monitoring table: baseline, milestone and target per indicator and département, for each phase.",
    historyOf: (indicator, departement) => `History: ${indicator}, ${departement}`, other: "(API key or command line)",
  },
});

const me = await startPage();
applyTexts(t);
const canEdit = me.user.role === "admin" || me.user.role === "coordinator";
document.getElementById("add").hidden = !canEdit;
const allDepartements = await loadDepartements(api);
const names = Object.fromEntries(allDepartements.map((d) => [d.code, d.name]));
departementOptions(document.getElementById("add-departement"), allDepartements);
const phaseSelect = document.getElementById("phase");
const { campaigns } = await api("GET", "/api/v1/campaigns");
for (const campaign of campaigns) {
  const group = el("optgroup", { label: campaign.name });
  for (const phase of campaign.phases) group.append(el("option", { value: phase.id }, `${phase.name} (${formatDay(phase.starts_on)})`));
  phaseSelect.append(group);
}
let indicatorNames = {};

async function refresh() {
  if (!phaseSelect.value) {
    say("message", t("noPhase"), true);
    document.getElementById("add").hidden = true;
    return;
  }
  const { targets, indicators } = await api("GET", `/api/v1/phases/${phaseSelect.value}/targets`);
  indicatorNames = Object.fromEntries(indicators.map((i) => [i.id, language() === "en" ? i.name_en : i.name]));
  const indicatorSelect = document.getElementById("add-indicator");
  if (!indicatorSelect.options.length) {
    indicatorSelect.append(...indicators.map((i) => el("option", { value: i.id }, indicatorNames[i.id])));
  }
  const body = document.querySelector("#targets tbody");
  body.replaceChildren(...targets.map(row));
  if (!targets.length) body.append(el("tr", {}, el("td", { colSpan: 6, className: "muted" }, t("none"))));
}

function row(target) {
  const input = (name, value) => canEdit
    ? el("input", { type: "number", min: 0, step: "any", value: value ?? "", className: name, "aria-label": t(name) })
    : formatNumber(value ?? 0);
  const baseline = input("baseline", target.baseline), milestone = input("milestone", target.milestone), goal = input("target", target.target);
  return el("tr", { dataset: { target: target.id, indicator: target.indicator, departement: target.departement } },
    el("td", {}, indicatorNames[target.indicator] || target.indicator), el("td", {}, names[target.departement] || target.departement),
    el("td", { className: "number" }, baseline), el("td", { className: "number" }, milestone), el("td", { className: "number" }, goal),
    el("td", {}, canEdit ? el("button", { type: "button", className: "small save", onclick: () => save(target.indicator, target.departement,
      baseline.value, milestone.value, goal.value) }, t("save")) : null, " ",
    el("button", { type: "button", className: "small secondary history", onclick: () => history(target) }, t("history"))));
}

async function save(indicator, departement, baseline, milestone, target) {
  try {
    await api("PUT", `/api/v1/phases/${phaseSelect.value}/targets`, {
      indicator, departement, baseline: baseline === "" ? 0 : Number(baseline),
      milestone: milestone === "" ? null : Number(milestone), target: Number(target) });
    say("message", t("saved"));
    await refresh();
  } catch (error) {
    say("message", error, true);
  }
}

async function history(target) {
  const { changes } = await api("GET", `/api/v1/targets/${target.id}/history`);
  document.getElementById("history-title").textContent =
    t("historyOf", indicatorNames[target.indicator] || target.indicator, names[target.departement] || target.departement);
  const section = document.getElementById("history");
  section.querySelector("tbody").replaceChildren(...changes.map((c) => el("tr", {},
    el("td", {}, formatMoment(c.changed_at)), el("td", {}, c.changed_by || t("other")),
    el("td", { className: "number" }, formatNumber(c.baseline)),
    el("td", { className: "number" }, c.milestone === null ? "—" : formatNumber(c.milestone)),
    el("td", { className: "number" }, formatNumber(c.target)))));
  section.hidden = false;
  section.scrollIntoView();
}

phaseSelect.addEventListener("change", refresh);
document.getElementById("add").addEventListener("submit", (event) => {
  event.preventDefault();
  const value = (id) => document.getElementById(id).value;
  save(value("add-indicator"), value("add-departement"), value("add-baseline"), value("add-milestone"), value("add-target"));
});
await refresh();
