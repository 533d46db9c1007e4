import Foundation
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// Review of records by coordinators, and indicators as data.
struct ReviewHandlers: Sendable {
    let context: AppContext
    let authentication: Authentication

    /// `PATCH /api/v1/submissions/:id/review` `{state, comment}`; `received`
    /// (or `flagged`) takes a review back, as the page's "Annuler" does.
    func review(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.review)
        guard let id = Int64(request.parameter("id")), id > 0 else { throw Problem.submissionNotFound() }
        let body = try JSONBody(request)
        let stateText = try body.string("state", maximumLength: 20) ?? ""
        guard let state = ReviewState(requested: stateText) else {
            throw Problem.invalidParameter("state", "one of approved, has_issues, rejected, received (not reviewed: undo)")
        }
        let comment = try body.string("comment", required: false, maximumLength: 2000)
        var userID: Int64?
        if case .user(let id, _) = principal.actor { userID = id }
        let outcome = try await context.reviews.review(
            submissionID: id, state: state, comment: comment, actor: principal.auditActor, userID: userID,
            departementCodes: principal.scope.departementCodes)
        if outcome.talliesChanged { context.changes.bump() }
        return JSONResponses.ok(ReviewOutcomeResponse(outcome, comment: comment))
    }

    /// `GET /api/v1/review[?state=flagged,has_issues][&form=][&limit=][&offset=]`:
    /// current records, flagged first. Answers are personal data.
    func queue(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.readPersonalData)
        let allowed = ["received", "flagged", "approved", "has_issues", "rejected"]
        let states = request.query["state"].map { $0.split(separator: ",").map(String.init) }
        if let states, states.isEmpty || !states.allSatisfy(allowed.contains) {
            throw Problem.invalidParameter("state", "comma-separated states among \(allowed.joined(separator: ", "))")
        }
        let formID = request.query["form"].flatMap { $0.isEmpty ? nil : $0 }
        if let formID, !context.forms.knows(formID: formID) { throw Problem.unknownForm(formID) }
        let limit = try Self.integer(request, "limit", default: 50, range: 1...500)
        let offset = try Self.integer(request, "offset", default: 0, range: 0...100_000)
        let items = try await context.reviews.queue(states: states, formID: formID,
                                                     departementCodes: principal.scope.departementCodes,
                                                     limit: limit, offset: offset)
        // Answers are personal data: one audit line per page read, never the answers.
        var details = ["offset": String(offset), "rows": String(items.count)]
        if let states { details["state"] = states.joined(separator: ",") }
        try await context.audit.record(principal.auditActor, "review.list", targetKind: formID == nil ? nil : "form",
                                       targetID: formID, details: details)
        return JSONResponses.ok(ReviewQueueResponse(submissions: items.map { ReviewQueueResponse.Item(item: $0, repeats: repeats(of: $0)) },
                                                    nextOffset: items.count == limit ? offset + limit : nil))
    }

    /// A record's repeats, every instance, read from its XML (a form
    /// without repeats, or a sealed record: none).
    private func repeats(of item: ReviewStore.Item) -> [String: RecordAnswers.Value] {
        guard !item.encrypted, let form = context.forms.form(item.formID, version: item.formVersion)?.definition,
              !form.repeatPaths.isEmpty,
              let answers = try? RecordAnswers.read(item.xml, form: form).answers
        else { return [:] }
        return answers.members.filter { _, value in
            if case .instances = value { return true }
            return false
        }
    }

    /// `GET /api/v1/indicators`: every signed-in role.
    func indicators(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.readTallies)
        let indicators = try await context.indicators.all()
        return JSONResponses.ok(IndicatorListResponse(indicators: indicators.map { IndicatorResponse($0) }), personalData: false)
    }

    /// `POST /api/v1/indicators` (admin): `{id, name_fr, name_en, position?,
    /// sources: [{form, filter_field?, filter_value?, aggregate, sum_field?}]}`.
    /// Checked against the forms' fields; its tallies are filled from the
    /// stored records before it answers.
    func addIndicator(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.administer)
        let body = try JSONBody(request)
        let id = try body.string("id", maximumLength: 60) ?? ""
        guard Indicator.isValidID(id) else {
            throw Problem.invalidParameter("id", "lower-case letters, digits and _, starting with a letter")
        }
        let nameFrench = try body.string("name_fr", maximumLength: 200) ?? ""
        let nameEnglish = try body.string("name_en", maximumLength: 200) ?? ""
        let position = try body.integer("position", required: false) ?? 100
        guard let rawSources = body.object["sources"] as? [Any], !rawSources.isEmpty, rawSources.count <= 20 else {
            throw Problem.invalidParameter("sources", "a list of 1 to 20 sources")
        }
        var sources: [IndicatorSource] = []
        for (index, raw) in rawSources.enumerated() {
            guard let object = raw as? [String: Any] else {
                throw Problem.invalidParameter("sources[\(index)]", "expected an object")
            }
            let source = JSONBody(object: object)
            let prefix = "sources[\(index)]"
            let form = try named(prefix, "form") { try source.string("form", maximumLength: 100) } ?? ""
            let aggregateText = try named(prefix, "aggregate") { try source.string("aggregate", maximumLength: 10) } ?? ""
            guard let aggregate = IndicatorSource.Aggregate(rawValue: aggregateText) else {
                throw Problem.invalidParameter("\(prefix).aggregate", "count or sum")
            }
            let candidate = IndicatorSource(
                formID: form,
                filterField: try named(prefix, "filter_field") { try source.string("filter_field", required: false, maximumLength: 100) },
                filterValue: try named(prefix, "filter_value") { try source.string("filter_value", required: false, maximumLength: 200) },
                aggregate: aggregate,
                sumField: try named(prefix, "sum_field") { try source.string("sum_field", required: false, maximumLength: 100) })
            if let problem = candidate.problem(against: context.forms.currentForm(form)?.definition, index: index) {
                throw problem
            }
            sources.append(candidate)
        }
        let indicator = Indicator(id: id, nameFrench: nameFrench, nameEnglish: nameEnglish, position: position, sources: sources)
        let counted = try await context.indicators.add(indicator, by: principal.auditActor)
        context.changes.bump()
        return JSONResponses.ok(IndicatorResponse(indicator, recordsCounted: counted), status: 201, personalData: false)
    }

    /// `PATCH /api/v1/indicators/{id}` (admin): `{"active": false}` switches
    /// an indicator off (its tallies go), `{"active": true}` on again (filled
    /// from the stored records before it answers).
    func updateIndicator(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.administer)
        let body = try JSONBody(request)
        guard let active = try body.bool("active") else { throw Problem.invalidParameter("active", "required") }
        let (indicator, counted) = try await context.indicators.setActive(request.parameter("id"), active,
                                                                          by: principal.auditActor)
        context.changes.bump()
        return JSONResponses.ok(IndicatorResponse(indicator, recordsCounted: counted), personalData: false)
    }

    /// Renames the field of a Problem thrown for a source's member.
    private func named<T>(_ prefix: String, _ name: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let problem as Problem { throw problem.with(field: "\(prefix).\(name)") }
    }

    static func integer(_ request: Request, _ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = request.query[name] else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw Problem.invalidParameter(name, "expected a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }
}
