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

    /// What the server refuses before a handler runs is worded in the format
    /// of the route it was meant for: OpenRosa XML for Collect's routes, JSON
    /// for the phone page's data under the same personal link, OpenRosa for
    /// an address under the link that matches no route; `Allow` from the
    /// problem itself in both formats.
    @Test func refusalsAreWordedInTheirRoutesFormat() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let collect = try await server.client.request("DELETE", "\(server.linkPath)/formList")
            #expect(collect.status == 405)
            #expect(collect.header("Content-Type")?.hasPrefix("text/xml") == true)
            #expect(collect.header("X-Suivi-Problem") == "405.1")
            #expect(collect.header("Allow") == "GET")
            let me = try await server.client.request("DELETE", "\(server.linkPath)/me")
            #expect(me.status == 405)
            #expect(me.header("Allow") == "GET")
            expectJSON(me, #"{"code":"405.1","detail":"allowed: GET","message":"Méthode non autorisée pour cette adresse.","message_en":"Method not allowed."}"#)
            let session = try await server.client.request("PUT", "/api/v1/session")
            #expect(session.header("Allow") == "POST, GET, DELETE")
            #expect(try session.json()["code"] as? String == "405.1")
            let page = try await server.client.request("GET", "\(server.linkPath)/me", headers: ["Content-Type": "text/plain"],
                                                       body: Data("x".utf8))
            #expect(page.status == 413)
            #expect(try page.json()["code"] as? String == "413.2")
            let nowhere = try await server.client.get("\(server.linkPath)/nowhere")
            #expect(nowhere.status == 404)
            #expect(nowhere.header("X-Suivi-Problem") == "404.1")
            #expect(nowhere.header("Content-Type")?.hasPrefix("text/xml") == true)
            #expect(try await server.client.get("/nowhere").json()["code"] as? String == "404.1")
        }
    }
}
