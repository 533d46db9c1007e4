import Foundation
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// What a phone browser gets under a personal link: the page, who the
/// person is, and the forms as JSON.
struct PersonalPageHandlers: Sendable {
    let context: AppContext
    let authentication: Authentication
    let files: StaticFiles

    /// The page itself holds no personal data; it reads `me` once opened.
    /// A bad or revoked link still gets the page (with 403, or 429 once the
    /// address has failed too often), which then explains, in the person's
    /// language, what to do.
    func page(_ request: Request) async throws -> Response {
        try await Self.page(request, files: files) { _ = try await authentication.person($0) }
    }

    /// The page under a link that `check` proves (a personal link, a
    /// draft's test link); a refused link gets it too, with its status.
    static func page(_ request: Request, files: StaticFiles,
                     check: (Request) async throws -> Void) async throws -> Response {
        var status = 200
        do {
            try await check(request)
        } catch let problem as Problem where problem.status == 403 || problem.status == 429 {
            status = problem.status
        }
        guard var response = files.response(for: "collect/index.html", request: request, cacheControl: "no-store") else {
            throw Problem.notFound()
        }
        if response.status == 200 { response.status = status }
        // The page holds a token in its address: never framed, never
        // handed on as a referrer, scripts from Suivi only.
        PageHeaders.apply(to: &response)
        return response
    }

    /// Served from the root so its scope covers every personal link.
    func serviceWorker(_ request: Request) async throws -> Response {
        guard let response = files.response(for: "sw.js", request: request) else { throw Problem.notFound() }
        return response
    }

    func asset(_ request: Request) async throws -> Response {
        guard let response = files.response(for: "assets/" + request.parameter("path"), request: request) else {
            throw Problem.notFound()
        }
        return response
    }

    func me(_ request: Request) async throws -> Response {
        let person = try await authentication.person(request)
        // A form published by `suivi form publish` shows here as in Collect's form list.
        try context.forms.reloadIfChanged()
        let departement = context.departements.first { $0.code == person.departementCode }
        return JSONResponses.ok(PersonalPageResponse(
            name: person.name,
            departement: .init(code: person.departementCode, name: departement?.name ?? person.departementCode,
                               region: departement?.region ?? ""),
            forms: context.forms.listed.map {
                .init(id: $0.formID, title: $0.definition.title, version: $0.version, hash: "md5:\($0.md5)")
            },
            collectServerURL: "\(context.baseURL())/key/\(request.parameter("token"))"))
    }

    /// `GET /key/:token/records?ids=uuid:a,uuid:b`: what coordinators made
    /// of records this person sent (at most 200 ids a call), so the phone's
    /// outbox can say "checked by the coordinator". Only their own records.
    func records(_ request: Request) async throws -> Response {
        let person = try await authentication.person(request)
        let ids = (request.query["ids"] ?? "").split(separator: ",").map(String.init).filter { !$0.isEmpty }
        guard ids.count <= Self.maximumRecordIDs, ids.allSatisfy({ $0.utf8.count <= 100 }) else {
            throw Problem.invalidParameter("ids", "at most \(Self.maximumRecordIDs) instance ids, comma-separated")
        }
        let states = try await context.reviews.reviewStates(ofPerson: person.id, instanceIDs: ids)
        return JSONResponses.ok(OwnRecordsResponse(records: states.map { .init(instanceID: $0.instanceID, reviewState: $0.state) }))
    }

    static let maximumRecordIDs = 200

    func formJSON(_ request: Request) async throws -> Response {
        _ = try await authentication.person(request)
        let formID = request.parameter("formId")
        guard let form = context.forms.currentForm(formID) else { throw Problem.unknownForm(formID) }
        return JSONResponses.ok(FormDescriptionResponse(form), personalData: false)
    }
}

/// `GET /key/:token/me`: who the person is, where they work, the forms they
/// fill, and the address ODK Collect takes to send to their link (personal
/// data: never cached).
struct PersonalPageResponse: Encodable {
    struct Departement: Encodable {
        let code: String
        let name: String
        let region: String
    }

    struct Form: Encodable {
        let id: String
        let title: String
        let version: String
        let hash: String
    }

    let name: String
    let departement: Departement
    let forms: [Form]
    let collectServerURL: String

    enum CodingKeys: String, CodingKey {
        case name, departement, forms, collectServerURL = "collect_server_url"
    }
}

/// `GET /key/:token/records`: review states of the person's own records.
struct OwnRecordsResponse: Encodable {
    struct Record: Encodable {
        let instanceID: String
        let reviewState: String

        enum CodingKeys: String, CodingKey {
            case instanceID = "instance_id", reviewState = "review_state"
        }
    }

    let records: [Record]
}
