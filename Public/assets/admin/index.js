import { applyTexts, startPage, translate } from "./common.js";

const t = translate({ fr: { title: "Tableau de bord", hello: (name) => `Bonjour ${name}.` },
                      en: { title: "Dashboard", hello: (name) => `Hello ${name}.` } });
const me = await startPage();
applyTexts(t);
document.getElementById("welcome").textContent = t("hello", me.user.display_name || me.user.login);
