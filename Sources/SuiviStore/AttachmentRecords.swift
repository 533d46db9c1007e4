import Foundation
import GRDB
import SuiviDomain

/// The files of records as stored: one row per name a record gives, its
/// content (by SHA-256) once received.
public struct StoredAttachment: Sendable, Equatable {
    public let name: String
    /// Nil until the file has come (split upload).
    public let sha256: String?
    public let size: Int?
    public let contentType: String?

    public init(name: String, sha256: String?, size: Int?, contentType: String?) {
        self.name = name
        self.sha256 = sha256
        self.size = size
        self.contentType = contentType
    }
}

extension SubmissionStore {
    /// The files of the given records, by record id, each record's in name order.
    public func attachments(submissionIDs: [Int64]) async throws -> [Int64: [StoredAttachment]] {
        guard !submissionIDs.isEmpty else { return [:] }
        return try await database.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT submission_id, name, sha256, size, content_type FROM submission_attachments
                WHERE submission_id IN (\(SQLText.placeholders(submissionIDs.count))) ORDER BY submission_id, name
                """, arguments: StatementArguments(submissionIDs))
            var byRecord: [Int64: [StoredAttachment]] = [:]
            for row in rows {
                byRecord[row[0], default: []].append(
                    StoredAttachment(name: row[1], sha256: row[2], size: row[3], contentType: row[4]))
            }
            return byRecord
        }
    }

    /// One received file of one record within `scope`; nil when the record
    /// is unknown or out of scope, or names no such file, or the file has
    /// not come yet: all one answer to the caller, so ids tell nothing
    /// about other regions.
    public func receivedAttachment(submissionID: Int64, name: String, scope: DepartementScope) async throws
        -> StoredAttachment? {
        try await database.read { db in
            let filter = scope.filter("s.departement_code")
            let row = try Row.fetchOne(db, sql: """
                SELECT a.name, a.sha256, a.size, a.content_type
                FROM submission_attachments a JOIN submissions s ON s.id = a.submission_id
                WHERE a.submission_id = ? AND a.name = ? AND a.sha256 IS NOT NULL\(filter.sql)
                """, arguments: [submissionID, name] + filter.arguments)
            return row.map { StoredAttachment(name: $0[0], sha256: $0[1], size: $0[2], contentType: $0[3]) }
        }
    }
}
