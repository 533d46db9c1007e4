// Texts people read, in English.
export default {
  switchLanguage: "Français",
  loading: "Loading…",
  formsTitle: "Your forms",
  collectTitle: "With ODK Collect",
  collectHelp: "In ODK Collect: Project settings › Server › URL, enter the address below (no user name, no password).",
  greeting: (name) => `Hello ${name}`,
  departement: (name, region) => `${name} département (${region} region)`,
  version: (version) => `version ${version}`,
  revoked: "This personal link is not valid or was revoked. Ask your coordinator for a new link.",
  offline: "Cannot reach the server. Try again when the network is back.",
};
