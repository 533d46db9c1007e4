import Foundation
import SuiviBasics
import Logging

/// Every open connection, and whether it is waiting for a complete request
/// head or busy with a request.
///
/// libmicrohttpd calls the access handler only once a head is complete, and
/// its own timeout counts silence, not time: a client sending a header line
/// every 10 s kept a connection 334 s, and a thousand slow clients filled the
/// connection cap so that nobody else was served. Two rules end such
/// connections:
/// - a head not complete by its deadline is cut off (a sweep looks often);
/// - past `connectionLimit - reservedConnections`, each new connection cuts
///   off the one that has waited longest for its head, so newcomers always
///   find room and slow clients lose theirs first. Busy connections (a body
///   being received, a handler running, an answer being sent) are never cut.
///
/// Cutting off is `shutdown()` of the socket: libmicrohttpd then reads the
/// end of the stream and closes the connection on its own thread, as when a
/// client hangs up. The sockets stay libmicrohttpd's; this type only shuts
/// them down, under `lock`, and only while the connection is known open:
/// libmicrohttpd reports a connection closed (`closed(_:)`, which takes the
/// same lock) before it closes the descriptor, so a descriptor number already
/// reused by another connection is never touched.
final class ConnectionTracker: @unchecked Sendable {
    // @unchecked: entries, their fields and the counts change only under `lock`.

    /// One connection, from its opening to its closing.
    final class Entry {
        fileprivate let descriptor: Int32
        fileprivate var waiting = true
        fileprivate var waitingSince: UInt64
        fileprivate var deadline: UInt64
        fileprivate var cutOff = false

        fileprivate init(descriptor: Int32, now: UInt64, deadline: UInt64) {
            self.descriptor = descriptor
            waitingSince = now
            self.deadline = deadline
        }
    }

    private let lock = NSLock()
    private var entries: [ObjectIdentifier: Entry] = [:]
    /// Entries cut off and not yet reported closed.
    private var cutOffCount = 0
    private var evictedSinceLog = 0
    private let firstHeadNanoseconds: UInt64
    private let nextHeadNanoseconds: UInt64
    private let evictionThreshold: Int
    private let sweepInterval: DispatchTimeInterval
    private let logger: Logger
    private var timer: DispatchSourceTimer?

    init(configuration: ServerConfiguration, logger: Logger) {
        let firstHead = max(0.05, configuration.headerDeadlineSeconds)
        firstHeadNanoseconds = UInt64(firstHead * 1e9)
        nextHeadNanoseconds = UInt64(max(firstHead, Double(configuration.inactivityTimeoutSeconds)) * 1e9)
        evictionThreshold = Int(configuration.connectionLimit) - Int(min(configuration.reservedConnections, configuration.connectionLimit))
        // A quarter of the deadline, so a head is cut off at most 25 % late.
        sweepInterval = .milliseconds(Int(min(1000, firstHead * 250)))
        self.logger = logger
    }

    deinit {
        timer?.cancel()
    }

    /// Connections open (cut off ones included until they are closed).
    var openCount: Int { lock.withLock { entries.count } }

    func startSweeping() {
        lock.withLock {
            guard timer == nil else { return }
            let source = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "suivi.http.connection-sweep"))
            source.schedule(deadline: .now() + sweepInterval, repeating: sweepInterval, leeway: .milliseconds(50))
            source.setEventHandler { [weak self] in self?.sweep() }
            source.resume()
            timer = source
        }
    }

    func stopSweeping() {
        let stopped = lock.withLock {
            defer { timer = nil }
            return timer
        }
        stopped?.cancel()
    }

    /// A connection was accepted: it waits for its first head from now.
    func opened(descriptor: Int32) -> Entry {
        let now = Self.now()
        let entry = Entry(descriptor: descriptor, now: now, deadline: now + firstHeadNanoseconds)
        lock.withLock {
            entries[ObjectIdentifier(entry)] = entry
            if entries.count - cutOffCount > evictionThreshold, let oldest = oldestWaiting(besides: entry) {
                cutOff(oldest)
                evictedSinceLog += 1
            }
        }
        return entry
    }

    /// The request head is complete: the connection is busy until the request ends.
    func headComplete(_ entry: Entry) {
        lock.withLock { entry.waiting = false }
    }

    /// The answer was sent: a kept-alive connection waits for its next head.
    func requestFinished(_ entry: Entry) {
        let now = Self.now()
        lock.withLock {
            entry.waiting = true
            entry.waitingSince = now
            entry.deadline = now + nextHeadNanoseconds
        }
    }

    /// libmicrohttpd is about to close the socket: never touch it again.
    func closed(_ entry: Entry) {
        lock.withLock {
            entries[ObjectIdentifier(entry)] = nil
            if entry.cutOff { cutOffCount -= 1 }
        }
    }

    private func sweep() {
        let now = Self.now()
        let (expired, evicted) = lock.withLock { () -> (Int, Int) in
            var expired = 0
            for entry in entries.values where entry.waiting && !entry.cutOff && entry.deadline <= now {
                cutOff(entry)
                expired += 1
            }
            defer { evictedSinceLog = 0 }
            return (expired, evictedSinceLog)
        }
        // One line per sweep at most, however many were cut off: a flood of
        // slow clients must not become a flood of log lines. No addresses.
        if expired > 0 || evicted > 0 {
            logger.notice("slow connections closed", metadata: [
                "connections.past_header_deadline": "\(expired)",
                "connections.closed_for_room": "\(evicted)",
            ])
        }
    }

    /// The waiting connection that has waited longest. A linear scan: it runs
    /// only near the cap, over at most `connectionLimit` entries.
    private func oldestWaiting(besides newcomer: Entry) -> Entry? {
        var oldest: Entry?
        for entry in entries.values where entry.waiting && !entry.cutOff && entry !== newcomer {
            if oldest.map({ entry.waitingSince < $0.waitingSince }) ?? true { oldest = entry }
        }
        return oldest
    }

    /// Called under `lock`, so the descriptor is still the connection's own.
    private func cutOff(_ entry: Entry) {
        entry.cutOff = true
        cutOffCount += 1
        let outcome = Result { () throws(SystemCallError) -> Int32 in
            try SystemCalls.retrying("shutdown") { shutdown(entry.descriptor, Int32(SHUT_RDWR)) }
        }
        if case .failure(let failure) = outcome, failure.errno != ENOTCONN {
            // ENOTCONN: the client already reset the connection. Anything
            // else means the descriptor is not this connection's socket any
            // more, which the locking above rules out.
            preconditionFailure("\(failure) on a tracked connection")
        }
    }

    private static func now() -> UInt64 {
        DispatchTime.now().uptimeNanoseconds
    }
}
