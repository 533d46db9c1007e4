import { api, applyTexts, startPage, translate } from "./common.js";
import { departementOptions, departements as loadDepartements, el, say, svgImage } from "./build.js";

const t = translate({
  fr: {
    title: "Feuille de codes QR", departement: "Département", prepare: "Créer les nouveaux liens et préparer la feuille",
    confirm: "J'ai compris : les anciens liens de ce département seront révoqués.", print: "Imprimer",
    warning: "Pour des raisons de sécurité, Suivi ne garde pas les liens personnels, seulement leur empreinte : un code QR ne peut être dessiné qu'au moment où son lien est créé. Préparer la feuille crée donc un nouveau lien pour chaque personne ressource active du département, et révoque immédiatement leurs anciens liens et codes QR.",
    ready: (n, name) => `${n} carte(s) prêtes pour ${name}. Imprimez maintenant : ces codes ne seront plus affichés.`,
    none: "Aucune personne ressource active dans ce département.",
    phoneForm: "Formulaire (navigateur)", collect: "ODK Collect",
    step1: "Ouvrez l'appareil photo du téléphone et scannez le code de gauche : le formulaire de visite s'ouvre. Ajoutez la page à l'écran d'accueil.",
    step2: "Avec ODK Collect : « Configurer avec un code QR », puis scannez le code de droite.",
    step3: "Ce code est personnel : ne le partagez pas. Perdu ? Demandez un nouveau lien au coordinateur.",
  },
  en: {
    title: "QR code sheet", departement: "Département", prepare: "Create new links and prepare the sheet",
    confirm: "I understand: this département's old links will be revoked.", print: "Print",
    warning: "For security, Suivi keeps no personal link, only its fingerprint: a QR code can only be drawn when its link is created. Preparing the sheet therefore creates a new link for every active resource person of the département, and revokes their old links and QR codes at once.",
    ready: (n, name) => `${n} card(s) ready for ${name}. Print now: these codes will not be shown again.`,
    none: "No active resource person in this département.",
    phoneForm: "Form (browser)", collect: "ODK Collect",
    step1: "Open the phone's camera and scan the code on the left: the visit form opens. Add the page to the home screen.",
    step2: "With ODK Collect: \"Configure with QR code\", then scan the code on the right.",
    step3: "This code is personal: do not share it. Lost? Ask the coordinator for a new link.",
  },
});

await startPage();
applyTexts(t);
const allDepartements = await loadDepartements(api);
const select = document.getElementById("departement");
departementOptions(select, allDepartements);
const wanted = new URLSearchParams(location.search).get("departement");
if (wanted) select.value = wanted;

document.getElementById("prepare").addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = document.getElementById("prepare-submit");
  button.disabled = true;
  try {
    const { departement, people } = await api("POST", `/api/v1/departements/${encodeURIComponent(select.value)}/qr-sheet`);
    // Cards are in the page's language, French unless the coordinator
    // switched to English: resource persons read the printed sheet.
    const card = (person) => el("article", { className: "card", dataset: { person: person.id } },
      el("h2", {}, person.name),
      el("p", { className: "where" }, [departement.name, departement.region, person.organisation].filter(Boolean).join(" · ")),
      el("div", { className: "codes" },
        el("figure", {}, svgImage(person.qr.link_svg, t("phoneForm")), el("figcaption", {}, t("phoneForm"))),
        el("figure", {}, svgImage(person.qr.collect_svg, t("collect")), el("figcaption", {}, t("collect")))),
      el("ol", {}, el("li", {}, t("step1")), el("li", {}, t("step2")), el("li", {}, t("step3"))));
    document.getElementById("sheet").replaceChildren(...people.map(card));
    say("message", people.length ? t("ready", people.length, departement.name) : t("none"), !people.length);
    document.getElementById("ready").hidden = !people.length;
    document.getElementById("confirm").checked = false;
  } catch (error) {
    say("message", error, true);
  } finally {
    button.disabled = false;
  }
});
document.getElementById("print").addEventListener("click", () => window.print());
