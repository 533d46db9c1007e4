import Foundation
import SuiviDomain
import GRDB

/// A user as the accounts page lists them.
public struct UserListing: Sendable, Equatable {
    public let user: UserAccount
    public let createdAt: String
    /// The last sign-in (the newest session's start), if any.
    public let lastSignInAt: String?
}

/// What an admin changes on an account; nil fields stay as they are.
public struct UserChanges: Sendable, Equatable {
    public var displayName: String?
    public var role: Role?
    /// `.some(nil)` clears the region (national coordinator).
    public var regionCode: String??
    public var active: Bool?

    public init(displayName: String? = nil, role: Role? = nil, regionCode: String?? = nil, active: Bool? = nil) {
        self.displayName = displayName
        self.role = role
        self.regionCode = regionCode
        self.active = active
    }
}

/// Which sessions a password change ends.
public enum SessionsToEnd: Sendable, Equatable {
    case all
    /// Every session but the one the change was made from.
    case allBut(idHash: String)
}

/// Changes to access (accounts, passwords, API keys), each written with its
/// audit line in one transaction. Audit details hold roles, region codes,
/// flags and changed field names, never a name or a password.
extension AccountStore {
    public func listUsers() async throws -> [UserListing] {
        try await database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT u.id, u.login, u.display_name, u.role, u.region_code, u.active, u.created_at,
                       (SELECT max(s.created_at) FROM sessions s WHERE s.user_id = u.id) AS last_sign_in_at
                FROM users u ORDER BY u.login
                """).map { row in
                UserListing(user: Self.user(from: row), createdAt: row["created_at"], lastSignInAt: row["last_sign_in_at"])
            }
        }
    }

    /// Applies `changes` and returns the account, or nil when there is no
    /// such user. Deactivating ends every session of the user at once.
    public func updateUser(id: Int64, _ changes: UserChanges, by actor: AuditActor,
                           at date: Date = Date()) async throws -> UserAccount? {
        try await database.write { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT id, login, display_name, role, region_code, active FROM users WHERE id = ?
                """, arguments: [id]) else { return nil }
            let before = Self.user(from: row)
            let role = changes.role ?? before.role
            // Admins see everything: a region would mean nothing.
            let region = role == .admin ? nil : (changes.regionCode ?? before.regionCode)
            let after = UserAccount(id: id, login: before.login, displayName: changes.displayName ?? before.displayName,
                                    role: role, regionCode: region, active: changes.active ?? before.active)
            var fields: [String] = []
            if after.displayName != before.displayName { fields.append("display_name") }
            if after.role != before.role { fields.append("role") }
            if after.regionCode != before.regionCode { fields.append("region") }
            if after.active != before.active { fields.append("active") }
            guard !fields.isEmpty else { return after }
            try db.execute(sql: "UPDATE users SET display_name = ?, role = ?, region_code = ?, active = ? WHERE id = ?",
                           arguments: [after.displayName, after.role.rawValue, after.regionCode, after.active, id])
            var details = ["fields": fields.joined(separator: ","), "role": after.role.rawValue,
                           "region": after.regionCode ?? "", "active": after.active ? "yes" : "no"]
            if !after.active {
                details["sessions_ended"] = String(try Self.endSessions(userID: id, except: nil, at: date, in: db))
            }
            let action = after.active == before.active ? "user.update" : (after.active ? "user.reactivate" : "user.deactivate")
            try AuditStore.record(actor, action, targetKind: "user", targetID: String(id), details: details, at: date, in: db)
            return after
        }
    }

    /// Sets a new password hash and ends sessions; false when there is no such user.
    /// `action` names the audit line: an admin's reset or the user's own change.
    public func changePassword(userID: Int64, hash: String, ending sessions: SessionsToEnd, action: String,
                               by actor: AuditActor, at date: Date = Date()) async throws -> Bool {
        try await database.write { db in
            try db.execute(sql: "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?",
                           arguments: [hash, Timestamp.string(date), userID])
            guard db.changesCount == 1 else { return false }
            let except: String? = if case .allBut(let idHash) = sessions { idHash } else { nil }
            let ended = try Self.endSessions(userID: userID, except: except, at: date, in: db)
            try AuditStore.record(actor, action, targetKind: "user", targetID: String(userID),
                                  details: ["sessions_ended": String(ended)], at: date, in: db)
            return true
        }
    }

    /// The password hash of a user, to check a current password.
    public func passwordHash(userID: Int64) async throws -> String? {
        try await database.read { db in
            try String.fetchOne(db, sql: "SELECT password_hash FROM users WHERE id = ?", arguments: [userID])
        }
    }

    private static func endSessions(userID: Int64, except idHash: String?, at date: Date, in db: Database) throws -> Int {
        try db.execute(sql: """
            UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL AND id_hash IS NOT ?
            """, arguments: [Timestamp.string(date), userID, idHash])
        return db.changesCount
    }
}

/// An API key as the accounts page lists it (never the key itself: only
/// its SHA-256 is stored).
public struct APIKeyListing: Sendable, Equatable {
    public let key: APIKey
    public let createdAt: String
    public let revokedAt: String?

    public init(key: APIKey, createdAt: String, revokedAt: String?) {
        self.key = key
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

extension APIKeyStore {
    public func listKeys() async throws -> [APIKeyListing] {
        try await database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, name, role, region_code, created_at, revoked_at FROM api_keys
                ORDER BY revoked_at IS NOT NULL, name, id
                """).compactMap { row in
                guard let role = Role(rawValue: row["role"]) else { return nil }
                return APIKeyListing(key: APIKey(id: row["id"], name: row["name"], role: role, regionCode: row["region_code"]),
                                     createdAt: row["created_at"], revokedAt: row["revoked_at"])
            }
        }
    }

    /// Stores a new key's hash with its audit line.
    public func create(name: String, role: Role, regionCode: String?, keyHash: String, by actor: AuditActor,
                       at date: Date = Date()) async throws -> APIKey {
        try await database.write { db in
            try Self.insert(name: name, role: role, regionCode: regionCode, keyHash: keyHash, by: actor, at: date, in: db)
        }
    }

    /// The same, for the command line (not inside Swift concurrency).
    public func createNow(name: String, role: Role, regionCode: String?, keyHash: String, by actor: AuditActor,
                          at date: Date = Date()) throws -> APIKey {
        try database.writeNow { db in
            try Self.insert(name: name, role: role, regionCode: regionCode, keyHash: keyHash, by: actor, at: date, in: db)
        }
    }

    private static func insert(name: String, role: Role, regionCode: String?, keyHash: String, by actor: AuditActor,
                               at date: Date, in db: Database) throws -> APIKey {
        try db.execute(sql: """
            INSERT INTO api_keys (name, role, region_code, key_hash, created_at) VALUES (?, ?, ?, ?, ?)
            """, arguments: [name, role.rawValue, regionCode, keyHash, Timestamp.string(date)])
        let id = db.lastInsertedRowID
        try AuditStore.record(actor, "api_key.create", targetKind: "api_key", targetID: String(id),
                              details: ["role": role.rawValue, "region": regionCode ?? ""], at: date, in: db)
        return APIKey(id: id, name: name, role: role, regionCode: regionCode)
    }

    /// Revokes a key at once; false when there is no such key. Revoking a
    /// revoked key changes nothing and writes no audit line.
    public func revoke(id: Int64, by actor: AuditActor, at date: Date = Date()) async throws -> Bool {
        try await database.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM api_keys WHERE id = ?", arguments: [id]) != nil else { return false }
            try db.execute(sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                           arguments: [Timestamp.string(date), id])
            if db.changesCount == 1 {
                try AuditStore.record(actor, "api_key.revoke", targetKind: "api_key", targetID: String(id), at: date, in: db)
            }
            return true
        }
    }
}
