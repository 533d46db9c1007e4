import Foundation
import GRDB
import SuiviDomain

/// One stored form version: the exact bytes served and their MD5.
public struct StoredFormVersion: Sendable {
    public let formID: String
    public let version: String
    public let title: String
    public let xml: Data
    public let md5: String

    public init(formID: String, version: String, title: String, xml: Data, md5: String) {
        self.formID = formID
        self.version = version
        self.title = title
        self.xml = xml
        self.md5 = md5
    }
}

/// Every form version ever served is kept, so records made with an older
/// version are still understood.
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

    public func register(_ form: StoredFormVersion, at date: Date = Date()) throws -> RegisterOutcome {
        try database.writeNow { db in
            if let existing = try String.fetchOne(db, sql: "SELECT md5 FROM form_versions WHERE form_id = ? AND version = ?",
                                                  arguments: [form.formID, form.version]) {
                return existing == form.md5 ? .unchanged : .changedWithoutNewVersion
            }
            try db.execute(sql: """
                INSERT INTO form_versions (form_id, version, title, xml, md5, first_loaded_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [form.formID, form.version, form.title, form.xml, form.md5, Timestamp.string(date)])
            return .added
        }
    }

    public func allVersions() throws -> [StoredFormVersion] {
        try database.readNow { db in
            try Row.fetchAll(db, sql: "SELECT form_id, version, title, xml, md5 FROM form_versions").map { row in
                StoredFormVersion(formID: row["form_id"], version: row["version"], title: row["title"],
                                  xml: row["xml"], md5: row["md5"])
            }
        }
    }
}
