/// Every error Suivi can answer with, in one catalogue.
///
/// A code such as `400.3` reads as "HTTP status 400, third reason". The
/// French message is for the people in the field and the coordinators; the
/// English detail goes to developers (logs, the `detail` field of API errors).
/// Retired codes stay listed as comments and are never reused.
public struct Problem: Error, Sendable, Equatable {
    public let code: String
    public let status: Int
    public let message: String
    public let englishMessage: String
    /// The field, part or parameter at fault, when there is one.
    public let field: String?
    /// Extra developer detail (never personal data).
    public let detail: String?
    /// How long the client should wait before trying again (`Retry-After`), when waiting helps.
    public let retryAfterSeconds: Int?
    /// The methods the address does take (`Allow`), for a method it does not.
    public let allowedMethods: [String]?

    public init(code: String, message: String, englishMessage: String, field: String? = nil, detail: String? = nil,
                retryAfterSeconds: Int? = nil, allowedMethods: [String]? = nil) {
        self.code = code
        self.status = Int(code.split(separator: ".").first ?? "500") ?? 500
        self.message = message
        self.englishMessage = englishMessage
        self.field = field
        self.detail = detail
        self.retryAfterSeconds = retryAfterSeconds
        self.allowedMethods = allowedMethods
    }

    public func with(field: String? = nil, detail: String? = nil) -> Problem {
        Problem(code: code, message: message, englishMessage: englishMessage,
                field: field ?? self.field, detail: detail ?? self.detail, retryAfterSeconds: retryAfterSeconds,
                allowedMethods: allowedMethods)
    }
}

extension Problem {
    // MARK: 400: the request cannot be understood

    public static func malformedXML(_ detail: String, field: String = "xml_submission_file") -> Problem {
        Problem(code: "400.1", message: "Le fichier de la fiche n'est pas un XML valide.",
                englishMessage: "The submission is not well-formed XML.", field: field, detail: detail)
    }

    public static func xmlDeclarationsRefused(field: String = "xml_submission_file") -> Problem {
        Problem(code: "400.2", message: "Le XML contient une déclaration DOCTYPE ou ENTITY, refusée pour des raisons de sécurité.",
                englishMessage: "XML with a DOCTYPE or entity declaration is refused (XXE, entity expansion).",
                field: field)
    }

    public static func xmlTooDeep(limit: Int, field: String = "xml_submission_file") -> Problem {
        Problem(code: "400.3", message: "Le XML est trop profondément imbriqué.",
                englishMessage: "XML nesting is deeper than \(limit) levels.", field: field)
    }

    public static func missingSubmissionFile() -> Problem {
        Problem(code: "400.4", message: "La partie « xml_submission_file » est absente de l'envoi.",
                englishMessage: "The multipart body has no xml_submission_file part.",
                field: "xml_submission_file")
    }

    public static func malformedMultipart(_ detail: String) -> Problem {
        Problem(code: "400.5", message: "Le corps de l'envoi multipart est mal formé.",
                englishMessage: "The multipart/form-data body is malformed.", field: "body", detail: detail)
    }

    public static func missingInstanceID() -> Problem {
        Problem(code: "400.6", message: "La fiche n'a pas d'identifiant d'instance (meta/instanceID).",
                englishMessage: "The submission has no meta/instanceID.", field: "meta/instanceID")
    }

    public static func missingFormID() -> Problem {
        Problem(code: "400.7", message: "La fiche n'indique pas de quel formulaire elle vient.",
                englishMessage: "The submission root element has no id attribute.", field: "id")
    }

    public static func malformedJSON(_ detail: String) -> Problem {
        Problem(code: "400.8", message: "Le JSON envoyé est mal formé.",
                englishMessage: "The JSON body is malformed.", field: "body", detail: detail)
    }

    public static func invalidParameter(_ name: String, _ detail: String) -> Problem {
        Problem(code: "400.9", message: "Le paramètre « \(name) » n'est pas valide.",
                englishMessage: "The parameter '\(name)' is invalid.", field: name, detail: detail)
    }

    public static func invalidXMLEncoding(field: String = "xml_submission_file") -> Problem {
        Problem(code: "400.10", message: "Le XML n'est pas encodé en UTF-8 valide.",
                englishMessage: "The XML is not valid UTF-8.", field: field)
    }

    public static func xmlTooLarge(limit: Int, field: String = "xml_submission_file") -> Problem {
        Problem(code: "400.11", message: "Le XML contient trop d'éléments.",
                englishMessage: "The XML has more than \(limit) elements or attributes.", field: field)
    }

    public static func unsupportedContentType(_ received: String?) -> Problem {
        Problem(code: "415.1", message: "Type de contenu non pris en charge : un envoi multipart/form-data est attendu.",
                englishMessage: "Unsupported content type; multipart/form-data expected.",
                field: "Content-Type", detail: "received: \(received ?? "none")")
    }

    // MARK: 401/403: who is asking

    public static func invalidLink() -> Problem {
        Problem(code: "403.1", message: "Ce lien personnel n'est pas valide ou a été révoqué. Demandez un nouveau lien à votre coordinateur.",
                englishMessage: "The personal link is invalid or revoked.", field: "token")
    }

    public static func authenticationRequired() -> Problem {
        Problem(code: "401.1", message: "Authentification requise.",
                englishMessage: "A valid API key (Authorization: Bearer) or session is required.",
                field: "Authorization")
    }

    public static func forbidden() -> Problem {
        Problem(code: "403.2", message: "Votre rôle ne permet pas cette action.",
                englishMessage: "Your role does not allow this action.")
    }

    // MARK: 404/405/409/413

    public static func notFound() -> Problem {
        Problem(code: "404.1", message: "Cette adresse n'existe pas.", englishMessage: "No such resource.")
    }

    public static func unknownForm(_ formID: String) -> Problem {
        Problem(code: "404.2", message: "Le formulaire « \(formID) » n'existe pas sur ce serveur.",
                englishMessage: "Unknown form id.", field: "id", detail: "form: \(formID)")
    }

    public static func unknownFormVersion(formID: String, version: String) -> Problem {
        Problem(code: "409.3", message: "La version « \(version) » du formulaire « \(formID) » n'est pas connue du serveur. Mettez les formulaires à jour sur le téléphone.",
                englishMessage: "Unknown form version.", field: "version",
                detail: "form: \(formID) version: \(version)")
    }

    public static func methodNotAllowed(_ allowed: [String]) -> Problem {
        Problem(code: "405.1", message: "Méthode non autorisée pour cette adresse.",
                englishMessage: "Method not allowed.", detail: "allowed: \(allowed.joined(separator: ", "))",
                allowedMethods: allowed)
    }

    public static func instanceConflict() -> Problem {
        Problem(code: "409.1", message: "Une fiche avec le même identifiant mais un contenu différent a déjà été reçue. Pour corriger une fiche, modifiez-la puis renvoyez-la.",
                englishMessage: "A submission with this instanceID but different content already exists.",
                field: "meta/instanceID")
    }

    public static func editConflict() -> Problem {
        Problem(code: "409.2", message: "Cette fiche a déjà été modifiée par un autre envoi.",
                englishMessage: "The deprecatedID was already superseded by another edit.",
                field: "meta/deprecatedID")
    }

    /// An edit (`meta/deprecatedID`) names a record of another form, or one
    /// sent through another resource person's link: it may not replace it.
    /// One answer for both, which says nothing about the other record.
    public static func editNotAllowed() -> Problem {
        Problem(code: "409.4", message: "Cette fiche ne peut pas en remplacer une autre : seule une fiche du même formulaire, envoyée avec le même lien personnel, peut être modifiée.",
                englishMessage: "An edit may only replace a record of the same form sent through the same resource person's link.",
                field: "meta/deprecatedID",
                detail: "meta/deprecatedID names a record of another form or of another resource person")
    }

    public static func bodyTooLarge(limit: Int) -> Problem {
        // Whole mebibytes for the server's cap, kibibytes for a route's small one (sign-in).
        let size = limit >= 1_048_576 ? "\(limit / 1_048_576) Mo" : "\(max(1, limit / 1024)) Ko"
        return Problem(code: "413.1", message: "L'envoi est trop volumineux (maximum \(size)).",
                       englishMessage: "Request body larger than \(limit) bytes.", field: "body")
    }

    /// A body sent to an address that takes none (a page, `/healthz`): refused
    /// before it is read, so it never reaches memory or disk.
    public static func bodyNotExpected() -> Problem {
        Problem(code: "413.2", message: "Cette adresse n'accepte pas d'envoi de données.",
                englishMessage: "This route takes no request body.", field: "body")
    }

    // MARK: 429: too many attempts

    /// Too many failed link or key lookups from one client address. The same
    /// answer whatever the token was (never issued or revoked), so a guess
    /// learns nothing from it; the wait is rounded up to whole minutes for people.
    public static func tooManyFailedAttempts(retryAfterSeconds seconds: Int, field: String = "token") -> Problem {
        let minutes = max(1, (seconds + 59) / 60)
        return Problem(code: "429.1",
                       message: "Trop de tentatives avec un lien non valide depuis cette connexion. Attendez \(minutes) minute\(minutes > 1 ? "s" : "") avant de réessayer ; si votre lien ne marche toujours pas, demandez-en un nouveau à votre coordinateur.",
                       englishMessage: "Too many attempts with an invalid link or key from this address. Wait \(minutes) minute\(minutes > 1 ? "s" : "") before trying again.",
                       field: field, retryAfterSeconds: seconds)
    }

    // MARK: 5xx

    public static func internalError(requestID: String) -> Problem {
        Problem(code: "500.1", message: "Erreur interne du serveur. Réessayez plus tard.",
                englishMessage: "Internal server error.", detail: "request id: \(requestID)")
    }

    /// SQLite failed for a reason that waiting or freeing space does not
    /// cure (a constraint the code did not expect, a damaged file): a bug.
    public static func databaseError(_ detail: String) -> Problem {
        Problem(code: "500.2", message: "Erreur de la base de données.", englishMessage: "Database error.", detail: detail)
    }

    /// A record's instance id conflicted on insert, yet the row it
    /// conflicted with was not there to compare with: cannot happen inside
    /// one transaction unless the program is wrong.
    public static func conflictingRowVanished() -> Problem {
        Problem(code: "500.3", message: "Erreur interne.", englishMessage: "Conflicting row vanished.")
    }

    public static func storageUnavailable(_ detail: String) -> Problem {
        Problem(code: "503.1", message: "Le serveur ne peut pas enregistrer pour le moment (espace disque ou base occupée). Votre fiche reste sur le téléphone : réessayez plus tard.",
                englishMessage: "Storage unavailable (disk full, database busy or read-only).", detail: detail)
    }

    // 503.2 retired (never thrown: a stopping server finishes the requests it has
    // and libmicrohttpd refuses new connections). Do not reuse.

    /// The spool of request bodies is at its size limit (other large uploads
    /// are under way); refused before the body is read.
    public static func spoolFull(retryAfterSeconds seconds: Int) -> Problem {
        Problem(code: "503.3", message: "Le serveur reçoit déjà beaucoup d'envois volumineux. Votre fiche reste sur le téléphone : réessayez dans quelques minutes.",
                englishMessage: "The request-body spool is full: too many large uploads at once. Try again later.",
                field: "body", retryAfterSeconds: seconds)
    }

    // MARK: Accounts and sessions (400.20-29, 401.2-9, 403.10-19, 409.10-19, 429.2-9)

    public static func signInFailed() -> Problem {
        Problem(code: "401.2", message: "Identifiant ou mot de passe incorrect.",
                englishMessage: "Wrong login or password.", field: "password")
    }

    public static func sessionExpired() -> Problem {
        Problem(code: "401.3", message: "Votre session a expiré. Reconnectez-vous.",
                englishMessage: "Your session has expired. Please sign in again.")
    }

    public static func csrfRejected() -> Problem {
        Problem(code: "403.10", message: "La page a expiré ou la demande ne vient pas de Suivi. Rechargez la page et recommencez.",
                englishMessage: "Missing or wrong CSRF token: reload the page and try again.", field: "X-CSRF-Token")
    }

    /// A cookie request that changes something, sent from a page of another
    /// site (its `Origin`, or failing that its `Referer`, is not Suivi's own):
    /// refused even with the right CSRF token.
    public static func crossOriginRefused() -> Problem {
        Problem(code: "403.11", message: "Cette demande vient d'un autre site que Suivi : elle est refusée. Ouvrez Suivi directement et recommencez.",
                englishMessage: "Cross-site request refused: the Origin (or Referer) is not this server's own.", field: "Origin")
    }

    public static func weakPassword(_ reason: String, english: String) -> Problem {
        Problem(code: "400.20", message: "Mot de passe refusé : \(reason)",
                englishMessage: "Password refused: \(english)", field: "password")
    }

    public static func loginTaken() -> Problem {
        Problem(code: "409.10", message: "Cet identifiant est déjà utilisé.",
                englishMessage: "This login is already taken.", field: "login")
    }

    /// Wrong current password when changing one's own password (not a 401:
    /// the session itself is fine).
    public static func currentPasswordWrong() -> Problem {
        Problem(code: "400.21", message: "Le mot de passe actuel est incorrect.",
                englishMessage: "The current password is wrong.", field: "current_password")
    }

    /// An admin may not deactivate, demote or confine themselves: the last
    /// admin doing so would leave no one able to manage accounts.
    public static func ownAccessLocked() -> Problem {
        Problem(code: "409.11", message: "Vous ne pouvez pas désactiver votre propre compte ni retirer vos propres droits d'administrateur.",
                englishMessage: "You cannot deactivate your own account or remove your own admin rights.")
    }

    /// Too many wrong passwords for this login from this address (or from
    /// this address, or for this login from everywhere). The same answer for
    /// unknown logins.
    public static func tooManySignInAttempts(retryAfterSeconds seconds: Int) -> Problem {
        let minutes = max(1, (seconds + 59) / 60)
        return Problem(code: "429.2",
                       message: "Trop de tentatives de connexion. Attendez \(minutes) minute\(minutes > 1 ? "s" : "") avant de réessayer.",
                       englishMessage: "Too many sign-in attempts. Wait \(minutes) minute\(minutes > 1 ? "s" : "") before trying again.",
                       field: "password", retryAfterSeconds: seconds)
    }

    // MARK: Campaigns and people (400.30-39, 404.10-19, 409.20-29)

    public static func dateOutsidePhase(_ field: String, day: String, startsOn: String, endsOn: String) -> Problem {
        Problem(code: "400.30", message: "La date \(day) est en dehors de la phase (du \(startsOn) au \(endsOn)).",
                englishMessage: "The date \(day) is outside the phase (\(startsOn) to \(endsOn)).", field: field)
    }

    public static func unreadableImportFile(_ detail: String) -> Problem {
        Problem(code: "400.31", message: "Le fichier n'a pas pu être lu : envoyez un fichier CSV (séparé par ; ou ,) ou XLSX.",
                englishMessage: "The file could not be read: send a CSV (; or , separated) or XLSX file.",
                field: "file", detail: detail)
    }

    public static func missingImportColumns(_ columns: [String]) -> Problem {
        Problem(code: "400.32", message: "Colonnes obligatoires absentes : \(columns.joined(separator: ", ")). La première ligne doit nommer les colonnes (nom, téléphone, département, organisation).",
                englishMessage: "Required columns missing: \(columns.joined(separator: ", ")). The first row must name the columns (name, phone, département, organisation).",
                field: "file", detail: "missing: \(columns.joined(separator: ","))")
    }

    public static func tooManyImportRows(limit: Int) -> Problem {
        Problem(code: "400.33", message: "Le fichier a plus de \(limit) lignes : découpez-le.",
                englishMessage: "The file has more than \(limit) rows: split it.", field: "file")
    }

    public static func invalidPhone(field: String = "phone") -> Problem {
        Problem(code: "400.34", message: "Numéro de téléphone non valide : 9 chiffres commençant par 7 ou 3, avec ou sans +221.",
                englishMessage: "Invalid phone number: 9 digits starting with 7 or 3, with or without +221.", field: field)
    }

    public static func unknownDepartement(_ text: String, field: String = "departement") -> Problem {
        Problem(code: "400.35", message: "Département inconnu.", englishMessage: "Unknown département.",
                field: field, detail: "département: \(text.prefix(60))")
    }

    public static func datesInWrongOrder(field: String = "ends_on") -> Problem {
        Problem(code: "400.36", message: "La date de fin est avant la date de début.",
                englishMessage: "The end date is before the start date.", field: field)
    }

    public static func unknownIndicator(_ id: String) -> Problem {
        Problem(code: "400.37", message: "Indicateur inconnu.", englishMessage: "Unknown indicator.",
                field: "indicator", detail: "indicator: \(id.prefix(60))")
    }

    public static func campaignNotFound() -> Problem {
        Problem(code: "404.10", message: "Cette campagne n'existe pas.", englishMessage: "No such campaign.")
    }

    public static func phaseNotFound() -> Problem {
        Problem(code: "404.11", message: "Cette phase n'existe pas.", englishMessage: "No such campaign phase.")
    }

    public static func personNotFound() -> Problem {
        Problem(code: "404.12", message: "Cette personne ressource n'existe pas.", englishMessage: "No such resource person.")
    }

    public static func targetNotFound() -> Problem {
        Problem(code: "404.13", message: "Cette cible n'existe pas.", englishMessage: "No such target.")
    }

    public static func neighbourhoodNotFound() -> Problem {
        Problem(code: "404.14", message: "Ce quartier n'existe pas.", englishMessage: "No such neighbourhood.")
    }

    public static func phaseNameTaken() -> Problem {
        Problem(code: "409.20", message: "Cette campagne a déjà une phase de ce nom.",
                englishMessage: "This campaign already has a phase with this name.", field: "name")
    }

    public static func neighbourhoodTaken() -> Problem {
        Problem(code: "409.21", message: "Ce quartier est déjà choisi pour ce département et cette phase.",
                englishMessage: "This neighbourhood is already chosen for this département and phase.", field: "name")
    }

    public static func phoneTaken() -> Problem {
        Problem(code: "409.22", message: "Ce numéro de téléphone est déjà celui d'une autre personne ressource.",
                englishMessage: "This phone number already belongs to another resource person.", field: "phone")
    }

    // MARK: Tallies and review (400.40-49, 404.20-29, 409.30-39)

    public static func unknownFormField(form: String, field: String, at parameter: String) -> Problem {
        Problem(code: "400.40", message: "Le formulaire « \(form) » n'a pas de champ « \(field) ».",
                englishMessage: "The form has no such field.", field: parameter, detail: "form: \(form) field: \(field)")
    }

    public static func invalidDateRange(_ detail: String) -> Problem {
        Problem(code: "400.41", message: "La période demandée n'est pas valide (dates AAAA-MM-JJ, « from » avant « to », un an au plus).",
                englishMessage: "Invalid date range.", field: "from", detail: detail)
    }

    public static func unknownDepartementFilter(_ text: String) -> Problem {
        Problem(code: "404.20", message: "Le département « \(text) » n'existe pas.",
                englishMessage: "Unknown département.", field: "departement")
    }

    public static func unknownRegion(_ text: String) -> Problem {
        Problem(code: "404.21", message: "La région « \(text) » n'existe pas.",
                englishMessage: "Unknown region.", field: "region")
    }

    public static func submissionNotFound() -> Problem {
        Problem(code: "404.22", message: "Cette fiche n'existe pas.", englishMessage: "No such record.", field: "id")
    }

    /// A record's file: unknown name, not received yet, or a record out of
    /// the caller's scope, all alike.
    public static func attachmentNotFound() -> Problem {
        Problem(code: "404.24", message: "Ce fichier n'existe pas pour cette fiche.",
                englishMessage: "No such file for this record.", field: "name")
    }

    public static func indicatorNotFound() -> Problem {
        Problem(code: "404.23", message: "Cet indicateur n'existe pas.", englishMessage: "No such indicator.", field: "id")
    }

    public static func indicatorStaysOn() -> Problem {
        Problem(code: "409.31", message: "Cet indicateur est compté par le système des adhésions, pas par les formulaires : il reste actif.",
                englishMessage: "This indicator is counted by the membership system, not from forms: it stays on.",
                field: "active")
    }

    public static func indicatorExists(_ id: String) -> Problem {
        Problem(code: "409.30", message: "L'indicateur « \(id) » existe déjà.",
                englishMessage: "An indicator with this id already exists.", field: "id")
    }

    // MARK: Leads and exports (400.50-59, 404.30-39, 409.40-49)

    public static func membershipFileUnreadable(_ detail: String) -> Problem {
        Problem(code: "400.50", message: "Fichier des adhésions illisible : il faut une ligne d'en-tête avec member_number, date et phone ou national_id.",
                englishMessage: "Unreadable memberships file: expected a header row with member_number, date and phone or national_id.",
                field: "body", detail: detail)
    }

    public static func mergeWithItself() -> Problem {
        Problem(code: "400.51", message: "Une pré-inscription ne peut pas être fusionnée avec elle-même.",
                englishMessage: "A lead cannot be merged with itself.", field: "merged_id")
    }

    public static func unknownLead() -> Problem {
        Problem(code: "404.30", message: "Pré-inscription introuvable.", englishMessage: "No such lead.")
    }

    public static func unknownMerge() -> Problem {
        Problem(code: "404.31", message: "Fusion introuvable.", englishMessage: "No such merge.")
    }

    public static func mergeAlreadyUndone() -> Problem {
        Problem(code: "409.40", message: "Cette fusion a déjà été annulée.", englishMessage: "This merge was already undone.")
    }

    public static func mergeNotUndoable() -> Problem {
        Problem(code: "409.41", message: "La pré-inscription conservée a été fusionnée depuis : annulez d'abord cette fusion-là.",
                englishMessage: "The kept lead was merged since: undo that merge first.")
    }

    public static func leadNotLive() -> Problem {
        Problem(code: "409.42", message: "Cette pré-inscription a été fusionnée ou effacée.",
                englishMessage: "This lead was merged or erased.")
    }
    // MARK: Encrypted records (400.80-89)

    public static func invalidPrivateKey(_ detail: String) -> Problem {
        Problem(code: "400.80", message: "La clé privée n'est pas lisible : collez la clé RSA complète au format PEM (« -----BEGIN PRIVATE KEY----- » ou « -----BEGIN RSA PRIVATE KEY----- »).",
                englishMessage: "The private key is unreadable: send the whole RSA private key as PEM (PKCS#1 or PKCS#8).",
                field: "private_key", detail: detail)
    }

    public static func wrongPrivateKey(recordID: Int64) -> Problem {
        Problem(code: "400.81", message: "Cette clé privée n'ouvre pas les fiches chiffrées de ce formulaire : vérifiez que c'est la clé du formulaire.",
                englishMessage: "This private key does not open this form's encrypted records: check it is the form's key.",
                field: "private_key", detail: "record \(recordID)")
    }

    public static func undecryptableRecord(recordID: Int64, _ reason: String) -> Problem {
        Problem(code: "400.82", message: "La fiche chiffrée n°\(recordID) ne peut pas être déchiffrée avec cette clé : son contenu ne correspond pas à sa signature.",
                englishMessage: "Encrypted record \(recordID) cannot be decrypted with this key: its content does not match its signature.",
                field: "private_key", detail: reason)
    }
}

extension Problem {
    // MARK: Forms published from the admin (400.60-69, 403.20-29, 404.40-49, 409.50-59)

    public static func formFileUnreadable(_ detail: String, field: String = "file") -> Problem {
        Problem(code: "400.60", message: "Ce fichier n'est ni un XLSForm (.xlsx, .xls) ni un XForm (.xml) lisible.",
                englishMessage: "The file is neither a readable XLSForm (.xlsx, .xls) nor a readable XForm (.xml).",
                field: field, detail: detail)
    }

    /// pyxform's own words, shown as they are: they name the sheet and row.
    public static func xlsformRejected(_ pyxformMessage: String) -> Problem {
        Problem(code: "400.61", message: "Le XLSForm contient une erreur (message de pyxform) : \(pyxformMessage)",
                englishMessage: "pyxform refused the XLSForm: \(pyxformMessage)", field: "file")
    }

    public static func mediaNameInvalid(_ name: String) -> Problem {
        Problem(code: "400.62", message: "Nom de fichier joint refusé : il ne doit contenir ni chemin ni caractère de contrôle (255 caractères au plus).",
                englishMessage: "Media file name refused: no path, no control character, at most 255 characters.",
                field: "media", detail: "name of \(name.utf8.count) bytes")
    }

    public static func xlsformConversionFailed(_ detail: String) -> Problem {
        Problem(code: "400.63", message: "La conversion du XLSForm n'a pas abouti (trop longue ou trop lourde). Simplifiez le fichier ou demandez de l'aide.",
                englishMessage: "The XLSForm conversion did not finish within its time and memory limits.",
                field: "file", detail: detail)
    }

    public static func spreadsheetTooLarge(unpackedBytes: UInt64, entries: Int) -> Problem {
        Problem(code: "400.65", message: "Ce fichier Excel se décompresse en un volume anormal (fichier piégé ou corrompu) : il n'est pas lu.",
                englishMessage: "The spreadsheet unpacks to an abnormal size (a zip bomb or a corrupt file): it is not read.",
                field: "file", detail: "declares \(unpackedBytes) bytes unpacked so far in \(entries) entries")
    }

    public static func formUploadMismatch(expected: String, found: String) -> Problem {
        Problem(code: "400.64", message: "Ce fichier est celui du formulaire « \(found) », pas de « \(expected) ».",
                englishMessage: "The file's form id does not match the form it is uploaded to.",
                field: "file", detail: "expected \(expected), found \(found)")
    }

    public static func formClosed(_ formID: String) -> Problem {
        Problem(code: "403.20", message: "Le formulaire « \(formID) » est fermé : il n'accepte plus de fiches. Voyez avec votre coordinateur.",
                englishMessage: "This form is closed: it accepts no more records.", field: "id")
    }

    public static func formNotFound(_ formID: String) -> Problem {
        Problem(code: "404.40", message: "Le formulaire « \(formID) » n'existe pas.",
                englishMessage: "No such form.", detail: "form: \(formID)")
    }

    public static func noDraft(_ formID: String) -> Problem {
        Problem(code: "404.41", message: "Le formulaire « \(formID) » n'a pas de brouillon.",
                englishMessage: "This form has no draft.")
    }

    public static func formIDTaken(_ formID: String) -> Problem {
        Problem(code: "409.50", message: "Un formulaire « \(formID) » existe déjà : déposez la nouvelle version comme brouillon de ce formulaire.",
                englishMessage: "A form with this id exists: upload the file as a draft of that form.", field: "file")
    }

    public static func formVersionExists(formID: String, version: String) -> Problem {
        Problem(code: "409.51", message: "La version « \(version) » du formulaire « \(formID) » est déjà publiée : changez la version (paramètre version de l'onglet settings) pour publier ce changement.",
                englishMessage: "This version is already published: a changed form needs a new version string.",
                field: "version")
    }
}
