import Foundation
import Logging
import SuiviApp
import SuiviHTTP
import Testing

/// The server refuses to start on a form it cannot use, saying which and why.
@Suite struct FormLoadingTests {
    private func start(with forms: [String: String]) throws -> Error? {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("suivi-forms-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let formsDirectory = directory.appendingPathComponent("Forms")
        try FileManager.default.createDirectory(at: formsDirectory, withIntermediateDirectories: true)
        for (name, content) in forms {
            try Data(content.utf8).write(to: formsDirectory.appendingPathComponent(name))
        }
        let configuration = AppConfiguration(
            databasePath: directory.appendingPathComponent("db.sqlite").path, formsDirectory: formsDirectory.path,
            server: ServerConfiguration(port: 0))
        do {
            _ = try SuiviApplication(configuration: configuration, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            return nil
        } catch {
            return error
        }
    }

    @Test func aFormThatIsNotXMLStopsTheStartWithItsName() throws {
        let error = try start(with: ["broken.xml": "<h:html"])
        #expect("\(error!)".contains("broken.xml"))
    }

    @Test func aFormWithAnUnreadableConstraintStopsTheStart() throws {
        let form = try String(contentsOf: repositoryRoot.appendingPathComponent("Forms/causerie.xml"), encoding: .utf8)
            .replacingOccurrences(of: "constraint=\". &gt;= 0\"", with: "constraint=\". &gt;= \"")
        let error = try start(with: ["causerie.xml": form])
        #expect("\(error!)".contains("constraint"))
    }

    @Test func twoFilesWithOneFormIDStopTheStart() throws {
        let form = try String(contentsOf: repositoryRoot.appendingPathComponent("Forms/causerie.xml"), encoding: .utf8)
        let error = try start(with: ["a.xml": form, "b.xml": form])
        #expect("\(error!)".contains("causerie"))
    }

    @Test func anEmptyFormsDirectoryStopsTheStart() throws {
        #expect(try start(with: [:]) != nil)
    }

    @Test func theShippedFormsLoad() throws {
        var forms: [String: String] = [:]
        for name in ["visite.xml", "emission_radio.xml", "causerie.xml"] {
            forms[name] = try String(contentsOf: repositoryRoot.appendingPathComponent("Forms/\(name)"), encoding: .utf8)
        }
        #expect(try start(with: forms) == nil)
    }
}
