import Foundation
import SuiviDomain
import Logging
import SuiviHTTP

/// Every route Suivi answers, in one place.
enum Routes {
    static func make(_ context: AppContext) -> RouteTable {
        let authentication = Authentication(
            people: context.people, apiKeys: context.apiKeys, accounts: context.accounts, guessing: context.guessing,
            departements: context.departements, sessionLimits: context.configuration.sessionLimits,
            baseURL: context.baseURL)
        // Accounts and sessions: one sign-in limiter for the application.
        let signInLimiter = SignInLimiter(limits: context.configuration.signInLimits)
        let sessions = SessionHandlers(context: context, authentication: authentication, limiter: signInLimiter)
        let openRosa = OpenRosaHandlers(context: context, authentication: authentication)
        let intake = SubmissionIntakeHandler(context: context, authentication: authentication)
        let api = SubmissionAPIHandlers(context: context, authentication: authentication)
        let health = HealthHandlers(context: context)
        let metrics = MetricsHandlers(context: context)
        let personal = PersonalPageHandlers(
            context: context, authentication: authentication,
            files: StaticFiles(root: context.configuration.publicDirectory))
        let adminPages = AdminPageHandlers(files: StaticFiles(root: context.configuration.publicDirectory))
        let render = ErrorBoundary(logger: context.logger)

        // Bodies are let in only for callers the head proves known (see RouteBodies).
        let bodies = RouteBodies(
            render: render,
            personalLink: { try await authentication.admitPersonalLink($0) },
            draftTestLink: { _ = try await authentication.draftUnderTest($0, tests: context.draftTests) },
            caller: { try await authentication.admitCaller($0) })
        var router = MeasuredRouter(metrics: context.metrics, bodies: bodies)
        // OpenRosa, under each resource person's personal link; there, an
        // address that matches no route is answered as OpenRosa too.
        router.unmatched(under: "/key/:token", .openRosa)
        router.add("GET", "/key/:token/formList", render.openRosa(openRosa.formList))
        router.add("GET", "/key/:token/forms/:formId.xml", render.openRosa(openRosa.formDownload))
        router.add("GET", "/key/:token/forms/:formId/manifest", render.openRosa(openRosa.manifest))
        router.add("GET", "/key/:token/forms/:formId/media/:name", render.openRosa(openRosa.mediaFile))
        router.add("HEAD", "/key/:token/submission", render.openRosa(openRosa.submissionProbe))
        router.add("POST", "/key/:token/submission", render.openRosa(intake.submit))

        // A draft tried on phones through its test link (issue 16): the
        // draft alone, its records kept apart.
        let draftTests = DraftTestHandlers(context: context, authentication: authentication,
                                           files: StaticFiles(root: context.configuration.publicDirectory))
        router.unmatched(under: "/test/:token", .openRosa)
        router.add("GET", "/test/:token/formList", render.openRosa(draftTests.formList))
        router.add("GET", "/test/:token/forms/:formId.xml", render.openRosa(draftTests.formDownload))
        router.add("GET", "/test/:token/forms/:formId/manifest", render.openRosa(draftTests.manifest))
        router.add("GET", "/test/:token/forms/:formId/media/:name", render.openRosa(draftTests.mediaFile))
        router.add("HEAD", "/test/:token/submission", render.openRosa(draftTests.submissionProbe))
        router.add("POST", "/test/:token/submission", render.openRosa(draftTests.submit))
        router.add("GET", "/test/:token", render.json(draftTests.page))
        router.add("GET", "/test/:token/me", render.json(draftTests.me))
        router.add("GET", "/test/:token/forms/:formId.json", render.json(draftTests.formJSON))

        // The phone browser, under the same personal link.
        router.add("GET", "/key/:token", render.json(personal.page))
        router.add("GET", "/key/:token/me", render.json(personal.me))
        router.add("GET", "/key/:token/records", render.json(personal.records))
        router.add("GET", "/key/:token/forms/:formId.json", render.json(personal.formJSON))

        router.add("GET", "/assets/*path", render.json(personal.asset))
        router.add("GET", "/sw.js", render.json(personal.serviceWorker))

        // Coordinators' pages (static shells; data comes from the API).
        router.add("GET", "/admin", render.json(adminPages.home))
        router.add("GET", "/admin/:page", render.json(adminPages.named))

        // Coordinators sign in; pages then call the API with the cookie.
        router.add("POST", "/api/v1/session", render.json(sessions.signIn), body: .small(maximumBytes: JSONBody.maximumBytes))
        router.add("GET", "/api/v1/session", render.json(sessions.current))
        router.add("DELETE", "/api/v1/session", render.json(sessions.signOut))

        // Accounts, API keys and the audit log (admins); one's own password.
        let accounts = AccountHandlers(context: context, authentication: authentication, limiter: signInLimiter)
        let audit = AuditHandlers(context: context, authentication: authentication)
        router.add("POST", "/api/v1/session/password", render.json(accounts.changeOwnPassword))
        router.add("GET", "/api/v1/users", render.json(accounts.listUsers))
        router.add("POST", "/api/v1/users", render.json(accounts.createUser))
        router.add("PATCH", "/api/v1/users/:id", render.json(accounts.updateUser))
        router.add("POST", "/api/v1/users/:id/password", render.json(accounts.resetPassword))
        router.add("GET", "/api/v1/api-keys", render.json(accounts.listKeys))
        router.add("POST", "/api/v1/api-keys", render.json(accounts.createKey))
        router.add("DELETE", "/api/v1/api-keys/:id", render.json(accounts.revokeKey))
        router.add("GET", "/api/v1/audit", render.json(audit.list))

        // API for coordinators and other systems.
        router.add("GET", "/api/v1/submissions", render.json(api.list))
        router.add("GET", "/api/v1/submissions/:id/attachments/:name", render.json(api.attachment))

        // Campaigns, targets and resource persons (issue 4).
        let campaigns = CampaignHandlers(context: context, authentication: authentication)
        let people = PeopleHandlers(context: context, authentication: authentication)
        router.add("GET", "/api/v1/campaigns", render.json(campaigns.list))
        router.add("POST", "/api/v1/campaigns", render.json(campaigns.create))
        router.add("GET", "/api/v1/campaigns/:id", render.json(campaigns.show))
        router.add("PATCH", "/api/v1/campaigns/:id", render.json(campaigns.update))
        router.add("DELETE", "/api/v1/campaigns/:id", render.json(campaigns.delete))
        router.add("POST", "/api/v1/campaigns/:id/phases", render.json(campaigns.addPhase))
        router.add("PATCH", "/api/v1/phases/:id", render.json(campaigns.updatePhase))
        router.add("DELETE", "/api/v1/phases/:id", render.json(campaigns.deletePhase))
        router.add("PUT", "/api/v1/phases/:id/days/:departement", render.json(campaigns.setDays))
        router.add("POST", "/api/v1/phases/:id/neighbourhoods", render.json(campaigns.addNeighbourhood))
        router.add("DELETE", "/api/v1/neighbourhoods/:id", render.json(campaigns.deleteNeighbourhood))
        router.add("GET", "/api/v1/phases/:id/targets", render.json(campaigns.targets))
        router.add("PUT", "/api/v1/phases/:id/targets", render.json(campaigns.setTarget))
        router.add("GET", "/api/v1/targets/:id/history", render.json(campaigns.targetHistory))
        router.add("GET", "/api/v1/departements", render.json(people.departements))
        router.add("POST", "/api/v1/departements/:code/qr-sheet", render.json(people.qrSheet))
        router.add("GET", "/api/v1/people", render.json(people.list))
        router.add("POST", "/api/v1/people", render.json(people.add))
        router.add("POST", "/api/v1/people/import", render.json(people.importFile))
        router.add("PATCH", "/api/v1/people/:id", render.json(people.update))
        router.add("POST", "/api/v1/people/:id/link", render.json(people.reissueLink))
        router.add("DELETE", "/api/v1/people/:id/link", render.json(people.revokeLinks))

        // Leads for the membership system, coordinators' duplicates and merges,
        // erasure on request; exports of records (issue 7). Literal paths
        // before `:id` ones: the first matching route wins.
        let leads = LeadHandlers(context: context, authentication: authentication)
        let exports = ExportHandlers(context: context, authentication: authentication)
        router.add("GET", "/api/v1/leads", render.json(leads.feed))
        router.add("GET", "/api/v1/leads/duplicates", render.json(leads.duplicates))
        router.add("GET", "/api/v1/leads/merges", render.json(leads.mergeLog))
        router.add("POST", "/api/v1/leads/merges", render.json(leads.merge))
        router.add("POST", "/api/v1/leads/merges/:id/undo", render.json(leads.undo))
        router.add("POST", "/api/v1/leads/keep-apart", render.json(leads.keepApart))
        router.add("GET", "/api/v1/leads/:id", render.json(leads.show))
        router.add("POST", "/api/v1/leads/:id/membership", render.json(leads.membership))
        router.add("DELETE", "/api/v1/leads/:id/personal-data", render.json(leads.erase))
        router.add("POST", "/api/v1/memberships", render.json(leads.importMemberships))
        let formCatalogue = FormCatalogueHandlers(context: context, authentication: authentication)
        router.add("GET", "/api/v1/forms", render.json(formCatalogue.list))
        // Forms published from the admin (issue 16): drafts, publishing, states.
        let formAdmin = FormAdminHandlers(
            context: context, authentication: authentication,
            publishing: FormPublishing(store: context.forms.store, registry: context.forms, converter: XLSFormConverter()))
        router.add("POST", "/api/v1/forms", render.json(formAdmin.create))
        router.add("PATCH", "/api/v1/forms/:formId", render.json(formAdmin.update), body: .small(maximumBytes: JSONBody.maximumBytes))
        router.add("POST", "/api/v1/forms/:formId/draft", render.json(formAdmin.replaceDraft))
        router.add("GET", "/api/v1/forms/:formId/draft", render.json(formAdmin.showDraft))
        router.add("DELETE", "/api/v1/forms/:formId/draft", render.json(formAdmin.discardDraft))
        router.add("POST", "/api/v1/forms/:formId/draft/media", render.json(formAdmin.addMedia))
        router.add("POST", "/api/v1/forms/:formId/draft/publish", render.json(formAdmin.publish))
        router.add("POST", "/api/v1/forms/:formId/draft/test-link", render.json(draftTests.makeLink))
        router.add("GET", "/api/v1/forms/:formId/draft/submissions", render.json(draftTests.records))
        router.add("GET", "/api/v1/forms/:formId/submissions.csv", render.json(exports.csv))
        router.add("GET", "/api/v1/forms/:formId/submissions.csv.zip", render.json(exports.csvZip))
        router.add("GET", "/api/v1/forms/:formId/submissions.xlsx", render.json(exports.xlsx))
        // With the form's private key in the body: encrypted records decrypted.
        router.add("POST", "/api/v1/forms/:formId/submissions.csv", render.json(exports.csvWithKey))
        router.add("POST", "/api/v1/forms/:formId/submissions.xlsx", render.json(exports.xlsxWithKey))

        // Tallies, targets, completeness, review, indicators, live events, daily report.
        let tallyRoutes = TallyHandlers(context: context, authentication: authentication)
        let review = ReviewHandlers(context: context, authentication: authentication)
        let events = EventHandlers(context: context, authentication: authentication)
        let reports = ReportHandlers(context: context, authentication: authentication)
        router.add("GET", "/api/v1/tallies", render.json(tallyRoutes.tallies))
        router.add("GET", "/api/v1/tallies/summary", render.json(tallyRoutes.summary))
        router.add("GET", "/api/v1/targets/progress", render.json(tallyRoutes.targets))
        router.add("GET", "/api/v1/completeness", render.json(tallyRoutes.completeness))
        router.add("GET", "/api/v1/dashboard/places", render.json(tallyRoutes.places))
        router.add("PATCH", "/api/v1/submissions/:id/review", render.json(review.review))
        router.add("GET", "/api/v1/review", render.json(review.queue))
        router.add("GET", "/api/v1/indicators", render.json(review.indicators))
        router.add("POST", "/api/v1/indicators", render.json(review.addIndicator))
        router.add("PATCH", "/api/v1/indicators/:id", render.json(review.updateIndicator))
        router.add("GET", "/api/v1/events", render.json(events.events))
        router.add("GET", "/api/v1/reports/daily", render.json(reports.daily))
        router.add("GET", "/vendor/chart.js", render.json(events.chartJS))

        // Operations.
        router.add("GET", "/healthz", render.json(health.health))
        router.add("GET", "/metrics", render.json(metrics.metrics))
        return router.table
    }
}

/// The routes, and how each words its Problems: what the server refuses
/// before a handler runs (404, 405, a body too large) is worded in the
/// format of the route it was meant for, as the route's own errors are.
struct RouteTable: Sendable {
    let router: Router
    /// By route pattern.
    let formats: [String: ProblemFormat]
    /// Where no route matches: the format of the first prefix that does
    /// (`MeasuredRouter.unmatched`), else JSON.
    let unmatched: [(prefix: Router, format: ProblemFormat)]

    /// The pattern of the route `method` and `path` are meant for: the one
    /// they match, or for a method the path does not take, the path's route.
    func pattern(method: String, path: String) -> String? {
        switch router.match(method: method, path: path) {
        case .found(let found): return found.pattern
        case .methodNotAllowed(let allowed):
            guard let other = allowed.first, case .found(let found) = router.match(method: other, path: path) else { return nil }
            return found.pattern
        case .notFound: return nil
        }
    }

    /// The format for a route's pattern, or where no route matched `path`.
    func format(pattern: String?, path: String) -> ProblemFormat {
        if let pattern, let format = formats[pattern] { return format }
        for (prefix, format) in unmatched {
            if case .found = prefix.match(method: "GET", path: path) { return format }
        }
        return .json
    }
}

/// Registers routes so that each request is counted under its route
/// pattern (never its path: paths carry tokens), with its status and the
/// time its handler took; a body refused on its head is counted there too.
struct MeasuredRouter {
    let metrics: Metrics
    let bodies: RouteBodies
    private var router = Router()
    private var formats: [String: ProblemFormat] = [:]
    private var unmatched: [(prefix: Router, format: ProblemFormat)] = []

    init(metrics: Metrics, bodies: RouteBodies) {
        self.metrics = metrics
        self.bodies = bodies
    }

    var table: RouteTable {
        RouteTable(router: router, formats: formats, unmatched: unmatched)
    }

    /// `body`: what the route does with a request body; by default the one
    /// `RouteBodies` gives its method and pattern. The handler's format
    /// (`ErrorBoundary`) is the route's, for every method of its pattern.
    mutating func add(_ method: String, _ pattern: String, _ handler: ErrorBoundary.Rendered, body: BodyPolicy? = nil) {
        precondition(formats[pattern, default: handler.format] == handler.format,
                     "\(method) \(pattern): every method of a pattern answers in one format")
        formats[pattern] = handler.format
        let route = metrics.route(method: method, pattern: pattern)
        let policy = body ?? bodies.policy(method: method, pattern: pattern, format: handler.format)
        router.add(method, pattern, body: measured(policy, route)) { [metrics, handler = handler.handler] request in
            let started = DispatchTime.now().uptimeNanoseconds
            let response = await handler(request)
            let elapsed = DispatchTime.now().uptimeNanoseconds - started
            metrics.recordRequest(route, status: response.status, seconds: Double(elapsed) / 1e9)
            return response
        }
    }

    /// Paths under `pattern` (itself included) that match no route are
    /// answered in `format`.
    mutating func unmatched(under pattern: String, _ format: ProblemFormat) {
        var prefix = Router()  // matched only, never run
        prefix.add("GET", pattern + "/*rest") { _ in Response(status: 404) }
        unmatched.append((prefix, format))
    }

    private func measured(_ policy: BodyPolicy, _ route: Metrics.Route) -> BodyPolicy {
        guard let admission = policy.admission else { return policy }
        return BodyPolicy(maximumBytes: policy.maximumBytes) { [metrics] request in
            let started = DispatchTime.now().uptimeNanoseconds
            guard let refusal = await admission(request) else { return nil }
            let elapsed = DispatchTime.now().uptimeNanoseconds - started
            metrics.recordRequest(route, status: refusal.status, seconds: Double(elapsed) / 1e9)
            return refusal
        }
    }
}

/// What a route does with a request body unless it says otherwise, decided
/// on the head before a byte of the body is read. An unauthenticated caller
/// could otherwise fill the spool with bodies refused only once they were
/// all in (20 posts of 60 MB to a made-up link put 1 GB on disk):
/// - GET and HEAD routes take no body;
/// - under `/key/:token` the personal link must be valid, under
///   `/test/:token` a draft's test link (failed lookups count for the
///   `GuessingLimiter` as usual);
/// - under `/api/` an API key or a live session must be valid (who may do
///   what, and the CSRF check, stay the handler's);
/// - any other route must declare its policy when it is registered.
struct RouteBodies {
    let render: ErrorBoundary
    let personalLink: ErrorBoundary.Check
    let draftTestLink: ErrorBoundary.Check
    let caller: ErrorBoundary.Check

    /// A refusal is worded in the route's `format`.
    func policy(method: String, pattern: String, format: ProblemFormat) -> BodyPolicy {
        if method == "GET" || method == "HEAD" { return .none }
        if pattern.hasPrefix("/key/:token") { return .admitted(by: render.admission(personalLink, format: format)) }
        if pattern.hasPrefix("/test/:token") { return .admitted(by: render.admission(draftTestLink, format: format)) }
        if pattern.hasPrefix("/api/") { return .admitted(by: render.admission(caller, format: format)) }
        preconditionFailure("\(method) \(pattern): say what the route does with a request body (body:)")
    }
}

/// Turns what handlers throw into responses: Problems in the route's own
/// format (OpenRosa XML or JSON); anything else a plain 500 and a log line.
struct ErrorBoundary: Sendable {
    let logger: Logging.Logger

    typealias Handler = @Sendable (Request) async throws -> Response

    /// A handler that answers every error itself, and the format it words
    /// them in: `MeasuredRouter` keeps it as the route's.
    struct Rendered {
        let format: ProblemFormat
        let handler: Router.Handler
    }

    func openRosa(_ handler: @escaping Handler) -> Rendered {
        rendered(handler, format: .openRosa)
    }

    func json(_ handler: @escaping Handler) -> Rendered {
        rendered(handler, format: .json)
    }

    /// A check on a request head that throws to refuse its body.
    typealias Check = @Sendable (Request) async throws -> Void

    func admission(_ check: @escaping Check, format: ProblemFormat) -> BodyPolicy.Admission {
        { [self] request in
            do {
                try await check(request)
                return nil
            } catch {
                return answer(error, request, format: format)
            }
        }
    }

    private func rendered(_ handler: @escaping Handler, format: ProblemFormat) -> Rendered {
        Rendered(format: format) { [self] request in
            do {
                return try await handler(request)
            } catch {
                return answer(error, request, format: format)
            }
        }
    }

    private func answer(_ error: any Error, _ request: Request, format: ProblemFormat) -> Response {
        if let problem = error as? Problem {
            if problem.status >= 500 {
                logger.error("request failed", metadata: [
                    "request.id": "\(request.id)", "problem.code": "\(problem.code)",
                    "problem.detail": "\(problem.detail ?? "")"])
            } else {
                logger.notice("request refused", metadata: [
                    "request.id": "\(request.id)", "problem.code": "\(problem.code)",
                    "problem.field": "\(problem.field ?? "")", "problem.detail": "\(problem.detail ?? "")"])
            }
            return ProblemRendering.response(problem, format: format, request: request)
        }
        logger.error("unexpected error", metadata: [
            "request.id": "\(request.id)", "error.type": "\(type(of: error))"])
        return ProblemRendering.response(.internalError(requestID: request.id), format: format, request: request)
    }
}
