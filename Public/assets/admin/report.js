// The daily report for a chosen day: tallies per département, targets,
// completeness and radio programmes, laid out to print on one A4 page.
// Every word in the page's language; numbers through Intl.
import { api, applyTexts, choiceLabels, formatDay, formatNumber, formatPercent, language, startPage, translate } from "./common.js";

const t = translate({
  fr: { day: "Jour", print: "Imprimer", title: (scope, day) => `Rapport journalier — ${scope} — ${day}`,
        generated: (when) => `Établi par Suivi le ${when}.`, empty: "Aucune donnée.",
        tallies: (day) => `Bilan du ${day}`, region: "Région", departement: "Département", total: "Total",
        targets: "Objectifs", indicator: "Indicateur", baseline: "Référence", milestone: "Jalon", target: "Cible",
        actual: "Réalisé", percent: "% de la cible", completeness: "Complétude des rapports", expected: "Attendus",
        reported: "Ont envoyé", observation: "Observation", radio: "Émissions radio", station: "Station",
        duration: "Durée (min)", radioLanguage: "Langue", audience: "Auditeurs estimés", nation: "Sénégal" },
  en: { day: "Day", print: "Print", title: (scope, day) => `Daily report — ${scope} — ${day}`,
        generated: (when) => `Produced by Suivi on ${when}.`, empty: "No data.",
        tallies: (day) => `Figures for ${day}`, region: "Region", departement: "Département", total: "Total",
        targets: "Targets", indicator: "Indicator", baseline: "Baseline", milestone: "Milestone", target: "Target",
        actual: "Actual", percent: "% of target", completeness: "Reporting completeness", expected: "Expected",
        reported: "Reported", observation: "Note", radio: "Radio programmes", station: "Station",
        duration: "Length (min)", radioLanguage: "Language", audience: "Estimated listeners", nation: "Senegal" },
});
const english = language() === "en";

await startPage();
applyTexts(t);
const parameters = new URLSearchParams(location.search);
const dayInput = document.getElementById("day");
const asked = parameters.get("date");
// Without a day, the campaign's last day, as the dashboard opens on (not an empty today).
dayInput.value = asked && /^\d{4}-\d{2}-\d{2}$/.test(asked) ? asked
  : await api("GET", "/api/v1/dashboard/places").then((places) => places.default_day || places.today)
    .catch(() => new Date().toISOString().slice(0, 10));
dayInput.addEventListener("change", () => {
  parameters.set("date", dayInput.value);
  history.pushState(null, "", `?${parameters}`);
  load();
});
window.addEventListener("popstate", () => {
  const day = new URLSearchParams(location.search).get("date");
  if (day) { dayInput.value = day; load(); }
});
document.getElementById("print").addEventListener("click", () => window.print());
const label = await choiceLabels();

// Radio fields arrive as the form's text; numbers among them are shown as numbers.
const numeric = (value) => (value !== null && value !== undefined && value !== "" && !Number.isNaN(Number(value)) ? Number(value) : value);

function cell(tag, value, number = false) {
  const node = document.createElement(tag);
  if (number) node.className = "number";
  node.textContent = value === null || value === undefined ? "" : (typeof value === "number" ? formatNumber(value) : value);
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
  // A phone scrolls the table inside its box, never the page.
  const box = document.createElement("div");
  box.className = "table-scroll";
  box.append(element);
  section.append(heading, box);
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
    const scope = report.scope === "Sénégal" ? t("nation") : report.scope;
    const shownDay = formatDay(day);
    document.getElementById("report-title").textContent = t("title", scope, shownDay);
    const indicators = report.indicators;
    const name = (item) => (english ? item.name_en : item.name_fr) || item.name_fr;
    const tallies = table(t("tallies", shownDay),
      [t("region"), t("departement"), ...indicators.map(name)],
      [...report.tallies.map((row) => ({ cells: [row.region, row.departement_name,
          ...indicators.map((indicator) => row.values[indicator.id] ?? 0)] })),
       { total: true, cells: [t("total"), scope, ...indicators.map((indicator) => report.totals[indicator.id] ?? 0)] }],
      indicators.map((_, index) => index + 2));
    tallies.id = "report-tallies";
    const phase = report.targets.phase;
    const targets = table(phase ? `${t("targets")} — ${phase.campaign}, ${phase.name}` : t("targets"),
      [t("indicator"), t("baseline"), t("milestone"), t("target"), t("actual"), t("percent")],
      report.targets.rows.map((row) => ({ cells: [name(row), row.baseline, row.milestone, row.target, row.actual,
        row.percentage === null ? null : formatPercent(row.percentage)] })), [1, 2, 3, 4, 5]);
    targets.id = "report-targets";
    const completeness = table(t("completeness"),
      [t("region"), t("departement"), t("expected"), t("reported"), t("observation")],
      report.completeness.map((row) => ({ cells: [row.region, row.departement_name, row.expected, row.reported,
        english ? row.label_en : row.label_fr] })),
      [2, 3]);
    completeness.id = "report-completeness";
    const radio = table(t("radio"), [t("departement"), t("station"), t("duration"), t("radioLanguage"), t("audience")],
      report.radio_programmes.map((row) => ({ cells: [row.departement_name, row.station, numeric(row.duration_minutes),
        label("emission_radio", "language", row.language), numeric(row.estimated_audience)] })), [2, 4]);
    radio.id = "report-radio";
    document.getElementById("tables").replaceChildren(tallies, targets, completeness, radio);
    document.getElementById("generated").textContent = t("generated",
      new Date().toLocaleString(english ? "en-GB" : "fr-FR", { dateStyle: "long", timeStyle: "short" }));
    document.body.dataset.loaded = day;
  } catch (error) {
    const box = document.getElementById("error");
    box.textContent = error.text ? error.text() : String(error);
    box.hidden = false;
  }
}

await load();
