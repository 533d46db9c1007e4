import Foundation

/// Runs CPU-heavy or blocking work (password hashing, file writing) on a
/// thread of its own. Swift concurrency has one worker per core here (two):
/// blocking one of them stalls every other request.
enum BlockingWork {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try work() })
            }
            thread.name = "suivi.blocking"
            thread.start()
        }
    }
}
