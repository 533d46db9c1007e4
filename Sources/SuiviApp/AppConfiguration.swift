import Foundation
import SuiviHTTP

/// Where things are and how the server is reached.
public struct AppConfiguration: Sendable {
    public var databasePath: String
    public var formsDirectory: String
    public var publicDirectory: String
    public var attachmentsDirectory: String
    /// The address phones use to reach Suivi (behind a proxy, the public one).
    /// Nil means "http://host:port" of the listening socket.
    public var baseURL: String?
    public var server: ServerConfiguration
    /// Announced to ODK Collect, which splits larger uploads into several requests.
    public var openRosaAcceptContentLength: Int
    /// SHA-256 (lower-case hex, `Secrets.sha256Hex`) of the bearer token
    /// `/metrics` requires; nil means none (then `/metrics` answers only when
    /// listening on loopback). The token itself is never kept.
    public var metricsTokenSHA256: String?
    /// Failed link and key lookups allowed per client address before 429.1.
    public var guessingLimits: GuessingLimits
    /// How long a coordinator's session lasts.
    public var sessionLimits = SessionLimits()
    /// Wrong passwords allowed per login and address, per address and per login.
    public var signInLimits = SignInLimits()

    public init(databasePath: String, formsDirectory: String = "Forms", publicDirectory: String = "Public",
                attachmentsDirectory: String? = nil, baseURL: String? = nil,
                server: ServerConfiguration = ServerConfiguration(), openRosaAcceptContentLength: Int = 10_000_000,
                metricsTokenSHA256: String? = nil, guessingLimits: GuessingLimits = GuessingLimits()) {
        self.databasePath = databasePath
        self.formsDirectory = formsDirectory
        self.publicDirectory = publicDirectory
        self.attachmentsDirectory = attachmentsDirectory ?? Self.defaultAttachmentsDirectory(for: databasePath)
        self.baseURL = baseURL
        self.server = server
        self.openRosaAcceptContentLength = openRosaAcceptContentLength
        self.metricsTokenSHA256 = metricsTokenSHA256
        self.guessingLimits = guessingLimits
    }

    /// `suivi.sqlite` keeps its files in `suivi.sqlite-attachments/` beside it.
    public static func defaultAttachmentsDirectory(for databasePath: String) -> String {
        databasePath + "-attachments"
    }
}

/// A session ends after `idleSeconds` without a request, and in any case
/// `absoluteSeconds` after sign-in.
public struct SessionLimits: Sendable {
    public var idleSeconds: TimeInterval = 2 * 3600
    public var absoluteSeconds: TimeInterval = 12 * 3600

    public init(idleSeconds: TimeInterval = 2 * 3600, absoluteSeconds: TimeInterval = 12 * 3600) {
        self.idleSeconds = idleSeconds
        self.absoluteSeconds = absoluteSeconds
    }
}
