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
    private let byVersion: [String: LoadedForm]

    public init(directory: String, store: FormStore) throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".xml") }.sorted()
        guard !files.isEmpty else { throw LoadError(file: directory, reason: "no .xml form in this directory") }
        var current: [LoadedForm] = []
        for file in files {
            let path = (directory as NSString).appendingPathComponent(file)
            let xml = try Data(contentsOf: URL(fileURLWithPath: path))
            let definition: FormDefinition
            do {
                definition = try XFormParser.parse(xml)
            } catch {
                throw LoadError(file: file, reason: "\(error)")
            }
            if let clash = current.first(where: { $0.formID == definition.formID }) {
                throw LoadError(file: file, reason: "form id '\(definition.formID)' is also used by another file (version \(clash.version))")
            }
            let form = LoadedForm(definition: definition, xml: xml, md5: Secrets.md5Hex(xml))
            let outcome = try store.register(StoredFormVersion(
                formID: definition.formID, version: definition.version, title: definition.title, xml: xml, md5: form.md5))
            if outcome == .changedWithoutNewVersion {
                throw LoadError(file: file, reason: "form '\(definition.formID)' changed but its version '\(definition.version)' did not; give it a new version so phones fetch it again")
            }
            current.append(form)
        }
        var byVersion: [String: LoadedForm] = [:]
        for stored in try store.allVersions() {
            if let definition = try? XFormParser.parse(stored.xml) {
                byVersion[Self.key(stored.formID, stored.version)] = LoadedForm(definition: definition, xml: stored.xml, md5: stored.md5)
            }
        }
        for form in current { byVersion[Self.key(form.formID, form.version)] = form }
        self.current = current
        self.byVersion = byVersion
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
