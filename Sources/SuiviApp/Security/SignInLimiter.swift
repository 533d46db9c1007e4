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
    /// Wrong passwords for one login from everywhere: stops guessing spread
    /// over many addresses. Only addresses that have not signed in as that
    /// login lately are held back, so the account's owner is never locked out.
    public var failuresPerLogin: Int
    /// The sliding window: a failure older than this is forgotten.
    public var windowSeconds: Int
    /// Counters and remembered sign-ins kept at most per table; the least
    /// recently used are forgotten first.
    public var maximumEntries: Int

    public init(failuresPerLoginAndAddress: Int = 5, failuresPerAddress: Int = 30, failuresPerLogin: Int = 50,
                windowSeconds: Int = 900, maximumEntries: Int = 10_000) {
        precondition(failuresPerLoginAndAddress >= 1 && failuresPerAddress >= 1 && failuresPerLogin >= 1
                     && windowSeconds >= 1 && maximumEntries >= 2, "sign-in limits must be positive")
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
/// out, counts are kept per (login, address) pair and per address: failing
/// from elsewhere never limits the owner's own address. The per-login count
/// (guessing from many addresses) holds back only addresses that have not
/// signed in successfully as that login within the last day.
///
/// Unknown logins are counted exactly like known ones, so a 429 says nothing
/// about whether an account exists.
public final class SignInLimiter: @unchecked Sendable {
    // @unchecked: the tables are only touched under `lock`.

    public enum Verdict: Sendable, Equatable {
        case allowed
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

    /// Whether a sign-in attempt may be checked at all. Asks before the
    /// password is verified; counts nothing.
    public func check(login: String, client: String) -> Verdict {
        let now = clock()
        let window = Double(limits.windowSeconds)
        let login = Self.fold(login)
        return lock.withLock {
            var waits: [Double] = []
            waits.append(pairs.wait(for: Self.pair(login, client), now: now, window: window,
                                    limit: limits.failuresPerLoginAndAddress))
            waits.append(addresses.wait(for: client, now: now, window: window, limit: limits.failuresPerAddress))
            if !isTrusted(login: login, client: client, now: now) {
                waits.append(logins.wait(for: login, now: now, window: window, limit: limits.failuresPerLogin))
            }
            let wait = waits.max() ?? 0
            return wait > 0 ? .limited(retryAfterSeconds: max(1, Int(wait.rounded(.up)))) : .allowed
        }
    }

    /// Counts a wrong password (or unknown login), and says whether the
    /// next attempt would be limited.
    @discardableResult
    public func recordFailure(login: String, client: String) -> Verdict {
        let now = clock()
        let folded = Self.fold(login)
        lock.withLock {
            let window = Double(limits.windowSeconds)
            pairs.record(Self.pair(folded, client), now: now, window: window, keep: limits.failuresPerLoginAndAddress)
            addresses.record(client, now: now, window: window, keep: limits.failuresPerAddress)
            logins.record(folded, now: now, window: window, keep: limits.failuresPerLogin)
        }
        return check(login: login, client: client)
    }

    /// A successful sign-in forgets the pair's failures and trusts the
    /// address for this login. The address's and the login's own counts
    /// stay: one right password must not wipe out a guessing run.
    public func recordSuccess(login: String, client: String) {
        let now = clock()
        let key = Self.pair(Self.fold(login), client)
        lock.withLock {
            pairs.remove(key)
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
}

/// A map bounded at `capacity` entries with O(1) work per use: two
/// generations, the older (least recently used half) dropped whole when the
/// recent one is half full, as in `GuessingLimiter`.
private struct BoundedTable<Value> {
    let capacity: Int
    private var recent: [String: Value] = [:]
    private var older: [String: Value] = [:]

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { recent.count + older.count }

    func get(_ key: String) -> Value? {
        recent[key] ?? older[key]
    }

    mutating func take(_ key: String) -> Value? {
        recent.removeValue(forKey: key) ?? older.removeValue(forKey: key)
    }

    mutating func set(_ key: String, _ value: Value) {
        older.removeValue(forKey: key)
        recent[key] = value
        if recent.count >= max(1, capacity / 2) {
            older = recent
            recent = [:]
        }
    }

    mutating func remove(_ key: String) {
        recent.removeValue(forKey: key)
        older.removeValue(forKey: key)
    }
}

/// Failure times per key, oldest first, at most `keep` per key.
private struct FailureTable {
    private var table: BoundedTable<[Double]>

    init(capacity: Int) {
        table = BoundedTable(capacity: capacity)
    }

    mutating func record(_ key: String, now: Double, window: Double, keep: Int) {
        var times = (table.take(key) ?? []).filter { $0 > now - window }
        times.append(now)
        if times.count > keep { times.removeFirst(times.count - keep) }
        table.set(key, times)
    }

    /// Seconds until one more failure is allowed; 0 when under the limit.
    func wait(for key: String, now: Double, window: Double, limit: Int) -> Double {
        let times = (table.get(key) ?? []).filter { $0 > now - window }
        guard times.count >= limit else { return 0 }
        // The oldest of the last `limit` failures must leave the window.
        return times[times.count - limit] + window - now
    }

    mutating func remove(_ key: String) {
        table.remove(key)
    }

    var count: Int { table.count }
}
