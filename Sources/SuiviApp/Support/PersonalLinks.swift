import Foundation
import SuiviDomain
import SuiviStore

/// Personal links and files of resource persons: what the people routes and
/// the command line (`suivi person add|import`) share.
package enum PersonalLinks {
    /// A new token and the SHA-256 it is stored under; the token itself is
    /// only ever in the link handed to the person.
    package static let newToken: PeopleDirectory.TokenMaker = {
        let token = Secrets.newToken()
        return (token, Secrets.sha256Hex(token))
    }

    /// `{base}/key/{token}`, whether or not the base ends with a slash.
    package static func link(_ base: String, _ token: String) -> String {
        "\(base.hasSuffix("/") ? String(base.dropLast()) : base)/key/\(token)"
    }

    /// Reads a CSV or XLSX file of resource persons and adds the rows
    /// `inScope` allows, each with a new link.
    package static func importFile(_ data: Data, directory: PeopleDirectory,
                                   inScope: @escaping @Sendable (String) -> Bool,
                                   actor: AuditActor) async throws -> PeopleImportResult {
        let rows = try await BlockingWork.run { () throws -> [[String]] in
            XLSXReader.isXLSX(data) ? try XLSXReader.rows(data) : try CSVTable.rows(data)
        }
        return try await directory.importPeople(rows: rows, inScope: inScope, newToken: newToken, by: actor)
    }
}
