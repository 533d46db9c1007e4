import Foundation
import SuiviDomain
import SuiviApp
import SuiviStore
import Testing

/// Who may read personal data, and how much of it: every route that returns
/// personal data, called by every kind of caller, with an API key and with
/// a session cookie.
///
/// To cover a new route, add a line to `routes`: a list route says how to
/// read the départements of what it returned; a single-record route gives
/// the path of a record in Dakar (a Thiès coordinator must get 403 on it).
@Suite struct RoleScopeTests {
    enum Shape: Sendable {
        /// A list: the départements of the records it returned.
        case list(@Sendable ([String: Any]) -> [String])
        /// One record of the Dakar region.
        case dakarRecord
    }

    struct PersonalRoute: Sendable, CustomTestStringConvertible {
        let method: String
        /// `{dakar}`/`{thies}` stand for the ids of the records seeded in those regions.
        let path: String
        let shape: Shape
        var testDescription: String { "\(method) \(path)" }
    }

    static let routes: [PersonalRoute] = [
        PersonalRoute(method: "GET", path: "/api/v1/submissions?form=visite", shape: .list { json in
            (json["submissions"] as? [[String: Any]] ?? []).compactMap { $0["departement"] as? String }
        }),
        PersonalRoute(method: "GET", path: "/api/v1/review", shape: .list { json in
            (json["submissions"] as? [[String: Any]] ?? []).compactMap { $0["departement"] as? String }
        }),
    ]

    /// What a caller must get: everything, only their region, 403 or 401.
    enum Expected: Equatable {
        case all, onlyRegion(String), forbidden, unauthenticated
    }

    struct Caller {
        let name: String
        let headers: [String: String]
        let expected: Expected
    }

    /// Every caller, each with a key and with a session when the role can sign in.
    static func callers(_ server: TestServer) async throws -> [Caller] {
        var callers: [Caller] = [Caller(name: "no credentials", headers: [:], expected: .unauthenticated),
                                 Caller(name: "unknown key", headers: ["Authorization": "Bearer \(Secrets.newToken())"],
                                        expected: .unauthenticated)]
        let kinds: [(String, Role, String?, Expected)] = [
            ("admin", .admin, nil, .all),
            ("national", .coordinator, nil, .all),
            ("dakar", .coordinator, "Dakar", .onlyRegion("dakar")),
            ("thies", .coordinator, "Thiès", .onlyRegion("thies")),
            ("viewer", .viewer, nil, .forbidden),
            ("membership", .membership, nil, .forbidden),
        ]
        for (name, role, region, expected) in kinds {
            let (_, key) = try server.administration.addAPIKey(name: name, role: role, region: region)
            callers.append(Caller(name: "\(name) key", headers: ["Authorization": "Bearer \(key)"], expected: expected))
            guard role != .membership else { continue }
            try await server.addUser(name, role: role, region: region)
            let session = try await server.signIn(name)
            callers.append(Caller(name: "\(name) session", headers: session.headers(), expected: expected))
        }
        return callers
    }

    @Test(arguments: routes)
    func personalDataFollowsRoleAndRegion(route: PersonalRoute) async throws {
        try await withTestServer { (server: TestServer) async throws in
            // One record in each of two regions.
            let path = "\(server.linkPath)/submission"
            #expect(try await server.client.submit(path, xml: Records.visit(overrides: ["departement": "pikine"])).status == 201)
            #expect(try await server.client.submit(path, xml: Records.visit(overrides: ["departement": "mbour"])).status == 201)
            let ids: [Int64] = try server.query("SELECT id FROM submissions ORDER BY id")
            let regionOf = ["pikine": "dakar", "mbour": "thies"]
            let target = route.path.replacingOccurrences(of: "{dakar}", with: "\(ids[0])")
                .replacingOccurrences(of: "{thies}", with: "\(ids[1])")
            let callers = try await Self.callers(server)
            #expect(callers.count == 13)
            for caller in callers {
                let reply = try await server.client.request(route.method, target, headers: caller.headers)
                let label = "\(caller.name): \(route.testDescription) answered \(reply.status)"
                switch caller.expected {
                case .unauthenticated:
                    #expect(reply.status == 401, "\(label)")
                case .forbidden:
                    #expect(reply.status == 403, "\(label)")
                    #expect(!reply.text.contains("Moussa"), "\(label)")
                case .all, .onlyRegion:
                    let region: String? = if case .onlyRegion(let code) = caller.expected { code } else { nil }
                    switch route.shape {
                    case .list(let departements):
                        #expect(reply.status == 200, "\(label)")
                        #expect(reply.header("Cache-Control") == "no-store", "\(label)")
                        let seen = departements(try reply.json())
                        if let region {
                            #expect(seen.count == 1 && seen.allSatisfy { regionOf[$0] == region }, "\(label): \(seen)")
                        } else {
                            #expect(Set(seen) == ["pikine", "mbour"], "\(label): \(seen)")
                        }
                    case .dakarRecord:
                        let allowed = region == nil || region == "dakar"
                        #expect(reply.status == (allowed ? 200 : 403), "\(label)")
                    }
                }
            }
        }
    }
}
