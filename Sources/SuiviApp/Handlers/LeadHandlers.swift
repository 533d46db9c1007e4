import Foundation
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// Leads: the membership system's feed and write-back, coordinators'
/// duplicates, merges and undo, and erasure on request. The feed's shape is
/// an interface other systems rely on (docs/leads.md, docs/openapi.yaml).
struct LeadHandlers: Sendable {
    let context: AppContext
    let authentication: Authentication

    /// `GET /api/v1/leads?after=CURSOR&limit=N[&format=csv]`
    func feed(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.readLeads)
        let after = try Query.integer(request, "after", default: 0, range: 0...Int(Int64.max))
        let limit = try Query.integer(request, "limit", default: 100, range: 1...1000)
        let format = request.query["format"] ?? "json"
        guard format == "json" || format == "csv" else { throw Problem.invalidParameter("format", "json or csv") }
        let page = try await context.leads.feed(after: Int64(after), limit: limit, scope: principal.scope.departements)
        // Caught up: the same cursor again, to poll from later.
        let next = String(page.last?.changeSeq ?? Int64(after))
        if format == "csv" {
            var buffer = CSVBuffer()
            buffer.bytes.append(contentsOf: [0xEF, 0xBB, 0xBF])
            buffer.appendRow(LeadResponse.csvHeader)
            for lead in page { buffer.appendRow(LeadResponse.csvRow(lead)) }
            try await context.audit.record(principal.auditActor, "leads.download", targetKind: "leads", details: [
                "format": "csv", "after": String(after), "rows": String(page.count)])
            return Response(status: 200, contentType: "text/csv; charset=utf-8", body: Data(buffer.bytes), headers: [
                ("Cache-Control", "no-store"), ("Suivi-Next-Cursor", next),
                ("Content-Disposition", "attachment; filename=\"leads-\(after).csv\""),
            ])
        }
        try await context.audit.record(principal.auditActor, "leads.download", targetKind: "leads", details: [
            "format": "json", "after": String(after), "rows": String(page.count)])
        return JSONResponses.ok(bytes: LeadFeedResponse(leads: page, next: next).bytes, headers: [("Cache-Control", "no-store")])
    }

    /// `GET /api/v1/leads/:id`: a lead and those of the visits it came from
    /// that are within the caller's scope.
    func show(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.readLeads)
        let id = try Self.leadID(request)
        let found = try await context.leads.lead(id, within: principal.scope.departements)
        return JSONResponses.ok(LeadVisitsResponse.lead(found))
    }

    /// `POST /api/v1/leads/:id/membership` `{member_number, date}`
    func membership(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.writeMemberships)
        let id = try Self.leadID(request)
        let body = try JSONBody(request)
        let number = try body.string("member_number", maximumLength: 100)!
        let date = try body.string("date", maximumLength: 10)!
        guard CalendarDay.isValid(date) else { throw Problem.invalidParameter("date", "expected a day as YYYY-MM-DD") }
        let lead = try await context.leads.setMembership(leadID: id, memberNumber: number, day: date, actor: principal.auditActor,
                                                 scope: principal.scope.departements)
        return JSONResponses.ok(LeadResponse(lead))
    }

    /// `POST /api/v1/memberships` with a CSV body: a header row naming
    /// `member_number`, `date` and at least one of `lead_id`, `phone`,
    /// `national_id`. Answers what each row matched.
    func importMemberships(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.writeMemberships)
        let type = request.headers["Content-Type"]?.lowercased() ?? ""
        guard type.hasPrefix("text/csv") || type.hasPrefix("text/plain") || type.hasPrefix("application/csv") else {
            throw Problem.unsupportedContentType(request.headers["Content-Type"]).with(detail: "expected text/csv")
        }
        guard request.body.size <= 16 << 20 else { throw Problem.bodyTooLarge(limit: 16 << 20) }
        let body = try request.body.data()
        let table: [[String]]
        do {
            table = try CSVTable.rows(body)
        } catch {
            throw Problem.membershipFileUnreadable(error.detail ?? "unreadable CSV")
        }
        guard let header = table.first?.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) else {
            throw Problem.membershipFileUnreadable("empty")
        }
        func column(_ names: String...) -> Int? { header.firstIndex { names.contains($0) } }
        guard let numberColumn = column("member_number", "numero_adherent", "numéro d'adhérent"),
              let dateColumn = column("date", "member_since", "date_adhesion") else {
            throw Problem.membershipFileUnreadable("missing member_number or date column")
        }
        let leadColumn = column("lead_id", "id")
        let phoneColumn = column("phone", "telephone", "téléphone")
        let nationalIDColumn = column("national_id", "nin")
        guard leadColumn != nil || phoneColumn != nil || nationalIDColumn != nil else {
            throw Problem.membershipFileUnreadable("no lead_id, phone or national_id column")
        }
        guard table.count <= 50_001 else { throw Problem.membershipFileUnreadable("more than 50000 rows") }
        let rows: [LeadStore.MembershipRow] = table.dropFirst().enumerated().map { offset, fields in
            func value(_ index: Int?) -> String? {
                guard let index, index < fields.count else { return nil }
                let text = fields[index].trimmingCharacters(in: .whitespaces)
                return text.isEmpty ? nil : text
            }
            let number = value(numberColumn) ?? ""
            let date = value(dateColumn) ?? ""
            var problem: String?
            if number.isEmpty { problem = "member_number missing" }
            else if !CalendarDay.isValid(date) { problem = "date: expected YYYY-MM-DD" }
            var leadID: Int64?
            if let text = value(leadColumn) {
                if let id = Int64(text) { leadID = id } else { problem = problem ?? "lead_id: expected a number" }
            }
            if leadID == nil && value(phoneColumn) == nil && value(nationalIDColumn) == nil {
                problem = problem ?? "no lead_id, phone or national_id"
            }
            return LeadStore.MembershipRow(row: offset + 2, leadID: leadID, phone: value(phoneColumn),
                                           nationalID: value(nationalIDColumn), memberNumber: number, day: date,
                                           problem: problem)
        }
        let results = try await context.leads.importMemberships(rows, actor: principal.auditActor,
                                                        scope: principal.scope.departements)
        return JSONResponses.ok(MembershipImportResponse(results))
    }

    // MARK: Coordinators: likely duplicates, merges, undo

    private func coordinator(_ request: Request) async throws -> Principal {
        let principal = try await authentication.principal(request)
        try principal.require(.readPersonalData)
        return principal
    }

    /// `GET /api/v1/leads/duplicates`
    func duplicates(_ request: Request) async throws -> Response {
        let principal = try await coordinator(request)
        let limit = try Query.integer(request, "limit", default: 100, range: 1...500)
        let pairs = try await context.leads.duplicates(scope: principal.scope.departements, limit: limit)
        return JSONResponses.ok(LeadPairsResponse(pairs))
    }

    /// `GET /api/v1/leads/merges`: the merge log, newest first.
    func mergeLog(_ request: Request) async throws -> Response {
        let principal = try await coordinator(request)
        let limit = try Query.integer(request, "limit", default: 100, range: 1...500)
        let merges = try await context.leads.merges(scope: principal.scope.departements, limit: limit)
        return JSONResponses.ok(LeadMergeLogResponse(merges: merges.map(LeadMergeResponse.init)), personalData: false)
    }

    /// `POST /api/v1/leads/merges` `{kept_id, merged_id}`
    func merge(_ request: Request) async throws -> Response {
        let principal = try await coordinator(request)
        let body = try JSONBody(request)
        guard let kept = try body.integer("kept_id"), let merged = try body.integer("merged_id"), kept > 0, merged > 0 else {
            throw Problem.invalidParameter("kept_id", "expected lead ids")
        }
        let result = try await context.leads.merge(keptID: Int64(kept), mergedID: Int64(merged), actor: principal.auditActor,
                                           scope: principal.scope.departements)
        return JSONResponses.ok(LeadMergedResponse(mergeID: result.mergeID, lead: LeadResponse(result.lead)), status: 201)
    }

    /// `POST /api/v1/leads/merges/:id/undo`
    func undo(_ request: Request) async throws -> Response {
        let principal = try await coordinator(request)
        guard let id = Int64(request.parameter("id")), id > 0 else { throw Problem.unknownMerge() }
        let (kept, restored) = try await context.leads.undoMerge(id, actor: principal.auditActor, scope: principal.scope.departements)
        return JSONResponses.ok(LeadMergeUndoneResponse(kept: LeadResponse(kept), restored: LeadResponse(restored)))
    }

    /// `POST /api/v1/leads/keep-apart` `{lead_ids: [a, b]}`
    func keepApart(_ request: Request) async throws -> Response {
        let principal = try await coordinator(request)
        let body = try JSONBody(request)
        guard let ids = body.object["lead_ids"] as? [NSNumber], ids.count == 2,
              let first = Int64(exactly: ids[0].doubleValue), let second = Int64(exactly: ids[1].doubleValue) else {
            throw Problem.invalidParameter("lead_ids", "expected two lead ids")
        }
        try await context.leads.keepApart(first, second, actor: principal.auditActor, scope: principal.scope.departements)
        return JSONResponses.ok(LeadsKeptApartResponse(leadIDs: [min(first, second), max(first, second)]), personalData: false)
    }

    /// `DELETE /api/v1/leads/:id/personal-data` (admins): erasure on request.
    func erase(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.administer)
        let id = try Self.leadID(request)
        let erased = try await context.leads.erase(leadID: id, actor: principal.auditActor, scope: principal.scope.departements)
        return JSONResponses.ok(LeadErasedResponse(leadID: id, leadsErased: erased.leads, visitsErased: erased.visits))
    }

    static func leadID(_ request: Request) throws -> Int64 {
        guard let id = Int64(request.parameter("id")), id > 0 else { throw Problem.unknownLead() }
        return id
    }
}

/// Query-string parameters with named errors.
enum Query {
    static func integer(_ request: Request, _ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = request.query[name] else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw Problem.invalidParameter(name, "expected a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }
}
