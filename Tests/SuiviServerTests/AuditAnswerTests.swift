import Foundation
import SuiviStore
import Testing

@Suite struct AuditAnswerTests {
    /// The audit log's answer byte for byte: the actor as an object, null
    /// where a line has no target, details as an object, `next` for paging.
    @Test func auditAnswersKeepTheirKeysAndFormats() async throws {
        try await withTestServer { (server: TestServer) async throws in
            _ = try await server.call("POST", "/api/v1/campaigns", json: [
                "name": "Campagne", "starts_on": "2023-03-01", "ends_on": "2023-06-30",
                "phases": [["name": "Dakar", "starts_on": "2023-03-07", "ends_on": "2023-03-11"]]])
            _ = try await server.call("PUT", "/api/v1/phases/1/days/rufisque", json: ["days": ["2023-03-07"]])
            try await AuditStore(database: server.application.database)
                .record(.system, "test.paths", details: ["path": "a/b \"c\"", "count": "2"])
            expectJSON(try await server.call("GET", "/api/v1/audit?limit=2"), #"{"entries":[{"action":"test.paths","actor":{"id":null,"kind":"system","label":"suivi"},"at":"<time>","details":{"count":"2","path":"a/b \"c\""},"id":4,"target_id":null,"target_kind":null},{"action":"campaign_days.set","actor":{"id":1,"kind":"api_key","label":"test admin"},"at":"<time>","details":{"days":"1","departement":"rufisque"},"id":3,"target_id":"1","target_kind":"phase"}],"next":"3"}"#)
            expectJSON(try await server.call("GET", "/api/v1/audit?action=campaign.create"), #"{"entries":[{"action":"campaign.create","actor":{"id":1,"kind":"api_key","label":"test admin"},"at":"<time>","details":{"phases":"1"},"id":2,"target_id":"1","target_kind":"campaign"}],"next":null}"#)
        }
    }
}
