import Foundation
import GRDB
import Logging
import SuiviDomain

/// Group commit: submissions waiting to be written are taken together into
/// one transaction, and each waiter hears its outcome only after COMMIT (one
/// fsync for many records instead of one each). A failing record rolls back
/// its own savepoint only; a failing COMMIT fails the whole batch.
///
/// The writer runs on a thread of its own: COMMIT blocks on fsync, and
/// blocking Swift concurrency's or GCD's few worker threads would stall
/// every other request.
public final class SubmissionWriter: @unchecked Sendable {
    // @unchecked: `pending`, `committing` and `stopping` are only touched while holding `condition`.
    private struct Job {
        let intake: SubmissionIntake
        let continuation: CheckedContinuation<IntakeOutcome, Error>
    }

    private let database: SuiviDatabase
    private let logger: Logger
    private let condition = NSCondition()
    private var pending: [Job] = []
    /// Records in the transaction being committed.
    private var committing = 0
    private var stopping = false
    /// Told each batch's size before its transaction (metrics), on the writer thread.
    private let batchObserver: (@Sendable (Int) -> Void)?
    /// Told how many new records each COMMIT made durable (when any), on the
    /// writer thread: live dashboards hear of them from here.
    private let commitObserver: (@Sendable (Int) -> Void)?
    public static let maximumBatch = 256

    public init(database: SuiviDatabase, logger: Logger, batchObserver: (@Sendable (Int) -> Void)? = nil,
                commitObserver: (@Sendable (Int) -> Void)? = nil) {
        self.database = database
        self.logger = logger
        self.batchObserver = batchObserver
        self.commitObserver = commitObserver
        // The thread keeps the writer alive until `shutdown()`.
        let thread = Thread { self.run() }
        thread.name = "suivi.submission-writer"
        thread.start()
    }

    public func write(_ intake: SubmissionIntake) async throws -> IntakeOutcome {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            pending.append(Job(intake: intake, continuation: continuation))
            condition.signal()
            condition.unlock()
        }
    }

    /// Records handed to `write` and not yet answered: queued, or in the
    /// transaction being committed.
    public var pendingCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return pending.count + committing
    }

    /// Lets the thread end once everything already queued is committed.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    /// Waits for work and commits it, batch after batch.
    private func run() {
        while true {
            condition.lock()
            committing = 0
            while pending.isEmpty && !stopping {
                condition.wait()
            }
            if pending.isEmpty {
                condition.unlock()
                return
            }
            let batch = Array(pending.prefix(Self.maximumBatch))
            pending.removeFirst(batch.count)
            committing = batch.count
            condition.unlock()
            batchObserver?(batch.count)
            commit(batch)
        }
    }

    private func commit(_ batch: [Job]) {
        var results: [Result<IntakeOutcome, Error>] = []
        do {
            try database.pool.writeWithoutTransaction { db in
                results = []
                try db.inTransaction(.immediate) {
                    // Read in the transaction: an indicator added meanwhile
                    // counts from the next batch on, never half a batch.
                    let sources = try TallyBook.sources(in: db)
                    let tallied = Set(sources.map(\.formID))
                    // The batch's additions to tallies, written once each
                    // before COMMIT (see TallyBook.Pending).
                    var tallies = TallyBook.Pending()
                    for job in batch {
                        // An edit takes back the tallies of the record it
                        // replaces, which may have been counted earlier in
                        // this batch: write those first, outside any
                        // record's savepoint.
                        if job.intake.deprecatedID != nil { try tallies.write(in: db) }
                        do {
                            var outcome: IntakeOutcome?
                            // Kept only once the record is in for good.
                            var recordTallies = TallyBook.Pending()
                            if job.intake.needsSeveralStatements || tallied.contains(job.intake.formID) {
                                try db.inSavepoint {
                                    outcome = try SubmissionStore.apply(job.intake, tallySources: sources,
                                                                        tallies: &recordTallies, in: db)
                                    return .commit
                                }
                            } else {
                                // One statement is atomic by itself: a failure
                                // undoes it alone, no savepoint needed.
                                outcome = try SubmissionStore.apply(job.intake, tallySources: sources,
                                                                    tallies: &recordTallies, in: db)
                            }
                            tallies.add(recordTallies)
                            results.append(.success(outcome!))
                        } catch let problem as Problem {
                            results.append(.failure(problem))
                        } catch let error as DatabaseError where Self.isFatalForBatch(error) {
                            throw error
                        } catch let error as DatabaseError {
                            results.append(.failure(StoreErrors.problem(for: error)))
                        }
                    }
                    try tallies.write(in: db)
                    return .commit
                }
            }
        } catch {
            let problem = (error as? DatabaseError).map(StoreErrors.problem(for:)) ?? (error as? Problem)
                ?? Problem.storageUnavailable("\(error)")
            logger.error("group commit failed", metadata: ["batch.size": "\(batch.count)", "error": "\(problem.detail ?? problem.code)"])
            for job in batch { job.continuation.resume(throwing: problem) }
            return
        }
        let created = results.reduce(0) { count, result in
            if case .success(.created) = result { return count + 1 }
            return count
        }
        if created > 0 { commitObserver?(created) }
        for (job, result) in zip(batch, results) {
            job.continuation.resume(with: result)
        }
    }

    /// Errors that mean the transaction itself is lost (disk full, I/O): the
    /// whole batch must fail rather than half-commit.
    private static func isFatalForBatch(_ error: DatabaseError) -> Bool {
        switch error.resultCode {
        case .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_READONLY, .SQLITE_CORRUPT, .SQLITE_NOMEM: true
        default: false
        }
    }
}
