import Foundation
import SuiviDomain
import SuiviHTTP
import SuiviStore
import SuiviBasics

/// A draft tried on phones before it is published (issue 16), as ODK
/// Central's draft testing: `POST /api/v1/forms/:formId/draft/test-link`
/// gives a link that ODK Collect (or a browser) opens like a personal link.
/// Under it, the form list holds the draft alone, and records sent are kept
/// apart (`draft_test_records`): never tallied, never leads, never exported,
/// gone with the draft. `GET /api/v1/forms/:formId/draft/submissions` lists
/// them with the same checks a real record gets.
struct DraftTestHandlers: Sendable {
    let context: AppContext
    let authentication: Authentication
    /// The phone web form's page, served under test links as under personal ones.
    let files: StaticFiles

    // MARK: - The API (admins make links; national editors read test records)

    func makeLink(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.administer)
        let formID = request.parameter("formId")
        let token = Secrets.newToken()
        let version = try await context.draftTests.setTestLink(formID: formID, tokenHash: Secrets.sha256Hex(token),
                                                               by: principal.auditActor)
        // Shown once: only its hash is kept (a new one replaces it).
        return JSONResponses.ok(DraftTestLinkResponse(formID: formID, version: version,
                                                      url: "\(context.baseURL())/test/\(token)"), status: 201)
    }

    func records(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.readPersonalData)
        try principal.require(.editCampaign)
        // Test records are the draft's, not a département's: national readers only.
        guard principal.scope.departementCodes == nil else {
            throw Problem.forbidden().with(detail: "a draft's test records are read by national editors and admins")
        }
        let formID = request.parameter("formId")
        guard context.forms.draft(formID) != nil else { throw Problem.noDraft(formID) }
        let records = try await context.draftTests.records(formID: formID)
        return JSONResponses.ok(DraftTestRecordsResponse(records: records.map(DraftTestRecordsResponse.Record.init)))
    }

    // MARK: - The phone web form under the test link

    /// The same page as under a personal link: it reads `me` and the
    /// form's JSON relative to its own address, and sends to `submission`.
    func page(_ request: Request) async throws -> Response {
        try await PersonalPageHandlers.page(request, files: files) { _ = try await draft($0) }
    }

    /// Who is filling: a tester, no département; the draft as the one form.
    func me(_ request: Request) async throws -> Response {
        let form = try await draft(request)
        // The page greets this name in either language.
        return JSONResponses.ok(PersonalPageResponse(
            name: "Essai du brouillon · draft test",
            departement: .init(code: "", name: "—", region: ""),
            forms: [.init(id: form.formID, title: "\(form.definition.title) [test]", version: form.version, hash: "md5:\(form.md5)")],
            collectServerURL: linkBase(request)))
    }

    func formJSON(_ request: Request) async throws -> Response {
        let form = try await draft(request, formID: request.parameter("formId"))
        return JSONResponses.ok(FormDescriptionResponse(form), personalData: false)
    }

    // MARK: - OpenRosa under the test link

    /// The draft under test, as loaded; 403 for a bad link, 404 once the
    /// draft is gone (published or discarded: the link dies with it).
    private func draft(_ request: Request) async throws -> FormRegistry.LoadedForm {
        let (formID, version) = try await authentication.draftUnderTest(request, tests: context.draftTests)
        try context.forms.reloadIfChanged()
        guard let form = context.forms.draft(formID), form.version == version else { throw Problem.invalidLink() }
        return form
    }

    /// The draft, when `formID` names it (the one form under a test link).
    private func draft(_ request: Request, formID: String) async throws -> FormRegistry.LoadedForm {
        let form = try await draft(request)
        guard formID == form.formID else { throw Problem.unknownForm(formID) }
        return form
    }

    private func linkBase(_ request: Request) -> String {
        "\(context.baseURL())/test/\(request.parameter("token"))"
    }

    func formList(_ request: Request) async throws -> Response {
        let form = try await draft(request)
        return OpenRosaDocuments.formList([OpenRosaDocuments.formListEntry(form, linkBase: linkBase(request), nameSuffix: " [test]")])
    }

    func formDownload(_ request: Request) async throws -> Response {
        let form = try await draft(request, formID: request.parameter("formId"))
        return OpenRosaDocuments.formDownload(form)
    }

    func manifest(_ request: Request) async throws -> Response {
        let form = try await draft(request, formID: request.parameter("formId"))
        return OpenRosaDocuments.manifest(form, linkBase: linkBase(request))
    }

    func mediaFile(_ request: Request) async throws -> Response {
        let form = try await draft(request, formID: request.parameter("formId"))
        return try await OpenRosaDocuments.mediaFile(form, named: request.parameter("name"), store: context.forms.store)
    }

    func submissionProbe(_ request: Request) async throws -> Response {
        _ = try await draft(request)
        return OpenRosaDocuments.submissionProbe(acceptedLength: context.configuration.openRosaAcceptContentLength)
    }

    /// A test record: checked as a real one would be, kept with its files
    /// in the test area; a resend (same instance id) is not a second one.
    func submit(_ request: Request) async throws -> Response {
        let form = try await draft(request)
        let upload = try MultipartRequest.parts(of: request)
        guard let xmlPart = upload.first(named: "xml_submission_file") else { throw Problem.missingSubmissionFile() }
        let xml = Data(xmlPart.body)
        let document = try SubmissionDocument(xml: xml)
        guard document.formID == form.formID else { throw Problem.unknownForm(document.formID) }
        guard document.version == form.version else {
            throw Problem.unknownFormVersion(formID: document.formID, version: document.version)
        }
        let issues = SubmissionChecker(form: form.definition).issues(in: document, receivedAt: request.receivedAt)
        let files = upload.parts.filter { $0.name != "xml_submission_file" }.map { part in
            let bytes = Data(part.body)
            return DraftTestStore.Attachment(name: part.filename ?? part.name, contentType: part.contentType,
                                             sha256: Secrets.sha256Hex(bytes), bytes: bytes)
        }
        let outcome = try await context.draftTests.save(
            formID: form.formID, version: form.version, instanceID: document.instanceID, receivedAt: request.receivedAt,
            xml: xml, issuesJSON: DraftTestRecordsResponse.issuesJSON(issues), attachments: files)
        var response = OpenRosaResponses.message(201, Language(request) == .english
            ? "Test record received (kept apart, never counted)."
            : "Fiche de test bien reçue (gardée à part, jamais comptée).")
        response.logMetadata = [("form.id", form.formID), ("submission.outcome", outcome == .created ? "test" : "test-duplicate")]
        return response
    }
}

/// `POST /api/v1/forms/:formId/draft/test-link`.
struct DraftTestLinkResponse: Encodable, Sendable {
    let formID: String
    let version: String
    let url: String

    enum CodingKeys: String, CodingKey {
        case formID = "form_id", version, url
    }
}

/// `GET /api/v1/forms/:formId/draft/submissions`: test records carry what
/// was typed (personal data, as real records): never cached.
struct DraftTestRecordsResponse: Encodable, Sendable {
    let records: [Record]

    struct Record: Encodable, Sendable {
        let record: DraftTestStore.Record

        enum CodingKeys: String, CodingKey {
            case id, instanceID = "instance_id", version, receivedAt = "received_at", issues, attachments, xml
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(record.id, forKey: .id)
            try container.encode(record.instanceID, forKey: .instanceID)
            try container.encode(record.version, forKey: .version)
            try container.encode(record.receivedAt, forKey: .receivedAt)
            // Written by `issuesJSON` below: placed as stored.
            try container.encode(JSONFragment(Array(record.issuesJSON.utf8)), forKey: .issues)
            try container.encode(record.attachments, forKey: .attachments)
            try container.encode(String(decoding: record.xml, as: UTF8.self), forKey: .xml)
        }
    }

    static func issuesJSON(_ issues: [AnswerIssue]) -> String {
        String(decoding: JSONResponses.encoded(issues), as: UTF8.self)
    }
}
