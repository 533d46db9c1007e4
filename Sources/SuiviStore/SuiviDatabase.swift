import Foundation
import GRDB
import SuiviDomain

/// The SQLite database: one file in WAL mode, every commit fsynced
/// (`synchronous=FULL`), so a record acknowledged after COMMIT survives a
/// crash or power cut. Opening it migrates it.
public final class SuiviDatabase: Sendable {
    let pool: DatabasePool
    /// A read-only connection of its own for the short lookup every request
    /// starts with (a personal link's token). It is used synchronously and
    /// only by single-statement closures that never suspend, so a caller
    /// waits at most for another lookup, never for a pooled reader held by a
    /// suspended task: no deadlock, and no hop to GRDB's reader queues,
    /// which cost more CPU than the SELECT itself.
    private let lookups: DatabaseQueue
    public let path: String
    /// Tallies per day already read, checked against their versions at each read.
    let tallyDays = TallyDayCache()

    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.label = "suivi"
        configuration.maximumReaderCount = 4
        pool = try DatabasePool(path: path, configuration: configuration)
        // GRDB sets synchronous=NORMAL on the writer when it enables WAL;
        // durability of every acknowledged record needs FULL. The writer is a
        // single connection, so setting it once holds for its lifetime.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Savepoint and statement journals only ever serve a rollback
            // inside the open transaction (the WAL alone makes commits
            // atomic and durable), so they can live in memory. On a file,
            // once a group commit's journal passed SQLite's 64 KiB spill
            // size, every page each record's savepoint touched cost two
            // write() calls: more than the WAL's own writes.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            // Room for the indexes a batch updates at random places (the
            // instance id's): 2 MB, SQLite's default, made the writer read
            // pages back from the OS on every batch.
            try db.execute(sql: "PRAGMA cache_size = -32768")
        }
        try Migrations.migrator.migrate(pool)
        var lookupConfiguration = Configuration()
        lookupConfiguration.readonly = true
        lookupConfiguration.busyMode = .timeout(10)
        lookupConfiguration.label = "suivi.lookups"
        lookups = try DatabaseQueue(path: path, configuration: lookupConfiguration)
    }

    /// The writer's `PRAGMA synchronous` (2 = FULL), for tests and `verify`.
    public func synchronousSetting() throws -> Int {
        try pool.writeWithoutTransaction { db in
            try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
        }
    }

    public func journalMode() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// A trivial read, for health checks.
    public func ping() async throws {
        _ = try await read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    public func integrityCheck() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }

    /// Runs a read, mapping SQLite failures to Problems.
    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch let error as DatabaseError {
            throw StoreErrors.problem(for: error)
        }
    }

    /// Runs a write transaction, mapping SQLite failures to Problems.
    func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch let error as DatabaseError {
            throw StoreErrors.problem(for: error)
        }
    }

    func writeNow<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.write(body)
        } catch let error as DatabaseError {
            throw StoreErrors.problem(for: error)
        }
    }

    /// Runs a one-statement read on the lookup connection, at once, without
    /// BEGIN/COMMIT (a single SELECT is its own snapshot). `body` must not
    /// block or run more than a quick indexed query.
    func lookUp<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try lookups.unsafeRead(body)
        } catch let error as DatabaseError {
            throw StoreErrors.problem(for: error)
        }
    }

    func readNow<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch let error as DatabaseError {
            throw StoreErrors.problem(for: error)
        }
    }
}

/// The one place SQLite errors become Problems: by result code, never by
/// message text.
enum StoreErrors {
    static func problem(for error: DatabaseError) -> Problem {
        switch error.resultCode {
        case .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_READONLY, .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_CANTOPEN:
            return .storageUnavailable("sqlite \(error.resultCode.rawValue) (extended \(error.extendedResultCode.rawValue))")
        default:
            return .databaseError("sqlite \(error.resultCode.rawValue) (extended \(error.extendedResultCode.rawValue))")
        }
    }

    static func isUniqueViolation(_ error: Error) -> Bool {
        (error as? DatabaseError)?.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
    }
}

/// SQL pieces several stores build alike.
enum SQLText {
    /// `?,?,?`: the placeholders of an `IN (…)` list of `count` bound values.
    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }
}

/// Timestamps are stored as ISO 8601 UTC text with milliseconds: sortable,
/// readable in the sqlite3 shell.
public enum Timestamp {
    /// Made once: building the style cost as much as formatting with it.
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    public static func string(_ date: Date) -> String {
        style.format(date)
    }
}
