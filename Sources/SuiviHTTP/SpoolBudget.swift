import Foundation

/// The bytes all spooled request bodies may hold on disk together. A body
/// reserves its bytes before they are written (all of them at once when
/// `Content-Length` announces them) and gives them back when its file is
/// removed, so the spool can never outgrow the budget, however many uploads
/// run at once.
final class SpoolBudget: @unchecked Sendable {
    // @unchecked: `used` is only touched under `lock`.
    private let lock = NSLock()
    private var used = 0
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes `bytes` from the budget, or nothing and false when they do not fit.
    func reserve(_ bytes: Int) -> Bool {
        lock.withLock {
            guard bytes <= limit - used else { return false }
            used += bytes
            return true
        }
    }

    func release(_ bytes: Int) {
        lock.withLock {
            used -= bytes
            precondition(used >= 0, "spool budget released more than it reserved")
        }
    }

    var reserved: Int { lock.withLock { used } }
}
