import Foundation
import SuiviApp
import SuiviDomain
import SuiviStore

/// The report of an import from the command line (or a demo).
public struct PeopleImportReport: Sendable {
    public struct Accepted: Sendable {
        public let row: Int
        public let id: Int64
        public let name: String
        public let departementCode: String
        public let link: String
    }

    public let accepted: [Accepted]
    public let rejected: [ImportRejection]
}

extension Administration {
    /// Imports a CSV or XLSX file of resource persons, as the API does, on
    /// behalf of the command line. Whole-file faults throw `Failure`.
    public func importPeople(_ data: Data, baseURL: String?) async throws -> PeopleImportReport {
        do {
            let result = try await PersonalLinks.importFile(
                data, directory: PeopleDirectory(database: database), inScope: { _ in true }, actor: .commandLine)
            let base = baseURL ?? (try? PeopleStore(database: database).setting("base_url")) ?? "http://127.0.0.1:8080"
            let accepted = zip(result.plan.accepted, result.issued).map { row, issued in
                PeopleImportReport.Accepted(row: row.row, id: issued.person.id, name: issued.person.name,
                                            departementCode: issued.person.departementCode,
                                            link: PersonalLinks.link(base, issued.token))
            }
            return PeopleImportReport(accepted: accepted, rejected: result.plan.rejected)
        } catch let problem as Problem {
            throw Failure(description: "\(problem.message) / \(problem.englishMessage)\(problem.detail.map { " (\($0))" } ?? "")")
        }
    }
}
