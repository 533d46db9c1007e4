import Foundation
import SuiviApp
import Testing

/// The audit log against the real server: bulk reads of personal data leave
/// one line per request (who, what, how many rows), never the data itself.
@Suite struct AuditTests {
    private func auditLines(_ server: TestServer, _ action: String) throws -> [String] {
        try server.query("SELECT actor_kind || ' ' || actor_label || ' ' || COALESCE(target_id, '-') || ' ' || details FROM audit_log WHERE action = '\(action)' ORDER BY id")
    }

    @Test func bulkReadsOfPersonalDataAreAuditedOncePerRequest() async throws {
        try await withTestServer { (server: TestServer) async throws in
            // Three visits by people who want to join: three records, three leads.
            for index in 0..<3 {
                try await visit(server, ["artisan_name": "Aminata Diallo", "phone": "77 300 00 0\(index)", "national_id": ""])
            }
            let records = try await server.client.get("/api/v1/submissions?form=visite", headers: auth(server.adminKey))
            #expect(records.status == 200)
            #expect((try records.json()["submissions"] as? [Any])?.count == 3)
            let review = try await server.client.get("/api/v1/review?state=received", headers: auth(server.adminKey))
            #expect(review.status == 200)
            #expect((try review.json()["submissions"] as? [Any])?.count == 3)
            let leads = try await server.client.get("/api/v1/leads", headers: auth(server.adminKey))
            #expect(leads.status == 200)
            #expect((try leads.json()["leads"] as? [Any])?.count == 3)

            // One line each, however many rows, naming the key and the count.
            #expect(try auditLines(server, "submissions.list") == [#"api_key test admin visite {"after":"0","rows":"3"}"#])
            #expect(try auditLines(server, "review.list") == [#"api_key test admin - {"offset":"0","rows":"3","state":"received"}"#])
            #expect(try auditLines(server, "leads.download") == [#"api_key test admin - {"after":"0","format":"json","rows":"3"}"#])
            // Never the data.
            let everything: [String] = try server.query("SELECT details || actor_label FROM audit_log")
            #expect(everything.allSatisfy { !$0.contains("Aminata") && !$0.contains("300") })

            // A coordinator's pages read the same way, under their login.
            try await server.addUser("coordinatrice", role: .coordinator)
            let session = try await server.signIn("coordinatrice")
            #expect(try await server.client.get("/api/v1/review", headers: session.headers()).status == 200)
            #expect(try await server.client.get("/api/v1/submissions?form=visite&after=2", headers: session.headers()).status == 200)
            #expect(try auditLines(server, "review.list").last == #"user coordinatrice - {"offset":"0","rows":"3"}"#)
            #expect(try auditLines(server, "submissions.list").last == #"user coordinatrice visite {"after":"2","rows":"1"}"#)
        }
    }

    @Test func refusedReadsLeaveNoReadLine() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let (_, viewer) = try server.administration.addAPIKey(name: "lecteur", role: .viewer, region: nil)
            #expect(try await server.client.get("/api/v1/submissions?form=visite", headers: auth(viewer)).status == 403)
            #expect(try await server.client.get("/api/v1/review", headers: auth(viewer)).status == 403)
            let lines: [String] = try server.query("SELECT action FROM audit_log WHERE action IN ('submissions.list', 'review.list')")
            #expect(lines.isEmpty)
        }
    }
}
