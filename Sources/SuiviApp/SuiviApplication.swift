import Foundation
import Logging
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// Suivi assembled: database opened and migrated, forms loaded and checked,
/// routes wired, HTTP server started. Tests start one on port 0.
public final class SuiviApplication: Sendable {
    public let configuration: AppConfiguration
    public let database: SuiviDatabase
    private let server: HTTPServer
    private let resolvedBaseURL: BaseURLBox
    private let writer: SubmissionWriter

    public init(configuration: AppConfiguration, logger: Logger) throws {
        self.configuration = configuration
        var serverConfiguration = configuration.server
        try FileManager.default.createDirectory(
            atPath: configuration.attachmentsDirectory, withIntermediateDirectories: true)
        let spool = configuration.attachmentsDirectory + "/tmp"
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        serverConfiguration.spoolDirectory = spool

        database = try SuiviDatabase(path: configuration.databasePath)
        let formStore = FormStore(database: database)
        let forms = try FormRegistry(directory: configuration.formsDirectory, store: formStore)
        let baseURL = BaseURLBox(configuration.baseURL)
        resolvedBaseURL = baseURL
        let writer = SubmissionWriter(database: database, logger: logger)
        self.writer = writer
        let context = AppContext(
            configuration: configuration, database: database,
            people: PeopleStore(database: database), apiKeys: APIKeyStore(database: database),
            submissions: SubmissionStore(database: database), forms: forms,
            departements: try PeopleStore(database: database).allDepartements(),
            writer: writer,
            attachments: try AttachmentStore(directory: configuration.attachmentsDirectory),
            logger: logger, baseURL: { baseURL.value })
        server = HTTPServer(
            configuration: serverConfiguration, router: Routes.make(context), logger: logger,
            refusalResponder: Self.refusal)
    }

    deinit {
        writer.shutdown()
    }

    public func start() throws {
        try server.start()
        if configuration.baseURL == nil {
            let host = configuration.server.host.contains(":") ? "[\(configuration.server.host)]" : configuration.server.host
            resolvedBaseURL.value = "http://\(host):\(server.port)"
        }
        try PeopleStore(database: database).setSetting("base_url", resolvedBaseURL.value)
    }

    public func stop() async {
        await server.stop()
        writer.shutdown()
    }

    public var port: UInt16 { server.port }
    public var baseURL: String { resolvedBaseURL.value }

    /// Refusals made before any handler runs, worded for the route's client.
    private static func refusal(_ refusal: TransportRefusal, _ request: Request) -> Response {
        let problem: Problem = switch refusal {
        case .bodyTooLarge(let limit): .bodyTooLarge(limit: limit)
        case .notFound: .notFound()
        case .methodNotAllowed(let allowed): .methodNotAllowed(allowed)
        case .bodyUnreadable: .storageUnavailable("request body could not be spooled")
        }
        if request.path.hasPrefix("/key/") {
            return OpenRosaResponses.problem(problem, language: Language(request))
        }
        var response = ProblemRendering.json(problem)
        if case .methodNotAllowed(let allowed) = refusal {
            response.headers.append(("Allow", allowed.joined(separator: ", ")))
        }
        return response
    }
}

/// The base URL, known only once the port is bound.
final class BaseURLBox: @unchecked Sendable {
    // @unchecked: `stored` is only touched under `lock`.
    private let lock = NSLock()
    private var stored: String

    init(_ initial: String?) {
        stored = initial ?? ""
    }

    var value: String {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
