import Foundation
import SuiviDomain
import SuiviApp
import SuiviDomain
import SuiviStore
import Testing

/// The role × route matrix: every `/api/v1` route, called by every kind of
/// caller (each role with an API key, two of them with a session cookie too,
/// an unknown key and no credentials), in and out of the caller's scope.
///
/// A route cannot ship without its line here: `everyAPIRouteHasALine` reads
/// the routes from `Routes.swift` and fails for one that has none. A line
/// says who may call the route and how its answer depends on the caller's
/// region:
/// - `.plain`: nothing regional in the answer;
/// - `.list`: a regional caller sees only its region's data (and a national
///   one every region's, when `everyRegion`);
/// - `.perRegion`: the request names something of one region (a lead, a
///   person, a département...): called once per region, it answers `success`
///   in scope and `outOfScope` out of it.
/// Whatever the route, an answer to a regional caller never holds another
/// region's markers (`MatrixRegion.markers`), unless the line says the route shows
/// every département on purpose (campaign structure, the list of
/// départements), and a refusal holds no marker at all.
///
/// One server is seeded once for the whole suite (`MatrixServer`); requests
/// that change or remove something get a resource of their own. The lines
/// run one after the other: some thousand requests at once would starve the
/// other suites' servers in the same process.
@Suite(.serialized, MatrixServer()) struct RoleScopeTests {
    @Test func everyAPIRouteHasALine() throws {
        let source = try String(contentsOf: repositoryRoot.appendingPathComponent("Sources/SuiviApp/Routes.swift"),
                                encoding: .utf8)
        let expression = try NSRegularExpression(pattern: #"\.add\(\s*"([A-Z]+)",\s*"(/api/v1[^"]*)""#)
        let registered = Set(expression.matches(in: source, range: NSRange(source.startIndex..., in: source)).map { match in
            "\(source[Range(match.range(at: 1), in: source)!]) \(source[Range(match.range(at: 2), in: source)!])"
        })
        #expect(registered.count > 50, "could not read the routes of Routes.swift")
        let covered = Set(Self.routes.map(\.route))
        #expect(registered.subtracting(covered).isEmpty,
                "routes with no line in RoleScopeTests.routes: \(registered.subtracting(covered).sorted())")
        #expect(covered.subtracting(registered).isEmpty,
                "lines for routes Routes.swift no longer has: \(covered.subtracting(registered).sorted())")
    }

    @Test(arguments: routes)
    func route(_ line: RouteLine) async throws {
        let matrix = try #require(MatrixServer.current, "the suite's server is missing")
        for caller in matrix.callers {
            var caller = caller
            if line.ownSession, let user = caller.sessionUser {
                // Signing out ends the session: this line gets one of its own.
                let session = try await matrix.server.signIn(user)
                caller = caller.withSession(session)
            }
            switch line.shape {
            case .plain, .list:
                try await check(line, caller: caller, region: nil, matrix: matrix)
            case .perRegion:
                for region in matrix.regions {
                    try await check(line, caller: caller, region: region, matrix: matrix)
                }
            }
        }
    }

    /// One call and what it must answer.
    private func check(_ line: RouteLine, caller: MatrixCaller, region: MatrixRecords?, matrix: Matrix) async throws {
        let call = try await line.request(matrix, region)
        var headers = caller.headers
        if let type = call.contentType { headers["Content-Type"] = type }
        let reply = try await matrix.server.client.request(line.method, call.path, headers: headers, body: call.body)
        let label = "\(caller.name): \(line.method) \(call.path) answered \(reply.status) \(reply.text.prefix(200))"
        let allowed = line.access.allows(caller)
        let inScope = region.map { caller.region == nil || caller.region?.code == $0.region.code } ?? true

        let expected: Int
        if !allowed {
            expected = caller.role == .none ? 401 : line.access.refusal(caller)
        } else if case .perRegion(let outOfScope) = line.shape, !inScope {
            expected = outOfScope
        } else {
            expected = line.success
        }
        #expect(reply.status == expected, "\(label); expected \(expected)")
        guard reply.status == expected else { return }

        let text = reply.text.lowercased()
        let markers = { (region: MatrixRegion) in region.markers.filter { text.contains($0.lowercased()) } }
        if !(200..<300).contains(reply.status) || !allowed {
            for region in matrix.regions.map(\.region) {
                #expect(markers(region).isEmpty, "\(label): a refusal shows \(markers(region))")
            }
            return
        }
        if let own = caller.region, !line.showsEveryDepartement {
            for region in matrix.regions.map(\.region) where region.code != own.code {
                #expect(markers(region).isEmpty, "\(label): shows another region's \(markers(region))")
            }
        }
        if case .list(let everyRegion) = line.shape, everyRegion {
            for region in matrix.regions.map(\.region) where caller.region == nil || caller.region?.code == region.code {
                #expect(text.contains(region.marker.lowercased()), "\(label): \(region.name)'s records are missing")
            }
        }
        try line.check?.run(Outcome(matrix: matrix, caller: caller, region: region, inScope: inScope, reply: reply))
    }
}

// MARK: - The lines

extension RoleScopeTests {
    typealias Request = @Sendable (Matrix, MatrixRecords?) async throws -> Call

    /// Who may call a route.
    enum Access: Sendable {
        /// No credentials needed (signing in).
        case anyone
        /// A session cookie; with an API key the route answers `keyRefusal`.
        case session(keyRefusal: Int)
        /// These roles; any other caller with credentials gets 403.
        case roles(Set<MatrixRole>)

        func allows(_ caller: MatrixCaller) -> Bool {
            switch self {
            case .anyone: true
            case .session: caller.sessionUser != nil
            case .roles(let roles): roles.contains(caller.role)
            }
        }

        func refusal(_ caller: MatrixCaller) -> Int {
            if case .session(let keyRefusal) = self { return keyRefusal }
            return 403
        }
    }

    enum Shape: Sendable {
        case plain
        case list(everyRegion: Bool)
        case perRegion(outOfScope: Int)
    }

    struct Call: Sendable {
        var path: String
        var body = Data()
        var contentType: String?

        static func json(_ path: String, _ object: [String: Any]) -> Call {
            Call(path: path, body: jsonData(object), contentType: "application/json")
        }

        static func csv(_ path: String, _ text: String) -> Call {
            Call(path: path, body: Data(text.utf8), contentType: "text/csv")
        }
    }

    /// What a line's own check sees.
    struct Outcome {
        let matrix: Matrix
        let caller: MatrixCaller
        let region: MatrixRecords?
        let inScope: Bool
        let reply: HTTPReply
    }

    /// A line's own check of an allowed answer (a struct, so that a
    /// trailing closure is always the request).
    struct Check: Sendable {
        let run: @Sendable (Outcome) throws -> Void
        init(_ run: @escaping @Sendable (Outcome) throws -> Void) { self.run = run }
    }

    struct RouteLine: Sendable, CustomTestStringConvertible {
        let method: String
        let pattern: String
        let access: Access
        let shape: Shape
        /// What an allowed caller gets (in scope).
        let success: Int
        var showsEveryDepartement = false
        /// Signing out: each session caller signs in again first.
        var ownSession = false
        let request: Request
        var check: Check?

        var route: String { "\(method) \(pattern)" }
        var testDescription: String { route }
    }

    static let admin: Set<MatrixRole> = [.admin]
    /// National campaign editors.
    static let nationalEditors: Set<MatrixRole> = [.admin, .national]
    /// Coordinators' capabilities: personal data, people, review, campaign days and targets.
    static let coordinators: Set<MatrixRole> = [.admin, .national, .dakar, .thies]
    static let tallyReaders: Set<MatrixRole> = coordinators.union([.viewer])
    static let leadReaders: Set<MatrixRole> = coordinators.union([.membership, .membershipThies])
    static let membershipWriters: Set<MatrixRole> = [.admin, .membership, .membershipThies]
    static let period = "from=2023-03-01&to=2023-03-31"

    static func line(_ method: String, _ pattern: String, _ access: Access, _ shape: Shape, _ success: Int,
                     showsEveryDepartement: Bool = false, ownSession: Bool = false,
                     check: Check? = nil, request: @escaping Request) -> RouteLine {
        RouteLine(method: method, pattern: pattern, access: access, shape: shape, success: success,
                  showsEveryDepartement: showsEveryDepartement, ownSession: ownSession, request: request, check: check)
    }

    static let routes: [RouteLine] = [
        // Sessions and one's own password.
        line("POST", "/api/v1/session", .anyone, .plain, 400) { _, _ in .json("/api/v1/session", ["login": "x"]) },
        line("GET", "/api/v1/session", .session(keyRefusal: 401), .plain, 200) { _, _ in Call(path: "/api/v1/session") },
        line("DELETE", "/api/v1/session", .session(keyRefusal: 401), .plain, 200, ownSession: true) { _, _ in
            Call(path: "/api/v1/session")
        },
        line("POST", "/api/v1/session/password", .session(keyRefusal: 403), .plain, 400) { _, _ in
            .json("/api/v1/session/password", [:])
        },

        // Accounts, keys, audit: admins.
        line("GET", "/api/v1/users", .roles(admin), .plain, 200) { _, _ in Call(path: "/api/v1/users") },
        line("POST", "/api/v1/users", .roles(admin), .plain, 400) { _, _ in .json("/api/v1/users", [:]) },
        line("PATCH", "/api/v1/users/:id", .roles(admin), .plain, 200) { matrix, _ in
            .json("/api/v1/users/\(matrix.plainUserID)", ["display_name": "Relu"])
        },
        line("POST", "/api/v1/users/:id/password", .roles(admin), .plain, 400) { matrix, _ in
            .json("/api/v1/users/\(matrix.plainUserID)/password", [:])
        },
        line("GET", "/api/v1/api-keys", .roles(admin), .plain, 200) { _, _ in Call(path: "/api/v1/api-keys") },
        line("POST", "/api/v1/api-keys", .roles(admin), .plain, 400) { _, _ in .json("/api/v1/api-keys", [:]) },
        line("DELETE", "/api/v1/api-keys/:id", .roles(admin), .plain, 200) { matrix, _ in
            let (key, _) = try matrix.server.administration.addAPIKey(name: "to revoke", role: .viewer, region: nil)
            return Call(path: "/api/v1/api-keys/\(key.id)")
        },
        line("GET", "/api/v1/audit", .roles(admin), .plain, 200) { _, _ in Call(path: "/api/v1/audit") },

        // Records.
        line("GET", "/api/v1/submissions", .roles(coordinators), .list(everyRegion: true), 200) { _, _ in
            Call(path: "/api/v1/submissions?form=visite")
        },
        line("GET", "/api/v1/submissions/:id/attachments/:name", .roles(coordinators), .perRegion(outOfScope: 404), 200) {
            matrix, region in
            Call(path: "/api/v1/submissions/\(region!.submissionID)/attachments/\(try matrix.attachment(region!))")
        },
        line("PATCH", "/api/v1/submissions/:id/review", .roles(coordinators), .perRegion(outOfScope: 404), 200) { _, region in
            .json("/api/v1/submissions/\(region!.submissionID)/review", ["state": "approved"])
        },
        line("GET", "/api/v1/review", .roles(coordinators), .list(everyRegion: true), 200) { _, _ in
            Call(path: "/api/v1/review")
        },
        // The forms' choices name every département.
        line("GET", "/api/v1/forms", .roles(tallyReaders), .plain, 200, showsEveryDepartement: true) { _, _ in
            Call(path: "/api/v1/forms")
        },
        // Forms published from the admin: drafts for national editors, publishing and states for admins.
        // Requests whose answer is the same for every allowed caller, however many call before.
        line("POST", "/api/v1/forms", .roles(nationalEditors), .plain, 415) { _, _ in .json("/api/v1/forms", [:]) },
        line("PATCH", "/api/v1/forms/:formId", .roles(admin), .plain, 200) { _, _ in
            .json("/api/v1/forms/causerie", ["state": "open"])
        },
        line("POST", "/api/v1/forms/:formId/draft", .roles(nationalEditors), .plain, 415) { _, _ in
            .json("/api/v1/forms/causerie/draft", [:])
        },
        line("GET", "/api/v1/forms/:formId/draft", .roles(nationalEditors), .plain, 404) { _, _ in
            Call(path: "/api/v1/forms/causerie/draft")
        },
        line("DELETE", "/api/v1/forms/:formId/draft", .roles(nationalEditors), .plain, 404) { _, _ in
            Call(path: "/api/v1/forms/causerie/draft")
        },
        line("POST", "/api/v1/forms/:formId/draft/media", .roles(nationalEditors), .plain, 404) { _, _ in
            .json("/api/v1/forms/causerie/draft/media", [:])
        },
        line("POST", "/api/v1/forms/:formId/draft/publish", .roles(admin), .plain, 404) { _, _ in
            Call(path: "/api/v1/forms/causerie/draft/publish")
        },
        line("POST", "/api/v1/forms/:formId/draft/test-link", .roles(admin), .plain, 404) { _, _ in
            Call(path: "/api/v1/forms/causerie/draft/test-link")
        },
        line("GET", "/api/v1/forms/:formId/draft/submissions", .roles(nationalEditors), .plain, 404) { _, _ in
            Call(path: "/api/v1/forms/causerie/draft/submissions")
        },
        line("GET", "/api/v1/forms/:formId/submissions.csv", .roles(coordinators), .list(everyRegion: true), 200) { _, _ in
            Call(path: "/api/v1/forms/visite/submissions.csv")
        },
        line("GET", "/api/v1/forms/:formId/submissions.csv", .roles(coordinators), .perRegion(outOfScope: 403), 200) { _, region in
            Call(path: "/api/v1/forms/visite/submissions.csv?departement=\(region!.region.departement)")
        },
        line("GET", "/api/v1/forms/:formId/submissions.csv.zip", .roles(coordinators), .perRegion(outOfScope: 403), 200) { _, region in
            Call(path: "/api/v1/forms/visite/submissions.csv.zip?departement=\(region!.region.departement)")
        },
        line("GET", "/api/v1/forms/:formId/submissions.xlsx", .roles(coordinators), .perRegion(outOfScope: 403), 200) { _, region in
            Call(path: "/api/v1/forms/visite/submissions.xlsx?departement=\(region!.region.departement)")
        },
        // The same exports with the form's private key in the body (none sent: the plain export).
        line("POST", "/api/v1/forms/:formId/submissions.csv", .roles(coordinators), .perRegion(outOfScope: 403), 200) { _, region in
            .json("/api/v1/forms/visite/submissions.csv?departement=\(region!.region.departement)", [:])
        },
        line("POST", "/api/v1/forms/:formId/submissions.xlsx", .roles(coordinators), .perRegion(outOfScope: 403), 200) { _, region in
            .json("/api/v1/forms/visite/submissions.xlsx?departement=\(region!.region.departement)", [:])
        },

        // Campaigns: national structure, regional days, neighbourhoods and targets.
        line("GET", "/api/v1/campaigns", .roles(tallyReaders), .plain, 200, showsEveryDepartement: true) { _, _ in
            Call(path: "/api/v1/campaigns")
        },
        line("POST", "/api/v1/campaigns", .roles(nationalEditors), .plain, 400) { _, _ in .json("/api/v1/campaigns", [:]) },
        line("GET", "/api/v1/campaigns/:id", .roles(tallyReaders), .plain, 200, showsEveryDepartement: true) { matrix, _ in
            Call(path: "/api/v1/campaigns/\(matrix.campaignID)")
        },
        line("PATCH", "/api/v1/campaigns/:id", .roles(nationalEditors), .plain, 200, showsEveryDepartement: true) { matrix, _ in
            .json("/api/v1/campaigns/\(matrix.campaignID)", ["name": "Campagne 2023"])
        },
        line("DELETE", "/api/v1/campaigns/:id", .roles(nationalEditors), .plain, 404) { _, _ in
            Call(path: "/api/v1/campaigns/999999")
        },
        line("POST", "/api/v1/campaigns/:id/phases", .roles(nationalEditors), .plain, 400) { matrix, _ in
            .json("/api/v1/campaigns/\(matrix.campaignID)/phases", [:])
        },
        line("PATCH", "/api/v1/phases/:id", .roles(nationalEditors), .plain, 200, showsEveryDepartement: true) { matrix, _ in
            .json("/api/v1/phases/\(matrix.phaseID)", ["name": "Mars"])
        },
        line("DELETE", "/api/v1/phases/:id", .roles(nationalEditors), .plain, 404) { _, _ in Call(path: "/api/v1/phases/999999") },
        line("PUT", "/api/v1/phases/:id/days/:departement", .roles(coordinators), .perRegion(outOfScope: 403), 200,
             showsEveryDepartement: true) { matrix, region in
            .json("/api/v1/phases/\(matrix.phaseID)/days/\(region!.region.departement)", ["days": ["2023-03-10"]])
        },
        line("POST", "/api/v1/phases/:id/neighbourhoods", .roles(coordinators), .perRegion(outOfScope: 403), 201) { matrix, region in
            .json("/api/v1/phases/\(matrix.phaseID)/neighbourhoods",
                  ["departement": region!.region.departement, "name": "Quartier \(UUID().uuidString.prefix(8))"])
        },
        line("DELETE", "/api/v1/neighbourhoods/:id", .roles(coordinators), .perRegion(outOfScope: 404), 200) { matrix, region in
            Call(path: "/api/v1/neighbourhoods/\(try await matrix.freshNeighbourhood(region!))")
        },
        line("GET", "/api/v1/phases/:id/targets", .roles(tallyReaders), .list(everyRegion: false), 200) { matrix, _ in
            Call(path: "/api/v1/phases/\(matrix.phaseID)/targets")
        },
        line("PUT", "/api/v1/phases/:id/targets", .roles(coordinators), .perRegion(outOfScope: 403), 200) { matrix, region in
            .json("/api/v1/phases/\(matrix.phaseID)/targets",
                  ["indicator": "visits", "departement": region!.region.departement, "target": 160])
        },
        line("GET", "/api/v1/targets/:id/history", .roles(tallyReaders), .perRegion(outOfScope: 404), 200) { _, region in
            Call(path: "/api/v1/targets/\(region!.targetID)/history")
        },

        // Départements and resource persons.
        line("GET", "/api/v1/departements", .roles(tallyReaders), .plain, 200, showsEveryDepartement: true) { _, _ in
            Call(path: "/api/v1/departements")
        },
        line("POST", "/api/v1/departements/:code/qr-sheet", .roles(coordinators), .perRegion(outOfScope: 403), 200) { _, region in
            Call(path: "/api/v1/departements/\(region!.region.departement)/qr-sheet")
        },
        line("GET", "/api/v1/people", .roles(coordinators), .list(everyRegion: true), 200) { _, _ in Call(path: "/api/v1/people") },
        line("POST", "/api/v1/people", .roles(coordinators), .perRegion(outOfScope: 403), 201) { _, region in
            .json("/api/v1/people", ["name": "Nouveau \(region!.region.marker)", "phone": Matrix.freshPhone(),
                                     "departement": region!.region.departement])
        },
        // Rows out of scope are refused row by row; the answer repeats what was sent.
        line("POST", "/api/v1/people/import", .roles(coordinators), .perRegion(outOfScope: 200), 200,
             showsEveryDepartement: true, check: Check { outcome in
                 let accepted = try outcome.reply.json()["accepted"] as? [[String: Any]] ?? []
                 #expect(accepted.count == (outcome.inScope ? 1 : 0), "\(outcome.caller.name): \(outcome.reply.text.prefix(300))")
             }) { _, region in
            .csv("/api/v1/people/import", "nom;téléphone;département;organisation\nImporté \(region!.region.marker);"
                 + "\(Matrix.freshPhone());\(region!.region.departement);OPA\n")
        },
        line("PATCH", "/api/v1/people/:id", .roles(coordinators), .perRegion(outOfScope: 404), 200) { _, region in
            .json("/api/v1/people/\(region!.personID)", ["organisation": "OPA relais"])
        },
        line("POST", "/api/v1/people/:id/link", .roles(coordinators), .perRegion(outOfScope: 404), 200) { _, region in
            Call(path: "/api/v1/people/\(region!.personID)/link")
        },
        line("DELETE", "/api/v1/people/:id/link", .roles(coordinators), .perRegion(outOfScope: 404), 200) { _, region in
            Call(path: "/api/v1/people/\(region!.personID)/link")
        },

        // Leads: one 404 for a lead out of scope, on every route that names one.
        line("GET", "/api/v1/leads", .roles(leadReaders), .list(everyRegion: true), 200) { _, _ in
            Call(path: "/api/v1/leads?limit=1000")
        },
        line("GET", "/api/v1/leads/duplicates", .roles(coordinators), .list(everyRegion: true), 200) { _, _ in
            Call(path: "/api/v1/leads/duplicates")
        },
        line("GET", "/api/v1/leads/merges", .roles(coordinators), .list(everyRegion: false), 200, check: Check { outcome in
            let kept = (try outcome.reply.json()["merges"] as? [[String: Any]] ?? []).compactMap { $0["kept_id"] as? Int }
            #expect(!kept.isEmpty, "\(outcome.caller.name): no merges")
            let places: [String] = try outcome.matrix.server.query(
                "SELECT departement_code FROM leads WHERE id IN (\(kept.map(String.init).joined(separator: ",")))")
            let allowed = outcome.matrix.regions.map(\.region)
                .filter { outcome.caller.region == nil || $0.code == outcome.caller.region?.code }.map(\.departement)
            #expect(places.allSatisfy(allowed.contains), "\(outcome.caller.name) sees merges in \(places)")
        }) { _, _ in Call(path: "/api/v1/leads/merges") },
        line("POST", "/api/v1/leads/merges", .roles(coordinators), .perRegion(outOfScope: 404), 201) { matrix, region in
            .json("/api/v1/leads/merges", ["kept_id": try await matrix.freshLead(region!),
                                           "merged_id": try await matrix.freshLead(region!)])
        },
        line("POST", "/api/v1/leads/merges/:id/undo", .roles(coordinators), .perRegion(outOfScope: 404), 200) { matrix, region in
            Call(path: "/api/v1/leads/merges/\(try await matrix.freshMerge(region!))/undo")
        },
        line("POST", "/api/v1/leads/keep-apart", .roles(coordinators), .perRegion(outOfScope: 404), 200) { matrix, region in
            .json("/api/v1/leads/keep-apart", ["lead_ids": [try await matrix.freshLead(region!), try await matrix.freshLead(region!)]])
        },
        line("GET", "/api/v1/leads/:id", .roles(leadReaders), .perRegion(outOfScope: 404), 200, check: Check { outcome in
            guard outcome.inScope, let region = outcome.region else { return }
            let visits = (try outcome.reply.json()["visits"] as? [[String: Any]] ?? []).compactMap { $0["instance_id"] as? String }
            #expect(visits == [region.visitInstanceID], "\(outcome.caller.name): \(visits)")
        }) { _, region in Call(path: "/api/v1/leads/\(region!.leadID)") },
        line("POST", "/api/v1/leads/:id/membership", .roles(membershipWriters), .perRegion(outOfScope: 404), 200) { _, region in
            .json("/api/v1/leads/\(region!.leadID)/membership", ["member_number": "M-\(region!.region.code)", "date": "2023-03-20"])
        },
        line("DELETE", "/api/v1/leads/:id/personal-data", .roles(admin), .perRegion(outOfScope: 404), 200) { matrix, region in
            Call(path: "/api/v1/leads/\(try await matrix.freshLead(region!))/personal-data")
        },
        line("POST", "/api/v1/memberships", .roles(membershipWriters), .perRegion(outOfScope: 200), 200, check: Check { outcome in
            let json = try outcome.reply.json()
            #expect(json["matched"] as? Int == (outcome.inScope ? 1 : 0), "\(outcome.caller.name): \(outcome.reply.text)")
        }) { _, region in
            .csv("/api/v1/memberships", "lead_id;member_number;date\n\(region!.leadID);M-\(region!.region.code);2023-03-20\n")
        },

        // Tallies, targets, completeness, indicators, live events, the daily report.
        line("GET", "/api/v1/tallies", .roles(tallyReaders), .list(everyRegion: false), 200) { _, _ in
            Call(path: "/api/v1/tallies?\(period)")
        },
        line("GET", "/api/v1/tallies", .roles(tallyReaders), .perRegion(outOfScope: 403), 200) { _, region in
            Call(path: "/api/v1/tallies?\(period)&departement=\(region!.region.departement)")
        },
        line("GET", "/api/v1/tallies/summary", .roles(tallyReaders), .list(everyRegion: false), 200) { _, _ in
            Call(path: "/api/v1/tallies/summary?\(period)&by=departement")
        },
        line("GET", "/api/v1/targets/progress", .roles(tallyReaders), .list(everyRegion: false), 200) { matrix, _ in
            Call(path: "/api/v1/targets/progress?phase=\(matrix.phaseID)&date=2023-03-10")
        },
        line("GET", "/api/v1/completeness", .roles(tallyReaders), .list(everyRegion: false), 200) { _, _ in
            Call(path: "/api/v1/completeness?\(period)")
        },
        line("GET", "/api/v1/dashboard/places", .roles(tallyReaders), .list(everyRegion: false), 200) { _, _ in
            Call(path: "/api/v1/dashboard/places")
        },
        line("GET", "/api/v1/indicators", .roles(tallyReaders), .plain, 200) { _, _ in Call(path: "/api/v1/indicators") },
        line("POST", "/api/v1/indicators", .roles(admin), .plain, 400) { _, _ in .json("/api/v1/indicators", [:]) },
        line("PATCH", "/api/v1/indicators/:id", .roles(admin), .plain, 200) { _, _ in
            .json("/api/v1/indicators/visits", ["active": true])
        },
        line("GET", "/api/v1/events", .roles(tallyReaders), .plain, 200) { _, _ in Call(path: "/api/v1/events") },
        line("GET", "/api/v1/reports/daily", .roles(tallyReaders), .list(everyRegion: false), 200) { _, _ in
            Call(path: "/api/v1/reports/daily?date=2023-03-09")
        },
    ]
}

// MARK: - The callers

enum MatrixRole: Sendable, Hashable {
    case none, admin, national, dakar, thies, viewer, membership, membershipThies
}

struct MatrixCaller: Sendable {
    let name: String
    let role: MatrixRole
    /// Nil: national scope.
    let region: MatrixRegion?
    let headers: [String: String]
    /// The login, for a caller with a session cookie.
    let sessionUser: String?

    func withSession(_ session: SignedIn) -> MatrixCaller {
        MatrixCaller(name: name, role: role, region: region, headers: session.headers(), sessionUser: sessionUser)
    }
}

// MARK: - The seeded server

/// A region of the matrix, and the strings only its data holds.
struct MatrixRegion: Sendable {
    let name: String
    let code: String
    /// The département its records are in.
    let departement: String
    /// In every name, neighbourhood and organisation of its records.
    let marker: String
    var markers: [String] { [marker, departement] }

    static let dakar = MatrixRegion(name: "Dakar", code: "dakar", departement: "pikine", marker: "DKRMARK")
    static let thies = MatrixRegion(name: "Thiès", code: "thies", departement: "mbour", marker: "THSMARK")
}

/// What the seeding made in one region.
struct MatrixRecords: Sendable {
    let region: MatrixRegion
    /// The personal link of a person of the region who sends its visits.
    let visitorPath: String
    /// A person in `region.departement` (links reissued and revoked).
    let personID: Int64
    let leadID: Int64
    let visitInstanceID: String
    let submissionID: Int64
    let targetID: Int64
}

struct Matrix: Sendable {
    let server: TestServer
    let regions: [MatrixRecords]
    let callers: [MatrixCaller]
    let campaignID: Int64
    let phaseID: Int64
    /// A user other than the callers (renamed by the PATCH line).
    let plainUserID: Int64

    static func freshPhone() -> String {
        "77 \(Int.random(in: 100...999)) \(Int.random(in: 10...99)) \(Int.random(in: 10...99))"
    }

    /// A visit through the region's person's link; answers its submission id.
    @discardableResult
    static func visit(_ server: TestServer, _ records: (visitorPath: String, region: MatrixRegion), name: String, phone: String,
                      instanceID: String = "uuid:\(UUID().uuidString.lowercased())") async throws -> Int64 {
        let xml = Records.visit(instanceID: instanceID, overrides: [
            "departement": records.region.departement, "artisan_name": "\(name) \(records.region.marker)", "phone": phone,
            "national_id": "", "neighbourhood": "Quartier \(records.region.marker)",
            "organisation": "OPA \(records.region.marker)"])
        let reply = try await server.client.submit("\(records.visitorPath)/submission", xml: xml)
        try #require(reply.status == 201, "seeding visit answered \(reply.status): \(reply.text)")
        let ids: [Int64] = try server.query("SELECT id FROM submissions WHERE instance_id = '\(instanceID)'")
        return try #require(ids.first)
    }

    static func lead(_ server: TestServer, submissionID: Int64) throws -> Int64 {
        let ids: [Int64] = try server.query("SELECT lead_id FROM lead_visits WHERE submission_id = \(submissionID)")
        return try #require(ids.first, "visit \(submissionID) made no lead")
    }

    /// A new lead in the region, for lines that merge or erase.
    func freshLead(_ records: MatrixRecords) async throws -> Int64 {
        let id = try await Self.visit(server, (records.visitorPath, records.region), name: "Nouvelle \(UUID().uuidString.prefix(6))",
                                      phone: Self.freshPhone())
        return try Self.lead(server, submissionID: id)
    }

    /// A merge of two new leads of the region, for the undo line.
    func freshMerge(_ records: MatrixRecords) async throws -> Int64 {
        let reply = try await server.send("POST", "/api/v1/leads/merges", [
            "kept_id": try await freshLead(records), "merged_id": try await freshLead(records)], key: server.adminKey)
        try #require(reply.status == 201, "seeding merge answered \(reply.status): \(reply.text)")
        return try #require((try reply.json()["merge_id"] as? NSNumber)?.int64Value)
    }

    /// A file of the region's first visit (visits have no file question:
    /// stored as intake stores one), named for the region.
    func attachment(_ records: MatrixRecords) throws -> String {
        let name = "photo-\(records.region.code).jpg"
        let data = Data("photo \(records.region.marker)".utf8)
        let digest = try AttachmentStore(directory: server.application.configuration.attachmentsDirectory).store(data)
        try SQLiteProbe.execute(server.databasePath, """
            INSERT OR IGNORE INTO submission_attachments (submission_id, name, sha256, size, content_type, received_at)
            VALUES (\(records.submissionID), '\(name)', '\(digest)', \(data.count), 'image/jpeg', '2023-03-09T10:00:00Z')
            """)
        return name
    }

    func freshNeighbourhood(_ records: MatrixRecords) async throws -> Int64 {
        let reply = try await server.send("POST", "/api/v1/phases/\(phaseID)/neighbourhoods", [
            "departement": records.region.departement, "name": "Quartier \(UUID().uuidString.prefix(8))"], key: server.adminKey)
        try #require(reply.status == 201, "seeding neighbourhood answered \(reply.status): \(reply.text)")
        return try #require(((try reply.json()["neighbourhood"] as? [String: Any])?["id"] as? NSNumber)?.int64Value)
    }

    /// Persons, visits, leads (with a same-name pair per region and a
    /// phone shared across regions), merges, a campaign with targets, users
    /// and keys.
    static func seed(_ server: TestServer) async throws -> Matrix {
        try TallyFixtures.execute(server.databasePath, """
            INSERT INTO campaigns (id, name, starts_on, ends_on, created_at)
                VALUES (1, 'Campagne 2023', '2023-03-01', '2023-12-31', '2023-02-01T00:00:00Z');
            INSERT INTO campaign_phases (id, campaign_id, name, position, starts_on, ends_on)
                VALUES (1, 1, 'Mars', 1, '2023-03-01', '2023-03-31');
            INSERT INTO campaign_days (phase_id, departement_code, day) VALUES (1, 'pikine', '2023-03-09'), (1, 'mbour', '2023-03-09');
            INSERT INTO targets (phase_id, indicator_id, departement_code, baseline, milestone, target, updated_at) VALUES
                (1, 'visits', 'pikine', 0, 80, 160, '2023-02-01T00:00:00Z'),
                (1, 'visits', 'mbour', 0, 80, 160, '2023-02-01T00:00:00Z');
            """)
        var regions: [MatrixRecords] = []
        for (index, region) in [MatrixRegion.dakar, MatrixRegion.thies].enumerated() {
            let (_, visitorLink) = try server.administration.addPerson(
                name: "Visiteur \(region.marker)", phone: "70 000 10 0\(index)", departement: region.code,
                organisation: nil, baseURL: server.application.baseURL)
            let visitorPath = String(visitorLink.dropFirst(server.application.baseURL.count))
            let (person, _) = try server.administration.addPerson(
                name: "Relais \(region.marker)", phone: "70 000 20 0\(index)", departement: region.departement,
                organisation: "OPA \(region.marker)", baseURL: server.application.baseURL)
            let instanceID = "uuid:\(UUID().uuidString.lowercased())"
            let submissionID = try await visit(server, (visitorPath, region), name: "Awa Sarr", phone: "77 000 30 0\(index)",
                                               instanceID: instanceID)
            // Same name, different phones: a likely duplicate in the region.
            try await visit(server, (visitorPath, region), name: "Binta Sow", phone: "77 000 40 0\(index)")
            try await visit(server, (visitorPath, region), name: "Binta Sow", phone: "77 000 50 0\(index)")
            let targets: [Int64] = try server.query("SELECT id FROM targets WHERE departement_code = '\(region.departement)'")
            regions.append(MatrixRecords(
                region: region, visitorPath: visitorPath, personID: person.id,
                leadID: try lead(server, submissionID: submissionID), visitInstanceID: instanceID,
                submissionID: submissionID, targetID: try #require(targets.first)))
        }
        let matrix0 = Matrix(server: server, regions: regions, callers: [], campaignID: 1, phaseID: 1, plainUserID: 0)
        // The Dakar lead's phone in a Thiès visit: a likely duplicate for national eyes only.
        try await visit(server, (regions[1].visitorPath, MatrixRegion.thies), name: "Cheikh Diop", phone: "77 000 30 00")
        for records in regions { _ = try await matrix0.freshMerge(records) }

        var callers = [
            MatrixCaller(name: "no credentials", role: .none, region: nil, headers: [:], sessionUser: nil),
            MatrixCaller(name: "unknown key", role: .none, region: nil, headers: auth(Secrets.newToken()), sessionUser: nil),
        ]
        let kinds: [(String, MatrixRole, Role, MatrixRegion?, Bool)] = [
            ("admin", .admin, .admin, nil, false),
            ("national", .national, .coordinator, nil, true),
            ("dakar", .dakar, .coordinator, .dakar, false),
            ("thies", .thies, .coordinator, .thies, true),
            ("viewer", .viewer, .viewer, nil, false),
            ("membership", .membership, .membership, nil, false),
            ("membership-thies", .membershipThies, .membership, .thies, false),
        ]
        for (name, callerRole, role, region, session) in kinds {
            let (_, key) = try server.administration.addAPIKey(name: name, role: role, region: region?.code)
            callers.append(MatrixCaller(name: "\(name) key", role: callerRole, region: region, headers: auth(key), sessionUser: nil))
            guard session else { continue }
            try await server.addUser(name, role: role, region: region?.code)
            let signedIn = try await server.signIn(name)
            callers.append(MatrixCaller(name: "\(name) session", role: callerRole, region: region, headers: signedIn.headers(),
                                  sessionUser: name))
        }
        let plain = try await server.addUser("lecteur", role: .viewer)
        return Matrix(server: server, regions: regions, callers: callers, campaignID: 1, phaseID: 1, plainUserID: plain.id)
    }
}

/// Starts the matrix's server once for the suite and stops it after.
struct MatrixServer: SuiteTrait, TestScoping {
    @TaskLocal static var current: Matrix?

    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        // Every line tries an unknown key: more failed lookups than the
        // guessing limit allows from one address.
        try await withTestServer(configure: { $0.guessingLimits = GuessingLimits(failures: 100_000) }) { server in
            let matrix = try await Matrix.seed(server)
            try await Self.$current.withValue(matrix) { try await function() }
        }
    }
}
