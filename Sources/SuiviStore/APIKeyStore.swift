import Foundation
import GRDB
import SuiviDomain

/// Keys for other systems, stored as SHA-256 hashes of the key.
public struct APIKeyStore: Sendable {
    let database: SuiviDatabase

    public init(database: SuiviDatabase) {
        self.database = database
    }

    public func add(name: String, role: Role, regionCode: String?, keyHash: String, at date: Date = Date()) throws -> APIKey {
        try database.writeNow { db in
            try db.execute(sql: """
                INSERT INTO api_keys (name, role, region_code, key_hash, created_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [name, role.rawValue, regionCode, keyHash, Timestamp.string(date)])
            return APIKey(id: db.lastInsertedRowID, name: name, role: role, regionCode: regionCode)
        }
    }

    public func key(byHash keyHash: String) async throws -> APIKey? {
        try await database.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT id, name, role, region_code FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL
                """, arguments: [keyHash]),
                let role = Role(rawValue: row["role"]) else { return nil }
            return APIKey(id: row["id"], name: row["name"], role: role, regionCode: row["region_code"])
        }
    }

    public func revoke(id: Int64, at date: Date = Date()) throws {
        try database.writeNow { db in
            try db.execute(sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ?", arguments: [Timestamp.string(date), id])
        }
    }
}
