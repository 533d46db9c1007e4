import Foundation
import SuiviApp
import SuiviDomain
import SuiviStore

/// `suivi form publish` and `suivi form list`: the admin's form work from
/// the command line, on the database a running server shares (it picks
/// the change up at the next form list).
extension Administration {
    public struct PublishedForm: Sendable {
        public let formID: String
        public let version: String
        public let warnings: [String]
        public let mediaCount: Int
    }

    public struct FormListing: Sendable {
        public let formID: String
        public let title: String
        public let version: String
        public let state: String
        public let records: Int
        public let hasDraft: Bool
    }

    /// Drafts and publishes in one step: the file (XLSForm or XForm) as a
    /// new form or a new version of an existing one, with its media files.
    public func publishForm(file: String, media: [String]) async throws -> PublishedForm {
        let publishing = try FormPublishing(database: database)
        func read(_ path: String) throws -> FormPublishing.File {
            FormPublishing.File(name: (path as NSString).lastPathComponent,
                                bytes: try Data(contentsOf: URL(fileURLWithPath: path)), contentType: nil)
        }
        let upload = try read(file)
        let files = try media.map(read)
        let actor = AuditActor.commandLine
        let draft = try await publishing.saveDraft(upload, media: files, for: .byFileID, by: actor)
        let published = try await publishing.publish(formID: draft.form.formID, by: actor)
        return PublishedForm(formID: published.formID, version: published.version, warnings: draft.warnings,
                             mediaCount: published.media.count)
    }

    public func formListing() throws -> [FormListing] {
        let store = FormStore(database: database)
        let versions = try store.allVersions()
        let counts = try store.recordCounts()
        return try store.forms().map { form in
            let current = versions.first { $0.formID == form.formID && $0.version == form.currentVersion }
            return FormListing(formID: form.formID, title: current?.title ?? "", version: form.currentVersion,
                               state: form.state.rawValue, records: counts[form.formID] ?? 0,
                               hasDraft: versions.contains { $0.formID == form.formID && $0.status == .draft })
        }
    }
}
