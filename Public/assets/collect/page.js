// The personal page under /key/{token}: who the person is, their forms, and
// how to set up ODK Collect. Text comes from one strings file per language.
import fr from "../i18n/fr.js";
import en from "../i18n/en.js";

const languages = { fr, en };
let language = localStorage.getItem("suivi.language") === "en" ? "en" : "fr";
let person = null;

const $ = (id) => document.getElementById(id);

function text(key, ...values) {
  const entry = languages[language][key];
  return typeof entry === "function" ? entry(...values) : entry;
}

function render() {
  document.documentElement.lang = language;
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = text(element.dataset.i18n);
  }
  if (!person) return;
  $("status").hidden = true;
  $("person").hidden = false;
  $("greeting").textContent = text("greeting", person.name);
  $("departement").textContent = text("departement", person.departement.name, person.departement.region);
  $("server-url").textContent = person.collect_server_url;
  const list = $("forms");
  list.replaceChildren(...person.forms.map((form) => {
    const item = document.createElement("li");
    const title = document.createElement("strong");
    title.textContent = form.title;
    const version = document.createElement("div");
    version.className = "muted";
    version.textContent = text("version", form.version);
    item.append(title, version);
    return item;
  }));
}

async function load() {
  try {
    const response = await fetch(`${location.pathname.replace(/\/$/, "")}/me`, { cache: "no-store" });
    if (response.status === 403) throw new Error("revoked");
    if (!response.ok) throw new Error("offline");
    person = await response.json();
  } catch (error) {
    $("status").textContent = text(error.message === "revoked" ? "revoked" : "offline");
    $("status").className = "error";
  }
  render();
}

$("language").addEventListener("click", () => {
  language = language === "fr" ? "en" : "fr";
  localStorage.setItem("suivi.language", language);
  render();
});

render();
load();
