import Foundation

/// Starts and waits for child processes (pyxform, and the tests' own) the
/// one safe way. Foundation's `Process` on Linux crashed (a bad pointer in
/// memmove inside `Process.run()`) when one thread launched a process while
/// another was launching or sat in `waitUntilExit()`'s run loop: launches
/// here go one at a time for the whole program, and waits poll `isRunning`
/// instead of running a run loop.
public enum ChildProcess {
    private static let launching = NSLock()

    public static func run(_ process: Process) throws {
        launching.lock()
        defer { launching.unlock() }
        try process.run()
    }

    /// Waits for the process to end. Read its pipes first: a child writing
    /// to a full pipe never ends.
    public static func wait(_ process: Process) {
        while process.isRunning { usleep(5_000) }
    }
}
