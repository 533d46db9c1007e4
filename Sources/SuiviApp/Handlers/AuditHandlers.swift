import Foundation
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// `GET /api/v1/audit?action=&before=&limit=`: the audit log, newest first,
/// for admins. Lines hold logins, key names, ids and counts, never personal
/// data, yet who did what is still only for admins.
struct AuditHandlers: Sendable {
    let context: AppContext
    let authentication: Authentication

    func list(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.administer)
        var action: String?
        if let text = request.query["action"], !text.isEmpty {
            guard text.count <= 60, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._".contains($0)) }) else {
                throw Problem.invalidParameter("action", "expected an action name such as session.sign_in")
            }
            action = text
        }
        var before: Int64?
        if let text = request.query["before"], !text.isEmpty {
            guard let value = Int64(text), value > 0 else { throw Problem.invalidParameter("before", "expected an entry id") }
            before = value
        }
        var limit = 100
        if let text = request.query["limit"] {
            guard let value = Int(text), (1...500).contains(value) else {
                throw Problem.invalidParameter("limit", "expected a whole number in 1...500")
            }
            limit = value
        }
        let entries = try await context.audit.entries(action: action, beforeID: before, limit: limit)
        let items: [[String: Any]] = entries.map { entry in
            [
                "id": entry.id, "at": entry.at, "action": entry.action,
                "actor": ["kind": entry.actor.kind.rawValue, "id": entry.actor.id.map { $0 as Any } ?? NSNull(),
                          "label": entry.actor.label] as [String: Any],
                "target_kind": entry.targetKind.map { $0 as Any } ?? NSNull(),
                "target_id": entry.targetID.map { $0 as Any } ?? NSNull(),
                "details": (try? JSONSerialization.jsonObject(with: Data(entry.details.utf8))) ?? [:],
            ]
        }
        let next: Any = entries.count == limit ? String(entries.last!.id) : NSNull()
        return JSONResponses.ok(["entries": items, "next": next])
    }
}
