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
        return JSONResponses.ok(AuditLogResponse(
            entries: entries.map(AuditLogResponse.Entry.init),
            next: entries.count == limit ? String(entries.last!.id) : nil))
    }
}

/// A page of the audit log, newest first; `next` is the `before` of the
/// following page, null on the last.
struct AuditLogResponse: Encodable {
    struct Entry: Encodable {
        struct Actor: Encodable {
            let kind: String
            let id: Int64?
            let label: String
        }

        let id: Int64
        let at: String
        let action: String
        let actor: Actor
        let targetKind: String?
        let targetID: String?
        /// Identifiers and counts, each a string (`AuditStore.record`).
        let details: [String: String]

        enum CodingKeys: String, CodingKey {
            case id, at, action, actor, targetKind = "target_kind", targetID = "target_id", details
        }

        init(_ entry: AuditEntry) {
            id = entry.id
            at = entry.at
            action = entry.action
            actor = Actor(kind: entry.actor.kind.rawValue, id: entry.actor.id, label: entry.actor.label)
            targetKind = entry.targetKind
            targetID = entry.targetID
            // Stored as written by `AuditStore.record`; an unreadable line shows as `{}`.
            details = (try? JSONDecoder().decode([String: String].self, from: Data(entry.details.utf8))) ?? [:]
        }
    }

    let entries: [Entry]
    let next: String?
}
