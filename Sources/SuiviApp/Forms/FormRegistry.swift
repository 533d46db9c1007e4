import Foundation
import SuiviDomain
import SuiviStore

/// The forms Suivi serves: every XForm in `Forms/`, parsed and checked at
/// start, plus every older version kept in the database for reading old
/// records.
public struct FormRegistry: Sendable {
    public struct LoadedForm: Sendable {
        public let definition: FormDefinition
        public let xml: Data
        public let md5: String
        public var formID: String { definition.formID }
        public var version: String { definition.version }
    }

    public struct LoadError: Error, CustomStringConvertible {
        public let file: String
        public let reason: String
        public var description: String { "Formulaire inutilisable / unusable form \(file): \(reason)" }
    }

    /// The versions phones get now, by form id, in a stable order.
    public let current: [LoadedForm]
    /// Files of the forms folder Suivi cannot serve, each with its reason:
    /// one bad form never stops the server, the others are served.
    public let unusable: [LoadError]
    private let byVersion: [String: LoadedForm]

    /// Reads every form of `directory`. Throws only when the folder itself
    /// is missing or holds no XForm (a wrong `--forms` path).
    public init(directory: String, store: FormStore) throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".xml") }.sorted()
        guard !files.isEmpty else { throw LoadError(file: directory, reason: "no .xml form in this directory") }
        var stored: [String: LoadedForm] = [:]
        for version in try store.allVersions() {
            if let definition = try? XFormParser.parse(version.xml) {
                stored[Self.key(version.formID, version.version)] = LoadedForm(definition: definition, xml: version.xml, md5: version.md5)
            }
        }
        var current: [LoadedForm] = []
        var unusable: [LoadError] = []
        for file in files {
            let loaded = Self.load(file, in: directory, store: store, stored: stored, current: current)
            if let form = loaded.form { current.append(form) }
            if let problem = loaded.problem { unusable.append(problem) }
        }
        var byVersion = stored
        for form in current { byVersion[Self.key(form.formID, form.version)] = form }
        self.current = current
        self.unusable = unusable
        self.byVersion = byVersion
    }

    /// One file of the forms folder: the form to serve, and what is wrong
    /// with the file. A form changed without a new version is refused and
    /// the version already published stays served: phones that have it
    /// would never fetch the change.
    private static func load(_ file: String, in directory: String, store: FormStore, stored: [String: LoadedForm],
                             current: [LoadedForm]) -> (form: LoadedForm?, problem: LoadError?) {
        let path = (directory as NSString).appendingPathComponent(file)
        let definition: FormDefinition
        let xml: Data
        do {
            xml = try Data(contentsOf: URL(fileURLWithPath: path))
            definition = try XFormParser.parse(xml)
        } catch {
            return (nil, LoadError(file: file, reason: "\(error)"))
        }
        if let clash = current.first(where: { $0.formID == definition.formID }) {
            return (nil, LoadError(file: file, reason: "form id '\(definition.formID)' is also used by another file (version \(clash.version)); this one is not served"))
        }
        let form = LoadedForm(definition: definition, xml: xml, md5: Secrets.md5Hex(xml))
        do {
            let outcome = try store.register(StoredFormVersion(
                formID: definition.formID, version: definition.version, title: definition.title, xml: xml, md5: form.md5))
            if outcome == .changedWithoutNewVersion {
                return (stored[key(definition.formID, definition.version)], LoadError(file: file, reason: "form '\(definition.formID)' changed but its version '\(definition.version)' did not; the version already published is still served: give the change a new version so phones fetch it"))
            }
        } catch {
            return (nil, LoadError(file: file, reason: "cannot record the form version: \(error)"))
        }
        return (form, nil)
    }

    public func currentForm(_ formID: String) -> LoadedForm? {
        current.first { $0.formID == formID }
    }

    public func form(_ formID: String, version: String) -> LoadedForm? {
        byVersion[Self.key(formID, version)]
    }

    public func knows(formID: String) -> Bool {
        byVersion.values.contains { $0.formID == formID }
    }

    private static func key(_ formID: String, _ version: String) -> String {
        formID + "\u{1F}" + version
    }
}
