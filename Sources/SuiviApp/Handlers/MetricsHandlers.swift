import Foundation
import SuiviDomain
import SuiviHTTP

/// `GET /metrics`: Prometheus text exposition.
///
/// With `--metrics-token`, a scraper must send `Authorization: Bearer TOKEN`
/// (only the token's SHA-256 is kept). Without one, the counts are served
/// only when Suivi listens on loopback, where just the machine itself (and
/// a reverse proxy told not to pass `/metrics` on) can reach them.
struct MetricsHandlers: Sendable {
    let context: AppContext

    func metrics(_ request: Request) async throws -> Response {
        if let expected = context.configuration.metricsTokenSHA256 {
            guard let header = request.headers["Authorization"], header.lowercased().hasPrefix("bearer ") else {
                throw Problem.authenticationRequired().with(detail: "metrics token required")
            }
            let token = header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
            // Comparing digests: their timing tells nothing about the token.
            guard !token.isEmpty, token.count <= 256, Secrets.sha256Hex(token) == expected else {
                throw Problem.authenticationRequired().with(detail: "wrong metrics token")
            }
        } else if !Self.isLoopback(context.configuration.server.host) {
            throw Problem.forbidden().with(detail: "listening beyond loopback: /metrics needs --metrics-token")
        }
        return Response(status: 200, contentType: MetricsExposition.contentType,
                        body: Data(context.metrics.render(queueDepth: context.writer.pendingCount).utf8), headers: [("Cache-Control", "no-store")])
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}
