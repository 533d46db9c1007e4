import Foundation
import SuiviDomain
import Logging
import SuiviHTTP

/// Every route Suivi answers, in one place.
enum Routes {
    static func make(_ context: AppContext) -> Router {
        let authentication = Authentication(
            people: context.people, apiKeys: context.apiKeys, accounts: context.accounts, guessing: context.guessing,
            departements: context.departements, sessionLimits: context.configuration.sessionLimits)
        let sessions = SessionHandlers(context: context, authentication: authentication)
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

        var router = MeasuredRouter(metrics: context.metrics)
        // OpenRosa, under each resource person's personal link.
        router.add("GET", "/key/:token/formList", render.openRosa(openRosa.formList))
        router.add("GET", "/key/:token/forms/:formId.xml", render.openRosa(openRosa.formDownload))
        router.add("GET", "/key/:token/forms/:formId/manifest", render.openRosa(openRosa.manifest))
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
        router.add("POST", "/api/v1/session", render.json(sessions.signIn))
        router.add("GET", "/api/v1/session", render.json(sessions.current))
        router.add("DELETE", "/api/v1/session", render.json(sessions.signOut))

        // API for coordinators and other systems.
        router.add("GET", "/api/v1/submissions", render.json(api.list))

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
/// time its handler took.
struct MeasuredRouter {
    let metrics: Metrics
    private(set) var router = Router()

    init(metrics: Metrics) {
        self.metrics = metrics
    }

    mutating func add(_ method: String, _ pattern: String, _ handler: @escaping Router.Handler) {
        let route = metrics.route(method: method, pattern: pattern)
        router.add(method, pattern) { [metrics] request in
            let started = DispatchTime.now().uptimeNanoseconds
            let response = await handler(request)
            let elapsed = DispatchTime.now().uptimeNanoseconds - started
            metrics.recordRequest(route, status: response.status, seconds: Double(elapsed) / 1e9)
            return response
        }
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

    private func wrap(_ handler: @escaping Handler,
                      render: @escaping @Sendable (Problem, Request) -> Response) -> Router.Handler {
        { [logger] request in
            do {
                return try await handler(request)
            } catch let problem as Problem {
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
            } catch {
                logger.error("unexpected error", metadata: [
                    "request.id": "\(request.id)", "error.type": "\(type(of: error))"])
                return render(.internalError(requestID: request.id), request)
            }
        }
    }
}
