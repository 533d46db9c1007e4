import Foundation
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// `GET /api/v1/submissions?form=ID[&after=ID][&limit=N]`: records as JSON,
/// paged, for roles allowed to see personal data, within their scope; and
/// `GET /api/v1/submissions/:id/attachments/:name`, one file of one record.
struct SubmissionAPIHandlers: Sendable {
    let context: AppContext
    let authentication: Authentication

    func list(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.readPersonalData)
        let scope = principal.scope
        guard let formID = request.query["form"], !formID.isEmpty else {
            throw Problem.invalidParameter("form", "required: the form id, e.g. visite")
        }
        guard context.forms.knows(formID: formID) else { throw Problem.unknownForm(formID) }
        let after = try integer(request, "after", default: 0, range: 0...Int.max)
        let limit = try integer(request, "limit", default: 100, range: 1...1000)
        let rows = try await context.submissions.page(
            formID: formID, afterID: Int64(after), limit: limit, departementCodes: scope.departementCodes)
        let stored = try await context.submissions.attachments(submissionIDs: rows.map(\.id))
        let items = rows.map { row in
            var answers = RecordAnswers()
            var named: [RecordAnswers.NamedFile] = []
            // An encrypted record's XML is its envelope: no answers to show.
            if !row.encrypted,
               let read = try? RecordAnswers.read(row.xml, form: context.forms.form(row.formID, version: row.formVersion)?.definition) {
                answers = read.answers
                named = read.files
            }
            return SubmissionResponse(
                id: row.id, instanceID: row.instanceID, formID: row.formID, formVersion: row.formVersion,
                receivedAt: row.receivedAt, resourcePersonID: row.resourcePersonID, departement: row.departementCode,
                reviewState: row.reviewState, current: row.current, deprecatedID: row.deprecatedID,
                issues: IssueResponse.decode(row.issuesJSON),
                attachments: AttachmentsResponse(
                    expected: row.attachmentsExpected, received: row.attachmentsReceived,
                    files: AttachmentResponse.list(stored: stored[row.id] ?? [], named: named, submissionID: row.id)),
                answers: answers, encrypted: row.encrypted)
        }
        let next = rows.count == limit ? rows.last.map { String($0.id) } : nil
        // Personal data read in bulk: one audit line per page, as for exports (who, which form, how many rows).
        try await context.audit.record(principal.auditActor, "submissions.list", targetKind: "form", targetID: formID,
                                       details: ["after": String(after), "rows": String(rows.count)])
        return JSONResponses.ok(SubmissionPageResponse(submissions: items, next: next))
    }

    /// One received file of a record the caller may read, with the type the
    /// phone gave it. The type comes from the phone: sent as a download
    /// (`attachment`, `nosniff`, a sandbox) so a file claiming `text/html`
    /// never runs as a page of this site.
    func attachment(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.readPersonalData)
        guard let id = Int64(request.parameter("id")), id > 0 else { throw Problem.submissionNotFound() }
        let name = request.parameter("name")
        guard let file = try await context.submissions.receivedAttachment(
                submissionID: id, name: name, scope: principal.scope.departements),
              let digest = file.sha256
        else { throw Problem.attachmentNotFound() }
        let path = context.attachments.path(forSHA256: digest)
        // Fsynced before its record's COMMIT: missing means the disk lost it.
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw Problem.storageUnavailable("attachment file missing")
        }
        try await context.audit.record(principal.auditActor, "submissions.attachment", targetKind: "submission",
                                       targetID: String(id))
        // Sent from disk by the server: a video need not fit in memory.
        return Response(status: 200, headers: [
            ("Content-Type", file.contentType ?? "application/octet-stream"), ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"), ("Content-Disposition", "attachment"),
            ("Content-Security-Policy", "sandbox")], body: .file(path: path))
    }

    private func integer(_ request: Request, _ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = request.query[name] else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw Problem.invalidParameter(name, "expected a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }
}
