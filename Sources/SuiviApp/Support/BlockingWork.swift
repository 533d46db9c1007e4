import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs CPU-heavy or blocking work (password hashing, file writing) on a
/// thread of its own. Swift concurrency has one worker per core here (two):
/// blocking one of them stalls every other request.
package enum BlockingWork {
    package enum Priority {
        /// As any request.
        case normal
        /// Long jobs nobody waits on line by line (exports): the thread runs
        /// at a lower CPU priority, so phones sending records keep their
        /// latency on a small machine while an export takes most of the rest.
        case background
    }

    package static func run<T: Sendable>(priority: Priority = .normal,
                                 _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                if priority == .background { lowerThisThreadsPriority() }
                continuation.resume(with: Result { try work() })
            }
            thread.name = priority == .background ? "suivi.background" : "suivi.blocking"
            thread.start()
        }
    }

    /// Linux: SCHED_BATCH (treated as CPU-bound, never preempts others on
    /// wake-up) at nice 10 (about a tenth of a normal thread's share when
    /// both want the CPU), for this thread only: on Linux the nice value is
    /// per thread. Neither SCHED_IDLE nor nice 19: with those, an export was
    /// starved for minutes by any other busy process on a shared machine,
    /// while it holds a read transaction at a time (WAL checkpoints wait for
    /// it). The thread ends with the work, so nothing is restored. Failure
    /// only means normal priority.
    private static func lowerThisThreadsPriority() {
        #if os(Linux)
        let batchPolicy: Int32 = 3  // SCHED_BATCH (<sched.h> shows it only with _GNU_SOURCE)
        var parameters = sched_param(sched_priority: 0)
        _ = sched_setscheduler(0, batchPolicy, &parameters)
        // Who 0 is the calling thread itself.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
    }
}
