import Foundation

/// What leaves the server. Handlers build one explicitly; nothing serialises a
/// database row by accident.
public struct Response: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: ResponseBody
    /// What the handler adds to the server's one log line for this request
    /// (safe values only, as for any log metadata): a second line per
    /// request cost as much as the first.
    public var logMetadata: [(key: String, value: String)] = []

    public init(status: Int, headers: [(String, String)] = [], body: ResponseBody = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public init(status: Int, contentType: String, body: Data, headers: [(String, String)] = []) {
        self.status = status
        self.headers = [("Content-Type", contentType)] + headers
        self.body = .data(body)
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    public mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.0.lowercased() == name.lowercased() }
        headers.append((name, value))
    }
}

public enum ResponseBody: Sendable {
    case empty
    case data(Data)
    /// A file sent straight from disk by libmicrohttpd.
    case file(path: String)
    /// A file written for this one response (an export): unlinked as soon as
    /// it is opened, so it goes away when the response is done or dropped.
    case temporaryFile(path: String)
}
