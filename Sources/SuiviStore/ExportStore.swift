import Foundation
import GRDB
import GRDBSQLite
import SuiviDomain

/// Reads a form's current records for exports, one page at a time in id
/// order, each page in its own short read transaction: an export of a
/// million records never holds a snapshot (and so never stops WAL
/// checkpoints) for long, and memory holds one page only.
public struct ExportStore: Sendable {
    let database: SuiviDatabase

    public init(database: SuiviDatabase) {
        self.database = database
    }

    public struct Filter: Sendable {
        public let formID: String
        /// Activity dates, inclusive (YYYY-MM-DD).
        public let from: String?
        public let to: String?
        /// Nil means every département.
        public let departementCodes: [String]?

        public init(formID: String, from: String?, to: String?, departementCodes: [String]?) {
            self.formID = formID; self.from = from; self.to = to; self.departementCodes = departementCodes
        }
    }

    /// One record while the page is read: its columns' bytes, lent in place
    /// from SQLite (valid only inside the `forEach` body). No `Data` or `Row`
    /// per column: exports read millions of cells.
    public struct RowView {
        fileprivate let statement: OpaquePointer

        /// Column 0 id, 1 instance id, 2 received at, 3 activity date,
        /// 4 département, 5 review state, 6 the answers JSON object, 7 the
        /// encrypted flag, 8 and 9 an encrypted record's envelope and files,
        /// 10 the record's XML (read only when asked: most exports need the
        /// answers only).
        public static let fixedColumnCount = 6
        public static let departementColumn = 4
        public static let reviewStateColumn = 5
        public static let answersColumn = 6
        public static let xmlColumn = 10

        public var id: Int64 { sqlite3_column_int64(statement, 0) }

        /// Column 7: an encrypted record (its answers column is empty).
        public var isEncrypted: Bool { sqlite3_column_int64(statement, 7) == 1 }

        /// An encrypted record's envelope XML and its files' (name, SHA-256,
        /// nil while not received), read only for encrypted records.
        public func encryptedParts() -> (envelope: Data, files: [(name: String, sha256: String?)])? {
            guard isEncrypted else { return nil }
            let envelope = withBytes(8) { Data($0) }
            let list = withBytes(9) { Data($0) }
            let pairs = (try? JSONSerialization.jsonObject(with: list)) as? [[Any]] ?? []
            return (envelope, pairs.compactMap { pair in
                guard let name = pair.first as? String else { return nil }
                return (name, pair.count > 1 ? pair[1] as? String : nil)
            })
        }

        /// A BLOB column's bytes (the XML), lent in place like `withBytes`.
        public func withBlob<T>(_ column: Int, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
            guard let blob = sqlite3_column_blob(statement, Int32(column)) else {
                return try body(UnsafeRawBufferPointer(start: nil, count: 0))
            }
            return try body(UnsafeRawBufferPointer(start: blob, count: Int(sqlite3_column_bytes(statement, Int32(column)))))
        }

        /// A column's bytes as text (UTF-8; numbers as SQLite writes them,
        /// NULL as no bytes).
        public func withBytes<T>(_ column: Int, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
            // sqlite3_column_text before sqlite3_column_bytes, as SQLite
            // documents: the count is then the text's.
            guard let text = sqlite3_column_text(statement, Int32(column)) else {
                return try body(UnsafeRawBufferPointer(start: nil, count: 0))
            }
            return try body(UnsafeRawBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, Int32(column)))))
        }
    }

    private func query(_ filter: Filter, afterID: Int64, limit: Int, withXML: Bool) -> (String, StatementArguments) {
        // The answers are read whole and scanned by the caller
        // (AnswersScanner): one json_extract per field and record cost
        // most of an export's time.
        var sql = "SELECT id, instance_id, received_at, activity_date, departement_code, review_state, answers"
        // Encrypted records bring their envelope and files for decryption; others pay one NULL each.
        sql += ", encrypted, CASE WHEN encrypted = 1 THEN xml END, CASE WHEN encrypted = 1 THEN"
        sql += " (SELECT json_group_array(json_array(name, sha256)) FROM submission_attachments a"
        sql += " WHERE a.submission_id = submissions.id) END"
        if withXML { sql += ", xml" }
        sql += " FROM submissions WHERE form_id = ? AND id > ? AND current = 1"
        var arguments: StatementArguments = [filter.formID, afterID]
        if let from = filter.from { sql += " AND activity_date >= ?"; arguments += [from] }
        if let to = filter.to { sql += " AND activity_date <= ?"; arguments += [to] }
        if let codes = filter.departementCodes {
            sql += " AND departement_code IN (\(SQLText.placeholders(codes.count)))"
            arguments += StatementArguments(codes)
        }
        sql += " ORDER BY id LIMIT ?"
        arguments += [limit]
        return (sql, arguments)
    }

    /// Reads up to `limit` records after `afterID` in one read transaction,
    /// handing each to `body` without building strings (exports copy bytes
    /// straight into their buffers). Returns how many and the last id.
    public func forEach(_ filter: Filter, afterID: Int64, limit: Int, withXML: Bool = false,
                        _ body: (RowView) throws -> Void) throws -> (count: Int, lastID: Int64) {
        let (sql, arguments) = query(filter, afterID: afterID, limit: limit, withXML: withXML)
        return try database.readNow { db in
            var count = 0
            var last = afterID
            let statement = try db.cachedStatement(sql: sql)
            let cursor = try GRDB.Row.fetchCursor(statement, arguments: arguments)
            let view = RowView(statement: statement.sqliteStatement)
            // The cursor steps the statement; the view reads the current row.
            while try cursor.next() != nil {
                try body(view)
                last = view.id
                count += 1
            }
            return (count, last)
        }
    }
}
