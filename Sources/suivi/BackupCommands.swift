import ArgumentParser
import Foundation
import SuiviAdmin
import SuiviApp

/// `suivi backup`: a consistent copy of the database and its attachments,
/// taken while the server runs.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up the database and its attachments while the server runs.",
        discussion: """
            BACKUP is a new directory holding MANIFEST.json, suivi.sqlite (SQLite's online backup) \
            and attachments/. It is written as BACKUP.partial and renamed when complete.
            """)

    @Option(help: "SQLite database file of the running (or stopped) server.") var db: String
    @Option(name: .customLong("to"), help: "Backup directory to create (must not exist).") var destination: String
    @Option(help: "Attachments directory (default: beside the database).") var attachments: String?

    func run() async throws {
        do {
            let report = try BackupService.backup(databasePath: db, attachmentsDirectory: attachments, to: destination)
            let manifest = report.manifest
            let size = BackupSizes.megabytes(manifest.database.size + manifest.attachmentBytes)
            print("Sauvegarde terminée / backup complete: \(report.destination)")
            print("  \(manifest.recordCount) fiches / records, \(manifest.attachments.count) pièces jointes / attachments, "
                  + "\(size) Mo / MB, migrations \(manifest.migrations.joined(separator: ", "))")
        } catch {
            FileHandle.standardError.write(Data("suivi: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// `suivi restore`: checks a backup, then installs it; the server must be stopped.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Check a backup, then restore it (the server must be stopped).",
        discussion: """
            The backup is checked first (integrity, migrations, row counts, every attachment's \
            SHA-256 and size). An existing database is replaced only with --force, and kept as \
            PATH.before-restore-TIMESTAMP. Refuses while any program has PATH open.
            """)

    @Option(name: .customLong("from"), help: "Backup directory made by `suivi backup`.") var backup: String
    @Option(help: "SQLite database file to restore into.") var db: String
    @Option(help: "Attachments directory (default: beside the database).") var attachments: String?
    @Flag(help: "Replace an existing database (the old one is kept beside it).") var force = false

    func run() async throws {
        do {
            let report = try BackupService.restore(
                from: backup, databasePath: db, attachmentsDirectory: attachments, force: force)
            let manifest = report.manifest
            print("Restauration terminée / restore complete: \(report.databasePath)")
            print("  sauvegarde du / backup of \(manifest.createdAt): \(manifest.recordCount) fiches / records, "
                  + "\(manifest.attachments.count) pièces jointes / attachments in \(report.attachmentsDirectory)")
            for path in report.setAside {
                print("  ancien fichier gardé / previous file kept: \(path)")
            }
        } catch {
            FileHandle.standardError.write(Data("suivi: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

enum BackupSizes {
    /// Megabytes with one decimal, for summaries.
    static func megabytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + 500_000) / 1_000_000
        return "\(tenths / 10).\(tenths % 10)"
    }
}
