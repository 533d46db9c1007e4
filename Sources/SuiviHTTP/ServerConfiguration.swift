import Foundation

/// Where the server listens and the limits that keep one client from hurting
/// the others.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: UInt16
    /// Bodies larger than this are refused with 413 (before reading them when
    /// the client announces Content-Length).
    public var maximumBodyBytes: Int
    /// Bodies up to this size stay in memory; larger ones are spooled to disk.
    public var inMemoryBodyBytes: Int
    public var spoolDirectory: String
    /// The most the spool may hold on disk at once, all requests together: a
    /// body that would take it past this is refused with 503 (and
    /// `Retry-After`) before it is read.
    public var spoolLimitBytes: Int
    public var connectionLimit: UInt32
    /// Behind the reverse proxy of docs/production.md every connection comes
    /// from its one address, so this bounds the proxy as much as any client.
    public var perAddressConnectionLimit: UInt32
    /// Connections kept for newcomers: once more than `connectionLimit -
    /// reservedConnections` are open, each new one closes the connection that
    /// has waited longest for a complete request head (a slow client, or an
    /// idle kept-alive one). Connections busy with a request are never closed.
    public var reservedConnections: UInt32
    /// A connection that sends nothing for this long is closed.
    public var inactivityTimeoutSeconds: UInt32
    /// A new connection must deliver its whole request head within this time,
    /// however steadily it trickles. A kept-alive connection gets the longer
    /// of this and `inactivityTimeoutSeconds` from the end of its previous
    /// answer, so a proxy reusing idle connections for less than the
    /// inactivity timeout never meets a connection being closed.
    public var headerDeadlineSeconds: Double
    /// A request whose body is still arriving after this long is dropped.
    public var requestDeadlineSeconds: Double
    public var threadPoolSize: UInt32
    /// Threads that run request handlers (`HandlerExecutor`), at nice 5:
    /// by default one per core, as Swift's own pool has. More (eight on two
    /// cores) took the CPU from the group commit every phone waits on: -10 %
    /// ingest, docs/benchmarks.md. The long blocking jobs (exports, password
    /// hashing) have threads of their own (`BlockingWork`).
    public var handlerThreads: Int

    /// One per core, at least two.
    public static var defaultHandlerThreads: Int { max(2, ProcessInfo.processInfo.activeProcessorCount) }

    public init(
        host: String = "127.0.0.1",
        port: UInt16 = 8080,
        maximumBodyBytes: Int = 64 << 20,
        inMemoryBodyBytes: Int = 256 << 10,
        spoolDirectory: String = NSTemporaryDirectory(),
        connectionLimit: UInt32 = 1000,
        perAddressConnectionLimit: UInt32 = 256,
        inactivityTimeoutSeconds: UInt32 = 30,
        requestDeadlineSeconds: Double = 300,
        threadPoolSize: UInt32 = 2,
        spoolLimitBytes: Int = 512 << 20,
        reservedConnections: UInt32 = 100,
        headerDeadlineSeconds: Double = 15,
        handlerThreads: Int = ServerConfiguration.defaultHandlerThreads
    ) {
        self.handlerThreads = handlerThreads
        self.host = host
        self.port = port
        self.maximumBodyBytes = maximumBodyBytes
        self.inMemoryBodyBytes = inMemoryBodyBytes
        self.spoolDirectory = spoolDirectory
        self.connectionLimit = connectionLimit
        self.perAddressConnectionLimit = perAddressConnectionLimit
        self.inactivityTimeoutSeconds = inactivityTimeoutSeconds
        self.requestDeadlineSeconds = requestDeadlineSeconds
        self.threadPoolSize = threadPoolSize
        self.spoolLimitBytes = spoolLimitBytes
        self.reservedConnections = reservedConnections
        self.headerDeadlineSeconds = headerDeadlineSeconds
    }
}

/// Refusals the server itself makes before a handler runs; the application
/// decides how they are worded (JSON or OpenRosa XML, French first).
public enum TransportRefusal: Sendable, Equatable {
    case bodyTooLarge(limit: Int)
    /// A body sent to a route that takes none.
    case bodyNotAccepted
    /// The spool is at `spoolLimitBytes`; worth trying again later.
    case spoolFull(retryAfterSeconds: Int)
    case notFound
    case methodNotAllowed(allowed: [String])
    case bodyUnreadable
}
