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
    }

    deinit {
        stopBlocking()
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
                    daemonLog, context, &errorText, errorText.count)
            }
            guard let started else {
                throw HTTPServerError.cannotStart(String(nulTerminated: errorText))
            }
            daemon = started
            boundPort = suivi_mhd_bound_port(started)
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
        MHD_stop_daemon(running)
    }

    // MARK: - Callbacks from libmicrohttpd

    fileprivate func handle(
        connection: OpaquePointer, url: String, method: String,
        upload: UnsafePointer<CChar>?, uploadSize: UnsafeMutablePointer<Int>,
        slot: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    ) -> MHD_Result {
        guard let existing = slot.pointee else {
            let state = ConnectionState(
                id: requestIDs.next(), connection: connection, url: url, method: method,
                configuration: configuration)
            slot.pointee = Unmanaged.passRetained(state).toOpaque()
            if let announced = state.headers["Content-Length"].flatMap(Int.init),
               announced > configuration.maximumBodyBytes {
                return refuse(.bodyTooLarge(limit: configuration.maximumBodyBytes), state, connection)
            }
            return .YES
        }
        let state = Unmanaged<ConnectionState>.fromOpaque(existing).takeUnretainedValue()

        if uploadSize.pointee > 0 {
            let chunk = UnsafeRawBufferPointer(start: upload, count: uploadSize.pointee)
            uploadSize.pointee = 0
            guard state.refusal == nil else { return .YES }
            if Date().timeIntervalSince(state.startedAt) > configuration.requestDeadlineSeconds {
                logger.warning("request dropped: body still arriving after the deadline",
                               metadata: ["request.id": "\(state.id)"])
                return .NO
            }
            do {
                if try state.spooler.append(chunk) == .overLimit {
                    state.refusal = .bodyTooLarge(limit: configuration.maximumBodyBytes)
                    state.spooler.removeFile()
                }
            } catch {
                logger.error("cannot spool request body", metadata: [
                    "request.id": "\(state.id)", "error": "\(error)"])
                state.refusal = .bodyUnreadable
            }
            return .YES
        }

        if let response = state.takeResponse() {
            if state.markResumed() { suspended.decrement() }
            return queue(response, state, connection)
        }
        if let refusal = state.refusal {
            return refuse(refusal, state, connection)
        }
        guard !state.dispatched else { return .YES }
        state.dispatched = true
        dispatch(state, connection)
        return .YES
    }

    private func dispatch(_ state: ConnectionState, _ connection: OpaquePointer) {
        var request = state.makeRequest(body: state.spooler.finish())
        let match = router.match(method: request.method, path: request.path)
        switch match {
        case .notFound:
            _ = refuse(.notFound, state, connection)
            return
        case .methodNotAllowed(let allowed):
            _ = refuse(.methodNotAllowed(allowed: allowed), state, connection)
            return
        case .found(let handler, let parameters, let pattern):
            request.parameters = parameters
            request.route = pattern
            state.route = pattern
            inFlight.enter()
            suspended.increment()
            state.markSuspended()
            MHD_suspend_connection(connection)
            let suspended = SuspendedConnection(pointer: connection)
            Task { [inFlight] in
                let response = await handler(request)
                state.setResponse(response)
                MHD_resume_connection(suspended.pointer)
                inFlight.leave()
            }
        }
    }

    private func refuse(_ refusal: TransportRefusal, _ state: ConnectionState, _ connection: OpaquePointer) -> MHD_Result {
        let response = refusalResponder(refusal, state.makeRequest(body: .empty))
        return queue(response, state, connection)
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

    fileprivate func completed(_ state: ConnectionState, termination: MHD_RequestTerminationCode) {
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

private let requestCompleted: MHD_RequestCompletedCallback = { context, _, slot, termination in
    guard let context, let slot, let raw = slot.pointee else { return }
    slot.pointee = nil
    let server = Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue()
    let state = Unmanaged<ConnectionState>.fromOpaque(raw).takeRetainedValue()
    server.completed(state, termination: termination)
}

private let daemonLog: suivi_mhd_log_callback = { context, message in
    guard let context, let message else { return }
    let server = Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue()
    server.logger.notice("libmicrohttpd: \(String(cString: message))")
}
