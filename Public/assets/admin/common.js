// Shared by every coordinator page: the session, API calls with the
// anti-CSRF token, the language switch and the navigation bar.
//
// Each page keeps its own texts as `{fr: {...}, en: {...}}` and reads them
// with `translate(texts)`; French is the default.

const LANGUAGE_KEY = "suivi.language";

export function language() {
  return localStorage.getItem(LANGUAGE_KEY) === "en" ? "en" : "fr";
}

export function setLanguage(code) {
  localStorage.setItem(LANGUAGE_KEY, code === "en" ? "en" : "fr");
  location.reload();
}

/// Returns `t(key, ...args)` for the current language; a text may be a
/// function of arguments. Falls back to French, then to the key.
export function translate(texts) {
  const current = texts[language()] || {};
  const french = texts.fr || {};
  return (key, ...args) => {
    const text = current[key] ?? french[key] ?? key;
    return typeof text === "function" ? text(...args) : text;
  };
}

/// Fills every element with `data-i18n="key"` from `t`.
export function applyTexts(t, root = document) {
  document.documentElement.lang = language();
  for (const element of root.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  for (const element of root.querySelectorAll("[data-i18n-placeholder]")) {
    element.placeholder = t(element.dataset.i18nPlaceholder);
  }
}

let current = null;

/// The signed-in user and the session's CSRF token; sends visitors without a
/// session to the sign-in page.
export async function session({ redirect = true } = {}) {
  if (current) return current;
  const response = await fetch("/api/v1/session", { credentials: "same-origin", cache: "no-store" });
  if (response.status === 401 && redirect) {
    location.href = "/admin/login?next=" + encodeURIComponent(location.pathname + location.search);
    return new Promise(() => {});
  }
  if (!response.ok) throw await ApiError.from(response);
  current = await response.json();
  return current;
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.message || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }

  static async from(response) {
    let problem = {};
    try { problem = await response.json(); } catch { /* not JSON */ }
    return new ApiError(response.status, problem);
  }

  /// The message in the reader's language.
  text() {
    const message = language() === "en" ? (this.problem.message_en || this.message) : this.message;
    // The field at fault is for forms to highlight, not a word to show.
    return message;
  }
}

/// Calls the API. `body` is sent as JSON; unsafe methods carry the session's
/// CSRF token. Throws ApiError with the server's problem on failure.
export async function api(method, path, body) {
  const headers = { "Accept": "application/json", "Accept-Language": language() };
  if (method !== "GET" && method !== "HEAD") {
    const { csrf_token } = await session();
    headers["X-CSRF-Token"] = csrf_token;
  }
  const init = { method, headers, credentials: "same-origin", cache: "no-store" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 401) {
    location.href = "/admin/login?next=" + encodeURIComponent(location.pathname + location.search);
    return new Promise(() => {});
  }
  if (!response.ok) throw await ApiError.from(response);
  const type = response.headers.get("Content-Type") || "";
  return type.includes("application/json") ? response.json() : response;
}

/// Pages in the navigation bar: [path, French, English, roles allowed].
/// Add a line for a new page; the bar shows those the user's role allows.
export const PAGES = [
  ["/admin", "Tableau de bord", "Dashboard", ["admin", "coordinator", "viewer"]],
  ["/admin/report", "Rapport du jour", "Daily report", ["admin", "coordinator", "viewer"]],
  ["/admin/leads", "Pré-inscriptions", "Leads", ["admin", "coordinator"]],
  ["/admin/exports", "Exports", "Exports", ["admin", "coordinator"]],
  ["/admin/review", "Revue des fiches", "Review", ["admin", "coordinator"]],
  ["/admin/indicators", "Indicateurs", "Indicators", ["admin"]],
  ["/admin/forms", "Formulaires", "Forms", ["admin", "coordinator"]],
  ["/admin/campaigns", "Campagnes", "Campaigns", ["admin", "coordinator", "viewer"]],
  ["/admin/targets", "Cibles", "Targets", ["admin", "coordinator", "viewer"]],
  ["/admin/people", "Personnes ressources", "Resource persons", ["admin", "coordinator"]],
  ["/admin/qr-sheet", "Feuille de codes QR", "QR code sheet", ["admin", "coordinator"]],
  ["/admin/users", "Comptes", "Accounts", ["admin"]],
  ["/admin/audit", "Journal d'audit", "Audit log", ["admin"]],
  ["/admin/account", "Mon mot de passe", "My password", ["admin", "coordinator", "viewer"]],
];

const NAV_TEXTS = {
  fr: { signOut: "Se déconnecter", switchLanguage: "English", menu: "Menu" },
  en: { signOut: "Sign out", switchLanguage: "Français", menu: "Menu" },
};

/// Draws the top bar for the signed-in user, then returns the session.
export async function startPage() {
  const me = await session();
  const t = translate(NAV_TEXTS);
  const bar = document.createElement("header");
  bar.className = "bar admin-bar";
  const title = document.createElement("strong");
  title.textContent = "Suivi";
  bar.append(title);
  const nav = document.createElement("nav");
  nav.id = "admin-menu";
  // On a phone the menu folds behind one button, so each page starts with its own content.
  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.id = "menu-toggle";
  toggle.className = "menu-toggle";
  toggle.textContent = t("menu");
  toggle.setAttribute("aria-controls", nav.id);
  toggle.setAttribute("aria-expanded", "false");
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    bar.classList.toggle("menu-open", open);
  });
  const day = new URLSearchParams(location.search).get("date");
  for (const [path, french, english, roles] of PAGES) {
    if (!roles.includes(me.user.role)) continue;
    const link = document.createElement("a");
    // The report opens on the day being looked at (the server picks the
    // campaign's last day when none is given, as the dashboard does).
    link.href = path === "/admin/report" && day && /^\d{4}-\d{2}-\d{2}$/.test(day) ? `${path}?date=${day}` : path;
    link.textContent = language() === "en" ? english : french;
    if (location.pathname === path) link.setAttribute("aria-current", "page");
    nav.append(link);
  }
  bar.append(toggle, nav);
  const who = document.createElement("span");
  who.className = "muted who";
  who.textContent = me.user.display_name || me.user.login;
  const switcher = document.createElement("button");
  switcher.type = "button";
  switcher.className = "link";
  switcher.id = "language";
  switcher.textContent = t("switchLanguage");
  switcher.addEventListener("click", () => setLanguage(language() === "en" ? "fr" : "en"));
  const signOut = document.createElement("button");
  signOut.type = "button";
  signOut.className = "link";
  signOut.id = "sign-out";
  signOut.textContent = t("signOut");
  signOut.addEventListener("click", async () => {
    await api("DELETE", "/api/v1/session");
    location.href = "/admin/login";
  });
  bar.append(who, switcher, signOut);
  document.body.prepend(bar);
  return me;
}

/// Text for a number in the reader's language (spaces between thousands in French).
export function formatNumber(value) {
  return new Intl.NumberFormat(language() === "en" ? "en-GB" : "fr-FR", { maximumFractionDigits: 1 }).format(value);
}

/// A percentage in the reader's language ("81,5 %" / "81.5%").
export function formatPercent(value) {
  return new Intl.NumberFormat(language() === "en" ? "en-GB" : "fr-FR", { style: "percent", maximumFractionDigits: 1 })
    .format(value / 100);
}

/// The day being looked at, for links between pages: kept in the URL.
export function formatDay(day) {
  const date = new Date(day + "T00:00:00Z");
  return new Intl.DateTimeFormat(language() === "en" ? "en-GB" : "fr-FR", { dateStyle: "long", timeZone: "UTC" }).format(date);
}

/// A moment (ISO 8601, UTC: Senegal's time) as people write it: "4 déc. 2026, 09:12".
export function formatMoment(timestamp) {
  const date = new Date(timestamp);
  if (Number.isNaN(date.getTime())) return timestamp;
  return new Intl.DateTimeFormat(language() === "en" ? "en-GB" : "fr-FR",
    { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(date);
}

/// The text of a form's language ("Français (fr)", "English (en)") matching
/// the page's language, else the form's first.
export function pickLabel(labels) {
  if (!labels) return null;
  const entries = Object.entries(labels);
  const wanted = entries.find(([key]) => key.endsWith(`(${language()})`) || key === language());
  return (wanted || entries.find(([key]) => key.endsWith("(fr)")) || entries[0] || [null, null])[1];
}

let catalogue = null;
/// `label(formID, fieldName, value)`: a choice's label from the form's itext
/// in the page's language; the value itself when the form does not know it.
export async function choiceLabels() {
  catalogue ??= api("GET", "/api/v1/forms").catch(() => ({ forms: [] }));
  const { forms } = await catalogue;
  return (formID, fieldName, value) => {
    const form = forms.find((item) => item.id === formID);
    const field = form?.fields.find((item) => item.name === fieldName);
    const choice = field?.choices?.find((item) => item.value === value);
    return (choice && pickLabel(choice.labels)) || value;
  };
}
