// Texts people read, in French (the default language).
export default {
  switchLanguage: "English",
  loading: "Chargement…",
  formsTitle: "Vos formulaires",
  collectTitle: "Avec ODK Collect",
  collectHelp: "Dans ODK Collect : Paramètres du projet › Serveur › URL, saisissez l'adresse ci-dessous (sans nom d'utilisateur ni mot de passe).",
  greeting: (name) => `Bonjour ${name}`,
  departement: (name, region) => `Département de ${name} (région de ${region})`,
  version: (version) => `version ${version}`,
  revoked: "Ce lien personnel n'est pas valide ou a été révoqué. Demandez un nouveau lien à votre coordinateur.",
  offline: "Pas de connexion au serveur. Réessayez quand le réseau revient.",
};
