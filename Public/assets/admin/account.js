import { api, ApiError, applyTexts, startPage, translate } from "./common.js";

const t = translate({
  fr: {
    title: "Mon mot de passe", intro: "Vos autres sessions (autres appareils) seront fermées.",
    current: "Mot de passe actuel", new: "Nouveau mot de passe (10 caractères au moins)",
    save: "Changer le mot de passe", done: "Mot de passe changé.",
  },
  en: {
    title: "My password", intro: "Your other sessions (other devices) will be closed.", current: "Current password",
    new: "New password (at least 10 characters)", save: "Change password", done: "Password changed.",
  },
});
await startPage();
applyTexts(t);
const form = document.getElementById("change-password");
const error = document.getElementById("error");
const message = document.getElementById("message");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.textContent = "";
  message.hidden = true;
  try {
    await api("POST", "/api/v1/session/password", {
      current_password: form.querySelector("#current-password").value,
      new_password: form.querySelector("#new-password").value,
    });
    form.reset();
    message.textContent = t("done");
    message.hidden = false;
  } catch (failure) {
    error.textContent = failure instanceof ApiError ? failure.text() : String(failure);
  }
});
