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

/**
 * The page to open once signed in: `candidate` read as the browser itself
 * reads an address (it drops tabs and newlines, takes "\\" for "/"), kept
 * only when that lands on this site; else the dashboard.
 */
export function sameSitePath(candidate) {
  if (typeof candidate !== "string" || !candidate.startsWith("/") || /[\\\u0000-\u0020\u007f]/.test(candidate)) {
    return "/admin";
  }
  try {
    const url = new URL(candidate, location.origin);
    return url.origin === location.origin ? url.pathname + url.search + url.hash : "/admin";
  } catch {
    return "/admin";
  }
}

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
  const requested = new URLSearchParams(location.search).get("next") || "/admin";
  try {
    const response = await fetch("/api/v1/session", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept-Language": language() },
      body: JSON.stringify({ login, password, next: requested }),
    });
    if (!response.ok) throw await ApiError.from(response);
    // Only paths on this site, checked by the server and again here: never an
    // address someone slipped into the link.
    const answer = await response.json();
    location.href = sameSitePath(answer.next ?? requested);
  } catch (failure) {
    error.textContent = failure instanceof ApiError ? failure.text() : t("offline");
    form.password.value = "";
    form.password.focus();
  }
});
