import CMicroHTTPD
import Foundation

/// Per-request state stored in libmicrohttpd's `req_cls` slot: created on the
/// first callback, released in the completed callback.
final class ConnectionState: @unchecked Sendable {
    // @unchecked: libmicrohttpd calls back for one connection from one thread at
    // a time; only `response` and `admissionRefusal`, set by tasks, cross
    // threads and they are guarded by `lock`.
    let id: String
    let method: String
    let path: String
    let query: [String: String]
    let headers: HTTPHeaders
    let clientAddress: String
    let startedAt = Date()
    let spooler: BodySpooler
    var refusal: TransportRefusal?
    var phase = Phase.receiving
    /// The route, once the head has been matched.
    var found: Router.Found?
    /// Set when suspended; cleared once libmicrohttpd calls back after resume.
    private var awaitingResume = false
    var route = "-"
    var status = 0
    var logMetadata: [(key: String, value: String)] = []
    private let lock = NSLock()
    private var response: Response?
    private var admissionRefusal: Response?

    enum Phase {
        /// The head is in; the body, if any, is being read.
        case receiving
        /// Suspended while the route's admission check looks at the head;
        /// not a byte of the body has been read.
        case admitting
        /// Suspended while the handler runs.
        case handling
    }

    init(id: String, connection: OpaquePointer, url: String, method: String, configuration: ServerConfiguration,
         spoolBudget: SpoolBudget) {
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
            directory: configuration.spoolDirectory,
            budget: spoolBudget)
    }

    /// The body length the client announced with `Content-Length`, if it did.
    var announcedBodyBytes: Int? {
        headers["Content-Length"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// Whether a body follows the head: some announced length, or chunks.
    var bodyIsComing: Bool {
        (announcedBodyBytes ?? 0) > 0
            || (headers["Transfer-Encoding"]?.lowercased().contains("chunked") ?? false)
    }

    /// The request as handlers and admission checks see it: with the route's
    /// parameters once it has been matched.
    func makeRequest(body: RequestBody) -> Request {
        var request = Request(
            id: id, method: method, path: path, query: query, headers: headers,
            body: body, clientAddress: clientAddress, receivedAt: startedAt)
        if let found {
            request.parameters = found.parameters
            request.route = found.pattern
        }
        return request
    }

    func setResponse(_ response: Response) {
        lock.withLock { self.response = response }
    }

    /// What the admission check answered: nil lets the body in.
    func setAdmissionRefusal(_ refusal: Response?) {
        lock.withLock { admissionRefusal = refusal }
    }

    func takeAdmissionRefusal() -> Response? {
        lock.withLock {
            defer { admissionRefusal = nil }
            return admissionRefusal
        }
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
