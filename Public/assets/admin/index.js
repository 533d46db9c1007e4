// The dashboard: national view, drill-down to a region then a département,
// the day's figures, a chart of records per day, progress against targets
// and reporting completeness. It refreshes itself when the server says a
// record arrived (Server-Sent Events on /api/v1/events).
import { api, applyTexts, formatDay, formatNumber, formatPercent, language, startPage, translate } from "./common.js";

const t = translate({
  fr: {
    title: "Tableau de bord", day: "Jour", report: "Rapport du jour", totals: "Chiffres du jour",
    chart: "Fiches par jour (14 derniers jours)", targets: "Objectifs", completeness: "Complétude des rapports",
    nation: "Sénégal", regions: "Par région", departements: (region) => `Départements — ${region}`,
    departement: (name) => `Département — ${name}`, place: "Lieu", expected: "Attendus", reported: "Ont envoyé",
    observation: "Observation", indicator: "Indicateur", baseline: "Référence", milestone: "Jalon", target: "Cible",
    actual: "Réalisé", progress: "Progression", noTargets: "Aucun objectif pour cette phase.", noPhase: "Aucune phase de campagne en cours.", phaseEnded: (day) => `, terminée le ${day}`,
    noCampaignDay: "Aucun département n'a son jour de campagne ce jour-là.", nothing: "Aucune fiche ce jour-là.",
    live: "En direct", connecting: "Connexion…", offline: "Hors ligne — nouvelle tentative", updated: (time) => `En direct · mis à jour à ${time}`,
    visits: "Visites", radio: "Émissions radio", talks: "Causeries",
    phaseTargets: "Réalisé / cible (phase)", furthestBehind: "Le plus en retard",
    targetLine: (name, actual, target, percent) => `${name} : ${actual} / ${target} (${percent})`, folded: (count) => `${count} autres lieux sans fiche ni cible ce jour-là`,
    lastCampaignDay: (day) => `Jour de campagne : ${day}`, seeDay: "voir ce jour",
    campaignDayWas: (place, day) => `Pas de jour de campagne ce jour-là pour ${place} : le dernier était le ${day}.`,
  },
  en: {
    title: "Dashboard", day: "Day", report: "Daily report", totals: "Figures for the day",
    chart: "Records per day (last 14 days)", targets: "Targets", completeness: "Reporting completeness",
    nation: "Senegal", regions: "By region", departements: (region) => `Départements — ${region}`,
    departement: (name) => `Département — ${name}`, place: "Place", expected: "Expected", reported: "Reported",
    observation: "Note", indicator: "Indicator", baseline: "Baseline", milestone: "Milestone", target: "Target",
    actual: "Actual", progress: "Progress", noTargets: "No targets for this phase.", noPhase: "No campaign phase running.", phaseEnded: (day) => `, ended on ${day}`,
    noCampaignDay: "No département has its campaign day on that day.", nothing: "No records on that day.",
    live: "Live", connecting: "Connecting…", offline: "Offline — retrying", updated: (time) => `Live · updated at ${time}`,
    visits: "Visits", radio: "Radio programmes", talks: "Group talks",
    phaseTargets: "Actual / target (phase)", furthestBehind: "Furthest behind",
    targetLine: (name, actual, target, percent) => `${name}: ${actual} / ${target} (${percent})`, folded: (count) => `${count} more places with no records and no target that day`,
    lastCampaignDay: (day) => `Campaign day: ${day}`, seeDay: "see that day",
    campaignDayWas: (place, day) => `No campaign day that day for ${place}: the last one was on ${day}.`,
  },
});

const me = await startPage();
applyTexts(t);
const places = await api("GET", "/api/v1/dashboard/places");
const indicators = places.indicators;
const indicatorName = (id) => {
  const found = indicators.find((indicator) => indicator.id === id);
  return found ? (language() === "en" ? found.name_en : found.name_fr) : id;
};
// Columns of the breakdown table: the shipped headline indicators first.
const headline = ["visits", "pre_registrations", "radio_programmes", "group_talks", "people_reached"]
  .filter((id) => indicators.some((indicator) => indicator.id === id));

// The view lives in the URL (day, region, département): a link shared in a
// WhatsApp group opens the same view, reload keeps it, Back goes up a level.
const state = { day: null, region: null, departement: null };
function readURL() {
  const query = new URLSearchParams(location.search);
  const day = query.get("date");
  state.day = day && /^\d{4}-\d{2}-\d{2}$/.test(day) ? day : (places.default_day || places.today);
  const region = query.get("region");
  state.region = places.regions.some((item) => item.code === region) ? region : null;
  const departement = places.departements.find((item) => item.code === query.get("departement"));
  state.departement = departement ? departement.code : null;
  if (departement) state.region = departement.region_code;
  // A regional coordinator starts in their region.
  if (!places.national && places.regions.length === 1) state.region = places.regions[0].code;
  dayInput.value = state.day;
}
function writeURL() {
  const query = new URLSearchParams({ date: state.day });
  if (state.region) query.set("region", state.region);
  if (state.departement) query.set("departement", state.departement);
  const next = `${location.pathname}?${query}`;
  if (next !== location.pathname + location.search) history.pushState(null, "", next);
}
/// Moves to another view: a new history entry, then a redraw.
function go(change) {
  change();
  writeURL();
  refresh();
}

const dayInput = document.getElementById("day");
readURL();
dayInput.addEventListener("change", () => {
  if (!dayInput.value) return;
  go(() => { state.day = dayInput.value; });
});
window.addEventListener("popstate", () => { readURL(); refresh(); });

function placeQuery() {
  if (state.departement) return `&departement=${encodeURIComponent(state.departement)}`;
  if (state.region) return `&region=${encodeURIComponent(state.region)}`;
  return "";
}

function shiftDay(day, days) {
  const date = new Date(day + "T00:00:00Z");
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

function element(tag, properties = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(properties)) {
    if (key === "className") node.className = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

function numberCell(value) {
  return element("td", { className: "number" }, value === null || value === undefined ? "—" : formatNumber(value));
}

function drawCrumbs() {
  const crumbs = document.getElementById("crumbs");
  crumbs.replaceChildren();
  const levels = [];
  if (places.national) levels.push([t("nation"), () => { state.region = null; state.departement = null; }]);
  if (state.region) {
    const region = places.regions.find((item) => item.code === state.region);
    levels.push([region ? region.name : state.region, () => { state.departement = null; }]);
  }
  if (state.departement) {
    const departement = places.departements.find((item) => item.code === state.departement);
    levels.push([departement ? departement.name : state.departement, () => {}]);
  }
  levels.forEach(([label, action], index) => {
    if (index > 0) crumbs.append(element("span", { className: "sep" }, "›"));
    if (index === levels.length - 1) {
      crumbs.append(element("strong", { id: "current-place" }, label));
    } else {
      const button = element("button", { type: "button" }, label);
      button.addEventListener("click", () => go(action));
      crumbs.append(button);
    }
  });
}

function drawTotals(rows) {
  const box = document.getElementById("totals");
  box.replaceChildren();
  for (const indicator of indicators) {
    const row = rows.find((item) => item.indicator === indicator.id);
    box.append(element("div", { className: "card", "data-indicator": indicator.id },
      element("div", { className: "value" }, formatNumber(row ? row.value : 0)),
      element("div", { className: "name" }, indicatorName(indicator.id))));
  }
}

/** A link to another day of the same view. */
function dayButton(day) {
  const button = element("button", { type: "button", className: "see-day", "data-day": day }, t("seeDay"));
  button.addEventListener("click", () => go(() => { state.day = day; }));
  return button;
}

/**
 * Under a place with nothing that day, when its campaign day was a few days
 * before: that day, and a way to see it (zeros alone read as "nothing done").
 */
function campaignDayHint(key, values, recentDays) {
  const day = recentDays.get(key);
  if (!day || values.some((value) => value > 0)) return null;
  return element("div", { className: "muted campaign-day-hint" },
    `${t("lastCampaignDay", formatDay(day))} · `, dayButton(day));
}

function drawCampaignDayNote(recentDays) {
  const note = document.getElementById("campaign-day-note");
  const day = state.departement && recentDays.get(state.departement);
  note.hidden = !day;
  note.replaceChildren();
  if (day) note.append(`${t("campaignDayWas", currentPlaceName(), formatDay(day))} `, dayButton(day));
}

function drawBreakdown(rows, level, progressByPlace, recentDays) {
  const title = document.getElementById("breakdown-title");
  const region = places.regions.find((item) => item.code === state.region);
  title.textContent = level === "region" ? t("regions") : t("departements", region ? region.name : "");
  const table = document.getElementById("breakdown");
  table.replaceChildren();
  // Per place: the day's figures, then visits of the phase to date against
  // the target, furthest behind first.
  const head = element("tr", {}, element("th", {}, t("place")),
    ...headline.map((id) => element("th", { className: "number" }, indicatorName(id))),
    element("th", { className: "target-column" }, t("phaseTargets")),
    element("th", { className: "number target-column" }, t("furthestBehind")));
  table.append(element("thead", {}, head));
  const body = element("tbody");
  const all = level === "region"
    ? places.regions.map((item) => [item.code, item.name])
    : places.departements.filter((item) => item.region_code === state.region).map((item) => [item.code, item.name]);
  const lines = all.map(([key, name]) => {
    const values = headline.map((id) => rows.find((row) => row.key === key && row.indicator === id)?.value ?? 0);
    // Every indicator with a target for the phase, and the one furthest behind.
    const targets = (progressByPlace.get(key)?.rows ?? []).filter((row) => row.target !== null);
    const behind = targets.reduce((low, row) => (low === null || (row.percentage ?? 0) < low ? row.percentage ?? 0 : low), null);
    return { key, name, values, targets, behind };
  });
  // Places with nothing that day and no target are folded away.
  const shown = lines.filter((line) => line.targets.length || line.values.some((value) => value > 0));
  const folded = lines.filter((line) => !shown.includes(line));
  shown.sort((a, b) => (a.behind ?? Infinity) - (b.behind ?? Infinity) || a.name.localeCompare(b.name));
  const drawLine = (line, into) => {
    const button = element("button", { type: "button", className: "drill", "data-key": line.key }, line.name);
    button.addEventListener("click", () => go(() => {
      if (level === "region") state.region = line.key; else state.departement = line.key;
    }));
    const target = line.targets.length
      ? element("td", { className: "target-column phase-targets" }, ...line.targets.map((row) => element("div", { "data-indicator": row.indicator },
        t("targetLine", indicatorName(row.indicator), formatNumber(row.actual ?? 0), formatNumber(row.target), formatPercent(row.percentage ?? 0)))))
      : element("td", { className: "target-column muted" }, "—");
    const percent = element("td", { className: "number target-column" }, line.behind === null ? "" : formatPercent(line.behind));
    const hint = level === "departement" ? campaignDayHint(line.key, line.values, recentDays) : null;
    into.append(element("tr", { "data-key": line.key }, element("td", {}, button, hint),
      ...line.values.map((value) => numberCell(value)), target, percent));
  };
  shown.forEach((line) => drawLine(line, body));
  table.append(body);
  const more = document.getElementById("breakdown-more");
  more.replaceChildren();
  more.hidden = !folded.length;
  if (folded.length) {
    const details = element("details", {}, element("summary", {}, t("folded", folded.length)));
    const inner = element("table", { className: "data" });
    const innerBody = element("tbody");
    folded.forEach((line) => drawLine(line, innerBody));
    inner.append(innerBody);
    details.append(element("div", { className: "table-scroll" }, inner));
    more.append(details);
  }
}

let chart = null;
function drawChart(rows, from) {
  const days = [];
  for (let day = from; day <= state.day; day = shiftDay(day, 1)) days.push(day);
  const series = [["visits", "#1f7a53"], ["radio_programmes", "#b45309"], ["group_talks", "#1d4ed8"]];
  const datasets = series.map(([id, colour]) => ({
    label: indicatorName(id),
    data: days.map((day) => {
      const found = rows.find((row) => row.key === day && row.indicator === id);
      return found ? found.records : 0;
    }),
    backgroundColor: colour,
  }));
  const labels = days.map((day) => day.slice(8, 10) + "/" + day.slice(5, 7));
  if (!window.Chart) return;
  if (chart) {
    chart.data.labels = labels;
    chart.data.datasets.forEach((dataset, index) => { dataset.data = datasets[index].data; dataset.label = datasets[index].label; });
    chart.update("none");
    return;
  }
  chart = new window.Chart(document.getElementById("chart"), {
    type: "bar",
    data: { labels, datasets },
    options: { responsive: true, maintainAspectRatio: false, animation: false,
               scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
}

function drawTargets(progress) {
  const table = document.getElementById("targets");
  table.replaceChildren();
  const title = document.getElementById("targets-title");
  // Named after the place shown, not the phase (a phase spans many places).
  // A day after the phase's end shows that phase's final figures: say so,
  // rather than show it as if it were running.
  const ended = progress.phase && progress.phase.ends_on < state.day ? t("phaseEnded", formatDay(progress.phase.ends_on)) : "";
  title.textContent = `${t("targets")} — ${currentPlaceName()}${progress.phase ? ` (${progress.phase.name}${ended})` : ""}`;
  if (!progress.phase) {
    table.append(element("caption", {}, t("noPhase")));
    return;
  }
  const rows = progress.rows.filter((row) => row.target !== null);
  if (!rows.length) {
    table.append(element("caption", {}, t("noTargets")));
    return;
  }
  table.append(element("thead", {}, element("tr", {},
    element("th", {}, t("indicator")), element("th", { className: "number" }, t("baseline")),
    element("th", { className: "number" }, t("milestone")), element("th", { className: "number" }, t("target")),
    element("th", { className: "number" }, t("actual")), element("th", {}, t("progress")))));
  const body = element("tbody");
  for (const row of rows) {
    const percentage = row.percentage ?? 0;
    const bar = element("div", { className: "progress", role: "progressbar", "data-indicator": row.indicator },
      element("span"));
    bar.setAttribute("aria-valuenow", String(percentage));
    bar.firstChild.style.width = `${Math.min(100, percentage)}%`;
    body.append(element("tr", { "data-indicator": row.indicator },
      element("td", {}, language() === "en" ? row.name_en : row.name_fr), numberCell(row.baseline), numberCell(row.milestone),
      numberCell(row.target), numberCell(row.actual),
      element("td", { className: "bar-cell" }, bar, element("small", {}, formatPercent(percentage)))));
  }
  table.append(body);
}

function drawCompleteness(rows) {
  const table = document.getElementById("completeness");
  table.replaceChildren();
  if (!rows.length) {
    table.append(element("caption", {}, t("noCampaignDay")));
    return;
  }
  table.append(element("thead", {}, element("tr", {},
    element("th", {}, t("place")), element("th", { className: "number" }, t("expected")),
    element("th", { className: "number" }, t("reported")), element("th", {}, t("observation")))));
  const body = element("tbody");
  for (const row of rows) {
    body.append(element("tr", { className: row.status === "no_data" ? "no-data" : "", "data-departement": row.departement },
      element("td", {}, row.departement_name), numberCell(row.expected), numberCell(row.reported),
      element("td", {}, language() === "en" ? row.label_en : row.label_fr)));
  }
  table.append(body);
}

function currentPlaceName() {
  if (state.departement) return places.departements.find((item) => item.code === state.departement)?.name ?? state.departement;
  if (state.region) return places.regions.find((item) => item.code === state.region)?.name ?? state.region;
  return t("nation");
}

function updateLinks() {
  const query = `date=${state.day}${placeQuery()}`;
  document.getElementById("report-link").href = `/admin/report?${query}`;
  // The menu's "Rapport du jour" follows the day looked at.
  const menuReport = document.querySelector(".admin-bar nav a[href^='/admin/report']");
  if (menuReport) menuReport.href = `/admin/report?${query}`;
  document.getElementById("csv-link").href = `/api/v1/reports/daily?${query}&format=csv`;
  document.getElementById("xlsx-link").href = `/api/v1/reports/daily?${query}&format=xlsx`;
}

let refreshing = null;
let again = false;
/// Fetches everything the page shows; calls made while one runs are merged
/// into one more run.
async function refresh() {
  if (refreshing) { again = true; return refreshing; }
  refreshing = (async () => {
    do {
      again = false;
      drawCrumbs();
      updateLinks();
      const place = placeQuery();
      const level = state.departement ? null : (state.region ? "departement" : "region");
      const from = shiftDay(state.day, -13);
      try {
        const keys = level === "region" ? places.regions.map((item) => item.code)
          : level ? places.departements.filter((item) => item.region_code === state.region).map((item) => item.code) : [];
        const [totals, breakdown, daily, progress, completeness, ...placeProgress] = await Promise.all([
          api("GET", `/api/v1/tallies/summary?date=${state.day}&by=nation${place}`),
          level ? api("GET", `/api/v1/tallies/summary?date=${state.day}&by=${level}${place}`) : Promise.resolve(null),
          api("GET", `/api/v1/tallies/summary?from=${from}&to=${state.day}&by=day${place}`),
          api("GET", `/api/v1/targets/progress?date=${state.day}${place}`),
          // A week: the day's completeness, and each département's last campaign day before it.
          api("GET", `/api/v1/completeness?from=${shiftDay(state.day, -6)}&to=${state.day}${place}`),
          ...keys.map((key) => api("GET", `/api/v1/targets/progress?date=${state.day}&${level}=${encodeURIComponent(key)}`)),
        ]);
        const progressByPlace = new Map(keys.map((key, index) => [key, placeProgress[index]]));
        const dayRows = completeness.rows.filter((row) => row.date === state.day);
        const today = new Set(dayRows.map((row) => row.departement));
        const recentDays = new Map();
        for (const row of completeness.rows) {
          if (row.date < state.day && !today.has(row.departement)) recentDays.set(row.departement, row.date);
        }
        document.getElementById("error").hidden = true;
        drawTotals(totals.rows);
        const section = document.getElementById("breakdown").closest("section");
        section.hidden = !breakdown;
        if (breakdown) drawBreakdown(breakdown.rows, level, progressByPlace, recentDays);
        drawCampaignDayNote(recentDays);
        drawChart(daily.rows, from);
        drawTargets(progress);
        drawCompleteness(dayRows);
        document.body.dataset.loaded = String(Date.now());
      } catch (error) {
        const box = document.getElementById("error");
        box.textContent = error.text ? error.text() : String(error);
        box.hidden = false;
      }
    } while (again);
  })();
  try { await refreshing; } finally { refreshing = null; }
}

function listen() {
  const live = document.getElementById("live");
  live.textContent = t("connecting");
  const source = new EventSource("/api/v1/events");
  source.addEventListener("hello", () => { live.dataset.state = "live"; live.textContent = t("live"); });
  source.addEventListener("change", async () => {
    live.dataset.state = "live";
    await refresh();
    live.textContent = t("updated", new Date().toLocaleTimeString(language() === "en" ? "en-GB" : "fr-FR"));
  });
  source.addEventListener("error", () => {
    // Each event ends its response on purpose: only a failed reconnection matters.
    if (source.readyState === EventSource.CLOSED) {
      live.dataset.state = "offline";
      live.textContent = t("offline");
      setTimeout(listen, 5000);
    }
  });
}

await refresh();
listen();
void me;
