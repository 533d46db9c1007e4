import CMicroHTTPD
import Foundation

/// Per-request state stored in libmicrohttpd's `req_cls` slot: created on the
/// first callback, released in the completed callback.
final class ConnectionState: @unchecked Sendable {
    // @unchecked: libmicrohttpd calls back for one connection from one thread at
    // a time; only `response`, set by the handler task, crosses threads and it
    // is guarded by `lock`.
    let id: String
    let method: String
    let path: String
    let query: [String: String]
    let headers: HTTPHeaders
    let clientAddress: String
    let startedAt = Date()
    let spooler: BodySpooler
    var refusal: TransportRefusal?
    var dispatched = false
    /// Set when suspended; cleared once libmicrohttpd calls back after resume.
    private var awaitingResume = false
    var route = "-"
    var status = 0
    var logMetadata: [(key: String, value: String)] = []
    private let lock = NSLock()
    private var response: Response?

    init(id: String, connection: OpaquePointer, url: String, method: String, configuration: ServerConfiguration) {
        self.id = id
        self.method = method
        self.path = url
        self.query = Self.values(of: connection, kind: .GET_ARGUMENT_KIND)
            .reduce(into: [:]) { result, pair in
                if result[pair.0] == nil { result[pair.0] = pair.1 }
            }
        self.headers = HTTPHeaders(Self.values(of: connection, kind: .HEADER_KIND))
        var address = [CChar](repeating: 0, count: 64)
        self.clientAddress = suivi_mhd_client_address(connection, &address, address.count) == 0
            ? String(nulTerminated: address) : ""
        self.spooler = BodySpooler(
            limit: configuration.maximumBodyBytes,
            inMemoryLimit: configuration.inMemoryBodyBytes,
            directory: configuration.spoolDirectory)
    }

    func makeRequest(body: RequestBody) -> Request {
        Request(
            id: id, method: method, path: path, query: query, headers: headers,
            body: body, clientAddress: clientAddress, receivedAt: startedAt)
    }

    func setResponse(_ response: Response) {
        lock.withLock { self.response = response }
    }

    func markSuspended() {
        lock.withLock { awaitingResume = true }
    }

    /// True the first time it is called after a suspension.
    func markResumed() -> Bool {
        lock.withLock {
            defer { awaitingResume = false }
            return awaitingResume
        }
    }

    func takeResponse() -> Response? {
        lock.withLock {
            defer { response = nil }
            return response
        }
    }

    private final class PairCollector {
        var pairs: [(String, String)] = []
    }

    private static func values(of connection: OpaquePointer, kind: MHD_ValueKind) -> [(String, String)] {
        let collector = PairCollector()
        let context = Unmanaged.passUnretained(collector).toOpaque()
        _ = MHD_get_connection_values(connection, kind, { context, _, key, value in
            guard let context, let key else { return .YES }
            let collector = Unmanaged<PairCollector>.fromOpaque(context).takeUnretainedValue()
            collector.pairs.append((String(cString: key), value.map { String(cString: $0) } ?? ""))
            return .YES
        }, context)
        return collector.pairs
    }
}
