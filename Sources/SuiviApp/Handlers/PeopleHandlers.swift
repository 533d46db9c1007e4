import Foundation
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// `/api/v1/people`: resource persons, their personal links and QR codes,
/// imports, and the printable sheet of QR cards per département.
///
/// Names and phones leave only for roles that manage people or read
/// personal data, within their scope, never cached (`no-store`). A link
/// and its QR codes are shown once, when issued: only hashes are kept.
struct PeopleHandlers: Sendable {
    let context: AppContext
    let authentication: Authentication

    static let maximumImportBytes = 5 << 20

    /// `GET /api/v1/people[?departement=CODE][&active=1]`
    func list(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        guard principal.role.allows(.managePeople) || principal.role.allows(.readPersonalData) else { throw Problem.forbidden() }
        var codes = principal.scope.departementCodes
        if let wanted = request.query["departement"], !wanted.isEmpty {
            try principal.requireDepartement(wanted)
            codes = [wanted]
        }
        let people = try await context.directory.people(departementCodes: codes, includeInactive: request.query["active"] != "1")
        return JSONResponses.ok(PeopleListResponse(people: people.map(PersonListedResponse.listing)))
    }

    /// `POST /api/v1/people` {name, phone, departement, organisation?}
    func add(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.managePeople)
        let body = try JSONBody(request)
        let name = try body.string("name", maximumLength: 200)!
        let phone = try body.string("phone", maximumLength: 40)!
        let departement = try departementCode(body.string("departement", maximumLength: 60)!)
        let organisation = try body.string("organisation", required: false, maximumLength: 200)
        try principal.requireDepartement(departement)
        let issued = try await context.directory.addPerson(
            name: name, phone: phone, departementCode: departement, organisation: organisation,
            newToken: PersonalLinks.newToken, by: principal.auditActor)
        return JSONResponses.ok(try await answer(issued), status: 201)
    }

    /// `PATCH /api/v1/people/:id` {name?, phone?, departement?, organisation?, active?}
    func update(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.managePeople)
        let id = try Self.id(request)
        let current = try await context.directory.person(id: id)
        try principal.requireVisible(current.departementCode, otherwise: .personNotFound())
        let body = try JSONBody(request)
        let departement = try body.string("departement", required: false, maximumLength: 60).map(departementCode)
        if let departement { try principal.requireDepartement(departement) }
        var organisation = try body.string("organisation", required: false, maximumLength: 200)
        if organisation == nil && body.object["organisation"] != nil { organisation = "" }  // "" or null clears it
        let person = try await context.directory.updatePerson(
            id: id, name: body.string("name", required: false, maximumLength: 200),
            phone: body.string("phone", required: false, maximumLength: 40), departementCode: departement,
            organisation: organisation, active: body.bool("active", required: false), by: principal.auditActor)
        return JSONResponses.ok(OnePersonResponse(person: PersonResponse(person)))
    }

    /// `POST /api/v1/people/:id/link`: revokes the person's links and issues
    /// a new one, returned once with its QR codes.
    func reissueLink(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.managePeople)
        let id = try Self.id(request)
        try principal.requireVisible(try await context.directory.person(id: id).departementCode, otherwise: .personNotFound())
        let issued = try await context.directory.reissueLink(personID: id, newToken: PersonalLinks.newToken, by: principal.auditActor)
        return JSONResponses.ok(try await answer(issued))
    }

    /// `DELETE /api/v1/people/:id/link`: the old link answers 403 at once.
    func revokeLinks(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.managePeople)
        let id = try Self.id(request)
        try principal.requireVisible(try await context.directory.person(id: id).departementCode, otherwise: .personNotFound())
        try await context.directory.revokeLinks(personID: id, by: principal.auditActor)
        return JSONResponses.ok(RevokedLinksResponse(person: PersonResponse(try await context.directory.person(id: id))))
    }

    /// `POST /api/v1/people/import`: a CSV (`text/csv`) or XLSX file as the
    /// body. Answers the per-row report, the new links (once) and the same
    /// as CSV text for download.
    func importFile(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.managePeople)
        guard request.body.size <= Self.maximumImportBytes else { throw Problem.bodyTooLarge(limit: Self.maximumImportBytes) }
        let data: Data
        do { data = try request.body.data() } catch { throw Problem.unreadableImportFile("body unreadable") }
        let result = try await PersonalLinks.importFile(
            data, directory: context.directory, inScope: { [scope = principal.scope] in scope.includes($0) },
            actor: principal.auditActor)
        let base = context.baseURL()
        var accepted: [MergedResponse<PersonResponse, PeopleImportResponse.Added>] = []
        var csv = CSVTable.line(["ligne / row", "nom / name", "téléphone / phone", "département", "organisation", "lien / link"])
        for (row, issued) in zip(result.plan.accepted, result.issued) {
            let link = PersonalLinks.link(base, issued.token)
            accepted.append(MergedResponse(first: PersonResponse(issued.person), second: .init(row: row.row, link: link)))
            csv += CSVTable.line([String(row.row), issued.person.name, issued.person.phone, issued.person.departementCode,
                                  issued.person.organisation ?? "", link])
        }
        return JSONResponses.ok(PeopleImportResponse(
            accepted: accepted, rejected: result.plan.rejected.map(PeopleImportResponse.Rejected.init), linksCSV: csv))
    }

    /// `POST /api/v1/departements/:code/qr-sheet`: new links for every
    /// active person of the département, with their QR codes, for the
    /// printable sheet. Old links stop working.
    func qrSheet(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.managePeople)
        let code = request.parameter("code")
        guard let departement = context.departements.first(where: { $0.code == code }) else { throw Problem.unknownDepartement(code) }
        try principal.requireDepartement(code)
        let issued = try await context.directory.reissueLinks(departementCode: code, newToken: PersonalLinks.newToken, by: principal.auditActor)
        let base = context.baseURL()
        let cards = try await BlockingWork.run {
            try issued.map { item in
                MergedResponse(first: PersonResponse(item.person), second: QRSheetResponse.Codes(
                    qr: try PersonalLinkCodes(link: PersonalLinks.link(base, item.token)).response()))
            }
        }
        return JSONResponses.ok(QRSheetResponse(departement: DepartementResponse(departement), people: cards))
    }

    /// `GET /api/v1/departements`: the 46 départements (no personal data).
    func departements(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        guard principal.role.allows(.readTallies) || principal.role.allows(.managePeople) else { throw Problem.forbidden() }
        return JSONResponses.ok(DepartementListResponse(departements: context.departements.map {
            MergedResponse(first: DepartementResponse($0), second: .init(inScope: principal.scope.includes($0.code)))
        }), personalData: false)
    }

    // MARK: Helpers

    private func answer(_ issued: IssuedLink) async throws -> IssuedLinkResponse {
        let link = PersonalLinks.link(context.baseURL(), issued.token)
        let codes = try await BlockingWork.run { try PersonalLinkCodes(link: link).response() }
        return IssuedLinkResponse(person: PersonResponse(issued.person), link: codes)
    }

    private func departementCode(_ text: String) throws -> String {
        let folded = PeopleImport.fold(text)
        let slug = folded.replacingOccurrences(of: " ", with: "-")
        guard let found = context.departements.first(where: { $0.code == slug || PeopleImport.fold($0.name) == folded }) else {
            throw Problem.unknownDepartement(text)
        }
        return found.code
    }

    static func id(_ request: Request) throws -> Int64 {
        guard let id = Int64(request.parameter("id")), id > 0 else { throw Problem.personNotFound() }
        return id
    }
}
