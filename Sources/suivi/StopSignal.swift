import Dispatch
import Foundation

/// Waits for SIGTERM or SIGINT so the server can stop cleanly.
enum StopSignal {
    static func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            let once = Once()
            var sources: [DispatchSourceSignal] = []
            for number in [SIGTERM, SIGINT] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    if once.claim() { continuation.resume(returning: number) }
                }
                source.resume()
                sources.append(source)
            }
            Retainer.keep(sources)
        }
    }

    private final class Once: @unchecked Sendable {
        // @unchecked: `done` is only touched under `lock`.
        private let lock = NSLock()
        private var done = false
        func claim() -> Bool {
            lock.withLock {
                defer { done = true }
                return !done
            }
        }
    }

    /// Signal sources must outlive the wait.
    private enum Retainer {
        nonisolated(unsafe) static var sources: [DispatchSourceSignal] = []
        static func keep(_ new: [DispatchSourceSignal]) { sources = new }
    }
}
