import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The threads request handlers run on.
///
/// Handlers block: SQLite reads, commits that wait for fsync, files written.
/// On Swift concurrency's global pool (one thread per core, two here) two
/// slow commits stalled every other request, and whatever else the process
/// ran (in the test suites, forty servers being set up at once) held back
/// every handler of every server until clients timed out. A few threads of
/// the server's own keep its answers apart from the rest of the process.
///
/// Handler tasks prefer this executor (`Task(executorPreference:)`); their
/// nonisolated code and default actors run here. Jobs arriving after `stop`
/// (a task that outlived the server) each get a thread of their own.
final class HandlerExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `queue`, `head` and `stopping` change only under `condition`.
    private let condition = NSCondition()
    private var queue: [UnownedJob] = []
    private var head = 0
    private var stopping = false
    private var running = 0

    init(threads: Int, name: String) {
        for index in 0..<max(1, threads) {
            let thread = Thread { [self] in work() }
            thread.name = "\(name)-\(index)"
            running += 1
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        if running == 0 {
            condition.unlock()
            Thread { [self] in job.runSynchronously(on: asUnownedTaskExecutor()) }.start()
            return
        }
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    /// The threads finish the jobs already queued, then end.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        Self.yieldToWriters()
        while let job = next() {
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }

    /// Nice 5 for this thread (Linux: per thread): the few threads every
    /// request waits on, the submission writer's group commit and
    /// libmicrohttpd's, get the CPU first when handlers are busy. Measured
    /// with `Scripts/bench-ingest` (docs/benchmarks.md). Failure only means
    /// normal priority.
    private static func yieldToWriters() {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 5)
        #endif
    }

    private func next() -> UnownedJob? {
        condition.lock()
        defer { condition.unlock() }
        while head == queue.count {
            if stopping {
                running -= 1
                return nil
            }
            condition.wait()
        }
        let job = queue[head]
        head += 1
        if head == queue.count {
            queue.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 && head * 2 >= queue.count {
            // Under steady load the queue may never empty: drop what was run.
            queue.removeFirst(head)
            head = 0
        }
        return job
    }
}
