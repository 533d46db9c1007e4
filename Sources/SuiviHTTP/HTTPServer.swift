import CMicroHTTPD
import Foundation
import Logging

/// The HTTP server: sole owner of the libmicrohttpd daemon.
///
/// libmicrohttpd's threads receive requests; once a body is complete the
/// connection is suspended and the handler runs as a Swift task, so a slow
/// handler (a group commit waiting for fsync) never blocks a network thread.
/// The task resumes the connection, and libmicrohttpd calls back to send the
/// response.
///
/// Before any body is read, the head alone decides whether it will be: an
/// unknown route, a body too large for its route, a route's admission check
/// (a personal link, a session or key looked up while the connection is
/// suspended the same way) or a full spool refuse it unread. The
/// `ConnectionTracker` cuts off clients too slow to send a head at all.
public final class HTTPServer: @unchecked Sendable {
    // @unchecked: `daemon` and `boundPort` change only under `lock`; everything
    // else is immutable after init.
    public typealias RefusalResponder = @Sendable (TransportRefusal, Request) -> Response

    private let configuration: ServerConfiguration
    private let router: Router
    private let refusalResponder: RefusalResponder
    let logger: Logger
    private let lock = NSLock()
    private var daemon: OpaquePointer?
    private var boundPort: UInt16 = 0
    private let inFlight = DispatchGroup()
    /// Connections suspended and not yet taken back by libmicrohttpd; the
    /// daemon must not stop while any remain (it aborts if it does).
    private let suspended = SuspendedCounter()
    private let requestIDs = RequestIDGenerator()
    private let tracker: ConnectionTracker
    private let spoolBudget: SpoolBudget
    private let handlerExecutor: HandlerExecutor

    public init(
        configuration: ServerConfiguration,
        router: Router,
        logger: Logger,
        refusalResponder: @escaping RefusalResponder
    ) {
        self.configuration = configuration
        self.router = router
        self.logger = logger
        self.refusalResponder = refusalResponder
        tracker = ConnectionTracker(configuration: configuration, logger: logger)
        spoolBudget = SpoolBudget(limit: configuration.spoolLimitBytes)
        handlerExecutor = HandlerExecutor(threads: configuration.handlerThreads, name: "suivi.handler")
    }

    deinit {
        stopBlocking()
        handlerExecutor.stop()
    }

    /// The port actually bound (the one the OS chose when asked for port 0).
    public var port: UInt16 {
        lock.withLock { boundPort }
    }

    public func start() throws {
        try lock.withLock {
            guard daemon == nil else { return }
            let flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue
                | MHD_ALLOW_SUSPEND_RESUME.rawValue | MHD_USE_ERROR_LOG.rawValue
            var errorText = [CChar](repeating: 0, count: 256)
            let started: OpaquePointer? = configuration.host.withCString { host in
                var config = suivi_mhd_config(
                    flags: flags,
                    port: configuration.port,
                    bind_address: host,
                    connection_limit: configuration.connectionLimit,
                    per_ip_connection_limit: configuration.perAddressConnectionLimit,
                    connection_timeout_seconds: configuration.inactivityTimeoutSeconds,
                    connection_memory_limit: 64 << 10,
                    thread_pool_size: configuration.threadPoolSize,
                    listen_backlog: 512
                )
                let context = Unmanaged.passUnretained(self).toOpaque()
                return suivi_mhd_start(
                    &config, accessHandler, context, requestCompleted, context,
                    connectionEvent, context, daemonLog, context, &errorText, errorText.count)
            }
            guard let started else {
                throw HTTPServerError.cannotStart(String(nulTerminated: errorText))
            }
            daemon = started
            boundPort = suivi_mhd_bound_port(started)
            tracker.startSweeping()
        }
    }

    /// Waits for running handlers (each resumes its connection), then stops
    /// the daemon, which closes every connection. The waiting happens on a
    /// thread of its own: handlers need Swift concurrency's threads to
    /// finish, so blocking one of those here could deadlock.
    public func stop() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread {
                self.stopBlocking()
                continuation.resume()
            }.start()
        }
    }

    /// The blocking stop; never call it from a Swift concurrency task.
    public func stopBlocking() {
        let running: OpaquePointer? = lock.withLock {
            let current = daemon
            daemon = nil
            return current
        }
        guard let running else { return }
        MHD_quiesce_daemon(running)
        if inFlight.wait(timeout: .now() + 30) == .timedOut {
            logger.error("handlers still running at stop")
        }
        // A resumed connection is taken back on the daemon's next loop.
        let deadline = Date().addingTimeInterval(30)
        while suspended.count > 0 && Date() < deadline {
            usleep(2_000)
        }
        if suspended.count > 0 {
            logger.error("connections still suspended at stop", metadata: ["count": "\(suspended.count)"])
        }
        tracker.stopSweeping()
        MHD_stop_daemon(running)
        handlerExecutor.stop()
    }

    // MARK: - Callbacks from libmicrohttpd

    /// How long a client refused for a full spool is asked to wait: uploads
    /// in progress finish (or hit their deadline) within minutes.
    static let spoolRetryAfterSeconds = 60

    fileprivate func handle(
        connection: OpaquePointer, url: String, method: String,
        upload: UnsafePointer<CChar>?, uploadSize: UnsafeMutablePointer<Int>,
        slot: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    ) -> MHD_Result {
        guard let existing = slot.pointee else {
            if let entry = Self.trackedEntry(of: connection) { tracker.headComplete(entry) }
            let state = ConnectionState(
                id: requestIDs.next(), connection: connection, url: url, method: method,
                configuration: configuration, spoolBudget: spoolBudget)
            slot.pointee = Unmanaged.passRetained(state).toOpaque()
            return begin(state, connection)
        }
        let state = Unmanaged<ConnectionState>.fromOpaque(existing).takeUnretainedValue()
        if state.markResumed() { suspended.decrement() }

        if uploadSize.pointee > 0 {
            let chunk = UnsafeRawBufferPointer(start: upload, count: uploadSize.pointee)
            uploadSize.pointee = 0
            return receive(chunk, state)
        }

        switch state.phase {
        case .admitting:
            // Back from the admission check, still at the head.
            state.phase = .receiving
            if let refusal = state.takeAdmissionRefusal() {
                return queueBeforeBody(refusal, state, connection)
            }
            return reserveSpool(state, connection)
        case .handling:
            guard let response = state.takeResponse() else { return .YES }
            return queue(response, state, connection)
        case .receiving:
            if let refusal = state.refusal {
                return refuse(refusal, state, connection)
            }
            dispatch(state, connection)
            return .YES
        }
    }

    /// The head is complete and no byte of the body has been read: settle
    /// here whether the body will be read at all. A refusal now is queued
    /// before the body, so libmicrohttpd never reads it and closes the
    /// connection after answering.
    private func begin(_ state: ConnectionState, _ connection: OpaquePointer) -> MHD_Result {
        let found: Router.Found
        let beforeBody = state.bodyIsComing
        switch router.match(method: state.method, path: state.path) {
        case .notFound:
            return refuse(.notFound, state, connection, beforeBody: beforeBody)
        case .methodNotAllowed(let allowed):
            return refuse(.methodNotAllowed(allowed: allowed), state, connection, beforeBody: beforeBody)
        case .found(let match):
            found = match
        }
        state.found = found
        state.route = found.pattern
        guard beforeBody else { return .YES }
        if let routeLimit = found.body.maximumBytes { state.spooler.narrowLimit(to: routeLimit) }
        if state.spooler.limit == 0 {
            return refuse(.bodyNotAccepted, state, connection, beforeBody: true)
        }
        if let announced = state.announcedBodyBytes, announced > state.spooler.limit {
            return refuse(.bodyTooLarge(limit: state.spooler.limit), state, connection, beforeBody: true)
        }
        guard let admission = found.body.admission else {
            return reserveSpool(state, connection)
        }
        let request = state.makeRequest(body: .empty)
        state.phase = .admitting
        suspend(state, connection) {
            state.setAdmissionRefusal(await admission(request))
        }
        return .YES
    }

    /// The body may come: an announced one bound for disk takes its room in
    /// the spool now, or is refused unread.
    private func reserveSpool(_ state: ConnectionState, _ connection: OpaquePointer) -> MHD_Result {
        if let announced = state.announcedBodyBytes, !state.spooler.reserveAnnounced(announced) {
            return refuse(.spoolFull(retryAfterSeconds: Self.spoolRetryAfterSeconds), state, connection,
                          beforeBody: true)
        }
        return .YES
    }

    private func receive(_ chunk: UnsafeRawBufferPointer, _ state: ConnectionState) -> MHD_Result {
        // After a refusal the rest of the body is read and dropped: the
        // answer can only be queued once it is all in.
        guard state.refusal == nil else { return .YES }
        if Date().timeIntervalSince(state.startedAt) > configuration.requestDeadlineSeconds {
            logger.warning("request dropped: body still arriving after the deadline",
                           metadata: ["request.id": "\(state.id)"])
            return .NO
        }
        do {
            switch try state.spooler.append(chunk) {
            case .accepted:
                break
            case .overLimit:
                state.refusal = .bodyTooLarge(limit: state.spooler.limit)
                state.spooler.removeFile()
            case .spoolFull:
                state.refusal = .spoolFull(retryAfterSeconds: Self.spoolRetryAfterSeconds)
                state.spooler.removeFile()
            }
        } catch {
            logger.error("cannot spool request body", metadata: [
                "request.id": "\(state.id)", "error": "\(error)"])
            state.refusal = .bodyUnreadable
            state.spooler.removeFile()
        }
        return .YES
    }

    private func dispatch(_ state: ConnectionState, _ connection: OpaquePointer) {
        guard let found = state.found else { return }
        let request = state.makeRequest(body: state.spooler.finish())
        state.phase = .handling
        suspend(state, connection) {
            // Compressed here, on the handler's thread, never on libmicrohttpd's.
            state.setResponse(ResponseCompression.apply(to: await found.handler(request), request: request))
        }
    }

    /// Runs `work` as a task while the connection is suspended, so no
    /// libmicrohttpd thread waits on it; the task resumes the connection.
    private func suspend(_ state: ConnectionState, _ connection: OpaquePointer,
                         while work: @escaping @Sendable () async -> Void) {
        inFlight.enter()
        suspended.increment()
        state.markSuspended()
        MHD_suspend_connection(connection)
        let suspended = SuspendedConnection(pointer: connection)
        Task(executorPreference: handlerExecutor) { [inFlight] in
            await work()
            MHD_resume_connection(suspended.pointer)
            inFlight.leave()
        }
    }

    private func refuse(_ refusal: TransportRefusal, _ state: ConnectionState, _ connection: OpaquePointer,
                        beforeBody: Bool = false) -> MHD_Result {
        let response = refusalResponder(refusal, state.makeRequest(body: .empty))
        return beforeBody ? queueBeforeBody(response, state, connection) : queue(response, state, connection)
    }

    /// An answer queued while the body is still unread: libmicrohttpd will
    /// not read it and closes the connection after the answer, which says so.
    private func queueBeforeBody(_ response: Response, _ state: ConnectionState, _ connection: OpaquePointer) -> MHD_Result {
        var closing = response
        closing.setHeader("Connection", "close")
        return queue(closing, state, connection)
    }

    private func queue(_ response: Response, _ state: ConnectionState, _ connection: OpaquePointer) -> MHD_Result {
        state.status = response.status
        state.logMetadata = response.logMetadata
        guard let native = ResponseConversion.makeNative(response) else {
            logger.error("cannot build response", metadata: ["request.id": "\(state.id)"])
            return .NO
        }
        defer { MHD_destroy_response(native) }
        return MHD_queue_response(connection, UInt32(response.status), native)
    }

    fileprivate func connectionNotified(
        _ connection: OpaquePointer, _ socketContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>,
        _ code: MHD_ConnectionNotificationCode
    ) {
        switch code {
        case .CONNECTION_NOTIFY_STARTED:
            let descriptor = suivi_mhd_connection_fd(connection)
            guard descriptor >= 0 else { return }
            // The tracker keeps the entry alive until `closed`; the socket
            // context only points at it.
            socketContext.pointee = Unmanaged.passUnretained(tracker.opened(descriptor: descriptor)).toOpaque()
        case .CONNECTION_NOTIFY_CLOSED:
            guard let raw = socketContext.pointee else { return }
            socketContext.pointee = nil
            tracker.closed(Unmanaged<ConnectionTracker.Entry>.fromOpaque(raw).takeUnretainedValue())
        default:
            break
        }
    }

    fileprivate static func trackedEntry(of connection: OpaquePointer) -> ConnectionTracker.Entry? {
        suivi_mhd_socket_context(connection).map {
            Unmanaged<ConnectionTracker.Entry>.fromOpaque($0).takeUnretainedValue()
        }
    }

    fileprivate func completed(_ state: ConnectionState, connection: OpaquePointer?,
                               termination: MHD_RequestTerminationCode) {
        if let connection, let entry = Self.trackedEntry(of: connection) { tracker.requestFinished(entry) }
        if state.markResumed() { suspended.decrement() }
        state.spooler.removeFile()
        let milliseconds = Date().timeIntervalSince(state.startedAt) * 1000
        var metadata: Logger.Metadata = [
            "request.id": "\(state.id)",
            "request.method": "\(state.method)",
            "request.route": "\(state.route)",
            "response.status": "\(state.status)",
            "duration.ms": "\(Self.oneDecimal(milliseconds))",
        ]
        if termination != .REQUEST_TERMINATED_COMPLETED_OK {
            metadata["termination"] = "\(termination.rawValue)"
        }
        for (key, value) in state.logMetadata {
            metadata[key] = "\(value)"
        }
        logger.info("request", metadata: metadata)
    }
}

extension HTTPServer {
    /// `String(format: "%.1f", value)` through the C library directly: the
    /// same digits without Foundation's format parser, on every request.
    static func oneDecimal(_ value: Double) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            let written = withVaList([value]) { vsnprintf(buffer.baseAddress!, buffer.count, "%.1f", $0) }
            guard written >= 0, written < buffer.count else { return String(format: "%.1f", value) }
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(written)), as: UTF8.self)
        }
    }
}

public enum HTTPServerError: Error, CustomStringConvertible {
    case cannotStart(String)

    public var description: String {
        switch self {
        case .cannotStart(let reason): "cannot start the HTTP server: \(reason)"
        }
    }
}

/// A suspended connection handed to the task that will resume it.
private struct SuspendedConnection: @unchecked Sendable {
    // @unchecked: MHD_resume_connection is documented as safe from any thread.
    let pointer: OpaquePointer
}

private final class SuspendedCounter: @unchecked Sendable {
    // @unchecked: `value` is only touched under `lock`.
    private let lock = NSLock()
    private var value = 0

    var count: Int { lock.withLock { value } }
    func increment() { lock.withLock { value += 1 } }
    func decrement() { lock.withLock { value -= 1 } }
}

/// Short, unique, unguessable-enough ids that tie log lines of one request together.
private final class RequestIDGenerator: @unchecked Sendable {
    // @unchecked: `counter` is only touched under `lock`.
    private let lock = NSLock()
    private var counter: UInt64 = 0
    private let prefix = String(UInt32.random(in: 0...UInt32.max), radix: 36)

    func next() -> String {
        let value = lock.withLock { () -> UInt64 in
            counter += 1
            return counter
        }
        return "\(prefix)-\(String(value, radix: 36))"
    }
}

// MARK: - C entry points

private let accessHandler: MHD_AccessHandlerCallback = {
    context, connection, url, method, _, upload, uploadSize, slot in
    guard let context, let connection, let url, let method, let uploadSize, let slot else { return .NO }
    let server = Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue()
    return server.handle(
        connection: connection, url: String(cString: url), method: String(cString: method),
        upload: upload, uploadSize: uploadSize, slot: slot)
}

private let requestCompleted: MHD_RequestCompletedCallback = { context, connection, slot, termination in
    guard let context, let slot, let raw = slot.pointee else { return }
    slot.pointee = nil
    let server = Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue()
    let state = Unmanaged<ConnectionState>.fromOpaque(raw).takeRetainedValue()
    server.completed(state, connection: connection, termination: termination)
}

private let connectionEvent: MHD_NotifyConnectionCallback = { context, connection, socketContext, code in
    guard let context, let connection, let socketContext else { return }
    let server = Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue()
    server.connectionNotified(connection, socketContext, code)
}

private let daemonLog: suivi_mhd_log_callback = { context, message in
    guard let context, let message else { return }
    let server = Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue()
    server.logger.notice("libmicrohttpd: \(String(cString: message))")
}
