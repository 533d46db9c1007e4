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
    /// The forms served, and the files of the forms folder that are not.
    public let forms: FormRegistry
    private let server: HTTPServer
    private let resolvedBaseURL: BaseURLBox
    private let writer: SubmissionWriter
    private let logger: Logger
    private let changes = ChangeFeed()

    public init(configuration: AppConfiguration, logger: Logger) throws {
        self.logger = logger
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
        self.forms = forms
        for problem in forms.unusable {
            logger.error("form not served", metadata: ["form.file": "\(problem.file)", "reason": "\(problem.reason)"])
        }
        for form in forms.current where !form.definition.warnings.isEmpty {
            logger.warning("form served with warnings", metadata: [
                "form.id": "\(form.formID)", "warnings": "\(form.definition.warnings.joined(separator: "; "))"])
        }
        let baseURL = BaseURLBox(configuration.baseURL)
        resolvedBaseURL = baseURL
        let metrics = Metrics(formIDs: forms.current.map(\.formID))
        let changes = self.changes
        let writer = SubmissionWriter(database: database, logger: logger, batchObserver: { size in
            metrics.recordBatch(size: size)
        }, commitObserver: { _ in changes.bump() })
        self.writer = writer
        let context = try AppContext(
            configuration: configuration, database: database, forms: forms, writer: writer,
            attachments: try AttachmentStore(directory: configuration.attachmentsDirectory),
            metrics: metrics, guessing: GuessingLimiter(limits: configuration.guessingLimits),
            logger: logger, baseURL: { baseURL.value },
            changes: changes)
        let routes = Routes.make(context)
        server = HTTPServer(
            configuration: serverConfiguration, router: routes.router, logger: logger,
            refusalResponder: { refusal, request in
                let pattern = routes.pattern(method: request.method, path: request.path)
                let response = ProblemRendering.response(Self.problem(refusal), format: routes.format(pattern: pattern, path: request.path),
                                                         request: request)
                Self.count(refusal, request, response, pattern: pattern, metrics: metrics)
                return response
            })
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
        // Remembered for `person add`; not worth refusing to start over: on a
        // full disk the server must still come up and answer 503.
        do {
            try PeopleStore(database: database).setSetting("base_url", resolvedBaseURL.value)
        } catch {
            logger.warning("cannot remember the base URL", metadata: ["error": "\(error)"])
        }
    }

    public func stop() async {
        changes.close()
        await server.stop()
        writer.shutdown()
    }

    public var port: UInt16 { server.port }
    public var baseURL: String { resolvedBaseURL.value }

    /// Counts a refusal under the route it was meant for (a body too large
    /// for `POST /key/:token/submission`), or as unmatched.
    private static func count(_ refusal: TransportRefusal, _ request: Request, _ response: Response,
                              pattern: String?, metrics: Metrics) {
        let counted: String? = switch refusal {
        case .bodyTooLarge, .bodyNotAccepted, .spoolFull, .bodyUnreadable: pattern
        case .notFound, .methodNotAllowed: nil
        }
        metrics.recordRefusal(method: request.method, pattern: counted, status: response.status)
    }

    /// Refusals made before any handler runs, as Problems.
    private static func problem(_ refusal: TransportRefusal) -> Problem {
        switch refusal {
        case .bodyTooLarge(let limit): .bodyTooLarge(limit: limit)
        case .bodyNotAccepted: .bodyNotExpected()
        case .spoolFull(let seconds): .spoolFull(retryAfterSeconds: seconds)
        case .notFound: .notFound()
        case .methodNotAllowed(let allowed): .methodNotAllowed(allowed)
        case .bodyUnreadable: .storageUnavailable("request body could not be spooled")
        }
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
