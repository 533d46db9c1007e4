import Foundation
import GRDB

/// Who did something, for the audit log: a login, a key name, never
/// personal data.
public struct AuditActor: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case user, apiKey = "api_key", commandLine = "command_line", system, anonymous
    }

    public let kind: Kind
    public let id: Int64?
    public let label: String

    public init(kind: Kind, id: Int64?, label: String) {
        self.kind = kind
        self.id = id
        self.label = label
    }

    public static let commandLine = AuditActor(kind: .commandLine, id: nil, label: "suivi")
    public static let system = AuditActor(kind: .system, id: nil, label: "suivi")
}

/// One line of the audit log.
public struct AuditEntry: Sendable, Equatable {
    public let id: Int64
    public let at: String
    public let actor: AuditActor
    public let action: String
    public let targetKind: String?
    public let targetID: String?
    /// JSON object; identifiers and counts only.
    public let details: String
}

/// The audit log: logins, changes to campaigns, people, targets and access,
/// exports and lead downloads. `details` must never carry names, phones or
/// ID numbers: callers pass ids and counts.
public struct AuditStore: Sendable {
    let database: SuiviDatabase

    public init(database: SuiviDatabase) {
        self.database = database
    }

    public func record(_ actor: AuditActor, _ action: String, targetKind: String? = nil, targetID: String? = nil,
                       details: [String: String] = [:], at date: Date = Date()) async throws {
        try await database.write { db in
            try Self.record(actor, action, targetKind: targetKind, targetID: targetID, details: details, at: date, in: db)
        }
    }

    /// Records inside the caller's transaction, so the change and its audit
    /// line stand or fall together.
    public static func record(_ actor: AuditActor, _ action: String, targetKind: String? = nil, targetID: String? = nil,
                              details: [String: String] = [:], at date: Date = Date(), in db: Database) throws {
        let detailsJSON = (try? JSONSerialization.data(withJSONObject: details, options: [.sortedKeys]))
            .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        try db.execute(sql: """
            INSERT INTO audit_log (at, actor_kind, actor_id, actor_label, action, target_kind, target_id, details)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [Timestamp.string(date), actor.kind.rawValue, actor.id, actor.label, action,
                             targetKind, targetID, detailsJSON])
    }

    /// Newest first, before `beforeID` when given.
    public func entries(action: String? = nil, beforeID: Int64? = nil, limit: Int = 100) async throws -> [AuditEntry] {
        try await database.read { db in
            var sql = "SELECT id, at, actor_kind, actor_id, actor_label, action, target_kind, target_id, details FROM audit_log WHERE 1"
            var arguments: StatementArguments = []
            if let action { sql += " AND action = ?"; arguments += [action] }
            if let beforeID { sql += " AND id < ?"; arguments += [beforeID] }
            sql += " ORDER BY id DESC LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                AuditEntry(id: row["id"], at: row["at"],
                           actor: AuditActor(kind: AuditActor.Kind(rawValue: row["actor_kind"]) ?? .system,
                                             id: row["actor_id"], label: row["actor_label"]),
                           action: row["action"], targetKind: row["target_kind"], targetID: row["target_id"],
                           details: row["details"])
            }
        }
    }
}
