import Foundation
import GRDB
import SuiviDomain

/// One stored form version: the exact bytes served and their MD5.
public struct StoredFormVersion: Sendable {
    public enum Status: String, Sendable {
        case draft, published
    }

    public let formID: String
    public let version: String
    public let title: String
    public let xml: Data
    public let md5: String
    public var status: Status
    /// The XLSForm file name the XForm was converted from, if any.
    public var sourceName: String?
    public var publishedAt: String?
    public var publishedBy: String?

    public init(formID: String, version: String, title: String, xml: Data, md5: String, status: Status = .published,
                sourceName: String? = nil, publishedAt: String? = nil, publishedBy: String? = nil) {
        self.formID = formID
        self.version = version
        self.title = title
        self.xml = xml
        self.md5 = md5
        self.status = status
        self.sourceName = sourceName
        self.publishedAt = publishedAt
        self.publishedBy = publishedBy
    }
}

/// A media or data file of a form version (image, audio, CSV, XML), as the
/// manifest lists it; `bytes` only when the file itself was asked for.
public struct FormMediaFile: Sendable, Equatable {
    public let name: String
    public let contentType: String
    public let md5: String
    public let size: Int
    public let bytes: Data?

    public init(name: String, contentType: String, bytes: Data, md5: String) {
        self.name = name
        self.contentType = contentType
        self.md5 = md5
        self.size = bytes.count
        self.bytes = bytes
    }

    init(name: String, contentType: String, md5: String, size: Int, bytes: Data?) {
        self.name = name
        self.contentType = contentType
        self.md5 = md5
        self.size = size
        self.bytes = bytes
    }
}

/// A form and the version phones get now.
public struct PublishedForm: Sendable, Equatable {
    public let formID: String
    public let state: FormState
    public let currentVersion: String
}

/// Every form version ever published is kept, so records made with an older
/// version are still understood; at most one draft per form waits beside them.
public struct FormStore: Sendable {
    let database: SuiviDatabase

    public init(database: SuiviDatabase) {
        self.database = database
    }

    public enum RegisterOutcome: Sendable, Equatable {
        case added, unchanged
        /// Same id and version, different bytes: phones holding the old bytes
        /// would disagree with the server about what the version means.
        case changedWithoutNewVersion
    }

    /// A form of the shipped forms folder, at start: a version the database
    /// does not have yet is published and becomes current; a known one
    /// changes nothing (a version published since from the admin stays
    /// current).
    public func registerShipped(_ form: StoredFormVersion, at date: Date = Date()) throws -> RegisterOutcome {
        try database.writeNow { db in
            if let existing = try String.fetchOne(db, sql: "SELECT md5 FROM form_versions WHERE form_id = ? AND version = ?",
                                                  arguments: [form.formID, form.version]) {
                return existing == form.md5 ? .unchanged : .changedWithoutNewVersion
            }
            let now = Timestamp.string(date)
            try Self.insert(form, status: .published, source: nil, publishedAt: now, publishedBy: "server", at: now, in: db)
            // Not an audit line: no one acted; `published_by` says 'server'.
            try Self.makeCurrent(form.formID, form.version, at: now, in: db)
            return .added
        }
    }

    /// Moves whenever a form is published, drafted, given files or changes
    /// state, by this process or another.
    public func generation() throws -> String {
        try database.readNow { db in
            try String.fetchOne(db, sql: """
                SELECT (SELECT coalesce(max(updated_at), '') || '/' || count(*) FROM forms) || '/'
                    || (SELECT count(*) FROM form_versions) || '/' || (SELECT count(*) || '/' || coalesce(sum(size), 0) FROM form_media)
                """) ?? ""
        }
    }

    /// Every version, drafts included.
    public func allVersions() throws -> [StoredFormVersion] {
        try database.readNow { db in
            try Row.fetchAll(db, sql: """
                SELECT form_id, version, title, xml, md5, status, source_name, published_at, published_by FROM form_versions
                ORDER BY first_loaded_at, version
                """).map(Self.version)
        }
    }

    public func forms() throws -> [PublishedForm] {
        try database.readNow { db in
            try Row.fetchAll(db, sql: "SELECT form_id, state, current_version FROM forms ORDER BY form_id").map { row in
                PublishedForm(formID: row[0], state: FormState(rawValue: row[1]) ?? .open, currentVersion: row[2])
            }
        }
    }

    /// Media files of every version, without their bytes.
    public func allMedia() throws -> [String: [FormMediaFile]] {
        try database.readNow { db in
            var byVersion: [String: [FormMediaFile]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT form_id, version, name, content_type, md5, size FROM form_media ORDER BY form_id, version, name
                """) {
                byVersion[FormStore.key(row[0], row[1]), default: []].append(
                    FormMediaFile(name: row[2], contentType: row[3], md5: row[4], size: row[5], bytes: nil))
            }
            return byVersion
        }
    }

    /// The CSV and XML media files of every version with their bytes: the
    /// external instances forms read their choices from.
    public func allDataFiles() throws -> [String: [String: Data]] {
        try database.readNow { db in
            var byVersion: [String: [String: Data]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT form_id, version, name, bytes FROM form_media
                WHERE lower(name) LIKE '%.csv' OR lower(name) LIKE '%.xml'
                """) {
                byVersion[FormStore.key(row[0], row[1]), default: [:]][row[2]] = row[3]
            }
            return byVersion
        }
    }

    public func mediaFile(formID: String, version: String, name: String) async throws -> FormMediaFile? {
        try await database.read { db in
            try Row.fetchOne(db, sql: """
                SELECT name, content_type, md5, size, bytes FROM form_media WHERE form_id = ? AND version = ? AND name = ?
                """, arguments: [formID, version, name]).map { row in
                FormMediaFile(name: row[0], contentType: row[1], md5: row[2], size: row[3], bytes: row[4])
            }
        }
    }

    /// Keeps `form` as the form's draft, replacing an earlier draft and its
    /// files. `newForm`: true when the upload is meant to create a form
    /// (refused when the id is taken), false when the form must exist, nil
    /// for either.
    public func saveDraft(_ form: StoredFormVersion, source: Data?, media: [FormMediaFile], newForm: Bool?,
                         by actor: AuditActor, at date: Date = Date()) async throws {
        try await database.write { db in
            let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM form_versions WHERE form_id = ?)",
                                           arguments: [form.formID]) ?? false
            if newForm == true && exists { throw Problem.formIDTaken(form.formID) }
            if newForm == false && !exists { throw Problem.formNotFound(form.formID) }
            if try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM form_versions WHERE form_id = ? AND version = ? AND status = 'published')
                """, arguments: [form.formID, form.version]) ?? false {
                throw Problem.formVersionExists(formID: form.formID, version: form.version)
            }
            // The test link stays with the form's draft (phones set up once);
            // the earlier draft's test records go with it.
            let testToken = try String.fetchOne(db, sql: "SELECT test_token_hash FROM form_versions WHERE form_id = ? AND status = 'draft'",
                                                arguments: [form.formID])
            try db.execute(sql: "DELETE FROM form_media WHERE (form_id, version) IN (SELECT form_id, version FROM form_versions WHERE form_id = ? AND status = 'draft')",
                           arguments: [form.formID])
            try db.execute(sql: "DELETE FROM form_versions WHERE form_id = ? AND status = 'draft'", arguments: [form.formID])
            let now = Timestamp.string(date)
            try Self.insert(form, status: .draft, source: source, publishedAt: nil, publishedBy: nil, at: now, in: db)
            if let testToken {
                try db.execute(sql: "UPDATE form_versions SET test_token_hash = ? WHERE form_id = ? AND version = ?",
                               arguments: [testToken, form.formID, form.version])
            }
            for file in media { try Self.insert(file, formID: form.formID, version: form.version, in: db) }
            // A new version keeps the current version's files it was not given again.
            try db.execute(sql: """
                INSERT INTO form_media (form_id, version, name, content_type, md5, size, bytes)
                SELECT m.form_id, ?, m.name, m.content_type, m.md5, m.size, m.bytes
                FROM form_media m JOIN forms f ON f.form_id = m.form_id AND f.current_version = m.version
                WHERE m.form_id = ? AND m.name NOT IN (SELECT name FROM form_media WHERE form_id = ? AND version = ?)
                """, arguments: [form.version, form.formID, form.formID, form.version])
            try AuditStore.record(actor, "form.draft", targetKind: "form", targetID: form.formID,
                                  details: ["version": form.version, "media": String(media.count)], at: date, in: db)
        }
    }

    /// Adds or replaces one file of the form's draft.
    public func addDraftMedia(formID: String, _ file: FormMediaFile, by actor: AuditActor) async throws {
        try await database.write { db in
            guard let version = try String.fetchOne(db, sql: "SELECT version FROM form_versions WHERE form_id = ? AND status = 'draft'",
                                                    arguments: [formID]) else { throw Problem.noDraft(formID) }
            try db.execute(sql: "DELETE FROM form_media WHERE form_id = ? AND version = ? AND name = ?",
                           arguments: [formID, version, file.name])
            try Self.insert(file, formID: formID, version: version, in: db)
            try AuditStore.record(actor, "form.draft_media", targetKind: "form", targetID: formID,
                                  details: ["version": version], in: db)
        }
    }

    /// The draft becomes the version phones get. Returns its version.
    public func publishDraft(formID: String, by actor: AuditActor, at date: Date = Date()) async throws -> String {
        try await database.write { db in
            guard let version = try String.fetchOne(db, sql: "SELECT version FROM form_versions WHERE form_id = ? AND status = 'draft'",
                                                    arguments: [formID]) else { throw Problem.noDraft(formID) }
            let now = Timestamp.string(date)
            try db.execute(sql: """
                UPDATE form_versions SET status = 'published', published_at = ?, published_by = ?, test_token_hash = NULL
                WHERE form_id = ? AND version = ?
                """, arguments: [now, actor.label, formID, version])
            // Test records were for trying the draft: none outlives it.
            try db.execute(sql: "DELETE FROM draft_test_records WHERE form_id = ? AND version = ?", arguments: [formID, version])
            try Self.makeCurrent(formID, version, at: now, in: db)
            try AuditStore.record(actor, "form.publish", targetKind: "form", targetID: formID,
                                  details: ["version": version], at: date, in: db)
            return version
        }
    }

    public func discardDraft(formID: String, by actor: AuditActor) async throws {
        try await database.write { db in
            guard let version = try String.fetchOne(db, sql: "SELECT version FROM form_versions WHERE form_id = ? AND status = 'draft'",
                                                    arguments: [formID]) else { throw Problem.noDraft(formID) }
            try db.execute(sql: "DELETE FROM form_media WHERE form_id = ? AND version = ?", arguments: [formID, version])
            try db.execute(sql: "DELETE FROM form_versions WHERE form_id = ? AND version = ?", arguments: [formID, version])
            try AuditStore.record(actor, "form.draft_discard", targetKind: "form", targetID: formID,
                                  details: ["version": version], in: db)
        }
    }

    public func setState(formID: String, _ state: FormState, by actor: AuditActor, at date: Date = Date()) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE forms SET state = ?, updated_at = ? WHERE form_id = ?",
                           arguments: [state.rawValue, Timestamp.string(date), formID])
            guard db.changesCount == 1 else { throw Problem.formNotFound(formID) }
            try AuditStore.record(actor, "form.state", targetKind: "form", targetID: formID,
                                  details: ["state": state.rawValue], at: date, in: db)
        }
    }

    /// Records per form (current ones), for `suivi form list`.
    public func recordCounts() throws -> [String: Int] {
        try database.readNow { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT form_id, count(*) FROM submissions WHERE current = 1 GROUP BY form_id") {
                counts[row[0]] = row[1]
            }
            return counts
        }
    }

    static func key(_ formID: String, _ version: String) -> String {
        formID + "\u{1F}" + version
    }

    public static func mediaKey(formID: String, version: String) -> String {
        key(formID, version)
    }

    private static func version(_ row: Row) -> StoredFormVersion {
        StoredFormVersion(formID: row["form_id"], version: row["version"], title: row["title"], xml: row["xml"],
                          md5: row["md5"], status: StoredFormVersion.Status(rawValue: row["status"]) ?? .published,
                          sourceName: row["source_name"], publishedAt: row["published_at"], publishedBy: row["published_by"])
    }

    private static func insert(_ form: StoredFormVersion, status: StoredFormVersion.Status, source: Data?,
                               publishedAt: String?, publishedBy: String?, at now: String, in db: Database) throws {
        try db.execute(sql: """
            INSERT INTO form_versions (form_id, version, title, xml, md5, first_loaded_at, status, source, source_name,
                                       published_at, published_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [form.formID, form.version, form.title, form.xml, form.md5, now, status.rawValue, source,
                             form.sourceName, publishedAt, publishedBy])
    }

    private static func insert(_ file: FormMediaFile, formID: String, version: String, in db: Database) throws {
        try db.execute(sql: """
            INSERT INTO form_media (form_id, version, name, content_type, md5, size, bytes) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [formID, version, file.name, file.contentType, file.md5, file.size, file.bytes ?? Data()])
    }

    private static func makeCurrent(_ formID: String, _ version: String, at now: String, in db: Database) throws {
        try db.execute(sql: """
            INSERT INTO forms (form_id, current_version, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (form_id) DO UPDATE SET current_version = excluded.current_version, updated_at = excluded.updated_at
            """, arguments: [formID, version, now])
    }
}
