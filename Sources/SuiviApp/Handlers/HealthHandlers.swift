import Foundation
import SuiviHTTP

/// `/healthz`: the process answers and the database can be read.
struct HealthHandlers: Sendable {
    let context: AppContext

    func health(_ request: Request) async throws -> Response {
        try await context.database.ping()
        return JSONResponses.ok(HealthResponse(), personalData: false)
    }
}

/// `{"status": "ok"}`, when the database could be read.
struct HealthResponse: Encodable {
    let status = "ok"
}
