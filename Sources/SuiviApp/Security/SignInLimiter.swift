import Foundation

/// How many wrong passwords Suivi accepts before it asks a client to wait.
public struct SignInLimits: Sendable, Equatable {
    /// Wrong passwords for one login from one address within the window.
    /// This is the limit a guesser meets first; the real user signing in
    /// from elsewhere is not affected by it.
    public var failuresPerLoginAndAddress: Int
    /// Wrong passwords from one address, whatever the login: stops one
    /// machine from walking through every login.
    public var failuresPerAddress: Int
    /// Wrong passwords for one login from everywhere, past which attempts at
    /// that login are slowed by `delaySeconds` (never refused): guessing
    /// spread over many addresses gets no faster answers, and the owner, who
    /// cannot be told apart from a guesser on a new device, still gets in.
    /// Known devices (`KnownDevices`) and addresses that signed in as that
    /// login lately are not slowed.
    public var failuresPerLogin: Int
    /// The wait before the password is checked, once `failuresPerLogin` is reached.
    public var delaySeconds: Double
    /// The sliding window: a failure older than this is forgotten.
    public var windowSeconds: Int
    /// Counters and remembered sign-ins kept at most per table; the least
    /// recently used are forgotten first.
    public var maximumEntries: Int

    public init(failuresPerLoginAndAddress: Int = 5, failuresPerAddress: Int = 30, failuresPerLogin: Int = 20,
                delaySeconds: Double = 3, windowSeconds: Int = 900, maximumEntries: Int = 10_000) {
        precondition(failuresPerLoginAndAddress >= 1 && failuresPerAddress >= 1 && failuresPerLogin >= 1
                     && delaySeconds >= 0 && delaySeconds <= 10
                     && windowSeconds >= 1 && maximumEntries >= 2, "sign-in limits must be positive")
        self.delaySeconds = delaySeconds
        self.failuresPerLoginAndAddress = failuresPerLoginAndAddress
        self.failuresPerAddress = failuresPerAddress
        self.failuresPerLogin = failuresPerLogin
        self.windowSeconds = windowSeconds
        self.maximumEntries = maximumEntries
    }
}

/// Limits password guessing at sign-in, per login and address, per address
/// and per login, without letting anyone lock the real user out.
///
/// Unlike `GuessingLimiter` (tokens of 256 random bits, which no one can
/// guess), a password can be guessed, so a limited client is refused before
/// its password is checked: otherwise the guess that happens to be right
/// would still get in. To keep an attacker from using that to lock the owner
/// out, refusals are only ever per (login, address) pair, per address, or per
/// known device: failing from elsewhere never refuses the owner's address or
/// browser. Guessing one login from many addresses is only slowed: past
/// `failuresPerLogin` every attempt at that login from an unknown device and
/// an address that has not signed in as it within the last day waits
/// `delaySeconds` before its password is checked, right or wrong. A per-login
/// refusal would refuse the owner too, from every address they have not used
/// before (the flaw this design replaced); what keeps distributed guessing
/// hopeless is the per-address limits times the password policy's minimum
/// strength (`PasswordPolicy`), not a lock on the account.
///
/// A known device (a valid `KnownDevices` cookie for the login) is counted
/// on its own: its wrong passwords count against the device (and the
/// address's and login's totals), and only the device's own count can refuse
/// it.
///
/// Unknown logins are counted exactly like known ones, so a 429 says nothing
/// about whether an account exists.
public final class SignInLimiter: @unchecked Sendable {
    // @unchecked: the tables are only touched under `lock`.

    public enum Verdict: Sendable, Equatable {
        case allowed
        /// Check the password after waiting this long.
        case delayed(seconds: Double)
        /// Answer 429 with this `Retry-After`, without checking the password.
        case limited(retryAfterSeconds: Int)
    }

    public let limits: SignInLimits
    private let clock: @Sendable () -> Double
    private let lock = NSLock()
    private var pairs: FailureTable
    private var addresses: FailureTable
    private var logins: FailureTable
    /// (login, address) pairs that signed in lately, with the time.
    private var trusted: BoundedTable<Double>
    /// How long a successful sign-in keeps its address trusted for the per-login limit.
    static let trustSeconds: Double = 86_400

    /// `clock` gives seconds on a clock that never goes back; tests pass their own.
    public init(limits: SignInLimits, clock: @escaping @Sendable () -> Double = GuessingLimiter.uptimeSeconds) {
        self.limits = limits
        self.clock = clock
        pairs = FailureTable(capacity: limits.maximumEntries)
        addresses = FailureTable(capacity: limits.maximumEntries)
        logins = FailureTable(capacity: limits.maximumEntries)
        trusted = BoundedTable(capacity: limits.maximumEntries)
    }

    /// Whether a sign-in attempt may be checked, and after how long. Asks
    /// before the password is verified; counts nothing. `device` is the id of
    /// a known device for this login (`KnownDevices.device`), if the browser
    /// brought one.
    public func check(login: String, client: String, device: String? = nil) -> Verdict {
        let now = clock()
        let window = Double(limits.windowSeconds)
        let login = Self.fold(login)
        return lock.withLock {
            if let device {
                let wait = pairs.wait(for: Self.deviceKey(device), now: now, window: window,
                                      limit: limits.failuresPerLoginAndAddress)
                return wait > 0 ? .limited(retryAfterSeconds: max(1, Int(wait.rounded(.up)))) : .allowed
            }
            let wait = max(pairs.wait(for: Self.pair(login, client), now: now, window: window,
                                      limit: limits.failuresPerLoginAndAddress),
                           addresses.wait(for: client, now: now, window: window, limit: limits.failuresPerAddress))
            if wait > 0 { return .limited(retryAfterSeconds: max(1, Int(wait.rounded(.up)))) }
            if limits.delaySeconds > 0, !isTrusted(login: login, client: client, now: now),
               logins.wait(for: login, now: now, window: window, limit: limits.failuresPerLogin) > 0 {
                return .delayed(seconds: limits.delaySeconds)
            }
            return .allowed
        }
    }

    /// Counts a wrong password (or unknown login), and says how the next
    /// attempt would be answered.
    @discardableResult
    public func recordFailure(login: String, client: String, device: String? = nil) -> Verdict {
        let now = clock()
        let folded = Self.fold(login)
        lock.withLock {
            let window = Double(limits.windowSeconds)
            if let device {
                pairs.record(Self.deviceKey(device), now: now, window: window, keep: limits.failuresPerLoginAndAddress)
            } else {
                pairs.record(Self.pair(folded, client), now: now, window: window, keep: limits.failuresPerLoginAndAddress)
            }
            addresses.record(client, now: now, window: window, keep: limits.failuresPerAddress)
            logins.record(folded, now: now, window: window, keep: limits.failuresPerLogin)
        }
        return check(login: login, client: client, device: device)
    }

    /// A successful sign-in forgets the pair's (and the device's) failures
    /// and trusts the address for this login. The address's and the login's
    /// own counts stay: one right password must not wipe out a guessing run.
    public func recordSuccess(login: String, client: String, device: String? = nil) {
        let now = clock()
        let key = Self.pair(Self.fold(login), client)
        lock.withLock {
            pairs.remove(key)
            if let device { pairs.remove(Self.deviceKey(device)) }
            trusted.set(key, now)
        }
    }

    /// Entries remembered in all tables (bounded by the limits' `maximumEntries` each).
    public var rememberedEntries: Int {
        lock.withLock { pairs.count + addresses.count + logins.count + trusted.count }
    }

    private func isTrusted(login: String, client: String, now: Double) -> Bool {
        guard let at = trusted.get(Self.pair(login, client)) else { return false }
        return now - at < Self.trustSeconds
    }

    /// Logins are case-insensitive in the database: count them alike.
    static func fold(_ login: String) -> String {
        login.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    private static func pair(_ login: String, _ client: String) -> String {
        "\(login)\u{0}\(client)"
    }

    /// Device ids are random, never a login: the prefix only keeps them apart from pairs.
    private static func deviceKey(_ device: String) -> String {
        "\u{0}device\u{0}\(device)"
    }
}
