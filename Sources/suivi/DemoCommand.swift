import ArgumentParser
import Foundation
import SuiviAdmin
import SuiviApp

/// `suivi demo --db PATH`: the Dakar phase of March 2023 in an empty database.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Load the Dakar phase (March 2023) as demo data into an empty database.")

    @Option(help: "SQLite database file (created if needed; must hold no records).") var db: String
    @Option(help: "Directory of XForms.") var forms = "Forms"
    @Option(help: "Attachments directory (default: beside the database).") var attachments: String?
    @Option(name: .customLong("base-url"), help: "Public address of the server, for the sample link printed.") var baseURL: String?

    func run() async throws {
        let logger = LogSetup.bootstrap(level: .warning)
        let configuration = AppConfiguration(databasePath: db, formsDirectory: forms, attachmentsDirectory: attachments,
                                             baseURL: baseURL)
        do {
            let summary = try await DemoLoader(configuration: configuration, logger: logger).run()
            print("Démonstration chargée / demo loaded: \(summary.people) personnes ressources / resource persons, "
                + summary.records.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                + " (\(summary.flagged) à revoir / flagged).")
            print("Comptes (mots de passe affichés une seule fois) / accounts (passwords shown once):")
            for account in summary.accounts {
                print("  \(account.login) (\(account.role)) : \(account.password)")
            }
            print("Lien personnel d'une personne ressource de Guédiawaye / a resource person's personal link:")
            print("  \(summary.sampleLink)")
            print("Clé d'API admin / admin API key (shown once):")
            print(summary.adminKey)
        } catch {
            FileHandle.standardError.write(Data("suivi: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
