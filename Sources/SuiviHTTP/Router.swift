/// Matches method and path against route patterns such as
/// `/key/:token/forms/:formId.xml`. Every route is registered in one place
/// (SuiviApp's Routes.swift); this type only matches.
public struct Router: Sendable {
    public typealias Handler = @Sendable (Request) async -> Response

    private struct Route: Sendable {
        let method: String
        let pattern: String
        let segments: [Segment]
        let handler: Handler
    }

    private enum Segment: Sendable, Equatable {
        case literal(String)
        /// A parameter, with an optional literal suffix (`:formId.xml`).
        case parameter(name: String, suffix: String)
        /// `*name` swallows the rest of the path.
        case rest(name: String)
    }

    public enum Match: Sendable {
        case found(Handler, parameters: [String: String], pattern: String)
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    private var routes: [Route] = []

    public init() {}

    public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping Handler) {
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: true).map { raw -> Segment in
            if raw.hasPrefix("*") { return .rest(name: String(raw.dropFirst())) }
            guard raw.hasPrefix(":") else { return .literal(String(raw)) }
            let body = raw.dropFirst()
            if let dot = body.firstIndex(of: ".") {
                return .parameter(name: String(body[..<dot]), suffix: String(body[dot...]))
            }
            return .parameter(name: String(body), suffix: "")
        }
        routes.append(Route(method: method, pattern: pattern, segments: segments, handler: handler))
    }

    public func match(method: String, path: String) -> Match {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var allowed: [String] = []
        for route in routes {
            guard let parameters = Self.bind(route.segments, to: parts) else { continue }
            if route.method == method || (method == "HEAD" && route.method == "GET" && !hasExplicitHead(route.pattern)) {
                return .found(route.handler, parameters: parameters, pattern: route.pattern)
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
