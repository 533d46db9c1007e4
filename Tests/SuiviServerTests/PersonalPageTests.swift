import Foundation
import Testing

/// What a plain phone browser gets under a personal link.
@Suite struct PersonalPageTests {
    @Test func theLinkOpensAPageAndMeSaysWhoThePersonIs() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let page = try await server.client.get(server.linkPath)
            #expect(page.status == 200)
            #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(page.header("Cache-Control") == "no-store")
            #expect(page.text.contains("/assets/collect/page.js"))
            let me = try await server.client.get("\(server.linkPath)/me")
            #expect(me.status == 200)
            #expect(me.header("Cache-Control") == "no-store")
            let json = try me.json()
            #expect(json["name"] as? String == "Awa Ndiaye")
            #expect((json["departement"] as? [String: Any])?["region"] as? String == "Dakar")
            #expect((json["forms"] as? [[String: Any]])?.count == 3)
            #expect(json["collect_server_url"] as? String == server.application.baseURL + server.linkPath)
        }
    }

    /// `me` byte for byte; the forms' versions and hashes change with the
    /// shipped forms, so they are checked by shape only.
    @Test func meKeepsItsBytes() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let me = try await server.client.get("\(server.linkPath)/me")
            let forms = try NSRegularExpression(pattern: #""forms":\[.*\]"#)
            let text = fixedText(me)
            let fixed = forms.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text),
                                                       withTemplate: #""forms":<forms>"#)
            #expect(fixed == #"{"collect_server_url":"<link>","departement":{"code":"guediawaye","name":"Guédiawaye","region":"Dakar"},"forms":<forms>,"name":"Awa Ndiaye"}"#)
            let listed = try me.json()["forms"] as? [[String: Any]] ?? []
            #expect(listed.count == 3)
            #expect(listed.allSatisfy { Set($0.keys) == ["id", "title", "version", "hash"] && ($0["hash"] as? String)?.hasPrefix("md5:") == true })
            #expect(text.contains(#"{"hash":"md5:"#))
        }
    }

    /// The phone's outbox learns what coordinators made of its records, and
    /// of no one else's, even with their instance ids.
    @Test func aPersonLearnsTheReviewOfTheirOwnRecordsOnly() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let other = try server.addPerson(name: "Ibrahima Sow", departement: "Pikine")
            #expect(try await server.client.submit("\(server.linkPath)/submission", xml: Records.visit(instanceID: "uuid:mine")).status == 201)
            #expect(try await server.client.submit("\(other)/submission", xml: Records.visit(instanceID: "uuid:theirs")).status == 201)
            let ids: [Int64] = try server.query("SELECT id FROM submissions WHERE instance_id = 'uuid:mine'")
            #expect(try await TallyTests.review(server, ids[0], "approved").status == 200)

            let reply = try await server.client.get("\(server.linkPath)/records?ids=uuid:mine,uuid:theirs,uuid:unknown")
            #expect(reply.status == 200)
            #expect(reply.header("Cache-Control") == "no-store")
            #expect(reply.text == #"{"records":[{"instance_id":"uuid:mine","review_state":"approved"}]}"#)
            let theirs = try await server.client.get("\(other)/records?ids=uuid:mine,uuid:theirs")
            #expect(theirs.text == #"{"records":[{"instance_id":"uuid:theirs","review_state":"received"}]}"#)

            let tooMany = (0...200).map { "uuid:\($0)" }.joined(separator: ",")
            let refused = try await server.client.get("\(server.linkPath)/records?ids=\(tooMany)")
            #expect(refused.status == 400)
            #expect(try refused.json()["field"] as? String == "ids")
            #expect(try await server.client.get("/key/not-a-real-token/records?ids=uuid:mine").status == 403)
            #expect(try await server.client.get("\(server.linkPath)/records").text == #"{"records":[]}"#)
        }
    }

    @Test func aRevokedLinkStillGetsThePageButNoData() async throws {
        try await withTestServer { (server: TestServer) async throws in
            _ = try server.administration.reissueLink(personID: server.personID, baseURL: nil)
            let page = try await server.client.get(server.linkPath)
            #expect(page.status == 403)
            #expect(page.text.contains("<html"))
            let me = try await server.client.get("\(server.linkPath)/me")
            #expect(me.status == 403)
            #expect(me.text.contains("révoqué"))
        }
    }

    @Test func formsAreDescribedAsJSONForTheBrowser() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let reply = try await server.client.get("\(server.linkPath)/forms/visite.json")
            #expect(reply.status == 200)
            let json = try reply.json()
            #expect(json["id"] as? String == "visite")
            let fields = json["fields"] as? [[String: Any]] ?? []
            let household = fields.first { $0["name"] as? String == "household_size" }
            #expect(household?["type"] as? String == "int")
            #expect(household?["relevant"] as? String == "/data/wants_to_join  = 'yes'")
            #expect(household?["constraint"] as? String == ". >= 1 and . <= 60")
            let departement = fields.first { $0["name"] as? String == "departement" }
            #expect((departement?["choices"] as? [[String: Any]])?.count == 46)
            #expect((departement?["labels"] as? [String: String])?["Français (fr)"] != nil)
        }
    }

    @Test func assetsAreServedWithValidationAndNothingOutsidePublic() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let script = try await server.client.get("/assets/collect/page.js")
            #expect(script.status == 200)
            #expect(script.header("Content-Type")?.hasPrefix("text/javascript") == true)
            let etag = try #require(script.header("ETag"))
            let again = try await server.client.get("/assets/collect/page.js", headers: ["If-None-Match": etag])
            #expect(again.status == 304)
            for path in ["/assets/../Package.swift", "/assets/%2e%2e/Package.swift", "/assets/.hidden", "/assets/nope.js", "/assets/"] {
                let reply = try await server.client.get(path)
                #expect(reply.status == 404, "\(path)")
            }
        }
    }

    /// Issue item 11: the personal page had no Content-Security-Policy,
    /// X-Frame-Options or Referrer-Policy, unlike the coordinators' pages. It
    /// now carries the same set, from one place, whatever the link's state.
    @Test func thePersonalPageCarriesTheSameSecurityHeadersAsTheCoordinatorsPages() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let admin = try await server.client.get("/admin/login")
            #expect(admin.status == 200)
            let adminPolicy = try #require(admin.header("Content-Security-Policy"))
            let revoked = "/key/" + String(repeating: "x", count: 43)
            for path in [server.linkPath, revoked] {
                let page = try await server.client.get(path)
                #expect(page.status == (path == revoked ? 403 : 200))
                #expect(page.header("Content-Security-Policy") == adminPolicy, "\(path)")
                #expect(page.header("X-Frame-Options") == "DENY")
                #expect(page.header("Referrer-Policy") == "no-referrer")
                #expect(page.header("X-Content-Type-Options") == "nosniff")
            }
            // Never framed, scripts only from Suivi, and still room for the page's
            // own service worker, fetches and images.
            let directives = Dictionary(uniqueKeysWithValues: adminPolicy.split(separator: ";").map { directive in
                let words = directive.split(separator: " ").map(String.init)
                return (words[0], Set(words.dropFirst()))
            })
            #expect(directives["default-src"] == ["'self'"])
            #expect(directives["frame-ancestors"] == ["'none'"])
            #expect(directives["object-src"] == ["'none'"])
            #expect(directives["worker-src"] == ["'self'"])
            #expect(directives["script-src"] == nil)  // default-src: no inline scripts, no eval
        }
    }
}
