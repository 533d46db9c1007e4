// Indicators as data: the list with their sources, and a form that adds
// one (admins) without a code change; the server checks the sources
// against the forms and counts the records already received.
import { api, applyTexts, language, startPage, translate } from "./common.js";

const texts = {
  fr: { title: "Indicateurs", help: "Chaque indicateur compte des fiches d'un formulaire (avec, au besoin, un filtre sur une réponse) ou additionne une réponse numérique. Un nouvel indicateur compte aussitôt les fiches déjà reçues.",
        id: "Identifiant", name: "Nom", sources: "Sources", add: "Ajouter un indicateur",
        idHelp: "Lettres minuscules, chiffres et _ ; ne change plus ensuite.", nameFr: "Nom en français", nameEn: "Nom en anglais",
        addSource: "Ajouter une source", removeSource: "Retirer cette source", save: "Ajouter l'indicateur",
        form: "Formulaire", form_visite: "Visite", form_causerie: "Causerie", form_emission_radio: "Émission radio",
        aggregate: "Calcul", count: "Nombre de fiches", sum: "Somme d'une réponse numérique",
        sumField: "Réponse à additionner (nom du champ)", filterField: "Filtre : champ (facultatif)", filterValue: "Filtre : valeur",
        source: (n) => `Source ${n}`, inactive: "inactif",
        countOf: (form) => `nombre de fiches « ${form} »`, sumOf: (field, form) => `somme de ${field} (« ${form} »)`,
        when: (field, value) => `si ${field} = ${value}`,
        added: (id, n) => `Indicateur « ${id} » ajouté : ${n} fiche(s) déjà reçue(s) comptée(s).` },
  en: { title: "Indicators", help: "Each indicator counts a form's records (filtered on one answer if needed) or sums a numeric answer. A new indicator counts the records already received at once.",
        id: "Id", name: "Name", sources: "Sources", add: "Add an indicator",
        idHelp: "Lower-case letters, digits and _; it never changes afterwards.", nameFr: "Name in French", nameEn: "Name in English",
        addSource: "Add a source", removeSource: "Remove this source", save: "Add the indicator",
        form: "Form", form_visite: "Visit", form_causerie: "Group talk", form_emission_radio: "Radio programme",
        aggregate: "Calculation", count: "Number of records", sum: "Sum of a numeric answer",
        sumField: "Answer to sum (field name)", filterField: "Filter: field (optional)", filterValue: "Filter: value",
        source: (n) => `Source ${n}`, inactive: "inactive",
        countOf: (form) => `number of "${form}" records`, sumOf: (field, form) => `sum of ${field} ("${form}")`,
        when: (field, value) => `when ${field} = ${value}`,
        added: (id, n) => `Indicator "${id}" added: ${n} record(s) already received counted.` },
};
const t = translate(texts);
await startPage();
applyTexts(t);

const statusBox = document.getElementById("status");
const sources = document.getElementById("sources");
const template = document.getElementById("source-template");

function say(text, isError = false) {
  statusBox.hidden = false;
  statusBox.textContent = text;
  statusBox.classList.toggle("error", isError);
}

function describeSource(source) {
  const form = t(`form_${source.form}`);
  let text = source.aggregate === "sum" ? t("sumOf", source.sum_field, form) : t("countOf", form);
  if (source.filter_field) text += ` ${t("when", source.filter_field, source.filter_value)}`;
  return text;
}

async function showIndicators() {
  const { indicators } = await api("GET", "/api/v1/indicators");
  const body = document.querySelector("#indicators tbody");
  body.replaceChildren();
  for (const indicator of indicators) {
    const row = body.insertRow();
    row.dataset.id = indicator.id;
    const code = document.createElement("code");
    code.textContent = indicator.id;
    row.insertCell().append(code);
    row.insertCell().textContent = (language() === "en" ? indicator.name_en : indicator.name_fr)
      + (indicator.active ? "" : ` (${t("inactive")})`);
    const list = document.createElement("ul");
    for (const source of indicator.sources) {
      const item = document.createElement("li");
      item.textContent = describeSource(source);
      list.append(item);
    }
    row.insertCell().append(list);
  }
  document.body.dataset.loaded = String(Date.now());
}

function renumber() {
  [...sources.children].forEach((fieldset, index) => {
    fieldset.querySelector("legend").textContent = t("source", index + 1);
    fieldset.querySelector("button.remove").hidden = sources.children.length === 1;
    for (const input of fieldset.querySelectorAll("[name]")) {
      input.id = `source-${index}-${input.name}`;
      input.previousElementSibling.htmlFor = input.id;
    }
  });
}

function addSource() {
  const fieldset = template.content.firstElementChild.cloneNode(true);
  applyTexts(t, fieldset);
  const aggregate = fieldset.querySelector('[name="aggregate"]');
  aggregate.addEventListener("change", () => {
    fieldset.querySelector(".sum-only").hidden = aggregate.value !== "sum";
  });
  fieldset.querySelector("button.remove").addEventListener("click", () => { fieldset.remove(); renumber(); });
  sources.append(fieldset);
  renumber();
}

function readSource(fieldset) {
  const value = (name) => fieldset.querySelector(`[name="${name}"]`).value.trim();
  const source = { form: value("form"), aggregate: value("aggregate") };
  if (source.aggregate === "sum") source.sum_field = value("sum_field");
  if (value("filter_field")) {
    source.filter_field = value("filter_field");
    source.filter_value = value("filter_value");
  }
  return source;
}

document.getElementById("add-source").addEventListener("click", addSource);
document.getElementById("add").addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = document.getElementById("save");
  button.disabled = true;
  const body = {
    id: document.getElementById("id").value.trim(),
    name_fr: document.getElementById("name-fr").value.trim(),
    name_en: document.getElementById("name-en").value.trim(),
    sources: [...sources.children].map(readSource),
  };
  try {
    const created = await api("POST", "/api/v1/indicators", body);
    say(t("added", created.id, created.records_counted));
    event.target.reset();
    sources.replaceChildren();
    addSource();
    await showIndicators();
  } catch (error) {
    say(error.text ? error.text() : String(error), true);
  } finally {
    button.disabled = false;
  }
});

addSource();
await showIndicators();
