import Foundation
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// `GET /api/v1/submissions?form=ID[&after=ID][&limit=N]`: records as JSON,
/// paged, for roles allowed to see personal data, within their scope.
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
        let items: [[String: Any]] = rows.map { row in
            var answers: [String: String] = [:]
            // An encrypted record's XML is its envelope: no answers to show.
            if !row.encrypted, let document = try? SubmissionDocument(xml: row.xml) {
                let prefix = "/\(document.rootName)/"
                for (path, values) in document.values {
                    answers[String(path.dropFirst(prefix.count))] = values.first ?? ""
                }
            }
            let issues = (try? JSONSerialization.jsonObject(with: Data(row.issuesJSON.utf8))) ?? []
            return [
                "id": row.id,
                "instance_id": row.instanceID,
                "form_id": row.formID,
                "form_version": row.formVersion,
                "received_at": row.receivedAt,
                "resource_person_id": row.resourcePersonID.map { $0 as Any } ?? NSNull(),
                "departement": row.departementCode.map { $0 as Any } ?? NSNull(),
                "review_state": row.reviewState,
                "current": row.current,
                "deprecated_id": row.deprecatedID.map { $0 as Any } ?? NSNull(),
                "issues": issues,
                "attachments": ["expected": row.attachmentsExpected, "received": row.attachmentsReceived],
                "answers": answers,
                "encrypted": row.encrypted,
            ]
        }
        let next: Any = rows.count == limit ? String(rows.last!.id) : NSNull()
        // Personal data read in bulk: one audit line per page, as for exports (who, which form, how many rows).
        try await context.audit.record(principal.auditActor, "submissions.list", targetKind: "form", targetID: formID,
                                       details: ["after": String(after), "rows": String(rows.count)])
        return JSONResponses.ok(["submissions": items, "next": next])
    }

    private func integer(_ request: Request, _ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = request.query[name] else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw Problem.invalidParameter(name, "expected a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }
}
