import Foundation
import SuiviHTTP
#if canImport(Glibc)
import Glibc
#endif

/// How many failed link or key lookups one client address may make.
///
/// Generous on purpose: many resource persons reach Suivi through one mobile
/// carrier's NAT address, and a phone left with a revoked link retries on its
/// own. Successful lookups are never counted.
public struct GuessingLimits: Sendable, Equatable {
    /// Failed lookups allowed from one address within `windowSeconds`; they
    /// may all come at once (the burst), the next one is answered 429.
    public var failures: Int
    /// The sliding window: a failure older than this is forgotten.
    public var windowSeconds: Int
    /// Addresses remembered at most (a flood of distinct addresses must not
    /// grow memory); the ones that failed least recently are forgotten first.
    public var maximumAddresses: Int
    /// Peers whose `X-Forwarded-For` names the client: the reverse proxy in
    /// front of Suivi (nginx on loopback, docs/production.md). From any other
    /// peer the header is ignored, since clients can write what they like in it.
    public var trustedProxies: Set<String>

    public init(failures: Int = 20, windowSeconds: Int = 60, maximumAddresses: Int = 10_000,
                trustedProxies: Set<String> = ["127.0.0.1", "::1"]) {
        precondition(failures >= 1 && windowSeconds >= 1 && maximumAddresses >= 2, "guessing limits must be positive")
        self.failures = failures
        self.windowSeconds = windowSeconds
        self.maximumAddresses = maximumAddresses
        self.trustedProxies = trustedProxies
    }
}

/// Counts failed lookups of personal links and API keys per client address
/// and says when an address has made too many.
///
/// It only decides what a failure is answered (403.1 or 401.1, then 429.1);
/// it never decides whether a lookup happens. A token cannot be known to be
/// invalid without looking it up, so refusing a limited address before the
/// lookup would also lock out the real people behind the same NAT address.
/// Valid links and keys therefore always work, from any address, and are
/// never counted or slowed; the price is one indexed read per guess even
/// from a limited address (the HTTP layer's per-address connection cap bounds
/// how many at once). Guessing itself is hopeless against 256 random bits;
/// the limit tells clients stuck on a bad link or key to back off
/// (`Retry-After`) and makes floods show up as 429s in the metrics.
public final class GuessingLimiter: @unchecked Sendable {
    // @unchecked: `recent` and `older` are only touched under `lock`.

    public enum Verdict: Sendable, Equatable {
        /// Under the limit: answer the usual refusal.
        case allowed
        /// Over the limit: answer 429 with this `Retry-After`.
        case limited(retryAfterSeconds: Int)
    }

    public let limits: GuessingLimits
    private let clock: @Sendable () -> Double
    private let lock = NSLock()
    /// Bounded at `maximumAddresses`; the addresses that failed least
    /// recently are forgotten first.
    private var failures: FailureTable

    /// `clock` gives seconds on a clock that never goes back; tests pass their own.
    public init(limits: GuessingLimits, clock: @escaping @Sendable () -> Double = GuessingLimiter.uptimeSeconds) {
        self.limits = limits
        self.clock = clock
        failures = FailureTable(capacity: limits.maximumAddresses)
    }

    @Sendable public static func uptimeSeconds() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }

    /// Counts one failed lookup from `client` and says how to answer it.
    /// Failures answered 429 count too, so a client that ignores
    /// `Retry-After` stays limited until it pauses for a whole window.
    public func recordFailure(from client: String) -> Verdict {
        let now = clock()
        let window = Double(limits.windowSeconds)
        return lock.withLock {
            let limited = failures.wait(for: client, now: now, window: window, limit: limits.failures) > 0
            failures.record(client, now: now, window: window, keep: limits.failures)
            guard limited else { return .allowed }
            // Once the oldest failure kept leaves the window, the next one is allowed.
            let wait = failures.wait(for: client, now: now, window: window, limit: limits.failures)
            return .limited(retryAfterSeconds: max(1, Int(wait.rounded(.up))))
        }
    }

    /// Addresses currently remembered.
    public var rememberedAddresses: Int {
        lock.withLock { failures.count }
    }

    /// The client as the limit counts it: behind a trusted proxy, the address
    /// the proxy saw (the last one in `X-Forwarded-For`: earlier ones are
    /// whatever the client sent); an IPv6 address by its /64 network, which one
    /// subscriber holds whole and could otherwise walk through.
    public func client(of request: Request) -> String {
        var address = request.clientAddress
        if limits.trustedProxies.contains(address),
           let forwarded = request.headers["X-Forwarded-For"]?.split(separator: ",").last {
            let last = forwarded.trimmingCharacters(in: .whitespaces)
            if !last.isEmpty { address = last }
        }
        return Self.network(of: address)
    }

    /// IPv4 addresses as they are; IPv6 ones as their /64 (an IPv4-mapped one
    /// as the IPv4 address). Anything unparsable is kept as written.
    public static func network(of address: String) -> String {
        guard address.contains(":") else { return address }
        var parsed = in6_addr()
        guard inet_pton(AF_INET6, address, &parsed) == 1 else { return address }
        let bytes = withUnsafeBytes(of: parsed) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return bytes[12...].map(String.init).joined(separator: ".")
        }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }
}
