import { api, ApiError, applyTexts, language, startPage, translate } from "./common.js";
import { REGIONS, regionName } from "./regions.js";

const t = translate({
  fr: {
    title: "Comptes et clés d'API", usersTitle: "Comptes des coordinateurs", login: "Identifiant", name: "Nom",
    role: "Rôle", region: "Région", state: "État", lastSignIn: "Dernière connexion", actions: "Actions",
    resetPassword: "Nouveau mot de passe (laisser vide pour ne pas le changer)", save: "Enregistrer", cancel: "Annuler",
    newUser: "Nouveau compte", password: "Mot de passe (10 caractères au moins)", create: "Créer le compte",
    keysTitle: "Clés d'API des autres systèmes", keyName: "Nom", createdAt: "Créée le", newKey: "Nouvelle clé d'API",
    createKey: "Créer la clé", allRegions: "Toutes (national)", active: "Actif", inactive: "Désactivé",
    revoked: "Révoquée", valid: "Valide", never: "jamais", edit: "Modifier", deactivate: "Désactiver",
    reactivate: "Réactiver", revoke: "Révoquer", editTitle: (login) => `Modifier le compte ${login}`,
    created: (login) => `Compte ${login} créé.`, saved: (login) => `Compte ${login} enregistré.`,
    deactivated: (login) => `Compte ${login} désactivé : ses sessions sont fermées.`,
    reactivated: (login) => `Compte ${login} réactivé.`,
    keyShown: (name) => `Clé « ${name} » créée. Copiez-la maintenant, elle ne sera plus affichée : `,
    confirmRevoke: (name) => `Révoquer la clé « ${name} » ? Les systèmes qui l'utilisent ne pourront plus appeler Suivi.`,
    keyRevoked: (name) => `Clé « ${name} » révoquée.`, loginMissing: "Saisissez un identifiant.",
    roles: { admin: "Administrateur", coordinator: "Coordinateur", viewer: "Lecteur (totaux seulement)",
             membership: "Système d'adhésion (pré-inscriptions)" },
  },
  en: {
    title: "Accounts and API keys", usersTitle: "Coordinator accounts", login: "Login", name: "Name", role: "Role",
    region: "Region", state: "State", lastSignIn: "Last sign-in", actions: "Actions",
    resetPassword: "New password (leave empty to keep it)", save: "Save", cancel: "Cancel", newUser: "New account",
    password: "Password (at least 10 characters)", create: "Create account", keysTitle: "API keys of other systems",
    keyName: "Name", createdAt: "Created", newKey: "New API key", createKey: "Create key",
    allRegions: "All (national)", active: "Active", inactive: "Deactivated", revoked: "Revoked", valid: "Valid",
    never: "never", edit: "Edit", deactivate: "Deactivate", reactivate: "Reactivate", revoke: "Revoke",
    editTitle: (login) => `Edit account ${login}`, created: (login) => `Account ${login} created.`,
    saved: (login) => `Account ${login} saved.`,
    deactivated: (login) => `Account ${login} deactivated: its sessions are closed.`,
    reactivated: (login) => `Account ${login} reactivated.`,
    keyShown: (name) => `Key "${name}" created. Copy it now, it will not be shown again: `,
    confirmRevoke: (name) => `Revoke the key "${name}"? Systems using it will no longer reach Suivi.`,
    keyRevoked: (name) => `Key "${name}" revoked.`, loginMissing: "Enter a login.",
    roles: { admin: "Administrator", coordinator: "Coordinator", viewer: "Viewer (tallies only)",
             membership: "Membership system (leads)" },
  },
});

const me = await startPage();
applyTexts(t);
const roles = t("roles");
const message = document.getElementById("message");
const error = document.getElementById("error");
let users = [];

function say(text) {
  error.textContent = "";
  message.textContent = text;
  message.hidden = !text;
}

function fail(failure) {
  message.hidden = true;
  error.textContent = failure instanceof ApiError ? failure.text() : String(failure);
}

function fillSelect(select, options) {
  select.replaceChildren(...options.map(([value, label]) => new Option(label, value)));
}

for (const select of document.querySelectorAll(".role-select")) {
  fillSelect(select, ["coordinator", "viewer", "admin"].map((role) => [role, roles[role]]));
}
fillSelect(document.getElementById("key-role"), ["membership", "viewer", "coordinator", "admin"].map((role) => [role, roles[role]]));
for (const select of document.querySelectorAll(".region-select")) {
  fillSelect(select, [["", t("allRegions")], ...REGIONS]);
}

function when(timestamp) {
  if (!timestamp) return t("never");
  return new Date(timestamp).toLocaleString(language() === "en" ? "en-GB" : "fr-FR",
                                            { dateStyle: "short", timeStyle: "short" });
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function button(text, className, action) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = `secondary ${className}`;
  element.textContent = text;
  element.addEventListener("click", action);
  return element;
}

async function loadUsers() {
  users = (await api("GET", "/api/v1/users")).users;
  const rows = users.map((user) => {
    const row = document.createElement("tr");
    row.dataset.login = user.login;
    const actions = document.createElement("div");
    actions.className = "row-actions";
    actions.append(button(t("edit"), "edit", () => edit(user)));
    if (user.id !== me.user.id) {
      actions.append(user.active
        ? button(t("deactivate"), "deactivate", () => setActive(user, false))
        : button(t("reactivate"), "reactivate", () => setActive(user, true)));
    }
    const actionCell = document.createElement("td");
    actionCell.append(actions);
    row.append(cell(user.login), cell(user.display_name), cell(roles[user.role] || user.role),
               cell(user.region ? regionName(user.region) : "—"),
               cell(user.active ? t("active") : t("inactive"), user.active ? "state" : "state inactive"),
               cell(when(user.last_sign_in_at)), actionCell);
    return row;
  });
  document.querySelector("#users tbody").replaceChildren(...rows);
}

async function setActive(user, active) {
  try {
    await api("PATCH", `/api/v1/users/${user.id}`, { active });
    say(t(active ? "reactivated" : "deactivated", user.login));
    await loadUsers();
  } catch (failure) { fail(failure); }
}

const editForm = document.getElementById("edit-user");
let editing = null;

function edit(user) {
  editing = user;
  document.getElementById("edit-title").textContent = t("editTitle", user.login);
  editForm.querySelector("#edit-name").value = user.display_name;
  editForm.querySelector("#edit-role").value = user.role;
  editForm.querySelector("#edit-region").value = user.region || "";
  editForm.querySelector("#edit-password").value = "";
  editForm.hidden = false;
  editForm.scrollIntoView({ block: "nearest" });
}

document.getElementById("cancel-edit").addEventListener("click", () => { editForm.hidden = true; editing = null; });

editForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!editing) return;
  try {
    const region = editForm.querySelector("#edit-region").value;
    await api("PATCH", `/api/v1/users/${editing.id}`, {
      display_name: editForm.querySelector("#edit-name").value,
      role: editForm.querySelector("#edit-role").value,
      region: region || null,
    });
    const password = editForm.querySelector("#edit-password").value;
    if (password) await api("POST", `/api/v1/users/${editing.id}/password`, { password });
    say(t("saved", editing.login));
    editForm.hidden = true;
    editing = null;
    await loadUsers();
  } catch (failure) { fail(failure); }
});

const newUser = document.getElementById("new-user");
newUser.addEventListener("submit", async (event) => {
  event.preventDefault();
  const login = newUser.querySelector("#new-login").value.trim();
  if (!login) { fail(t("loginMissing")); return; }
  const region = newUser.querySelector("#new-region").value;
  try {
    await api("POST", "/api/v1/users", {
      login, display_name: newUser.querySelector("#new-name").value, role: newUser.querySelector("#new-role").value,
      region: region || null, password: newUser.querySelector("#new-password").value,
    });
    newUser.reset();
    say(t("created", login));
    await loadUsers();
  } catch (failure) { fail(failure); }
});

async function loadKeys() {
  const { api_keys: keys } = await api("GET", "/api/v1/api-keys");
  const rows = keys.map((key) => {
    const row = document.createElement("tr");
    row.dataset.keyId = key.id;
    const actionCell = document.createElement("td");
    if (!key.revoked_at) {
      actionCell.append(button(t("revoke"), "revoke", async () => {
        if (!confirm(t("confirmRevoke", key.name))) return;
        try {
          await api("DELETE", `/api/v1/api-keys/${key.id}`);
          say(t("keyRevoked", key.name));
          await loadKeys();
        } catch (failure) { fail(failure); }
      }));
    }
    row.append(cell(key.name), cell(roles[key.role] || key.role), cell(key.region ? regionName(key.region) : "—"),
               cell(when(key.created_at)),
               cell(key.revoked_at ? t("revoked") : t("valid"), key.revoked_at ? "state inactive" : "state"), actionCell);
    return row;
  });
  document.querySelector("#keys tbody").replaceChildren(...rows);
}

const newKey = document.getElementById("new-api-key");
newKey.addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = newKey.querySelector("#key-name").value.trim();
  const region = newKey.querySelector("#key-region").value;
  try {
    const { api_key: created } = await api("POST", "/api/v1/api-keys", {
      name, role: newKey.querySelector("#key-role").value, region: region || null,
    });
    const shown = document.getElementById("new-key");
    const code = document.createElement("code");
    code.id = "new-key-value";
    code.textContent = created.key;
    shown.replaceChildren(t("keyShown", created.name), code);
    shown.hidden = false;
    newKey.reset();
    say("");
    await loadKeys();
  } catch (failure) { fail(failure); }
});

try {
  await Promise.all([loadUsers(), loadKeys()]);
} catch (failure) { fail(failure); }
