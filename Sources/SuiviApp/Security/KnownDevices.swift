import Crypto
import Foundation

/// Browsers that have signed in as a login before: the "device cookie" of
/// OWASP's advice on guessing attacks.
///
/// After a successful sign-in the browser gets `suivi_device`, a value signed
/// with a key only this server holds, bound to the login (folded as the
/// limiter folds it). Sign-in attempts that bring a valid one for the login
/// typed are counted per device only, so wrong passwords sent from anywhere
/// else, however many, never slow or refuse the owner's own browser. The
/// cookie proves no identity: the password is still checked. Forging one
/// needs the key; a stolen one gives its thief the device's own small
/// allowance of guesses, no more.
///
/// Nothing is stored: the cookie carries its issue time, a random id and the
/// signature. The key is made at start and kept in memory, so a restart
/// forgets every device; each browser is known again at its next sign-in,
/// and until then is treated as any unknown client (slowed, never refused,
/// by the per-login count).
struct KnownDevices: Sendable {
    static let cookieName = "suivi_device"
    /// How long a device stays known after its last sign-in.
    static let lifetimeSeconds = 90 * 86_400

    /// The signing key's bytes (`SymmetricKey` itself is not `Sendable`).
    private let key: [UInt8]
    private let now: @Sendable () -> Date

    init(key: [UInt8] = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) },
         now: @escaping @Sendable () -> Date = { Date() }) {
        self.key = key
        self.now = now
    }

    /// A new cookie value for `login`: `issued.id.signature`.
    func issue(login: String) -> String {
        let issued = String(Int(now().timeIntervalSince1970))
        let id = String(Secrets.newToken().prefix(22))  // 132 random bits
        return "\(issued).\(id).\(signature(issued: issued, id: id, login: login))"
    }

    /// The device's id when `value` was issued by this server for `login`
    /// and is still within its lifetime; nil otherwise.
    func device(_ value: String?, login: String) -> String? {
        guard let value, value.utf8.count <= 200 else { return nil }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let issuedAt = Int(parts[0]) else { return nil }
        let age = Int(now().timeIntervalSince1970) - issuedAt
        guard age >= -300, age <= Self.lifetimeSeconds,
              Secrets.constantTimeEqual(parts[2], signature(issued: parts[0], id: parts[1], login: login))
        else { return nil }
        return parts[1]
    }

    private func signature(issued: String, id: String, login: String) -> String {
        let message = Data("\(issued)\u{0}\(id)\u{0}\(SignInLimiter.fold(login))".utf8)
        return Data(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
