// The export page: builds the export links from the filters; the browser
// downloads with the session cookie (GET, so no CSRF token needed).
import { api, applyTexts, language, startPage, translate } from "./common.js";
import { departementOptions, departements } from "./build.js";

const t = translate({
  fr: { title: "Exports", intro: "Les enregistrements d'un formulaire, pour Excel.", form: "Formulaire", from: "Du",
        to: "Au", departement: "Département", allDepartements: "Tous (dans votre périmètre)",
        codes: "Codes des réponses, comme ODK Central (pour les scripts)",
        csv: "Télécharger en CSV", xlsx: "Télécharger en Excel (XLSX)",
        audit: "Chaque export est inscrit au journal (qui, quel formulaire, quels filtres)." },
  en: { title: "Exports", intro: "A form's records, for Excel.", form: "Form", from: "From", to: "To",
        departement: "Département", allDepartements: "All (within your scope)",
        codes: "Answer codes, as ODK Central writes them (for scripts)", csv: "Download as CSV", xlsx: "Download as Excel (XLSX)",
        audit: "Every export is written to the audit log (who, which form, which filters)." },
});
await startPage();
applyTexts(t);
// Every form the server serves, published ones included, by its title.
const { forms } = await api("GET", "/api/v1/forms");
const formSelect = document.getElementById("form");
for (const form of forms) {
  const option = document.createElement("option");
  option.value = form.id;
  option.textContent = form.title || form.id;
  formSelect.append(option);
}
// A list of names, not a free-text code to guess.
departementOptions(document.getElementById("departement"), await departements(api), { blank: t("allDepartements") });

const fields = ["form", "from", "to", "departement"].map((id) => document.getElementById(id));
const codes = document.getElementById("codes");

function update() {
  const [form, from, to, departement] = fields.map((field) => field.value.trim());
  const query = new URLSearchParams();
  // People read labels in the page's language; scripts ask for the codes.
  if (!codes.checked) {
    query.set("values", "labels");
    query.set("lang", language());
  }
  if (from) query.set("from", from);
  if (to) query.set("to", to);
  if (departement) query.set("departement", departement);
  const suffix = query.toString() ? `?${query}` : "";
  for (const format of ["csv", "xlsx"]) {
    document.getElementById(format).href = `/api/v1/forms/${encodeURIComponent(form)}/submissions.${format}${suffix}`;
  }
}
for (const field of [...fields, codes]) { field.addEventListener("input", update); field.addEventListener("change", update); }
update();
