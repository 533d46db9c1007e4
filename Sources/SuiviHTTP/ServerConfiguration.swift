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
    public var connectionLimit: UInt32
    public var perAddressConnectionLimit: UInt32
    /// A connection that sends nothing for this long is closed.
    public var inactivityTimeoutSeconds: UInt32
    /// A request whose body is still arriving after this long is dropped.
    public var requestDeadlineSeconds: Double
    public var threadPoolSize: UInt32

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
        threadPoolSize: UInt32 = 2
    ) {
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
    }
}

/// Refusals the server itself makes before a handler runs; the application
/// decides how they are worded (JSON or OpenRosa XML, French first).
public enum TransportRefusal: Sendable, Equatable {
    case bodyTooLarge(limit: Int)
    case notFound
    case methodNotAllowed(allowed: [String])
    case bodyUnreadable
}
