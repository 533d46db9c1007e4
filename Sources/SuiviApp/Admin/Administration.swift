import Foundation
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
        var regionCode: String?
        if let region {
            let departements = try PeopleStore(database: database).allDepartements()
            let folded = region.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
            guard let match = departements.first(where: {
                $0.regionCode == folded || $0.region.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased() == folded
            }) else { throw Failure(description: "Région inconnue / unknown region: \(region)") }
            regionCode = match.regionCode
        }
        let secret = Secrets.newToken()
        let key = try APIKeyStore(database: database).add(
            name: name, role: role, regionCode: regionCode, keyHash: Secrets.sha256Hex(secret))
        return (key, secret)
    }

    private func personalLink(token: String, baseURL: String?) -> String {
        let base = baseURL ?? (try? PeopleStore(database: database).setting("base_url")) ?? "http://127.0.0.1:8080"
        return "\(base.hasSuffix("/") ? String(base.dropLast()) : base)/key/\(token)"
    }
}
