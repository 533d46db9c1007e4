import Foundation

/// An HTTP request as handlers see it: immutable, fully received, copied out of
/// libmicrohttpd's buffers so it can cross to any task.
public struct Request: Sendable {
    public let id: String
    public let method: String
    /// The decoded path, without the query string.
    public let path: String
    public let query: [String: String]
    public let headers: HTTPHeaders
    public let body: RequestBody
    public let clientAddress: String
    public let receivedAt: Date
    /// Values captured by the route pattern (`:token` and the like).
    public internal(set) var parameters: [String: String] = [:]
    /// The route pattern that matched, safe to log (it holds no token).
    public internal(set) var route: String = "-"

    public init(
        id: String, method: String, path: String, query: [String: String] = [:],
        headers: HTTPHeaders = HTTPHeaders(), body: RequestBody = .empty,
        clientAddress: String = "", receivedAt: Date = Date()
    ) {
        self.id = id
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.clientAddress = clientAddress
        self.receivedAt = receivedAt
    }

    public func parameter(_ name: String) -> String {
        parameters[name] ?? ""
    }
}

/// Header names compared without regard to case, as HTTP requires.
public struct HTTPHeaders: Sendable {
    private var fields: [(name: String, value: String)] = []

    public init(_ pairs: [(String, String)] = []) {
        fields = pairs.map { (name: $0.0, value: $0.1) }
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    public subscript(name: String) -> String? {
        let lowered = name.lowercased()
        return fields.first { $0.name.lowercased() == lowered }?.value
    }
}

/// The request body: small ones stay in memory, large ones were spooled to a
/// temporary file while they arrived (deleted when the request completes).
public enum RequestBody: Sendable {
    case empty
    case memory(Data)
    case file(path: String, size: Int)

    public var size: Int {
        switch self {
        case .empty: 0
        case .memory(let data): data.count
        case .file(_, let size): size
        }
    }

    /// The bytes; a spooled body is memory-mapped rather than read in.
    public func data() throws -> Data {
        switch self {
        case .empty: Data()
        case .memory(let data): data
        case .file(let path, _): try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        }
    }
}
