import Foundation
import GRDB
import SuiviDomain

/// A draft tried on phones before it is published: its test link and the
/// records sent through it, kept apart from real records (migration 0017).
public struct DraftTestStore: Sendable {
    let database: SuiviDatabase

    public init(database: SuiviDatabase) {
        self.database = database
    }

    /// A record sent through a test link, as the draft's page lists it.
    public struct Record: Sendable {
        public let id: Int64
        public let instanceID: String
        public let version: String
        public let receivedAt: String
        public let xml: Data
        public let issuesJSON: String
        public let attachments: [String]
    }

    public struct Attachment: Sendable {
        public let name: String
        public let contentType: String?
        public let sha256: String
        public let bytes: Data

        public init(name: String, contentType: String?, sha256: String, bytes: Data) {
            self.name = name
            self.contentType = contentType
            self.sha256 = sha256
            self.bytes = bytes
        }
    }

    public enum SaveOutcome: Sendable, Equatable {
        case created
        /// The same instance id again (a resend, or the rest of a split
        /// upload): files not yet held are added, nothing else changes.
        case duplicate
    }

    /// Gives the form's draft a new test link (the previous one stops
    /// working); only `tokenHash` is kept.
    public func setTestLink(formID: String, tokenHash: String, by actor: AuditActor) async throws -> String {
        try await database.write { db in
            guard let version = try String.fetchOne(db, sql: "SELECT version FROM form_versions WHERE form_id = ? AND status = 'draft'",
                                                    arguments: [formID]) else { throw Problem.noDraft(formID) }
            try db.execute(sql: "UPDATE form_versions SET test_token_hash = ? WHERE form_id = ? AND version = ?",
                           arguments: [tokenHash, formID, version])
            try AuditStore.record(actor, "form.draft_test_link", targetKind: "form", targetID: formID,
                                  details: ["version": version], in: db)
            return version
        }
    }

    /// The draft a test link opens: (form id, version), or nil.
    public func draft(byTokenHash hash: String) async throws -> (formID: String, version: String)? {
        try await database.read { db in
            try Row.fetchOne(db, sql: """
                SELECT form_id, version FROM form_versions WHERE test_token_hash = ? AND status = 'draft'
                """, arguments: [hash]).map { ($0[0], $0[1]) }
        }
    }

    public func save(formID: String, version: String, instanceID: String, receivedAt: Date, xml: Data,
                     issuesJSON: String, attachments: [Attachment]) async throws -> SaveOutcome {
        try await database.write { db in
            try db.execute(sql: """
                INSERT INTO draft_test_records (form_id, version, instance_id, received_at, xml, issues)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (form_id, version, instance_id) DO NOTHING
                """, arguments: [formID, version, instanceID, Timestamp.string(receivedAt), xml, issuesJSON])
            let created = db.changesCount == 1
            guard let id = try Int64.fetchOne(db, sql: """
                SELECT id FROM draft_test_records WHERE form_id = ? AND version = ? AND instance_id = ?
                """, arguments: [formID, version, instanceID]) else { throw Problem.noDraft(formID) }
            for file in attachments {
                try db.execute(sql: """
                    INSERT INTO draft_test_attachments (record_id, name, content_type, sha256, size, bytes)
                    VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (record_id, name) DO NOTHING
                    """, arguments: [id, file.name, file.contentType, file.sha256, file.bytes.count, file.bytes])
            }
            return created ? .created : .duplicate
        }
    }

    /// The draft's test records, newest first.
    public func records(formID: String) async throws -> [Record] {
        try await database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.id, r.instance_id, r.version, r.received_at, r.xml, r.issues,
                       (SELECT group_concat(name, char(10)) FROM draft_test_attachments a WHERE a.record_id = r.id)
                FROM draft_test_records r JOIN form_versions v ON v.form_id = r.form_id AND v.version = r.version
                WHERE r.form_id = ? AND v.status = 'draft'
                ORDER BY r.id DESC
                """, arguments: [formID]).map { row in
                let names: String? = row[6]
                return Record(id: row[0], instanceID: row[1], version: row[2], receivedAt: row[3], xml: row[4],
                              issuesJSON: row[5], attachments: names.map { $0.split(separator: "\n").map(String.init) } ?? [])
            }
        }
    }
}
