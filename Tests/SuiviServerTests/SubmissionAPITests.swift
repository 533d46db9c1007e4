import Foundation
import SuiviDomain
import SuiviStore
import Testing

/// `GET /api/v1/submissions`: authorised, scoped, paged, never cached.
@Suite struct SubmissionAPITests {
    @Test func withoutAValidKeyTheAnswerIs401() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let none = try await server.client.get("/api/v1/submissions?form=visite")
            #expect(none.status == 401)
            #expect(none.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
            let wrong = try await server.client.get("/api/v1/submissions?form=visite", headers: ["Authorization": "Bearer nope"])
            #expect(wrong.status == 401)
            #expect((try wrong.json())["message"] as? String == "Authentification requise.")
        }
    }

    @Test func viewersAndTheMembershipSystemCannotReadRecords() async throws {
        try await withTestServer { (server: TestServer) async throws in
            for role in [Role.viewer, .membership] {
                let (_, key) = try server.administration.addAPIKey(name: "k", role: role, region: nil)
                let reply = try await server.client.get("/api/v1/submissions?form=visite", headers: ["Authorization": "Bearer \(key)"])
                #expect(reply.status == 403)
            }
        }
    }

    @Test func adminsPageThroughRecordsWithAnswers() async throws {
        try await withTestServer { (server: TestServer) async throws in
            for index in 0..<5 {
                let xml = Records.visit(instanceID: "uuid:page-\(index)")
                #expect(try await server.client.submit("\(server.linkPath)/submission", xml: xml).status == 201)
            }
            let auth = ["Authorization": "Bearer \(server.adminKey)"]
            var seen: [String] = []
            var after = "0"
            for _ in 0..<5 {
                let reply = try await server.client.get("/api/v1/submissions?form=visite&limit=2&after=\(after)", headers: auth)
                #expect(reply.status == 200)
                #expect(reply.header("Cache-Control") == "no-store")
                let json = try reply.json()
                let rows = json["submissions"] as? [[String: Any]] ?? []
                seen += rows.compactMap { $0["instance_id"] as? String }
                if let first = rows.first {
                    let answers = first["answers"] as? [String: String] ?? [:]
                    #expect(answers["artisan_name"] == "Moussa Diop")
                    #expect(answers["meta/instanceID"] == first["instance_id"] as? String)
                    #expect(first["departement"] as? String == "guediawaye")
                }
                guard let next = json["next"] as? String else { break }
                after = next
            }
            #expect(seen == (0..<5).map { "uuid:page-\($0)" })
        }
    }

    @Test func regionalCoordinatorsSeeOnlyTheirRegion() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let path = "\(server.linkPath)/submission"
            #expect(try await server.client.submit(path, xml: Records.visit(instanceID: "uuid:dakar", overrides: ["departement": "pikine"])).status == 201)
            let mbour = try server.addPerson(name: "Ousmane Sarr", departement: "Mbour")
            #expect(try await server.client.submit("\(mbour)/submission", xml: Records.visit(instanceID: "uuid:thies", overrides: ["departement": "mbour"])).status == 201)
            let (_, dakar) = try server.administration.addAPIKey(name: "Dakar", role: .coordinator, region: "Dakar")
            let (_, thies) = try server.administration.addAPIKey(name: "Thiès", role: .coordinator, region: "Thiès")
            for (key, expected) in [(dakar, "uuid:dakar"), (thies, "uuid:thies"), (server.adminKey, nil)] {
                let reply = try await server.client.get("/api/v1/submissions?form=visite", headers: ["Authorization": "Bearer \(key)"])
                let ids = ((try reply.json())["submissions"] as? [[String: Any]] ?? []).compactMap { $0["instance_id"] as? String }
                if let expected {
                    #expect(ids == [expected])
                } else {
                    #expect(ids.count == 2)
                }
            }
        }
    }

    @Test(arguments: ["form=", "form=inconnu", "form=visite&limit=0", "form=visite&limit=abc", "form=visite&after=-1"])
    func badParametersAreExplained(query: String) async throws {
        try await withTestServer { (server: TestServer) async throws in
            let reply = try await server.client.get("/api/v1/submissions?\(query)", headers: ["Authorization": "Bearer \(server.adminKey)"])
            #expect([400, 404].contains(reply.status))
            let json = try reply.json()
            #expect(json["code"] != nil)
            #expect(json["message"] != nil)
            #expect(json["message_en"] != nil)
        }
    }
}
