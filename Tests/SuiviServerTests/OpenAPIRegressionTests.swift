import Foundation
import Testing

/// Server bugs schemathesis found against docs/openapi.yaml, kept fixed.
@Suite struct OpenAPIRegressionTests {
    /// A new indicator's source naming a form Suivi does not have is a bad
    /// request on that field (400.9), not a 404: the URL exists.
    @Test func anIndicatorSourceWithAnUnknownFormIsABadRequest() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let auth = ["Authorization": "Bearer \(server.adminKey)", "Content-Type": "application/json"]
            let body = """
                {"id": "other_form", "name_fr": "Autre", "name_en": "Other",
                 "sources": [{"form": "visite", "aggregate": "count"}, {"form": "0", "aggregate": "count"}]}
                """
            let refused = try await server.client.request("POST", "/api/v1/indicators", headers: auth, body: Data(body.utf8))
            #expect(refused.status == 400, "\(refused.text)")
            let problem = try refused.json()
            #expect(problem["code"] as? String == "400.9")
            #expect(problem["field"] as? String == "sources[1].form")
        }
    }
}
