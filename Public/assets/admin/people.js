import { api, applyTexts, session, startPage, translate, ApiError, language } from "./common.js";
import { departementOptions, departements as loadDepartements, download, el, say } from "./build.js";

// "4 déc. 2026" / "4 Dec 2026", not an ISO timestamp.
const shortDate = (at) => new Intl.DateTimeFormat(language() === "en" ? "en-GB" : "fr-FR", { dateStyle: "medium", timeZone: "UTC" })
  .format(new Date(at));

const t = translate({
  fr: {
    title: "Personnes ressources", name: "Nom", phone: "Téléphone", departement: "Département", organisation: "Organisation",
    link: "Lien", actions: "Actions", all: "Tous (dans votre périmètre)", add: "Ajouter une personne ressource",
    addButton: "Ajouter et créer son lien", import: "Importer une liste (CSV ou XLSX)", importButton: "Importer",
    live: (at) => `actif depuis le ${shortDate(at)}`, revoked: "révoqué", inactive: "désactivée",
    edit: "Modifier", save: "Enregistrer", cancel: "Annuler", deactivate: "Désactiver", reactivate: "Réactiver",
    newLink: "Nouveau lien", revoke: "Révoquer le lien",
    confirmNewLink: "Créer un nouveau lien ? L'ancien lien et son code QR cesseront de fonctionner immédiatement.",
    confirmRevoke: "Révoquer le lien ? Il cessera de fonctionner immédiatement.",
    issuedFor: (name) => `Nouveau lien de ${name} — affiché une seule fois`,
    issuedHelp: "Transmettez ce lien ou faites scanner un des codes : le premier ouvre le formulaire dans le navigateur du téléphone, le second configure ODK Collect.",
    phoneForm: "Formulaire sur le téléphone", collect: "ODK Collect", downloadPNG: "PNG", downloadSVG: "SVG", close: "Fermer",
    accepted: (n) => `${n} ligne(s) acceptée(s)`, rejected: (n) => `${n} ligne(s) rejetée(s)`, row: "Ligne", field: "Colonne",
    reason: "Raison", downloadLinks: "Télécharger les liens (CSV)", saved: "Enregistré.", revokedDone: "Lien révoqué.",
    none: "Aucune personne ressource.",
  },
  en: {
    title: "Resource persons", name: "Name", phone: "Phone", departement: "Département", organisation: "Organisation",
    link: "Link", actions: "Actions", all: "All (within your scope)", add: "Add a resource person",
    addButton: "Add and create their link", import: "Import a list (CSV or XLSX)", importButton: "Import",
    importHelp: "Columns: name, phone, département, organisation (French or English headers; CSV separated by ; or ,). Every accepted person gets a personal link, shown once: download the list of links.",
    live: (at) => `live since ${shortDate(at)}`, revoked: "revoked", inactive: "deactivated",
    edit: "Edit", save: "Save", cancel: "Cancel", deactivate: "Deactivate", reactivate: "Reactivate",
    newLink: "New link", revoke: "Revoke the link",
    confirmNewLink: "Create a new link? The old link and its QR code stop working at once.",
    confirmRevoke: "Revoke the link? It stops working at once.",
    issuedFor: (name) => `New link for ${name} — shown once`,
    issuedHelp: "Send this link or have one of the codes scanned: the first opens the form in the phone's browser, the second configures ODK Collect.",
    phoneForm: "Form on the phone", collect: "ODK Collect", downloadPNG: "PNG", downloadSVG: "SVG", close: "Close",
    accepted: (n) => `${n} row(s) accepted`, rejected: (n) => `${n} row(s) rejected`, row: "Row", field: "Column",
    reason: "Reason", downloadLinks: "Download the links (CSV)", saved: "Saved.", revokedDone: "Link revoked.",
    none: "No resource person.",
  },
});

await startPage();
applyTexts(t);
const allDepartements = await loadDepartements(api);
const names = Object.fromEntries(allDepartements.map((d) => [d.code, d.name]));
const filter = document.getElementById("filter");
departementOptions(filter, allDepartements, { blank: t("all") });
departementOptions(document.getElementById("add-departement"), allDepartements);

async function refresh() {
  const query = filter.value ? `?departement=${encodeURIComponent(filter.value)}` : "";
  const { people } = await api("GET", "/api/v1/people" + query);
  const body = document.querySelector("#people tbody");
  body.replaceChildren(...people.map(row));
  if (!people.length) body.append(el("tr", {}, el("td", { colSpan: 6, className: "muted" }, t("none"))));
}

function row(person) {
  const status = !person.active ? t("inactive") : person.link_issued_at ? t("live", person.link_issued_at) : t("revoked");
  const tr = el("tr", { dataset: { person: person.id } },
    el("td", { className: "person-name" }, person.name), el("td", {}, person.phone),
    el("td", {}, names[person.departement] || person.departement), el("td", {}, person.organisation || ""),
    el("td", { className: "link-status" }, status),
    el("td", { className: "actions-cell" },
      el("button", { type: "button", className: "small secondary edit", onclick: () => edit(tr, person) }, t("edit")), " ",
      el("button", { type: "button", className: "small secondary toggle", onclick: () =>
        act(() => api("PATCH", `/api/v1/people/${person.id}`, { active: !person.active })) },
      person.active ? t("deactivate") : t("reactivate")), " ",
      el("button", { type: "button", className: "small reissue", onclick: () => reissue(person) }, t("newLink")), " ",
      person.link_issued_at ? el("button", { type: "button", className: "small danger revoke", onclick: async () => {
        if (!confirm(t("confirmRevoke"))) return;
        await act(() => api("DELETE", `/api/v1/people/${person.id}/link`), t("revokedDone"));
      } }, t("revoke")) : null));
  return tr;
}

function edit(tr, person) {
  const name = el("input", { value: person.name, maxLength: 200, className: "edit-name" });
  const phone = el("input", { value: person.phone, maxLength: 40, inputMode: "tel" });
  const departement = el("select");
  departementOptions(departement, allDepartements);
  departement.value = person.departement;
  const organisation = el("input", { value: person.organisation || "", maxLength: 200 });
  tr.replaceChildren(el("td", {}, name), el("td", {}, phone), el("td", {}, departement), el("td", {}, organisation), el("td"),
    el("td", {}, el("button", { type: "button", className: "small save", onclick: () => act(() => api("PATCH", `/api/v1/people/${person.id}`,
      { name: name.value, phone: phone.value, departement: departement.value, organisation: organisation.value })) }, t("save")), " ",
    el("button", { type: "button", className: "small secondary", onclick: refresh }, t("cancel"))));
}

async function reissue(person) {
  if (!confirm(t("confirmNewLink"))) return;
  try {
    const answer = await api("POST", `/api/v1/people/${person.id}/link`);
    showIssued(answer);
    await refresh();
  } catch (error) {
    say("message", error, true);
  }
}

/// The new link and its two QR codes, shown once.
function showIssued({ person, link }) {
  const file = (suffix) => `suivi-${person.departement}-${person.id}-${suffix}`;
  const svgURL = (svg) => URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
  const figure = (label, png, svg, suffix) => el("figure", {},
    el("img", { src: png, alt: label, className: `qr-${suffix}` }), el("figcaption", {}, label, " · ",
      el("a", { href: png, download: file(suffix) + ".png" }, t("downloadPNG")), " · ",
      el("a", { href: svgURL(svg), download: file(suffix) + ".svg" }, t("downloadSVG"))));
  document.getElementById("issued").replaceChildren(el("div", { className: "link-box", id: "issued-link" },
    el("h2", {}, t("issuedFor", person.name)), el("p", {}, t("issuedHelp")),
    el("p", {}, el("code", { className: "new-link" }, link.link)),
    el("div", { className: "qr-pair" }, figure(t("phoneForm"), link.link_png, link.link_svg, "lien"),
      figure(t("collect"), link.collect_png, link.collect_svg, "odk-collect")),
    el("button", { type: "button", className: "secondary", onclick: () => document.getElementById("issued").replaceChildren() }, t("close"))));
  document.getElementById("issued").scrollIntoView();
}

async function act(change, done = t("saved")) {
  try {
    await change();
    say("message", done);
    await refresh();
  } catch (error) {
    say("message", error, true);
  }
}

filter.addEventListener("change", refresh);
document.getElementById("add").addEventListener("submit", async (event) => {
  event.preventDefault();
  const value = (id) => document.getElementById(id).value.trim();
  try {
    const answer = await api("POST", "/api/v1/people", { name: value("add-name"), phone: value("add-phone"),
      departement: value("add-departement"), organisation: value("add-organisation") || null });
    event.target.reset();
    showIssued(answer);
    await refresh();
  } catch (error) {
    say("message", error, true);
  }
});

document.getElementById("import").addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = document.getElementById("import-file").files[0];
  if (!file) return;
  const { csrf_token } = await session();
  const response = await fetch("/api/v1/people/import", {
    method: "POST", credentials: "same-origin", cache: "no-store", body: file,
    headers: { "X-CSRF-Token": csrf_token, "Accept-Language": language(),
               "Content-Type": file.name.toLowerCase().endsWith(".xlsx")
                 ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv" },
  });
  if (!response.ok) {
    say("message", await ApiError.from(response), true);
    return;
  }
  say("message", "");
  showReport(await response.json());
  await refresh();
});

function showReport(report) {
  const english = language() === "en";
  const box = document.getElementById("report");
  box.replaceChildren(el("p", { className: "notice", id: "import-summary" },
    `${t("accepted", report.accepted.length)} · ${t("rejected", report.rejected.length)}`));
  if (report.accepted.length) {
    box.append(el("button", { type: "button", id: "download-links", onclick: () =>
      download(`suivi-liens-${new Date().toISOString().slice(0, 10)}.csv`, "\ufeff" + report.links_csv) }, t("downloadLinks")));
    box.append(el("div", { className: "table-scroll" }, el("table", { className: "data", id: "accepted" },
      el("thead", {}, el("tr", {}, el("th", {}, t("row")), el("th", {}, t("name")), el("th", {}, t("departement")), el("th", {}, t("link")))),
      el("tbody", {}, report.accepted.map((p) => el("tr", {}, el("td", {}, p.row), el("td", {}, p.name),
        el("td", {}, names[p.departement] || p.departement), el("td", {}, el("code", {}, p.link))))))));
  }
  if (report.rejected.length) {
    box.append(el("div", { className: "table-scroll" }, el("table", { className: "data", id: "rejected" },
      el("thead", {}, el("tr", {}, el("th", {}, t("row")), el("th", {}, t("field")), el("th", {}, t("reason")))),
      el("tbody", {}, report.rejected.map((r) => el("tr", { dataset: { row: r.row } }, el("td", {}, r.row), el("td", {}, t(r.field)),
        el("td", { className: "error" }, english ? r.reason_en : r.reason)))))));
  }
}

await refresh();
