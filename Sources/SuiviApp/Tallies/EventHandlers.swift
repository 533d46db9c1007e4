import Foundation
import SuiviDomain
import SuiviHTTP

/// Live updates for the dashboard as Server-Sent Events, one short response
/// at a time: each request waits (suspended, holding no thread) until the
/// change counter moves or 15 s pass, answers one event, and ends; the
/// browser's EventSource reconnects after `retry` with `Last-Event-ID`, so
/// a change made between two requests is answered at once. libmicrohttpd's
/// threads are never held and a stopping server answers every waiter.
struct EventHandlers: Sendable {
    let context: AppContext
    let authentication: Authentication
    /// Well under the connection inactivity timeout (30 s).
    static let waitSeconds = 15.0
    static let retryMilliseconds = 500

    /// `GET /api/v1/events`.
    func events(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.readTallies)
        let feed = context.changes
        let lastID = request.headers["Last-Event-ID"] ?? request.query["last_event_id"] ?? ""
        var body = "retry: \(Self.retryMilliseconds)\n\n"
        if let seen = Self.version(lastID, epoch: feed.epoch) {
            let now = await feed.wait(after: seen, timeout: Self.waitSeconds)
            if now != seen {
                body += "id: \(feed.epoch)-\(now)\nevent: change\ndata: {\"version\":\(now)}\n\n"
            } else {
                body += ": nothing new\n\n"
            }
        } else {
            // First connection, or the server restarted: here is where to start from.
            let now = feed.current
            body += "id: \(feed.epoch)-\(now)\nevent: hello\ndata: {\"version\":\(now)}\n\n"
        }
        return Response(status: 200, contentType: "text/event-stream; charset=utf-8", body: Data(body.utf8),
                        headers: [("Cache-Control", "no-cache"), ("X-Accel-Buffering", "no")])
    }

    /// The counter in an id `EPOCH-N` of this run of the server.
    static func version(_ id: String, epoch: String) -> UInt64? {
        let parts = id.split(separator: "-")
        guard parts.count == 2, parts[0] == epoch else { return nil }
        return UInt64(parts[1])
    }

    /// `GET /vendor/chart.js`: Chart.js from Debian's libjs-chart.js, served
    /// by Suivi itself (no CDN).
    func chartJS(_ request: Request) async throws -> Response {
        for directory in ["/usr/share/javascript/chart.js", "/usr/share/nodejs/chart.js/dist"] {
            for name in ["chart.umd.js", "chart.min.js"] {
                if var response = StaticFiles(root: directory).response(for: name, request: request,
                                                                         cacheControl: "public, max-age=86400") {
                    response.setHeader("Content-Type", "text/javascript; charset=utf-8")
                    return response
                }
            }
        }
        throw Problem.notFound()
    }
}
