/// Matches method and path against route patterns such as
/// `/key/:token/forms/:formId.xml`. Every route is registered in one place
/// (SuiviApp's Routes.swift); this type only matches.
public struct Router: Sendable {
    public typealias Handler = @Sendable (Request) async -> Response

    private struct Route: Sendable {
        let method: String
        let pattern: String
        let segments: [Segment]
        let body: BodyPolicy
        let handler: Handler
    }

    private enum Segment: Sendable, Equatable {
        case literal(String)
        /// A parameter, with an optional literal suffix (`:formId.xml`).
        case parameter(name: String, suffix: String)
        /// `*name` swallows the rest of the path.
        case rest(name: String)
    }

    /// A route that matched, with what its pattern captured.
    public struct Found: Sendable {
        public let handler: Handler
        public let parameters: [String: String]
        /// The route pattern, safe to log (it holds no token).
        public let pattern: String
        public let body: BodyPolicy
    }

    public enum Match: Sendable {
        case found(Found)
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    private var routes: [Route] = []

    public init() {}

    /// Registers a route. `body` says what the route does with a request
    /// body, decided on the request head before a byte of the body is read
    /// (see `BodyPolicy`); the default reads any body up to the server's cap.
    public mutating func add(_ method: String, _ pattern: String, body: BodyPolicy = .unchecked,
                             _ handler: @escaping Handler) {
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: true).map { raw -> Segment in
            if raw.hasPrefix("*") { return .rest(name: String(raw.dropFirst())) }
            guard raw.hasPrefix(":") else { return .literal(String(raw)) }
            let body = raw.dropFirst()
            if let dot = body.firstIndex(of: ".") {
                return .parameter(name: String(body[..<dot]), suffix: String(body[dot...]))
            }
            return .parameter(name: String(body), suffix: "")
        }
        routes.append(Route(method: method, pattern: pattern, segments: segments, body: body, handler: handler))
    }

    public func match(method: String, path: String) -> Match {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var allowed: [String] = []
        for route in routes {
            guard let parameters = Self.bind(route.segments, to: parts) else { continue }
            if route.method == method || (method == "HEAD" && route.method == "GET" && !hasExplicitHead(route.pattern)) {
                return .found(Found(handler: route.handler, parameters: parameters, pattern: route.pattern, body: route.body))
            }
            allowed.append(route.method)
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }

    private func hasExplicitHead(_ pattern: String) -> Bool {
        routes.contains { $0.method == "HEAD" && $0.pattern == pattern }
    }

    private static func bind(_ segments: [Segment], to parts: [String]) -> [String: String]? {
        var parameters: [String: String] = [:]
        for (index, segment) in segments.enumerated() {
            if case .rest(let name) = segment {
                parameters[name] = parts.dropFirst(index).joined(separator: "/")
                return parameters
            }
            guard index < parts.count else { return nil }
            let part = parts[index]
            switch segment {
            case .literal(let literal):
                guard literal == part else { return nil }
            case .parameter(let name, let suffix):
                guard part.hasSuffix(suffix), part.count > suffix.count else { return nil }
                parameters[name] = String(part.dropLast(suffix.count))
            case .rest:
                break
            }
        }
        return segments.count == parts.count ? parameters : nil
    }
}

/// What a route does with a request body, settled when the request head has
/// arrived and before any of the body is read: a body refused here never
/// reaches memory or the spool, however large it was going to be.
public struct BodyPolicy: Sendable {
    /// Looks at a request head (method, path parameters, headers; the body is
    /// `.empty` because it has not been read) and answers nil to let the body
    /// in, or the response that refuses it. The connection closes after a
    /// refusal, so the body is never read.
    public typealias Admission = @Sendable (Request) async -> Response?

    /// The largest body the route reads; nil: the server's cap. 0: none.
    public let maximumBytes: Int?
    /// Runs only when a body is coming (`Content-Length` over 0, or chunked).
    public let admission: Admission?

    public init(maximumBytes: Int?, admission: Admission?) {
        self.maximumBytes = maximumBytes
        self.admission = admission
    }

    /// Any body up to the server's cap, unchecked.
    public static let unchecked = BodyPolicy(maximumBytes: nil, admission: nil)
    /// No body at all: one is refused before it is read.
    public static let none = BodyPolicy(maximumBytes: 0, admission: nil)

    /// Bodies of at most `maximumBytes`, from anyone (sign-in, for one).
    public static func small(maximumBytes: Int) -> BodyPolicy {
        BodyPolicy(maximumBytes: maximumBytes, admission: nil)
    }

    /// Bodies up to the server's cap, once `admission` lets them in.
    public static func admitted(by admission: @escaping Admission) -> BodyPolicy {
        BodyPolicy(maximumBytes: nil, admission: admission)
    }
}
