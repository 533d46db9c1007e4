import Foundation

/// Suivi's Prometheus metrics, kept in memory and rendered by `/metrics`.
///
/// Hand-written rather than swift-prometheus: a handful of series, one lock,
/// integer increments on the hot path, no dependency tree. Label values are
/// only ever route patterns, HTTP methods, status codes and form ids the
/// server loaded (never a path: paths carry tokens), so the number of series
/// stays bounded whatever clients send.
public final class Metrics: @unchecked Sendable {
    // @unchecked: every `var` below is only touched while holding `lock`.
    private let lock = NSLock()

    /// What became of one submission request.
    public enum SubmissionOutcome: String, Sendable, CaseIterable {
        /// A new record, committed.
        case created
        /// A resend (or the next part of a split upload) of a stored record.
        case duplicate
        /// 409: same instance id with other content, a second edit, an unknown form version.
        case conflict
        /// Any other refusal (4xx): malformed, unknown form, bad link...
        case rejected
        /// The server failed (5xx): storage unavailable, internal error.
        case error
    }

    /// The label for submissions whose form is not one Suivi knows (or could not be read).
    public static let unknownForm = "unknown"
    static let durationBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    static let batchSizeBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256]

    struct FormCounts {
        var outcomes = [Int](repeating: 0, count: SubmissionOutcome.allCases.count)
        var flagged = 0
    }

    struct RouteCounts {
        let method: String
        let pattern: String
        /// By status code: a handful per route.
        var statuses: [Int: Int] = [:]
        var duration = Histogram(bounds: Metrics.durationBuckets)
    }

    /// A route's slot, handed out once when the route is registered so a
    /// request only indexes an array.
    public struct Route: Sendable {
        let index: Int
    }

    let version: String
    let startTime: Date
    private var forms: [String: FormCounts] = [:]
    private var routes: [RouteCounts] = []
    /// Requests that matched no route (404, 405), by method and status.
    private var unmatched: [UnmatchedKey: Int] = [:]
    private var batchSizes = Histogram(bounds: Metrics.batchSizeBuckets)

    struct UnmatchedKey: Hashable {
        /// One of `knownMethods` or `other`: clients choose the method.
        let method: String
        let status: Int
    }

    /// Methods that get their own label on unmatched requests.
    static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    /// `formIDs`: forms whose series exist (at 0) from the start, so rates
    /// work from the first scrape.
    public init(version: String = SuiviVersion.current, startTime: Date = Date(), formIDs: [String] = []) {
        self.version = version
        self.startTime = startTime
        for formID in formIDs { forms[formID] = FormCounts() }
    }

    // MARK: - Recording (hot path)

    /// Registers a route at start; the returned slot records its requests.
    public func route(method: String, pattern: String) -> Route {
        lock.withLock {
            routes.append(RouteCounts(method: method, pattern: pattern))
            return Route(index: routes.count - 1)
        }
    }

    public func recordRequest(_ route: Route, status: Int, seconds: Double) {
        lock.withLock {
            routes[route.index].statuses[status, default: 0] += 1
            routes[route.index].duration.observe(seconds)
        }
    }

    /// A request answered before reaching a handler (413 before the body is
    /// read, 404, 405). `pattern` is the route it matched, if any; it is
    /// counted under that route, without a duration.
    public func recordRefusal(method: String, pattern: String?, status: Int) {
        lock.withLock {
            if let pattern, let index = routes.firstIndex(where: {
                $0.pattern == pattern && ($0.method == method || (method == "HEAD" && $0.method == "GET"))
            }) {
                routes[index].statuses[status, default: 0] += 1
            } else {
                let label = Self.knownMethods.contains(method) ? method : "other"
                unmatched[UnmatchedKey(method: label, status: status), default: 0] += 1
            }
        }
    }

    /// `form` must be a form id the registry knows, or nil.
    public func recordSubmission(form: String?, outcome: SubmissionOutcome, flagged: Bool = false) {
        let label = form ?? Self.unknownForm
        lock.withLock {
            forms[label, default: FormCounts()].outcomes[outcome.index] += 1
            if flagged { forms[label, default: FormCounts()].flagged += 1 }
        }
    }

    public func recordBatch(size: Int) {
        lock.withLock { batchSizes.observe(Double(size)) }
    }

    // MARK: - Reading

    /// A consistent copy, taken under the lock and rendered outside it.
    struct Snapshot {
        let version: String
        let startTime: Date
        let queueDepth: Int
        let forms: [(String, FormCounts)]
        let routes: [RouteCounts]
        let unmatched: [(UnmatchedKey, Int)]
        let batchSizes: Histogram
    }

    func snapshot(queueDepth: Int) -> Snapshot {
        lock.withLock {
            Snapshot(
                version: version, startTime: startTime, queueDepth: queueDepth,
                forms: forms.sorted { $0.key < $1.key },
                routes: routes,
                unmatched: unmatched.sorted { ($0.key.method, $0.key.status) < ($1.key.method, $1.key.status) },
                batchSizes: batchSizes)
        }
    }

    /// The text exposition format 0.0.4. The queue depth is a gauge read
    /// from the writer at scrape time.
    public func render(queueDepth: Int) -> String {
        MetricsExposition.render(snapshot(queueDepth: queueDepth))
    }
}

extension Metrics.SubmissionOutcome {
    var index: Int {
        switch self {
        case .created: 0
        case .duplicate: 1
        case .conflict: 2
        case .rejected: 3
        case .error: 4
        }
    }
}

/// Cumulative only when rendered: observing increments one bucket.
struct Histogram {
    let bounds: [Double]
    /// One per bound, plus the last for +Inf.
    private(set) var counts: [Int]
    private(set) var sum: Double = 0
    private(set) var count = 0

    init(bounds: [Double]) {
        self.bounds = bounds
        counts = [Int](repeating: 0, count: bounds.count + 1)
    }

    mutating func observe(_ value: Double) {
        var index = 0
        while index < bounds.count && value > bounds[index] { index += 1 }
        counts[index] += 1
        sum += value
        count += 1
    }
}

/// Suivi's version, shown by `suivi_build_info`. Bumped with each release.
public enum SuiviVersion {
    public static let current = "0.1.0"
}
