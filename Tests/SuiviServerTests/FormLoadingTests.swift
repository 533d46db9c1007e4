import Foundation
import Logging
import SuiviApp
import SuiviHTTP
import Testing

/// One bad form never stops the server (issue 15): it starts with the
/// others and says which files it does not serve, and why.
@Suite struct FormLoadingTests {
    private func start(with forms: [String: String], in directory: URL? = nil) throws -> Result<FormRegistry, Error> {
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("suivi-forms-\(UUID().uuidString)")
        defer { if directory == nil { try? FileManager.default.removeItem(at: temporary) } }
        let directory = directory ?? temporary
        let formsDirectory = directory.appendingPathComponent("Forms")
        try FileManager.default.createDirectory(at: formsDirectory, withIntermediateDirectories: true)
        for (name, content) in forms {
            try Data(content.utf8).write(to: formsDirectory.appendingPathComponent(name))
        }
        let configuration = AppConfiguration(
            databasePath: directory.appendingPathComponent("db.sqlite").path, formsDirectory: formsDirectory.path,
            server: ServerConfiguration(port: 0))
        do {
            let application = try SuiviApplication(
                configuration: configuration, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            return .success(application.forms)
        } catch {
            return .failure(error)
        }
    }

    private func shipped(_ name: String) throws -> String {
        try String(contentsOf: repositoryRoot.appendingPathComponent("Forms/\(name)"), encoding: .utf8)
    }

    @Test func aFormThatIsNotXMLIsListedAndTheOthersAreServed() throws {
        let forms = try start(with: ["broken.xml": "<h:html", "causerie.xml": try shipped("causerie.xml")]).get()
        #expect(forms.current.map(\.formID) == ["causerie"])
        #expect(forms.unusable.map(\.file) == ["broken.xml"])
        #expect(forms.unusable.first?.reason.contains("not readable XML") == true)
    }

    @Test func aFormWithAnUnreadableConstraintIsListedWithItsQuestion() throws {
        let form = try shipped("causerie.xml").replacingOccurrences(of: "constraint=\". &gt;= 0\"", with: "constraint=\". &gt;= \"")
        let forms = try start(with: ["causerie.xml": form, "visite.xml": try shipped("visite.xml")]).get()
        #expect(forms.current.map(\.formID) == ["visite"])
        #expect(forms.unusable.first?.reason.contains("constraint") == true)
    }

    @Test func theSecondFileWithOneFormIDIsNotServed() throws {
        let form = try shipped("causerie.xml")
        let forms = try start(with: ["a.xml": form, "b.xml": form]).get()
        #expect(forms.current.count == 1)
        #expect(forms.unusable.map(\.file) == ["b.xml"])
        #expect(forms.unusable.first?.reason.contains("causerie") == true)
    }

    /// Phones that have version 1 would never fetch a change made under the
    /// same version: the change is refused and version 1 stays served.
    @Test func aFormChangedWithoutANewVersionKeepsThePublishedOne() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("suivi-forms-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = try shipped("causerie.xml")
        let first = try start(with: ["causerie.xml": original], in: directory).get()
        let changed = original.replacingOccurrences(of: "</h:title>", with: " (modifié)</h:title>")
        let second = try start(with: ["causerie.xml": changed], in: directory).get()
        #expect(second.current.first?.md5 == first.current.first?.md5)
        #expect(second.current.first?.xml == Data(original.utf8))
        #expect(second.unusable.first?.reason.contains("did not") == true)
    }

    @Test func anEmptyFormsDirectoryStopsTheStart() throws {
        #expect(throws: (any Error).self) { try start(with: [:]).get() }
    }

    @Test func theShippedFormsLoad() throws {
        var forms: [String: String] = [:]
        for name in ["visite.xml", "emission_radio.xml", "causerie.xml"] {
            forms[name] = try shipped(name)
        }
        let registry = try start(with: forms).get()
        #expect(registry.current.count == 3)
        #expect(registry.unusable.isEmpty)
        #expect(registry.current.allSatisfy { $0.definition.warnings.isEmpty })
    }
}
