import Foundation
import GRDB
import SuiviDomain

/// Resource persons, their personal links (stored as hashes) and geography.
public struct PeopleStore: Sendable {
    let database: SuiviDatabase

    public init(database: SuiviDatabase) {
        self.database = database
    }

    /// Finds a département by code or by name, ignoring case and accents
    /// ("Guédiawaye", "guediawaye", "GUEDIAWAYE").
    public func departement(named text: String) throws -> Departement? {
        let wanted = Self.fold(text)
        return try database.readNow { db in
            try Row.fetchAll(db, sql: "SELECT code, name, region_code, region FROM departements")
                .map(Self.departement(from:))
                .first { Self.fold($0.name) == wanted || $0.code == wanted.replacingOccurrences(of: " ", with: "-") }
        }
    }

    public func allDepartements() throws -> [Departement] {
        try database.readNow { db in
            try Row.fetchAll(db, sql: "SELECT code, name, region_code, region FROM departements ORDER BY region, name")
                .map(Self.departement(from:))
        }
    }

    /// Creates a person and their first link; `tokenHash` is the SHA-256 of the
    /// token, which itself is never stored.
    public func addPerson(name: String, phone: String, departementCode: String, organisation: String?,
                          tokenHash: String, at date: Date = Date()) throws -> ResourcePerson {
        try database.writeNow { db in
            let now = Timestamp.string(date)
            try db.execute(sql: """
                INSERT INTO resource_persons (name, phone, departement_code, organisation, created_at)
                VALUES (?, ?, ?, ?, ?)
                """, arguments: [name, phone, departementCode, organisation, now])
            let id = db.lastInsertedRowID
            try db.execute(sql: """
                INSERT INTO access_links (resource_person_id, token_hash, created_at) VALUES (?, ?, ?)
                """, arguments: [id, tokenHash, now])
            return ResourcePerson(id: id, name: name, phone: phone, departementCode: departementCode,
                                  organisation: organisation, active: true)
        }
    }

    /// Marks people as active since `day` (their current period of activity
    /// starts then): for people picked before a campaign but entered later,
    /// such as the demo's, so past days count them as expected reporters.
    public func markActive(personIDs: [Int64], since day: String) throws {
        guard !personIDs.isEmpty else { return }
        try database.writeNow { db in
            try db.execute(sql: """
                UPDATE resource_person_activity SET from_day = ?
                WHERE until_day IS NULL AND from_day > ? AND resource_person_id IN (\(SQLText.placeholders(personIDs.count)))
                """, arguments: StatementArguments([day, day]) + StatementArguments(personIDs))
        }
    }

    /// Revokes every link of a person and issues a new one.
    public func reissueLink(personID: Int64, tokenHash: String, at date: Date = Date()) throws {
        try database.writeNow { db in
            let now = Timestamp.string(date)
            try db.execute(sql: "UPDATE access_links SET revoked_at = ? WHERE resource_person_id = ? AND revoked_at IS NULL",
                           arguments: [now, personID])
            try db.execute(sql: "INSERT INTO access_links (resource_person_id, token_hash, created_at) VALUES (?, ?, ?)",
                           arguments: [personID, tokenHash, now])
        }
    }

    public func revokeLinks(personID: Int64, at date: Date = Date()) throws {
        try database.writeNow { db in
            try db.execute(sql: "UPDATE access_links SET revoked_at = ? WHERE resource_person_id = ? AND revoked_at IS NULL",
                           arguments: [Timestamp.string(date), personID])
        }
    }

    /// The active person holding a live link with this token hash. Read from
    /// the database on every request so a revocation applies at once.
    ///
    /// This runs on every OpenRosa request, so it is kept lean: it runs on
    /// the database's lookup connection, on the caller's thread (see
    /// `SuiviDatabase.lookUp`), with its statement prepared once and without
    /// GRDB's BEGIN/COMMIT wrapper, since a single SELECT is already its own
    /// consistent snapshot. It never waits for a pooled reader connection,
    /// so it cannot deadlock Swift concurrency's threads.
    public func person(byTokenHash tokenHash: String) async throws -> ResourcePerson? {
        try database.lookUp { db in
            let statement = try db.cachedStatement(sql: """
                SELECT p.id, p.name, p.phone, p.departement_code, p.organisation, p.active
                FROM access_links l JOIN resource_persons p ON p.id = l.resource_person_id
                WHERE l.token_hash = ? AND l.revoked_at IS NULL AND p.active = 1
                """)
            return try Row.fetchOne(statement, arguments: [tokenHash]).map(Self.person(from:))
        }
    }

    public func setSetting(_ key: String, _ value: String) throws {
        try database.writeNow { db in
            try db.execute(sql: "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value WHERE value IS NOT excluded.value",
                           arguments: [key, value])
        }
    }

    public func setting(_ key: String) throws -> String? {
        try database.readNow { db in try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = ?", arguments: [key]) }
    }

    /// From a row whose first six columns are id, name, phone,
    /// departement_code, organisation, active (every query here selects them
    /// so). By position: by name, GRDB lowercases each name to find it, and
    /// the token lookup runs on every OpenRosa request.
    static func person(from row: Row) -> ResourcePerson {
        ResourcePerson(id: row[0], name: row[1], phone: row[2], departementCode: row[3],
                       organisation: row[4], active: row[5] as Bool)
    }

    static func departement(from row: Row) -> Departement {
        Departement(code: row["code"], name: row["name"], regionCode: row["region_code"], region: row["region"])
    }

    static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .trimmingCharacters(in: .whitespaces).lowercased()
    }
}
