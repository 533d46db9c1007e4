import Foundation
import GRDB
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

    /// The fixed columns every export starts with, then one per field.
    public struct Row: Sendable {
        public let id: Int64
        public let instanceID: String
        public let receivedAt: String
        public let activityDate: String?
        public let departementCode: String?
        public let reviewState: String
        /// One per requested field, in order; nil when not answered.
        public let values: [String?]
    }

    /// One record while the page is read: its columns' bytes, lent without
    /// copying (valid only inside the `forEach` body).
    public struct RowView {
        fileprivate let row: GRDB.Row

        public var id: Int64 { row[0] }

        /// Column 0 id, 1 instance id, 2 received at, 3 activity date,
        /// 4 département, 5 review state, then one per requested field.
        public func withBytes<T>(_ column: Int, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
            if let data = row.dataNoCopy(atIndex: column) {
                return try data.withUnsafeBytes(body)
            }
            return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }

    private func query(_ filter: Filter, fields: [String], afterID: Int64, limit: Int) -> (String, StatementArguments) {
        var sql = "SELECT id, instance_id, received_at, activity_date, departement_code, review_state"
        var arguments: StatementArguments = []
        for field in fields {
            sql += ", json_extract(answers, ?)"
            arguments += ["$.\"\(field.replacingOccurrences(of: "\"", with: ""))\""]
        }
        sql += " FROM submissions WHERE form_id = ? AND id > ? AND current = 1"
        arguments += [filter.formID, afterID]
        if let from = filter.from { sql += " AND activity_date >= ?"; arguments += [from] }
        if let to = filter.to { sql += " AND activity_date <= ?"; arguments += [to] }
        if let codes = filter.departementCodes {
            sql += " AND departement_code IN (\(codes.map { _ in "?" }.joined(separator: ",")))"
            arguments += StatementArguments(codes)
        }
        sql += " ORDER BY id LIMIT ?"
        arguments += [limit]
        return (sql, arguments)
    }

    /// Reads up to `limit` records after `afterID` in one read transaction,
    /// handing each to `body` without building strings (the CSV path copies
    /// bytes straight into its buffer). Returns how many and the last id.
    public func forEach(_ filter: Filter, fields: [String], afterID: Int64, limit: Int,
                        _ body: (RowView) throws -> Void) throws -> (count: Int, lastID: Int64) {
        let (sql, arguments) = query(filter, fields: fields, afterID: afterID, limit: limit)
        return try database.readNow { db in
            var count = 0
            var last = afterID
            let cursor = try GRDB.Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
            while let row = try cursor.next() {
                let view = RowView(row: row)
                try body(view)
                last = view.id
                count += 1
            }
            return (count, last)
        }
    }

    /// Up to `limit` records after `afterID`. Answers are read by SQLite's
    /// JSON functions, without building a dictionary per record.
    public func page(_ filter: Filter, fields: [String], afterID: Int64, limit: Int) throws -> [Row] {
        let (sql, arguments) = query(filter, fields: fields, afterID: afterID, limit: limit)
        let fieldCount = fields.count
        return try database.readNow { db in
            var rows: [Row] = []
            rows.reserveCapacity(limit)
            let cursor = try GRDB.Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
            while let row = try cursor.next() {
                var values: [String?] = []
                values.reserveCapacity(fieldCount)
                for index in 0..<fieldCount {
                    values.append(row[6 + index] as String?)
                }
                rows.append(Row(id: row[0], instanceID: row[1], receivedAt: row[2], activityDate: row[3],
                                departementCode: row[4], reviewState: row[5], values: values))
            }
            return rows
        }
    }
}
