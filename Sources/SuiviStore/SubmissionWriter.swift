import Foundation
import GRDB
import Logging
import SuiviDomain

/// Group commit: submissions waiting to be written are taken together into
/// one transaction, and each waiter hears its outcome only after COMMIT (one
/// fsync for many records instead of one each). A failing record rolls back
/// its own savepoint only; a failing COMMIT fails the whole batch.
public final class SubmissionWriter: @unchecked Sendable {
    // @unchecked: `pending` and `draining` are only touched under `lock`.
    private struct Job {
        let intake: SubmissionIntake
        let continuation: CheckedContinuation<IntakeOutcome, Error>
    }

    private let database: SuiviDatabase
    private let logger: Logger
    private let lock = NSLock()
    private var pending: [Job] = []
    private var draining = false
    private let queue = DispatchQueue(label: "suivi.submission-writer")
    public static let maximumBatch = 256

    public init(database: SuiviDatabase, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    public func write(_ intake: SubmissionIntake) async throws -> IntakeOutcome {
        try await withCheckedThrowingContinuation { continuation in
            let startDrain = lock.withLock { () -> Bool in
                pending.append(Job(intake: intake, continuation: continuation))
                guard !draining else { return false }
                draining = true
                return true
            }
            if startDrain {
                queue.async { self.drain() }
            }
        }
    }

    private func drain() {
        while true {
            let batch = lock.withLock { () -> [Job] in
                let taken = Array(pending.prefix(Self.maximumBatch))
                pending.removeFirst(taken.count)
                if taken.isEmpty { draining = false }
                return taken
            }
            guard !batch.isEmpty else { return }
            commit(batch)
        }
    }

    private func commit(_ batch: [Job]) {
        var results: [Result<IntakeOutcome, Error>] = []
        do {
            try database.pool.writeWithoutTransaction { db in
                results = []
                try db.inTransaction(.immediate) {
                    for job in batch {
                        do {
                            var outcome: IntakeOutcome?
                            try db.inSavepoint {
                                outcome = try SubmissionStore.apply(job.intake, in: db)
                                return .commit
                            }
                            results.append(.success(outcome!))
                        } catch let problem as Problem {
                            results.append(.failure(problem))
                        } catch let error as DatabaseError where Self.isFatalForBatch(error) {
                            throw error
                        } catch let error as DatabaseError {
                            results.append(.failure(StoreErrors.problem(for: error)))
                        }
                    }
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
