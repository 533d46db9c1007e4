import ArgumentParser
import Foundation
import SuiviAdmin

/// `suivi verify --db PATH`: recounts every indicator from the records and
/// compares with the running tallies; any difference is printed and the
/// exit status is 1.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recount tallies from the records and report any difference (exit 1 if there is one).")

    @Option(help: "SQLite database file.") var db: String

    func run() async throws {
        guard FileManager.default.fileExists(atPath: db) else {
            FileHandle.standardError.write(Data("suivi: base introuvable / no such database: \(db)\n".utf8))
            throw ExitCode(2)
        }
        let (differences, compared) = try Administration(databasePath: db).verifyTallies()
        for difference in differences {
            print("DIFFÉRENCE / DIFFERENCE \(difference)")
        }
        if differences.isEmpty {
            print("Totaux conformes aux fiches / tallies match the records (\(compared) tallies).")
        } else {
            print("\(differences.count) différence(s) / difference(s) found.")
            throw ExitCode(1)
        }
    }
}
