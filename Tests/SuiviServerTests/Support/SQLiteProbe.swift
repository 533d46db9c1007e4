import Foundation
import GRDB

/// Reads the test server's database file directly, as an operator would.
enum SQLiteProbe {
    static func values<T: Sendable>(_ path: String, _ sql: String) throws -> [T] {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            try Row.fetchAll(db, sql: sql).map { row in
                // A wrong type asked for fails the test, not the whole test process.
                guard let value = row[0] as? T else { throw WrongType(sql: sql, found: "\(type(of: row[0] as Any))") }
                return value
            }
        }
    }

    struct WrongType: Error {
        let sql: String
        let found: String
    }
}

extension SQLiteProbe {
    /// Changes the file behind the server's back: rows as an older Suivi wrote them.
    static func execute(_ path: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: sql) }
    }
}
