// The daily report for a chosen day: tallies per département, targets,
// completeness and radio programmes, laid out to print on one A4 page.
import { api, applyTexts, startPage, translate } from "./common.js";

const t = translate({
  fr: { day: "Jour", print: "Imprimer", title: (scope, day) => `Rapport journalier — ${scope} — ${day}`,
        generated: (when) => `Établi par Suivi le ${when}.`, empty: "Aucune donnée." },
  en: { day: "Day", print: "Print", title: (scope, day) => `Daily report — ${scope} — ${day}`,
        generated: (when) => `Produced by Suivi on ${when}.`, empty: "No data." },
});

await startPage();
applyTexts(t);
const parameters = new URLSearchParams(location.search);
const dayInput = document.getElementById("day");
dayInput.value = parameters.get("date") || new Date().toISOString().slice(0, 10);
dayInput.addEventListener("change", () => {
  parameters.set("date", dayInput.value);
  history.replaceState(null, "", `?${parameters}`);
  load();
});
document.getElementById("print").addEventListener("click", () => window.print());

function cell(tag, value, number = false) {
  const node = document.createElement(tag);
  if (number) node.className = "number";
  node.textContent = value === null || value === undefined ? "" :
    (typeof value === "number" ? new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 1 }).format(value) : value);
  return node;
}

function table(title, header, rows, numeric) {
  const section = document.createElement("section");
  const heading = document.createElement("h2");
  heading.textContent = title;
  const element = document.createElement("table");
  element.className = "data";
  const head = document.createElement("tr");
  header.forEach((text, index) => head.append(cell("th", text, numeric.includes(index))));
  element.createTHead().append(head);
  const body = element.createTBody();
  for (const row of rows) {
    const line = document.createElement("tr");
    if (row.total) line.className = "total";
    row.cells.forEach((value, index) => line.append(cell("td", value, numeric.includes(index))));
    body.append(line);
  }
  if (!rows.length) {
    const line = document.createElement("tr");
    const empty = cell("td", t("empty"));
    empty.colSpan = header.length;
    line.append(empty);
    body.append(line);
  }
  section.append(heading, element);
  return section;
}

async function load() {
  const day = dayInput.value;
  const place = ["region", "departement"].filter((name) => parameters.get(name))
    .map((name) => `&${name}=${encodeURIComponent(parameters.get(name))}`).join("");
  document.getElementById("xlsx-link").href = `/api/v1/reports/daily?date=${day}${place}&format=xlsx`;
  document.getElementById("csv-link").href = `/api/v1/reports/daily?date=${day}${place}&format=csv`;
  try {
    const report = await api("GET", `/api/v1/reports/daily?date=${day}${place}&format=json`);
    document.getElementById("error").hidden = true;
    document.getElementById("report-title").textContent = t("title", report.scope, day.split("-").reverse().join("/"));
    const indicators = report.indicators;
    const tallies = table(`Bilan du ${day.split("-").reverse().join("/")}`,
      ["Région", "Département", ...indicators.map((indicator) => indicator.name_fr)],
      [...report.tallies.map((row) => ({ cells: [row.region, row.departement_name,
          ...indicators.map((indicator) => row.values[indicator.id] ?? 0)] })),
       { total: true, cells: ["Total", report.scope, ...indicators.map((indicator) => report.totals[indicator.id] ?? 0)] }],
      indicators.map((_, index) => index + 2));
    tallies.id = "report-tallies";
    const phase = report.targets.phase;
    const targets = table(phase ? `Objectifs — ${phase.campaign}, ${phase.name}` : "Objectifs",
      ["Indicateur", "Référence", "Jalon", "Cible", "Réalisé", "% de la cible"],
      report.targets.rows.map((row) => ({ cells: [row.name_fr, row.baseline, row.milestone, row.target, row.actual,
        row.percentage === null ? null : `${row.percentage} %`] })), [1, 2, 3, 4, 5]);
    const completeness = table("Complétude des rapports",
      ["Région", "Département", "Attendus", "Ont envoyé", "Observation"],
      report.completeness.map((row) => ({ cells: [row.region, row.departement_name, row.expected, row.reported, row.label_fr] })),
      [2, 3]);
    completeness.id = "report-completeness";
    const radio = table("Émissions radio", ["Département", "Station", "Durée (min)", "Langue", "Auditeurs estimés"],
      report.radio_programmes.map((row) => ({ cells: [row.departement_name, row.station, row.duration_minutes, row.language,
        row.estimated_audience] })), [2, 4]);
    document.getElementById("tables").replaceChildren(tallies, targets, completeness, radio);
    document.getElementById("generated").textContent = t("generated", new Date().toLocaleString("fr-FR"));
    document.body.dataset.loaded = day;
  } catch (error) {
    const box = document.getElementById("error");
    box.textContent = error.text ? error.text() : String(error);
    box.hidden = false;
  }
}

await load();
