import Foundation
import GRDB
import SuiviDomain

/// A resource person as the coordinators' list shows them.
public struct PersonListing: Sendable, Equatable {
    public let person: ResourcePerson
    public let createdAt: String
    /// When the live link was issued; nil when every link is revoked.
    public let linkIssuedAt: String?
}

/// A person who just got a new link: the token leaves the server once, here.
public struct IssuedLink: Sendable {
    public let person: ResourcePerson
    public let token: String
}

public struct PeopleImportResult: Sendable {
    public let plan: PeopleImportPlan
    /// The accepted rows as stored, in file order, with their new tokens.
    public let issued: [IssuedLink]
}

/// Adds, edits, deactivates and imports resource persons and issues their
/// links, each change with its audit line in the same transaction. Phones
/// are stored in canonical form (`PhoneNumber`) so one phone is one person.
/// `newToken` returns a fresh token and its SHA-256: only the hash is stored.
public struct PeopleDirectory: Sendable {
    public typealias TokenMaker = @Sendable () -> (token: String, hash: String)

    let database: SuiviDatabase

    public init(database: SuiviDatabase) {
        self.database = database
    }

    /// People within `departementCodes` (nil: all), by département then name.
    public func people(departementCodes: [String]?, includeInactive: Bool = true) async throws -> [PersonListing] {
        try await database.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT p.id, p.name, p.phone, p.departement_code, p.organisation, p.active, p.created_at,
                       (SELECT max(l.created_at) FROM access_links l
                        WHERE l.resource_person_id = p.id AND l.revoked_at IS NULL) AS link_issued_at
                FROM resource_persons p
                WHERE (? OR p.active = 1)
                ORDER BY p.departement_code, p.name COLLATE NOCASE, p.id
                """, arguments: [includeInactive])
            return rows.compactMap { row -> PersonListing? in
                let person = PeopleStore.person(from: row)
                if let codes = departementCodes, !codes.contains(person.departementCode) { return nil }
                return PersonListing(person: person, createdAt: row["created_at"], linkIssuedAt: row["link_issued_at"])
            }
        }
    }

    public func person(id: Int64) async throws -> ResourcePerson {
        try await database.read { db in
            guard let person = try Self.person(id, in: db) else { throw Problem.personNotFound() }
            return person
        }
    }

    /// Adds one person with a first link. `phone` is checked and stored in
    /// canonical form; a phone already registered is 409.22.
    public func addPerson(name: String, phone: String, departementCode: String, organisation: String?,
                          newToken: TokenMaker, by actor: AuditActor, at date: Date = Date()) async throws -> IssuedLink {
        guard let canonical = PhoneNumber.normalise(phone) else { throw Problem.invalidPhone() }
        return try await database.write { db in
            try CampaignStore.requireDepartement(departementCode, in: db)
            guard try !Self.phones(in: db, except: nil).contains(canonical) else { throw Problem.phoneTaken() }
            let issued = try Self.insert(name: name, phone: canonical, departementCode: departementCode,
                                         organisation: organisation, newToken: newToken, at: date, in: db)
            try AuditStore.record(actor, "person.add", targetKind: "resource_person", targetID: String(issued.person.id),
                                  details: ["departement": departementCode], at: date, in: db)
            return issued
        }
    }

    /// Changes what is given; `organisation` "" clears it. Deactivating
    /// (`active: false`) stops the person's link at once; reactivating
    /// restores it.
    public func updatePerson(id: Int64, name: String? = nil, phone: String? = nil, departementCode: String? = nil,
                             organisation: String? = nil, active: Bool? = nil, by actor: AuditActor,
                             at date: Date = Date()) async throws -> ResourcePerson {
        let canonical = try phone.map { text in
            guard let value = PhoneNumber.normalise(text) else { throw Problem.invalidPhone() }
            return value
        }
        return try await database.write { db in
            guard let current = try Self.person(id, in: db) else { throw Problem.personNotFound() }
            if let departementCode { try CampaignStore.requireDepartement(departementCode, in: db) }
            if let canonical, try Self.phones(in: db, except: id).contains(canonical) { throw Problem.phoneTaken() }
            let newOrganisation = organisation.map { $0.isEmpty ? nil : $0 } ?? current.organisation
            try db.execute(sql: """
                UPDATE resource_persons SET name = ?, phone = ?, departement_code = ?, organisation = ?, active = ? WHERE id = ?
                """, arguments: [name ?? current.name, canonical ?? current.phone, departementCode ?? current.departementCode,
                                 newOrganisation, active ?? current.active, id])
            var changed: [String] = []
            if name != nil { changed.append("name") }
            if canonical != nil { changed.append("phone") }
            if departementCode != nil { changed.append("departement") }
            if organisation != nil { changed.append("organisation") }
            let action: String
            switch active {
            case false? where current.active: action = "person.deactivate"
            case true? where !current.active: action = "person.reactivate"
            default: action = "person.update"
            }
            try AuditStore.record(actor, action, targetKind: "resource_person", targetID: String(id),
                                  details: ["fields": changed.joined(separator: ","),
                                            "departement": departementCode ?? current.departementCode], at: date, in: db)
            return try Self.person(id, in: db)!
        }
    }

    /// Revokes every link of the person and issues a new one.
    public func reissueLink(personID: Int64, newToken: TokenMaker, by actor: AuditActor,
                            at date: Date = Date()) async throws -> IssuedLink {
        try await database.write { db in
            guard let person = try Self.person(personID, in: db) else { throw Problem.personNotFound() }
            let token = try Self.reissue(personID, newToken: newToken, at: date, in: db)
            try AuditStore.record(actor, "person.link_reissue", targetKind: "resource_person", targetID: String(personID),
                                  at: date, in: db)
            return IssuedLink(person: person, token: token)
        }
    }

    /// Revokes every link of the person: the old link answers 403 from now on.
    public func revokeLinks(personID: Int64, by actor: AuditActor, at date: Date = Date()) async throws {
        try await database.write { db in
            guard try Self.person(personID, in: db) != nil else { throw Problem.personNotFound() }
            try db.execute(sql: "UPDATE access_links SET revoked_at = ? WHERE resource_person_id = ? AND revoked_at IS NULL",
                           arguments: [Timestamp.string(date), personID])
            try AuditStore.record(actor, "person.link_revoke", targetKind: "resource_person", targetID: String(personID),
                                  details: ["links": String(db.changesCount)], at: date, in: db)
        }
    }

    /// New links for every active person of a département (for a printed
    /// sheet of QR codes: only the hashes are kept, so a QR code can only be
    /// drawn when its link is issued). Old links stop working.
    public func reissueLinks(departementCode: String, newToken: TokenMaker, by actor: AuditActor,
                             at date: Date = Date()) async throws -> [IssuedLink] {
        try await database.write { db in
            try CampaignStore.requireDepartement(departementCode, in: db)
            let people = try Row.fetchAll(db, sql: """
                SELECT id, name, phone, departement_code, organisation, active FROM resource_persons
                WHERE departement_code = ? AND active = 1 ORDER BY name COLLATE NOCASE, id
                """, arguments: [departementCode]).map(PeopleStore.person(from:))
            let issued = try people.map { person in
                IssuedLink(person: person, token: try Self.reissue(person.id, newToken: newToken, at: date, in: db))
            }
            try AuditStore.record(actor, "people.links_reissue", targetKind: "departement", targetID: departementCode,
                                  details: ["people": String(issued.count)], at: date, in: db)
            return issued
        }
    }

    /// Imports a table (header first): checks every row, then stores the
    /// accepted ones with their links in one transaction, so a failure
    /// leaves nothing half-imported. Faults of the whole file are thrown.
    public func importPeople(rows: [[String]], inScope: @escaping @Sendable (String) -> Bool, newToken: TokenMaker,
                             by actor: AuditActor, at date: Date = Date()) async throws -> PeopleImportResult {
        try await database.write { db in
            let departements = try Row.fetchAll(db, sql: "SELECT code, name FROM departements")
                .map { (code: $0["code"] as String, name: PeopleImport.fold($0["name"] as String)) }
            let resolve: (String) -> String? = { text in
                let folded = PeopleImport.fold(text)
                let slug = folded.replacingOccurrences(of: " ", with: "-")
                return departements.first { $0.name == folded || $0.code == slug }?.code
            }
            let plan = try PeopleImport.plan(rows: rows, departement: resolve, inScope: inScope,
                                             existingPhones: try Self.phones(in: db, except: nil))
            let issued = try plan.accepted.map { row in
                try Self.insert(name: row.name, phone: row.phone, departementCode: row.departementCode,
                                organisation: row.organisation, newToken: newToken, at: date, in: db)
            }
            try AuditStore.record(actor, "people.import", targetKind: "resource_person",
                                  details: ["accepted": String(plan.accepted.count), "rejected": String(plan.rejected.count),
                                            "first_id": issued.first.map { String($0.person.id) } ?? "",
                                            "last_id": issued.last.map { String($0.person.id) } ?? ""],
                                  at: date, in: db)
            return PeopleImportResult(plan: plan, issued: issued)
        }
    }

    // MARK: Inside a transaction

    static func person(_ id: Int64, in db: Database) throws -> ResourcePerson? {
        try Row.fetchOne(db, sql: "SELECT id, name, phone, departement_code, organisation, active FROM resource_persons WHERE id = ?",
                         arguments: [id]).map(PeopleStore.person(from:))
    }

    /// Canonical phones of stored people (older rows may hold a phone as
    /// typed: they are compared in canonical form too).
    static func phones(in db: Database, except id: Int64?) throws -> Set<String> {
        let rows = try Row.fetchAll(db, sql: "SELECT id, phone FROM resource_persons")
        return Set(rows.compactMap { row -> String? in
            if let id, row["id"] as Int64 == id { return nil }
            let phone: String = row["phone"]
            return PhoneNumber.normalise(phone) ?? phone
        })
    }

    static func insert(name: String, phone: String, departementCode: String, organisation: String?,
                       newToken: TokenMaker, at date: Date, in db: Database) throws -> IssuedLink {
        let now = Timestamp.string(date)
        try db.execute(sql: """
            INSERT INTO resource_persons (name, phone, departement_code, organisation, created_at) VALUES (?, ?, ?, ?, ?)
            """, arguments: [name, phone, departementCode, organisation, now])
        let id = db.lastInsertedRowID
        let (token, hash) = newToken()
        try db.execute(sql: "INSERT INTO access_links (resource_person_id, token_hash, created_at) VALUES (?, ?, ?)",
                       arguments: [id, hash, now])
        return IssuedLink(person: ResourcePerson(id: id, name: name, phone: phone, departementCode: departementCode,
                                                 organisation: organisation, active: true), token: token)
    }

    static func reissue(_ personID: Int64, newToken: TokenMaker, at date: Date, in db: Database) throws -> String {
        let now = Timestamp.string(date)
        try db.execute(sql: "UPDATE access_links SET revoked_at = ? WHERE resource_person_id = ? AND revoked_at IS NULL",
                       arguments: [now, personID])
        let (token, hash) = newToken()
        try db.execute(sql: "INSERT INTO access_links (resource_person_id, token_hash, created_at) VALUES (?, ?, ?)",
                       arguments: [personID, hash, now])
        return token
    }
}
