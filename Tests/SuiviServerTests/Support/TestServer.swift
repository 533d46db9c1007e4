import Foundation
import SuiviAdmin
import Logging
import SuiviApp
import SuiviHTTP
import SuiviStore

/// The repository root, found from this file's place.
let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A real Suivi on 127.0.0.1, a fresh SQLite file in a temporary directory,
/// one resource person and an admin API key.
struct TestServer: Sendable {
    let application: SuiviApplication
    let client: TestClient
    let administration: Administration
    let directory: URL
    let logs: CapturedLogs
    /// `/key/TOKEN` of the first resource person.
    let linkPath: String
    let token: String
    let personID: Int64
    let adminKey: String

    var databasePath: String { application.configuration.databasePath }

    /// Answers from the database file itself, bypassing the server.
    func query<T: Sendable>(_ sql: String) throws -> [T] {
        try SQLiteProbe.values(databasePath, sql)
    }

    func addPerson(name: String = "Fatou Sarr", departement: String = "Pikine") throws -> String {
        let (_, link) = try administration.addPerson(
            name: name, phone: "76 000 00 00", departement: departement, organisation: nil, baseURL: application.baseURL)
        return String(link.dropFirst(application.baseURL.count))
    }
}

/// Starts a test server, runs `body`, and always stops and removes it.
/// With `logfmtOutput`, the server's log lines are also written there as
/// `suivi serve` writes them (`LogfmtLogHandler`).
func withTestServer(
    extraForms: [String] = [],
    logfmtOutput: FileHandle? = nil,
    configure: (inout AppConfiguration) -> Void = { _ in },
    _ body: (TestServer) async throws -> Void
) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("suivi-test-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let forms = directory.appendingPathComponent("Forms")
    try FileManager.default.createDirectory(at: forms, withIntermediateDirectories: true)
    for name in ["visite.xml", "emission_radio.xml", "causerie.xml"] {
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("Forms/\(name)"),
                                         to: forms.appendingPathComponent(name))
    }
    for fixture in extraForms {
        try FileManager.default.copyItem(
            at: repositoryRoot.appendingPathComponent("Tests/SuiviServerTests/Fixtures/\(fixture)"),
            to: forms.appendingPathComponent(fixture))
    }
    var configuration = AppConfiguration(
        databasePath: directory.appendingPathComponent("suivi.sqlite").path,
        formsDirectory: forms.path,
        publicDirectory: repositoryRoot.appendingPathComponent("Public").path,
        server: ServerConfiguration(host: "127.0.0.1", port: 0))
    configure(&configuration)
    let logs = CapturedLogs()
    let logger = Logger(label: "suivi-test") { label in
        guard let logfmtOutput else { return CapturingLogHandler(storage: logs) }
        return MultiplexLogHandler([CapturingLogHandler(storage: logs), LogfmtLogHandler(label: label, output: logfmtOutput)])
    }
    // Migrations run, forms loaded, first accounts made: blocking work, done on a
    // thread of its own so forty suites starting at once never hold Swift
    // concurrency's two threads that the test bodies resume on.
    let server = try await blocking { [configuration] () throws -> TestServer in
        let application = try SuiviApplication(configuration: configuration, logger: logger)
        try application.start()
        let administration = Administration(database: application.database)
        let (person, link) = try administration.addPerson(
            name: "Awa Ndiaye", phone: "77 123 45 67", departement: "Guédiawaye", organisation: "OPA Couture",
            baseURL: application.baseURL)
        let linkPath = String(link.dropFirst(application.baseURL.count))
        let (_, adminKey) = try administration.addAPIKey(name: "test admin", role: .admin, region: nil)
        return TestServer(
            application: application, client: TestClient(port: application.port), administration: administration,
            directory: directory, logs: logs, linkPath: linkPath,
            token: String(linkPath.dropFirst("/key/".count)), personID: person.id, adminKey: adminKey)
    }
    let application = server.application
    do {
        try await body(server)
    } catch {
        await application.stop()
        throw error
    }
    await application.stop()
}

/// Log lines kept in memory so tests can check what the server writes.
final class CapturedLogs: @unchecked Sendable {
    // @unchecked: `lines` is only touched under `lock`.
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

struct CapturingLogHandler: LogHandler {
    let storage: CapturedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let rendered = merged.keys.sorted().map { "\($0)=\(merged[$0]!)" }.joined(separator: " ")
        storage.append("\(event.level) \(event.message) \(rendered)")
        if event.level >= .error {
            FileHandle.standardError.write(Data("server log: \(event.level) \(event.message) \(rendered)\n".utf8))
        }
    }
}
