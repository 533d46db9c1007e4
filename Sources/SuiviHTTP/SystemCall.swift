import Foundation

/// The one wrapper SuiviHTTP's own system calls go through: `errno` is read
/// at once (anything in between, even a log line, may change it), an
/// interrupted call is retried, and a failure leaves as a code, never as
/// message text.
enum SystemCall {
    /// Runs a call that answers -1 and sets `errno` on failure.
    @discardableResult
    static func check<Result: BinaryInteger>(_ name: StaticString, _ call: () -> Result) throws(SystemCallError) -> Result {
        while true {
            let result = call()
            if result != -1 { return result }
            let code = errno
            if code == EINTR { continue }
            throw SystemCallError(call: name, code: code)
        }
    }
}

/// A failed system call: which one and its `errno`.
struct SystemCallError: Error, CustomStringConvertible {
    let call: StaticString
    let code: Int32

    var description: String { "\(call) failed: errno \(code)" }
}
