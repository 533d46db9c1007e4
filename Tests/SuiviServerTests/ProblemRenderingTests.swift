import Foundation
import Testing

@Suite struct ProblemRenderingTests {
    /// A problem as JSON byte for byte: `field` and `detail` present only
    /// when the problem has them; `/` written as it is, as in every other
    /// answer (JSONSerialization wrote `\/` here, its default).
    @Test func problemsKeepTheirKeysAndFormats() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let auth = ["Authorization": "Bearer \(server.adminKey)"]
            let missing = try await server.client.get("/api/v1/tallies?to=2023-03-01", headers: auth)
            #expect(missing.status == 400)
            expectJSON(missing, #"{"code":"400.9","detail":"required: a date YYYY-MM-DD","field":"from","message":"Le paramètre « from » n'est pas valide.","message_en":"The parameter 'from' is invalid."}"#)
            let anonymous = try await server.client.get("/api/v1/campaigns")
            #expect(anonymous.status == 401)
            expectJSON(anonymous, #"{"code":"401.1","field":"Authorization","message":"Authentification requise.","message_en":"A valid API key (Authorization: Bearer) or session is required."}"#)
            let notJSON = try await server.call("POST", "/api/v1/people", body: Data("x".utf8), contentType: "text/plain")
            #expect(notJSON.status == 415)
            expectJSON(notJSON, #"{"code":"415.1","detail":"expected application/json","field":"Content-Type","message":"Type de contenu non pris en charge : un envoi multipart/form-data est attendu.","message_en":"Unsupported content type; multipart/form-data expected."}"#)
            expectJSON(try await server.client.get("/healthz"), #"{"status":"ok"}"#)
        }
    }
}
