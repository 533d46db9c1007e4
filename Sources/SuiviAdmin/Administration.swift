import Foundation
import SuiviApp
import SuiviDomain
import SuiviStore

/// What the admin commands do, kept out of the command-line parsing so tests
/// and the demo can call it too. Works on the same database as a running
/// server (WAL lets them share it).
public struct Administration: Sendable {
    public let database: SuiviDatabase

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init(databasePath: String) throws {
        database = try SuiviDatabase(path: databasePath)
    }

    public init(database: SuiviDatabase) {
        self.database = database
    }

    /// Creates a resource person and returns their personal link. The token
    /// exists only in the returned link.
    public func addPerson(name: String, phone: String, departement: String, organisation: String?,
                          baseURL: String?) throws -> (person: ResourcePerson, link: String) {
        let people = PeopleStore(database: database)
        let trimmedName = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmedName.isEmpty else { throw Failure(description: "Le nom est obligatoire / a name is required") }
        guard let found = try people.departement(named: departement) else {
            throw Failure(description: "Département inconnu / unknown département: \(departement)")
        }
        let token = Secrets.newToken()
        let person = try people.addPerson(
            name: trimmedName, phone: phone.trimmingCharacters(in: .whitespaces), departementCode: found.code,
            organisation: organisation, tokenHash: Secrets.sha256Hex(token))
        return (person, personalLink(token: token, baseURL: baseURL))
    }

    /// Revokes a person's links and returns a new one.
    public func reissueLink(personID: Int64, baseURL: String?) throws -> String {
        let token = Secrets.newToken()
        try PeopleStore(database: database).reissueLink(personID: personID, tokenHash: Secrets.sha256Hex(token))
        return personalLink(token: token, baseURL: baseURL)
    }

    public func addAPIKey(name: String, role: Role, region: String?) throws -> (key: APIKey, secret: String) {
        let regionCode = try region.map(regionCode(named:))
        let secret = Secrets.newToken()
        let key = try APIKeyStore(database: database).createNow(
            name: name, role: role, regionCode: regionCode, keyHash: Secrets.sha256Hex(secret), by: .commandLine)
        return (key, secret)
    }

    /// Creates a coordinator account. The password is checked against the
    /// policy and stored only as an Argon2id hash.
    public func addUser(login: String, password: String, role: Role, region: String?,
                        displayName: String = "") async throws -> UserAccount {
        let trimmedLogin = login.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmedLogin.isEmpty, trimmedLogin.count <= 100 else {
            throw Failure(description: "L'identifiant est obligatoire / a login is required")
        }
        guard role != .membership else {
            throw Failure(description: "Le rôle membership est réservé aux clés d'API / the membership role is for API keys only")
        }
        do {
            try PasswordPolicy.check(password, login: trimmedLogin)
        } catch let problem as Problem {
            throw Failure(description: "\(problem.message) / \(problem.englishMessage)")
        }
        let regionCode = try region.map(regionCode(named:))
        let hash = try await BlockingWork.run { try PasswordHasher.hash(password) }
        do {
            return try await AccountStore(database: database).addUser(
                login: trimmedLogin, displayName: displayName, role: role, regionCode: regionCode,
                passwordHash: hash, by: .commandLine)
        } catch AccountError.loginTaken {
            throw Failure(description: "Cet identifiant existe déjà / this login already exists: \(trimmedLogin)")
        }
    }

    /// `suivi verify`: each difference between the running tallies and a
    /// recount from the records, and how many tallies were compared.
    public func verifyTallies() throws -> (differences: [String], compared: Int) {
        let differences = try TallyVerifier.differences(in: database).map { "\($0)" }
        return (differences, try TallyVerifier.tallyCount(in: database))
    }

    /// A region's code from its code or its name, ignoring case and accents.
    public func regionCode(named region: String) throws -> String {
        let departements = try PeopleStore(database: database).allDepartements()
        let folded = region.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
        guard let match = departements.first(where: {
            $0.regionCode == folded || $0.region.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased() == folded
        }) else { throw Failure(description: "Région inconnue / unknown region: \(region)") }
        return match.regionCode
    }

    private func personalLink(token: String, baseURL: String?) -> String {
        PersonalLinks.link(baseURL ?? (try? PeopleStore(database: database).setting("base_url")) ?? "http://127.0.0.1:8080", token)
    }
}
