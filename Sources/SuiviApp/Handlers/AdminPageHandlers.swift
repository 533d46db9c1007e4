import Foundation
import SuiviDomain
import SuiviHTTP

/// The coordinators' pages: static HTML shells from `Public/admin/` that
/// hold no data themselves and read everything from the API with the
/// session cookie, so each page's access rules live in the API alone.
struct AdminPageHandlers: Sendable {
    let files: StaticFiles

    /// `/admin` is the dashboard once signed in (pages send visitors without
    /// a session to the sign-in page).
    func home(_ request: Request) async throws -> Response {
        try page("index", request)
    }

    /// `/admin/:page`: lower-case letters and dashes only.
    func named(_ request: Request) async throws -> Response {
        let name = request.parameter("page")
        guard !name.isEmpty, name.count <= 40, name.allSatisfy({ ("a"..."z").contains($0) || $0 == "-" }) else {
            throw Problem.notFound()
        }
        return try page(name, request)
    }

    private func page(_ name: String, _ request: Request) throws -> Response {
        guard var response = files.response(for: "admin/\(name).html", request: request, cacheControl: "no-cache") else {
            throw Problem.notFound()
        }
        // Pages are never framed (clickjacking) and load scripts from Suivi only.
        PageHeaders.apply(to: &response)
        return response
    }
}
