import Foundation

/// Starts child processes one at a time. Foundation's `Process.run()` on
/// Linux copies the environment and file actions without a lock of its own,
/// and two tests launching at once crashed it (bad pointer in memmove).
enum ProcessLaunch {
    private static let lock = NSLock()

    static func run(_ process: Process) throws {
        lock.lock()
        defer { lock.unlock() }
        try process.run()
    }
}
