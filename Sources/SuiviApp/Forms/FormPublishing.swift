import Foundation
import SuiviDomain
import SuiviStore

/// Drafts and publishing, for the API and the command line alike: a file
/// (XLSForm or XForm) and its media in, a draft stored, then published.
package struct FormPublishing: Sendable {
    let store: FormStore
    let registry: FormRegistry
    let converter: XLSFormConverter

    /// On a database alone, for the command line.
    package init(database: SuiviDatabase) throws {
        store = FormStore(database: database)
        registry = try FormRegistry(store: store)
        converter = XLSFormConverter()
    }

    init(store: FormStore, registry: FormRegistry, converter: XLSFormConverter) {
        self.store = store
        self.registry = registry
        self.converter = converter
    }

    package struct File: Sendable {
        let name: String
        let bytes: Data
        let contentType: String?

        package init(name: String, bytes: Data, contentType: String?) {
            self.name = name
            self.bytes = bytes
            self.contentType = contentType
        }
    }

    package struct Draft: Sendable {
        package let form: FormRegistry.LoadedForm
        /// pyxform's warnings and the form reader's, as they are worded.
        package let warnings: [String]
        package let changes: FormChanges
    }

    static let maximumFormBytes = 10 << 20
    static let maximumMediaBytes = 20 << 20

    /// Which form an upload is for.
    package enum Target: Sendable {
        /// A new form: its id must be free.
        case newForm
        /// A new version of this form: the file must carry its id.
        case version(of: String)
        /// Whichever the file's own id says (the command line).
        case byFileID
    }

    package func saveDraft(_ file: File, media: [File], for target: Target, by actor: AuditActor) async throws -> Draft {
        guard file.bytes.count <= Self.maximumFormBytes else {
            throw Problem.formFileUnreadable("form file over \(Self.maximumFormBytes >> 20) MiB")
        }
        var warnings: [String] = []
        var xml = file.bytes
        var sourceName: String?
        switch Self.kind(of: file) {
        case .xlsform:
            try SpreadsheetArchiveCheck.check(file.bytes)
            let converted = try await converter.convert(file.bytes, fileName: file.name)
            warnings = converted.warnings
            sourceName = file.name
            xml = Self.withVersion(converted.xform, generated: Self.generatedVersion())
        case .xform:
            break
        case .unknown:
            throw Problem.formFileUnreadable("expected .xlsx, .xls or .xml; got \(file.name.suffix(40))")
        }
        let definition: FormDefinition
        do {
            // Choice lists from the uploaded CSV/XML files, as phones will read them.
            let dataFiles = Dictionary(media.map { ($0.name, $0.bytes) }) { _, last in last }
            definition = try XFormParser.parse(xml, externalFiles: dataFiles)
        } catch {
            throw Problem.formFileUnreadable("\(error)")
        }
        if case .version(let formID) = target, definition.formID != formID {
            throw Problem.formUploadMismatch(expected: formID, found: definition.formID)
        }
        let files = try media.map { file in
            try Self.checkedName(file.name)
            guard file.bytes.count <= Self.maximumMediaBytes else {
                throw Problem.mediaNameInvalid(file.name).with(detail: "file over \(Self.maximumMediaBytes >> 20) MiB")
            }
            return FormMediaFile(name: file.name, contentType: Self.contentType(of: file), bytes: file.bytes,
                                 md5: Secrets.md5Hex(file.bytes))
        }
        let version = StoredFormVersion(formID: definition.formID, version: definition.version, title: definition.title,
                                        xml: xml, md5: Secrets.md5Hex(xml), status: .draft, sourceName: sourceName)
        let newForm: Bool? = switch target {
        case .newForm: true
        case .version: false
        case .byFileID: nil
        }
        try await store.saveDraft(version, source: sourceName == nil ? nil : file.bytes, media: files,
                                  newForm: newForm, by: actor)
        try registry.reload()
        guard let draft = registry.draft(definition.formID) else { throw Problem.noDraft(definition.formID) }
        return Draft(form: draft, warnings: warnings + definition.warnings,
                     changes: FormChanges(from: registry.currentForm(definition.formID)?.definition, to: definition))
    }

    func addMedia(_ files: [File], formID: String, by actor: AuditActor) async throws {
        for file in files {
            try Self.checkedName(file.name)
            guard file.bytes.count <= Self.maximumMediaBytes else {
                throw Problem.mediaNameInvalid(file.name).with(detail: "file over \(Self.maximumMediaBytes >> 20) MiB")
            }
            try await store.addDraftMedia(formID: formID, FormMediaFile(
                name: file.name, contentType: Self.contentType(of: file), bytes: file.bytes, md5: Secrets.md5Hex(file.bytes)),
                by: actor)
        }
        try registry.reload()
    }

    package func publish(formID: String, by actor: AuditActor) async throws -> FormRegistry.LoadedForm {
        let version = try await store.publishDraft(formID: formID, by: actor)
        try registry.reload()
        guard let form = registry.form(formID, version: version) else { throw Problem.formNotFound(formID) }
        return form
    }

    func discard(formID: String, by actor: AuditActor) async throws {
        try await store.discardDraft(formID: formID, by: actor)
        try registry.reload()
    }

    func setState(formID: String, _ state: FormState, by actor: AuditActor) async throws {
        try await store.setState(formID: formID, state, by: actor)
        try registry.reload()
    }

    // MARK: Files

    enum Kind {
        case xlsform, xform, unknown
    }

    static func kind(of file: File) -> Kind {
        switch (file.name as NSString).pathExtension.lowercased() {
        case "xlsx", "xls": return .xlsform
        case "xml": return .xform
        default:
            if file.bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .xlsform }  // a zip: .xlsx
            if file.bytes.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) { return .xlsform }  // OLE2: .xls
            return .unknown
        }
    }

    /// A plain file name: the manifest serves it under the form, and ODK
    /// Collect writes it in the form's media folder.
    static func checkedName(_ name: String) throws {
        let bad = name.isEmpty || name.utf8.count > 255 || name == "." || name == ".."
            || name.contains("/") || name.contains("\\") || name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        if bad { throw Problem.mediaNameInvalid(name) }
    }

    static func contentType(of file: File) -> String {
        switch (file.name as NSString).pathExtension.lowercased() {
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        case "gif": "image/gif"
        case "svg": "image/svg+xml"
        case "mp3": "audio/mpeg"
        case "m4a": "audio/mp4"
        case "wav": "audio/wav"
        case "ogg": "audio/ogg"
        case "mp4": "video/mp4"
        case "csv": "text/csv"
        case "xml": "text/xml"
        case "geojson": "application/geo+json"
        default: file.contentType ?? "application/octet-stream"
        }
    }

    /// pyxform writes no version when the XLSForm's settings give none; a
    /// published version must have one, so the upload's time becomes it.
    static func generatedVersion(_ date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmmss"
        return formatter.string(from: date)
    }

    /// Adds `version="…"` to the primary instance's root when it has none.
    static func withVersion(_ xform: Data, generated: String) -> Data {
        let text = String(decoding: xform, as: UTF8.self)
        guard let instance = text.range(of: "<instance>"),
              let rootStart = text.range(of: "<", range: instance.upperBound..<text.endIndex),
              let rootEnd = text.range(of: ">", range: rootStart.upperBound..<text.endIndex)
        else { return xform }
        let tag = text[rootStart.lowerBound..<rootEnd.lowerBound]
        if tag.contains(" version=") { return xform }
        let insertAt = tag.hasSuffix("/") ? text.index(before: rootEnd.lowerBound) : rootEnd.lowerBound
        var edited = text
        edited.insert(contentsOf: " version=\"\(generated)\"", at: insertAt)
        return Data(edited.utf8)
    }
}
