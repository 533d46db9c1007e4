import Foundation
import SuiviDomain
import Logging
import SuiviHTTP

/// Every route Suivi answers, in one place.
enum Routes {
    static func make(_ context: AppContext) -> Router {
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
            personalLink: .admitted(by: render.openRosaAdmission { try await authentication.admitPersonalLink($0) }),
            caller: .admitted(by: render.jsonAdmission { try await authentication.admitCaller($0) }))
        var router = MeasuredRouter(metrics: context.metrics, bodies: bodies)
        // OpenRosa, under each resource person's personal link.
        router.add("GET", "/key/:token/formList", render.openRosa(openRosa.formList))
        router.add("GET", "/key/:token/forms/:formId.xml", render.openRosa(openRosa.formDownload))
        router.add("GET", "/key/:token/forms/:formId/manifest", render.openRosa(openRosa.manifest))
        router.add("GET", "/key/:token/forms/:formId/media/:name", render.openRosa(openRosa.mediaFile))
        router.add("HEAD", "/key/:token/submission", render.openRosa(openRosa.submissionProbe))
        router.add("POST", "/key/:token/submission", render.openRosa(intake.submit))

        // The phone browser, under the same personal link.
        router.add("GET", "/key/:token", render.json(personal.page))
        router.add("GET", "/key/:token/me", render.json(personal.me))
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
        return router.router
    }
}

/// Registers routes so that each request is counted under its route
/// pattern (never its path: paths carry tokens), with its status and the
/// time its handler took; a body refused on its head is counted there too.
struct MeasuredRouter {
    let metrics: Metrics
    let bodies: RouteBodies
    private(set) var router = Router()

    init(metrics: Metrics, bodies: RouteBodies) {
        self.metrics = metrics
        self.bodies = bodies
    }

    /// `body`: what the route does with a request body; by default the one
    /// `RouteBodies` gives its method and pattern.
    mutating func add(_ method: String, _ pattern: String, _ handler: @escaping Router.Handler, body: BodyPolicy? = nil) {
        let route = metrics.route(method: method, pattern: pattern)
        router.add(method, pattern, body: measured(body ?? bodies.policy(method: method, pattern: pattern), route)) { [metrics] request in
            let started = DispatchTime.now().uptimeNanoseconds
            let response = await handler(request)
            let elapsed = DispatchTime.now().uptimeNanoseconds - started
            metrics.recordRequest(route, status: response.status, seconds: Double(elapsed) / 1e9)
            return response
        }
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
/// - under `/key/:token` the personal link must be valid (failed lookups
///   count for the `GuessingLimiter` as usual);
/// - under `/api/` an API key or a live session must be valid (who may do
///   what, and the CSRF check, stay the handler's);
/// - any other route must declare its policy when it is registered.
struct RouteBodies {
    let personalLink: BodyPolicy
    let caller: BodyPolicy

    func policy(method: String, pattern: String) -> BodyPolicy {
        if method == "GET" || method == "HEAD" { return .none }
        if pattern.hasPrefix("/key/:token") { return personalLink }
        if pattern.hasPrefix("/api/") { return caller }
        preconditionFailure("\(method) \(pattern): say what the route does with a request body (body:)")
    }
}

/// Turns what handlers throw into responses: Problems in the route's own
/// format (OpenRosa XML or JSON); anything else a plain 500 and a log line.
struct ErrorBoundary: Sendable {
    let logger: Logging.Logger

    typealias Handler = @Sendable (Request) async throws -> Response

    func openRosa(_ handler: @escaping Handler) -> Router.Handler {
        wrap(handler) { problem, request in OpenRosaResponses.problem(problem, language: Language(request)) }
    }

    func json(_ handler: @escaping Handler) -> Router.Handler {
        wrap(handler) { problem, _ in ProblemRendering.json(problem) }
    }

    /// A check on a request head that throws to refuse its body.
    typealias Check = @Sendable (Request) async throws -> Void

    func openRosaAdmission(_ check: @escaping Check) -> BodyPolicy.Admission {
        admission(check) { problem, request in OpenRosaResponses.problem(problem, language: Language(request)) }
    }

    func jsonAdmission(_ check: @escaping Check) -> BodyPolicy.Admission {
        admission(check) { problem, _ in ProblemRendering.json(problem) }
    }

    private func wrap(_ handler: @escaping Handler,
                      render: @escaping @Sendable (Problem, Request) -> Response) -> Router.Handler {
        { [self] request in
            do {
                return try await handler(request)
            } catch {
                return answer(error, request, render: render)
            }
        }
    }

    private func admission(_ check: @escaping Check,
                           render: @escaping @Sendable (Problem, Request) -> Response) -> BodyPolicy.Admission {
        { [self] request in
            do {
                try await check(request)
                return nil
            } catch {
                return answer(error, request, render: render)
            }
        }
    }

    private func answer(_ error: any Error, _ request: Request,
                        render: @Sendable (Problem, Request) -> Response) -> Response {
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
            return render(problem, request)
        }
        logger.error("unexpected error", metadata: [
            "request.id": "\(request.id)", "error.type": "\(type(of: error))"])
        return render(.internalError(requestID: request.id), request)
    }
}
