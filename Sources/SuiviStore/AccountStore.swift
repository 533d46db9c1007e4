import Foundation
import SuiviDomain
import GRDB

/// A coordinator's account as the access rules need it.
public struct UserAccount: Sendable, Equatable {
    public let id: Int64
    public let login: String
    public let displayName: String
    public let role: Role
    public let regionCode: String?
    public let active: Bool
}

/// A signed-in session, found by the SHA-256 of its cookie value.
public struct UserSession: Sendable, Equatable {
    public let user: UserAccount
    public let csrfToken: String
    public let createdAt: Date
    public let lastSeenAt: Date
}

/// Coordinator accounts and their sessions. Passwords are stored only as
/// Argon2id strings made by the caller; session ids only as SHA-256.
public struct AccountStore: Sendable {
    let database: SuiviDatabase

    public init(database: SuiviDatabase) {
        self.database = database
    }

    public func addUser(login: String, displayName: String, role: Role, regionCode: String?, passwordHash: String,
                        by actor: AuditActor, at date: Date = Date()) async throws -> UserAccount {
        try await database.write { db in
            do {
                try db.execute(sql: """
                    INSERT INTO users (login, display_name, role, region_code, password_hash, created_at, password_changed_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [login, displayName, role.rawValue, regionCode, passwordHash,
                                     Timestamp.string(date), Timestamp.string(date)])
            } catch where StoreErrors.isUniqueViolation(error) {
                throw AccountError.loginTaken
            }
            let id = db.lastInsertedRowID
            try AuditStore.record(actor, "user.create", targetKind: "user", targetID: String(id),
                                  details: ["role": role.rawValue, "region": regionCode ?? ""], at: date, in: db)
            return UserAccount(id: id, login: login, displayName: displayName, role: role, regionCode: regionCode, active: true)
        }
    }

    /// The account and its password hash, for signing in; nil when unknown.
    public func credentials(login: String) async throws -> (user: UserAccount, passwordHash: String)? {
        try await database.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT id, login, display_name, role, region_code, active, password_hash FROM users WHERE login = ?
                """, arguments: [login]) else { return nil }
            return (Self.user(from: row), row["password_hash"])
        }
    }

    public func user(id: Int64) async throws -> UserAccount? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT id, login, display_name, role, region_code, active FROM users WHERE id = ?",
                             arguments: [id]).map(Self.user(from:))
        }
    }

    public func users() async throws -> [UserAccount] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT id, login, display_name, role, region_code, active FROM users ORDER BY login")
                .map(Self.user(from:))
        }
    }

    // MARK: - Sessions

    public func startSession(idHash: String, userID: Int64, csrfToken: String, at date: Date = Date()) async throws {
        try await database.write { db in
            try db.execute(sql: """
                INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [idHash, userID, csrfToken, Timestamp.string(date), Timestamp.string(date)])
        }
    }

    /// A session not ended, whose user is still active.
    public func session(idHash: String) async throws -> UserSession? {
        try await database.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT u.id, u.login, u.display_name, u.role, u.region_code, u.active,
                       s.csrf_token, s.created_at, s.last_seen_at
                FROM sessions s JOIN users u ON u.id = s.user_id
                WHERE s.id_hash = ? AND s.ended_at IS NULL AND u.active = 1
                """, arguments: [idHash]) else { return nil }
            return UserSession(user: Self.user(from: row), csrfToken: row["csrf_token"],
                               createdAt: Timestamp.date(row["created_at"]) ?? .distantPast,
                               lastSeenAt: Timestamp.date(row["last_seen_at"]) ?? .distantPast)
        }
    }

    public func touchSession(idHash: String, at date: Date = Date()) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?",
                           arguments: [Timestamp.string(date), idHash])
        }
    }

    public func endSession(idHash: String, at date: Date = Date()) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE sessions SET ended_at = ? WHERE id_hash = ? AND ended_at IS NULL",
                           arguments: [Timestamp.string(date), idHash])
        }
    }

    /// Ends every session of a user (deactivation, password change).
    public func endSessions(userID: Int64, at date: Date = Date()) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL",
                           arguments: [Timestamp.string(date), userID])
        }
    }

    static func user(from row: Row) -> UserAccount {
        UserAccount(id: row["id"], login: row["login"], displayName: row["display_name"],
                    role: Role(rawValue: row["role"]) ?? .viewer, regionCode: row["region_code"],
                    active: row["active"] as Bool)
    }
}

public enum AccountError: Error, Equatable {
    case loginTaken
}

extension Timestamp {
    public static func date(_ text: String?) -> Date? {
        guard let text else { return nil }
        return try? Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt).parse(text)
    }
}
