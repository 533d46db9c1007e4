import Foundation
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// Forms published from the admin: upload a draft (XLSForm or XForm, with
/// media files), see what it changes, publish it, close a form. National
/// editors handle drafts; only admins publish and change a form's state.
struct FormAdminHandlers: Sendable {
    let context: AppContext
    let authentication: Authentication
    let publishing: FormPublishing

    /// `POST /api/v1/forms`: a new form's first draft.
    func create(_ request: Request) async throws -> Response {
        let principal = try await nationalEditor(request)
        let (file, media) = try upload(request)
        let draft = try await publishing.saveDraft(file, media: media, for: .newForm, by: principal.auditActor)
        return JSONResponses.ok(try await draftResponse(draft.form, warnings: draft.warnings), status: 201, personalData: false)
    }

    /// `POST /api/v1/forms/:formId/draft`: a new version of a form, as its draft.
    func replaceDraft(_ request: Request) async throws -> Response {
        let principal = try await nationalEditor(request)
        let formID = request.parameter("formId")
        guard context.forms.knows(formID: formID) else { throw Problem.formNotFound(formID) }
        let (file, media) = try upload(request)
        let draft = try await publishing.saveDraft(file, media: media, for: .version(of: formID), by: principal.auditActor)
        return JSONResponses.ok(try await draftResponse(draft.form, warnings: draft.warnings), status: 201, personalData: false)
    }

    /// `GET /api/v1/forms/:formId/draft`
    func showDraft(_ request: Request) async throws -> Response {
        _ = try await nationalEditor(request)
        let formID = request.parameter("formId")
        guard let draft = context.forms.draft(formID) else { throw Problem.noDraft(formID) }
        return JSONResponses.ok(try await draftResponse(draft, warnings: draft.definition.warnings), personalData: false)
    }

    /// `POST /api/v1/forms/:formId/draft/media`: files added to the draft
    /// (each part one file, named by its file name).
    func addMedia(_ request: Request) async throws -> Response {
        let principal = try await nationalEditor(request)
        let formID = request.parameter("formId")
        guard context.forms.draft(formID) != nil else { throw Problem.noDraft(formID) }
        let parts = try MultipartRequest.parts(of: request).parts
        guard !parts.isEmpty else { throw Problem.invalidParameter("media", "no file in the request") }
        try await publishing.addMedia(parts.map(Self.file), formID: formID, by: principal.auditActor)
        guard let draft = context.forms.draft(formID) else { throw Problem.noDraft(formID) }
        return JSONResponses.ok(try await draftResponse(draft, warnings: []), personalData: false)
    }

    /// `POST /api/v1/forms/:formId/draft/publish` (admins): phones get the
    /// new version from their next form list, without a restart.
    func publish(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.administer)
        let form = try await publishing.publish(formID: request.parameter("formId"), by: principal.auditActor)
        return JSONResponses.ok(PublishedFormResponse(form), personalData: false)
    }

    /// `DELETE /api/v1/forms/:formId/draft`
    func discardDraft(_ request: Request) async throws -> Response {
        let principal = try await nationalEditor(request)
        try await publishing.discard(formID: request.parameter("formId"), by: principal.auditActor)
        return JSONResponses.ok(DiscardedResponse(), personalData: false)
    }

    /// `PATCH /api/v1/forms/:formId` with `{"state": "open|closing|closed"}` (admins).
    func update(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.administer)
        let formID = request.parameter("formId")
        guard context.forms.knows(formID: formID) else { throw Problem.formNotFound(formID) }
        let body = try JSONBody(request)
        guard let text = try body.string("state", maximumLength: 20), let state = FormState(rawValue: text) else {
            throw Problem.invalidParameter("state", "expected open, closing or closed")
        }
        try await publishing.setState(formID: formID, state, by: principal.auditActor)
        guard let form = context.forms.currentForm(formID) else { throw Problem.formNotFound(formID) }
        return JSONResponses.ok(PublishedFormResponse(form), personalData: false)
    }

    // MARK: Helpers

    /// Drafts are national: a regional coordinator's form would reach every region's phones.
    private func nationalEditor(_ request: Request) async throws -> Principal {
        let principal = try await authentication.principal(request)
        try principal.require(.editCampaign)
        guard principal.scope.departementCodes == nil else {
            throw Problem.forbidden().with(detail: "forms are national: only national editors and admins upload drafts")
        }
        return principal
    }

    /// The form file (part `file`) and media files (every other part with a file name).
    private func upload(_ request: Request) throws -> (FormPublishing.File, [FormPublishing.File]) {
        let parts = try MultipartRequest.parts(of: request).parts
        guard let main = parts.first(where: { $0.name == "file" }) else {
            throw Problem.invalidParameter("file", "the multipart part 'file' (the XLSForm or XForm) is missing")
        }
        let media = parts.filter { $0.name != "file" }
        return (Self.file(main), media.map(Self.file))
    }

    private static func file(_ part: MultipartFormData.Part) -> FormPublishing.File {
        FormPublishing.File(name: part.filename ?? part.name, bytes: part.body, contentType: part.contentType)
    }

    private func draftResponse(_ draft: FormRegistry.LoadedForm, warnings: [String]) async throws -> DraftResponse {
        let published = context.forms.currentForm(draft.formID)
        let changes = FormChanges(from: published?.definition, to: draft.definition)
        let indicators = try await context.indicators.all()
            .filter { $0.active && $0.sources.contains { $0.formID == draft.formID } }
        let affected = indicators.compactMap { indicator -> AffectedIndicator? in
            for (index, source) in indicator.sources.enumerated() where source.formID == draft.formID {
                let fields = [source.filterField, source.sumField].compactMap { $0 }
                let touched = fields.contains { name in changes.touchedPaths.contains { $0.hasSuffix("/" + name) } }
                if let problem = source.problem(against: draft.definition, index: index) {
                    return AffectedIndicator(indicator, reason: problem.englishMessage, detail: problem.detail)
                }
                if touched { return AffectedIndicator(indicator, reason: "a question it reads changed", detail: nil) }
            }
            return nil
        }
        return DraftResponse(
            formID: draft.formID, version: draft.version, title: draft.definition.title, hash: "md5:\(draft.md5)",
            publishedVersion: published?.version, media: draft.media.map(MediaResponse.init), warnings: warnings,
            changes: changes, affectedIndicators: affected)
    }
}

struct DraftResponse: Encodable {
    let formID: String
    let version: String
    let title: String
    let hash: String
    let publishedVersion: String?
    let media: [MediaResponse]
    let warnings: [String]
    let changes: FormChanges
    let affectedIndicators: [AffectedIndicator]

    enum CodingKeys: String, CodingKey {
        case formID = "form_id", version, title, hash, publishedVersion = "published_version", media, warnings, changes
        case affectedIndicators = "affected_indicators"
    }
}

struct MediaResponse: Encodable {
    let name: String
    let hash: String
    let size: Int
    let contentType: String

    init(_ file: FormMediaFile) {
        name = file.name
        hash = "md5:\(file.md5)"
        size = file.size
        contentType = file.contentType
    }

    enum CodingKeys: String, CodingKey {
        case name, hash, size, contentType = "content_type"
    }
}

struct AffectedIndicator: Encodable {
    let id: String
    let nameFrench: String
    let nameEnglish: String
    let reason: String
    let detail: String?

    init(_ indicator: Indicator, reason: String, detail: String?) {
        id = indicator.id
        nameFrench = indicator.nameFrench
        nameEnglish = indicator.nameEnglish
        self.reason = reason
        self.detail = detail
    }

    enum CodingKeys: String, CodingKey {
        case id, nameFrench = "name_fr", nameEnglish = "name_en", reason, detail
    }
}

struct PublishedFormResponse: Encodable {
    let formID: String
    let version: String
    let title: String
    let hash: String
    let state: FormState
    let media: [MediaResponse]

    init(_ form: FormRegistry.LoadedForm) {
        formID = form.formID
        version = form.version
        title = form.definition.title
        hash = "md5:\(form.md5)"
        state = form.state
        media = form.media.map(MediaResponse.init)
    }

    enum CodingKeys: String, CodingKey {
        case formID = "form_id", version, title, hash, state, media
    }
}

struct DiscardedResponse: Encodable {
    let discarded = true
}
