// Indicators as data: the list with their sources, and a form that adds
// one (admins) without a code change; the server checks the sources
// against the forms and counts the records already received.
import { api, applyTexts, language, startPage, translate } from "./common.js";

const texts = {
  fr: { title: "Indicateurs", help: "Chaque indicateur compte des fiches d'un formulaire (avec, au besoin, un filtre sur une réponse) ou additionne une réponse numérique. Un nouvel indicateur compte aussitôt les fiches déjà reçues.",
        id: "Identifiant", name: "Nom", sources: "Sources", add: "Ajouter un indicateur",
        idHelp: "Lettres minuscules, chiffres et _ ; ne change plus ensuite.", nameFr: "Nom en français", nameEn: "Nom en anglais",
        addSource: "Ajouter une source", removeSource: "Retirer cette source", save: "Ajouter l'indicateur",
        form: "Formulaire", aggregate: "Calcul", count: "Nombre de fiches", sum: "Somme d'une réponse numérique",
        sumField: "Réponse à additionner", filterField: "Filtre : question (facultatif)", filterValue: "Filtre : réponse",
        noFilter: "— aucun filtre —", noNumber: "(ce formulaire n'a pas de réponse numérique)",
        source: (n) => `Source ${n}`, inactive: "inactif", state: "État", active: "actif",
        switchOff: "Désactiver", switchOn: "Réactiver", fromMemberships: "compté par le système des adhésions",
        confirmOff: (name) => `Désactiver « ${name} » ? Ses totaux disparaissent des tableaux de bord ; s'il est réactivé, toutes les fiches reçues seront comptées à nouveau.`,
        switchedOff: (id) => `Indicateur « ${id} » désactivé.`,
        switchedOn: (id, n) => `Indicateur « ${id} » réactivé : ${n} fiche(s) comptée(s).`,
        countOf: (form) => `nombre de fiches « ${form} »`, sumOf: (field, form) => `somme de ${field} (« ${form} »)`,
        when: (field, value) => `si ${field} = ${value}`,
        added: (id, n) => `Indicateur « ${id} » ajouté : ${n} fiche(s) déjà reçue(s) comptée(s).` },
  en: { title: "Indicators", help: "Each indicator counts a form's records (filtered on one answer if needed) or sums a numeric answer. A new indicator counts the records already received at once.",
        id: "Id", name: "Name", sources: "Sources", add: "Add an indicator",
        idHelp: "Lower-case letters, digits and _; it never changes afterwards.", nameFr: "Name in French", nameEn: "Name in English",
        addSource: "Add a source", removeSource: "Remove this source", save: "Add the indicator",
        form: "Form", aggregate: "Calculation", count: "Number of records", sum: "Sum of a numeric answer",
        sumField: "Answer to sum", filterField: "Filter: question (optional)", filterValue: "Filter: answer",
        noFilter: "— no filter —", noNumber: "(this form has no numeric answer)",
        source: (n) => `Source ${n}`, inactive: "inactive", state: "State", active: "active",
        switchOff: "Switch off", switchOn: "Switch on again", fromMemberships: "counted by the membership system",
        confirmOff: (name) => `Switch off "${name}"? Its totals leave the dashboards; switched on again, every record received is counted again.`,
        switchedOff: (id) => `Indicator "${id}" switched off.`,
        switchedOn: (id, n) => `Indicator "${id}" switched on again: ${n} record(s) counted.`,
        countOf: (form) => `number of "${form}" records`, sumOf: (field, form) => `sum of ${field} ("${form}")`,
        when: (field, value) => `when ${field} = ${value}`,
        added: (id, n) => `Indicator "${id}" added: ${n} record(s) already received counted.` },
};
const t = translate(texts);
const me = await startPage();
const isAdmin = me.user.role === "admin";
applyTexts(t);

// The forms phones get now (GET /api/v1/forms): their questions, labels
// and choices, so sources are picked from lists rather than typed.
const { forms } = await api("GET", "/api/v1/forms");
const formsById = new Map(forms.map((form) => [form.id, form]));

// Labels are keyed by the form's language names, e.g. "Français (fr)".
function labelIn(labels, fallback) {
  const code = language();
  const keys = Object.keys(labels || {});
  const key = keys.find((k) => k.toLowerCase().includes(`(${code})`) || k.toLowerCase() === code) ?? keys[0];
  return (key && labels[key].trim()) || fallback;
}

function questions(formID) {
  return (formsById.get(formID)?.fields ?? []).filter((field) => !field.group && !field.path.includes("/meta/"));
}

function fieldLabel(formID, name) {
  const field = questions(formID).find((candidate) => candidate.name === name);
  return field ? labelIn(field.labels, name) : name;
}

function formTitle(formID) {
  return formsById.get(formID)?.title ?? formID;
}

function fillSelect(select, options) {
  select.replaceChildren(...options.map(([value, text]) => {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = text;
    return option;
  }));
}

const statusBox = document.getElementById("status");
const sources = document.getElementById("sources");
const template = document.getElementById("source-template");

function say(text, isError = false) {
  statusBox.hidden = false;
  statusBox.textContent = text;
  statusBox.classList.toggle("error", isError);
}

function describeSource(source) {
  const form = formTitle(source.form);
  let text = source.aggregate === "sum"
    ? t("sumOf", `${fieldLabel(source.form, source.sum_field)} (${source.sum_field})`, form) : t("countOf", form);
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
    row.insertCell().append(stateControl(indicator));
  }
  document.body.dataset.loaded = String(Date.now());
}

// Admins switch an indicator off (its totals go) or on again (the stored
// records are counted again); memberships come from the membership system.
function stateControl(indicator) {
  const cell = document.createElement("span");
  cell.textContent = indicator.active ? t("active") : t("inactive");
  if (!indicator.sources.length) {
    cell.textContent += ` (${t("fromMemberships")})`;
    return cell;
  }
  if (!isAdmin) return cell;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "secondary switch";
  button.textContent = indicator.active ? t("switchOff") : t("switchOn");
  button.addEventListener("click", async () => {
    const name = language() === "en" ? indicator.name_en : indicator.name_fr;
    if (indicator.active && !confirm(t("confirmOff", name))) return;
    button.disabled = true;
    try {
      const updated = await api("PATCH", `/api/v1/indicators/${encodeURIComponent(indicator.id)}`, { active: !indicator.active });
      say(updated.active ? t("switchedOn", updated.id, updated.records_counted) : t("switchedOff", updated.id));
      await showIndicators();
    } catch (error) {
      say(error.text ? error.text() : String(error), true);
      button.disabled = false;
    }
  });
  const wrapper = document.createElement("span");
  wrapper.append(cell, " ", button);
  return wrapper;
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

// The lists of a source follow its form: numeric questions to sum,
// questions with choices to filter on, and the chosen question's choices.
function followForm(fieldset) {
  const select = (name) => fieldset.querySelector(`[name="${name}"]`);
  const formID = select("form").value;
  const numeric = questions(formID).filter((field) => field.type === "int" || field.type === "decimal");
  fillSelect(select("sum_field"), numeric.length
    ? numeric.map((field) => [field.name, `${labelIn(field.labels, field.name)} (${field.name})`])
    : [["", t("noNumber")]]);
  const withChoices = questions(formID).filter((field) => field.choices?.length);
  fillSelect(select("filter_field"), [["", t("noFilter")],
    ...withChoices.map((field) => [field.name, `${labelIn(field.labels, field.name)} (${field.name})`])]);
  followFilter(fieldset);
}

function followFilter(fieldset) {
  const formID = fieldset.querySelector('[name="form"]').value;
  const name = fieldset.querySelector('[name="filter_field"]').value;
  const field = questions(formID).find((candidate) => candidate.name === name);
  fieldset.querySelector(".filter-only").hidden = !field;
  fillSelect(fieldset.querySelector('[name="filter_value"]'),
    (field?.choices ?? []).map((choice) => [choice.value, `${labelIn(choice.labels, choice.value)} (${choice.value})`]));
}

function addSource() {
  const fieldset = template.content.firstElementChild.cloneNode(true);
  applyTexts(t, fieldset);
  const formSelect = fieldset.querySelector('[name="form"]');
  fillSelect(formSelect, forms.map((form) => [form.id, form.title]));
  formSelect.addEventListener("change", () => followForm(fieldset));
  fieldset.querySelector('[name="filter_field"]').addEventListener("change", () => followFilter(fieldset));
  followForm(fieldset);
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
