import { ApiError, applyTexts, language, setLanguage, translate } from "./common.js";

const t = translate({
  fr: {
    switchLanguage: "English", title: "Connexion des coordinateurs", login: "Identifiant",
    password: "Mot de passe", submit: "Se connecter", missing: "Saisissez votre identifiant et votre mot de passe.",
    offline: "Le serveur ne répond pas. Réessayez dans un instant.",
  },
  en: {
    switchLanguage: "Français", title: "Coordinator sign-in", login: "Login", password: "Password",
    submit: "Sign in", missing: "Enter your login and password.", offline: "The server does not answer. Try again shortly.",
  },
});
applyTexts(t);
document.getElementById("language").addEventListener("click", () => setLanguage(language() === "en" ? "fr" : "en"));

const form = document.getElementById("sign-in");
const error = document.getElementById("error");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.textContent = "";
  const login = form.login.value.trim();
  const password = form.password.value;
  if (!login || !password) {
    error.textContent = t("missing");
    return;
  }
  try {
    const response = await fetch("/api/v1/session", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept-Language": language() },
      body: JSON.stringify({ login, password }),
    });
    if (!response.ok) throw await ApiError.from(response);
    const next = new URLSearchParams(location.search).get("next") || "/admin";
    // Only paths on this site: never an address someone slipped into the link.
    location.href = next.startsWith("/") && !next.startsWith("//") ? next : "/admin";
  } catch (failure) {
    error.textContent = failure instanceof ApiError ? failure.text() : t("offline");
    form.password.value = "";
    form.password.focus();
  }
});
