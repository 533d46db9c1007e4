import Foundation
import SuiviDomain
import SuiviStore

/// The forms Suivi serves, as published in the database: each form's
/// current version and state, every older version (to read old records),
/// drafts, and each version's media files. The shipped forms folder is
/// published into the database at start (a new version string only).
///
/// Publishing or closing a form changes what phones see at once: the
/// registry re-reads the database and swaps its snapshot, under a lock,
/// while requests read whole snapshots.
public final class FormRegistry: @unchecked Sendable {
    // @unchecked: `snapshot` is only read or replaced while holding `lock`.
    public struct LoadedForm: Sendable {
        public let definition: FormDefinition
        public let xml: Data
        public let md5: String
        public var state: FormState = .open
        /// The version's media and data files, without their bytes.
        public var media: [FormMediaFile] = []
        public var formID: String { definition.formID }
        public var version: String { definition.version }

        public init(definition: FormDefinition, xml: Data, md5: String, state: FormState = .open,
                    media: [FormMediaFile] = []) {
            self.definition = definition
            self.xml = xml
            self.md5 = md5
            self.state = state
            self.media = media
        }
    }

    public struct LoadError: Error, CustomStringConvertible {
        public let file: String
        public let reason: String
        public var description: String { "Formulaire inutilisable / unusable form \(file): \(reason)" }
    }

    private struct Snapshot {
        /// `FormStore.generation` when read: another process (`suivi form
        /// publish`) moving it makes the next form list read again.
        var generation = ""
        var current: [LoadedForm] = []
        var byVersion: [String: LoadedForm] = [:]
        var drafts: [String: LoadedForm] = [:]
        /// Every published version of each form, oldest first.
        var versions: [String: [FormDefinition]] = [:]
    }

    /// Files of the forms folder Suivi cannot serve, each with its reason:
    /// one bad form never stops the server, the others are served.
    public let unusable: [LoadError]
    let store: FormStore
    private let lock = NSLock()
    private var snapshot: Snapshot

    /// Publishes the forms of `directory` that the database lacks, then
    /// reads every form from the database. Throws only when the folder
    /// itself is missing or holds no XForm (a wrong `--forms` path).
    public init(directory: String, store: FormStore) throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".xml") }.sorted()
        guard !files.isEmpty else { throw LoadError(file: directory, reason: "no .xml form in this directory") }
        var unusable: [LoadError] = []
        var seen: [String: String] = [:]  // form id → file
        for file in files {
            if let problem = Self.publishShipped(file, in: directory, store: store, seen: &seen) { unusable.append(problem) }
        }
        self.unusable = unusable
        self.store = store
        self.snapshot = try Self.read(store)
    }

    /// The version phones get now of every form, whatever its state, in a
    /// stable order. Phones list only the `open` ones.
    public var current: [LoadedForm] { lock.withLock { snapshot.current } }

    /// The forms phones see in their form list.
    public var listed: [LoadedForm] { current.filter { $0.state.isListed } }

    public func currentForm(_ formID: String) -> LoadedForm? {
        lock.withLock { snapshot.current.first { $0.formID == formID } }
    }

    public func form(_ formID: String, version: String) -> LoadedForm? {
        lock.withLock { snapshot.byVersion[FormStore.mediaKey(formID: formID, version: version)] }
    }

    /// The current version's fields and those only older versions have:
    /// what an export of every version's records needs.
    public func exportDefinition(_ formID: String) -> FormDefinition? {
        lock.withLock {
            guard let current = snapshot.current.first(where: { $0.formID == formID })?.definition else { return nil }
            let older = (snapshot.versions[formID] ?? []).filter { $0.version != current.version }.reversed()
            return current.withFields(of: Array(older))
        }
    }

    public func draft(_ formID: String) -> LoadedForm? {
        lock.withLock { snapshot.drafts[formID] }
    }

    /// Drafts of forms never published yet (a new form being prepared).
    public var newDrafts: [LoadedForm] {
        lock.withLock {
            let current = Set(snapshot.current.map(\.formID))
            return snapshot.drafts.values.filter { !current.contains($0.formID) }.sorted { $0.formID < $1.formID }
        }
    }

    public func knows(formID: String) -> Bool {
        lock.withLock { snapshot.current.contains { $0.formID == formID } }
    }

    /// The forms of the database alone (the command line, publishing).
    package init(store: FormStore) throws {
        self.unusable = []
        self.store = store
        self.snapshot = try Self.read(store)
    }

    /// Reads the database again after a publish, a draft or a state change.
    public func reload() throws {
        let fresh = try Self.read(store)
        lock.withLock { snapshot = fresh }
    }

    /// Reads the database again when another process published or closed a
    /// form since the last read (one small query otherwise).
    public func reloadIfChanged() throws {
        let generation = try store.generation()
        guard generation != lock.withLock({ snapshot.generation }) else { return }
        try reload()
    }

    private static func read(_ store: FormStore) throws -> Snapshot {
        let generation = try store.generation()
        let media = try store.allMedia()
        let dataFiles = try store.allDataFiles()
        let states = Dictionary(uniqueKeysWithValues: try store.forms().map { ($0.formID, $0) })
        var snapshot = Snapshot(generation: generation)
        for version in try store.allVersions() {
            // Every stored version was readable when it was stored; one the
            // reader no longer understands is skipped rather than fatal.
            let key = FormStore.mediaKey(formID: version.formID, version: version.version)
            guard let definition = try? XFormParser.parse(version.xml, externalFiles: dataFiles[key] ?? [:]) else { continue }
            var form = LoadedForm(definition: definition, xml: version.xml, md5: version.md5, media: media[key] ?? [])
            switch version.status {
            case .draft:
                snapshot.drafts[version.formID] = form
            case .published:
                if let published = states[version.formID] { form.state = published.state }
                snapshot.byVersion[key] = form
                snapshot.versions[version.formID, default: []].append(definition)
            }
        }
        snapshot.current = states.values.sorted { $0.formID < $1.formID }.compactMap { published in
            snapshot.byVersion[FormStore.mediaKey(formID: published.formID, version: published.currentVersion)]
        }
        return snapshot
    }

    /// One file of the forms folder. A form changed without a new version
    /// is refused and the version already published stays served: phones
    /// that have it would never fetch the change.
    private static func publishShipped(_ file: String, in directory: String, store: FormStore,
                                       seen: inout [String: String]) -> LoadError? {
        let path = (directory as NSString).appendingPathComponent(file)
        let definition: FormDefinition
        let xml: Data
        do {
            xml = try Data(contentsOf: URL(fileURLWithPath: path))
            definition = try XFormParser.parse(xml)
        } catch {
            return LoadError(file: file, reason: "\(error)")
        }
        if let clash = seen[definition.formID] {
            return LoadError(file: file, reason: "form id '\(definition.formID)' is also used by \(clash); this one is not served")
        }
        seen[definition.formID] = file
        do {
            let outcome = try store.registerShipped(StoredFormVersion(
                formID: definition.formID, version: definition.version, title: definition.title, xml: xml,
                md5: Secrets.md5Hex(xml)))
            if outcome == .changedWithoutNewVersion {
                return LoadError(file: file, reason: "form '\(definition.formID)' changed but its version '\(definition.version)' did not; the version already published is still served: give the change a new version so phones fetch it")
            }
        } catch {
            return LoadError(file: file, reason: "cannot record the form version: \(error)")
        }
        return nil
    }
}
