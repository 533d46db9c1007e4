import Foundation

/// A counter that moves whenever tallies may have changed (records committed,
/// a review, a new indicator), and lets live pages wait for it to move
/// without holding any thread: a waiter is a suspended continuation, resumed
/// by `bump()`, by its timeout, or by `close()` at shutdown.
final class ChangeFeed: @unchecked Sendable {
    // @unchecked: `version`, `waiters`, `nextWaiter`, `closed` and `expiredEarly` are only touched under `lock`.
    private let lock = NSLock()
    private var version: UInt64 = 0
    private var waiters: [UInt64: CheckedContinuation<UInt64, Never>] = [:]
    private var nextWaiter: UInt64 = 0
    private var closed = false
    private var expiredEarly: Set<UInt64> = []
    /// Tells a client that its counter comes from an earlier run of the server.
    let epoch = String(UInt32.random(in: 0...UInt32.max), radix: 36)

    var current: UInt64 { lock.withLock { version } }

    /// Moves the counter and wakes every waiter.
    func bump() {
        let woken: [CheckedContinuation<UInt64, Never>] = lock.withLock {
            version += 1
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
        let value = current
        for waiter in woken { waiter.resume(returning: value) }
    }

    /// Returns the counter once it differs from `seen`, or after `timeout`
    /// seconds, or at once when closed.
    func wait(after seen: UInt64, timeout: Double) async -> UInt64 {
        let id: UInt64 = lock.withLock {
            nextWaiter += 1
            return nextWaiter
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
            self?.expire(id)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let immediate: UInt64? = lock.withLock {
                if closed || version != seen || expiredEarly.remove(id) != nil { return version }
                waiters[id] = continuation
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    /// Wakes everyone and answers every later wait at once: the server is stopping.
    func close() {
        let woken: [CheckedContinuation<UInt64, Never>] = lock.withLock {
            closed = true
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
        let value = current
        for waiter in woken { waiter.resume(returning: value) }
    }

    private func expire(_ id: UInt64) {
        let waiter: CheckedContinuation<UInt64, Never>? = lock.withLock {
            guard let waiter = waiters.removeValue(forKey: id) else {
                // The timer beat the registration: it must not wait then.
                expiredEarly.insert(id)
                return nil
            }
            return waiter
        }
        waiter?.resume(returning: current)
    }

    var waiting: Int { lock.withLock { waiters.count } }
}
