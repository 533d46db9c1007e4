import ArgumentParser
import Foundation
import SuiviAdmin
import SuiviApp

/// `suivi person import --db PATH FILE`: imports resource persons from a CSV
/// or XLSX file, prints the per-row report and each new personal link
/// (shown once).
struct PersonImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import resource persons from a CSV or XLSX file (name, phone, département, organisation); prints the report and the new links.")

    @Option var db: String
    @Option(name: .customLong("base-url"), help: "Public address phones use, e.g. https://suivi.example.sn") var baseURL: String?
    @Argument(help: "CSV (; or , separated, UTF-8) or XLSX file.") var file: String

    func run() async throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            FileHandle.standardError.write(Data("suivi: fichier illisible / cannot read \(file)\n".utf8))
            throw ExitCode(66)
        }
        do {
            let report = try await Administration(databasePath: db).importPeople(data, baseURL: baseURL)
            print("Lignes acceptées / accepted rows: \(report.accepted.count); rejetées / rejected: \(report.rejected.count)")
            for rejection in report.rejected {
                print("REJET / REJECTED ligne/row \(rejection.row) [\(rejection.field)]: \(rejection.reason) / \(rejection.englishReason)")
            }
            if !report.accepted.isEmpty {
                print("Liens personnels (affichés une seule fois) / personal links (shown once):")
            }
            for person in report.accepted {
                print("ligne/row \(person.row)\t#\(person.id)\t\(person.departementCode)\t\(person.name)\t\(person.link)")
            }
        } catch {
            FileHandle.standardError.write(Data("suivi: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
