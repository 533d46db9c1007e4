import Foundation
import GRDB
import SuiviDomain

/// Why a backup or a restore stopped, worded for the operator who typed the
/// command: French first, then English.
public struct BackupFailure: Error, Sendable, CustomStringConvertible {
    public let message: String
    public let englishMessage: String

    public init(_ message: String, _ englishMessage: String) {
        self.message = message
        self.englishMessage = englishMessage
    }

    public var description: String { "\(message) / \(englishMessage)" }
}

/// What a database file holds, as a backup manifest records it and a restore
/// checks it.
public struct DatabaseContents: Sendable, Equatable {
    /// Applied migrations: known ones in their order, then unknown ones sorted.
    public let migrations: [String]
    /// Rows per table, every table but SQLite's own.
    public let rowCounts: [String: Int]
    /// The distinct SHA-256 digests of attachment files the records refer to, sorted.
    public let attachmentDigests: [String]
}

/// The SQL side of `suivi backup` and `suivi restore`.
///
/// The copy goes through SQLite's online backup API, never a file copy: a
/// file copy of a WAL database taken while the server commits can pair a
/// main file and a WAL from different moments. The backup API copies one
/// read snapshot, so the server keeps writing meanwhile and the copy holds
/// exactly the transactions committed before the copy began.
public enum DatabaseBackup {
    /// Migrations this version of Suivi knows, in order.
    public static var knownMigrations: [String] { Migrations.migrator.migrations }

    /// Copies the database at `source`, which a running server may be using,
    /// into the new file `destination`, and returns what the copy holds.
    ///
    /// The copy is switched to a rollback journal so that it is one
    /// self-contained file, readable without a `-wal` or `-shm` beside it.
    public static func copy(databaseAt source: String, to destination: String) throws -> DatabaseContents {
        guard FileManager.default.fileExists(atPath: source) else {
            throw BackupFailure("Base introuvable : \(source)", "database not found: \(source)")
        }
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw BackupFailure("Le fichier existe déjà : \(destination)", "file already exists: \(destination)")
        }
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            configuration.label = "suivi-backup-source"
            // Not SuiviDatabase: opening for a backup must not migrate.
            let sourceQueue = try DatabaseQueue(path: source, configuration: configuration)
            defer { try? sourceQueue.close() }
            let isSuivi = try sourceQueue.read { db in try db.tableExists("grdb_migrations") && db.tableExists("submission_attachments") }
            guard isSuivi else {
                throw BackupFailure("\(source) n'est pas une base de Suivi", "\(source) is not a Suivi database")
            }
            let destinationQueue = try DatabaseQueue(path: destination)
            defer { try? destinationQueue.close() }
            try sourceQueue.backup(to: destinationQueue)
            try destinationQueue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
            }
            let contents = try destinationQueue.read { db in
                try requireIntegrity(db, of: "La copie de la base", "the database copy")
                return try Self.contents(of: db)
            }
            try destinationQueue.close()
            return contents
        } catch let error as DatabaseError {
            throw BackupFailure("Copie de la base impossible (\(describe(error)))",
                                "could not copy the database (\(describe(error)))")
        }
    }

    /// Checks a backup's database file without writing to it: SQLite's
    /// integrity check must answer `ok`, then returns what it holds.
    public static func inspect(copyAt path: String) throws -> DatabaseContents {
        guard FileManager.default.fileExists(atPath: path) else {
            throw BackupFailure("Base absente de la sauvegarde : \(path)", "the backup has no database file: \(path)")
        }
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.label = "suivi-backup-check"
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in
                try requireIntegrity(db, of: "La base de la sauvegarde", "the backup's database")
                guard try db.tableExists("grdb_migrations"), try db.tableExists("submission_attachments") else {
                    throw BackupFailure("La base de la sauvegarde n'est pas une base de Suivi",
                                        "the backup's database is not a Suivi database")
                }
                return try Self.contents(of: db)
            }
        } catch let error as DatabaseError {
            throw BackupFailure("La base de la sauvegarde est endommagée ou illisible (\(describe(error)))",
                                "the backup's database is damaged or unreadable (\(describe(error)))")
        }
    }

    private static func requireIntegrity(_ db: Database, of french: String, _ english: String) throws {
        let answer = try String.fetchAll(db, sql: "PRAGMA integrity_check(20)")
        guard answer == ["ok"] else {
            let shown = answer.prefix(3).joined(separator: "; ")
            throw BackupFailure("\(french) est endommagée (integrity_check : \(shown))",
                                "\(english) is damaged (integrity_check: \(shown))")
        }
    }

    private static func contents(of db: Database) throws -> DatabaseContents {
        let applied = try Migrations.migrator.appliedIdentifiers(db)
        let known = knownMigrations
        let migrations = known.filter(applied.contains) + applied.subtracting(known).sorted()
        let tables = try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name
            """)
        var rowCounts: [String: Int] = [:]
        for table in tables {
            rowCounts[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.quotedDatabaseIdentifier)") ?? 0
        }
        let digests = try String.fetchAll(db, sql: """
            SELECT DISTINCT sha256 FROM submission_attachments WHERE sha256 IS NOT NULL ORDER BY sha256
            """)
        return DatabaseContents(migrations: migrations, rowCounts: rowCounts, attachmentDigests: digests)
    }

    static func describe(_ error: DatabaseError) -> String {
        "sqlite \(error.resultCode.rawValue)" + (error.message.map { ": \($0)" } ?? "")
    }
}

/// Proof that no other program has a database open, held while a restore
/// replaces it.
///
/// Every SQLite connection to a WAL database, a running server's included,
/// holds a shared lock on the database file for as long as it is open, idle
/// or not. This connection asks for SQLite's exclusive lock
/// (`locking_mode=EXCLUSIVE`, then `BEGIN EXCLUSIVE`) without waiting: it
/// gets it only when nobody else has the file open, and keeps it until
/// `release()`, so no server can open the file meanwhile.
public final class DatabaseReplacementLock: Sendable {
    private let queue: DatabaseQueue

    private init(queue: DatabaseQueue) {
        self.queue = queue
    }

    /// Nil when the file is not a readable SQLite database (nothing can be
    /// using it as one); throws when another program has it open.
    public static func acquire(databaseAt path: String) throws -> DatabaseReplacementLock? {
        var configuration = Configuration()
        configuration.busyMode = .immediateError
        configuration.label = "suivi-restore-lock"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA locking_mode = EXCLUSIVE")
        }
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            do {
                try queue.writeWithoutTransaction { db in
                    try db.execute(sql: "BEGIN EXCLUSIVE")
                    try db.execute(sql: "COMMIT")
                }
            } catch {
                try? queue.close()
                throw error
            }
            return DatabaseReplacementLock(queue: queue)
        } catch let error as DatabaseError {
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                throw BackupFailure(
                    "La base \(path) est ouverte par un autre programme (le serveur tourne-t-il ?) : arrêtez-le avant de restaurer",
                    "\(path) is in use by another process (is the server running?): stop it before restoring")
            case .SQLITE_NOTADB, .SQLITE_CORRUPT:
                return nil
            default:
                throw BackupFailure("Base \(path) inaccessible (\(DatabaseBackup.describe(error)))",
                                    "cannot open \(path) (\(DatabaseBackup.describe(error)))")
            }
        }
    }

    /// Copies the WAL into the main file and empties it, so the database file
    /// is complete on its own before it is moved aside.
    public func foldWriteAheadLog() throws {
        do {
            try queue.writeWithoutTransaction { db in
                if try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal" {
                    try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                }
            }
        } catch let error as DatabaseError {
            throw BackupFailure("Point de contrôle de l'ancienne base impossible (\(DatabaseBackup.describe(error)))",
                                "could not checkpoint the old database (\(DatabaseBackup.describe(error)))")
        }
    }

    /// Closes the connection, which drops the lock.
    public func release() {
        try? queue.close()
    }

    deinit {
        try? queue.close()
    }
}
