import Foundation
import Testing

/// Issue 16: a draft tried on phones through its test link, as ODK
/// Central's draft testing: served alone, its records kept apart (never in
/// the records, the tallies, the leads or the exports) and gone with it.
@Suite struct DraftTestTests {
    static func causerie(version: String, departement: String = "pikine", instanceID: String) -> String {
        """
        <?xml version="1.0"?>
        <data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" id="causerie" \
        version="\(version)"><start>2023-03-09T09:00:00.000+00:00</start><end>2023-03-09T10:00:00.000+00:00</end>\
        <departement>\(departement)</departement><place>Marché Thiaroye</place><talk_date>2023-03-09</talk_date>\
        <participants_men>7</participants_men><participants_women>300</participants_women>\
        <pre_registrations>4</pre_registrations><meta><instanceID>\(instanceID)</instanceID></meta></data>
        """
    }

    /// A draft of `causerie` with a new version string; returns that version.
    static func draftCauserie(_ server: TestServer, suffix: String = "-b") async throws -> String {
        let shipped = try String(contentsOf: repositoryRoot.appendingPathComponent("Forms/causerie.xml"), encoding: .utf8)
        let oldVersion = try #require(server.application.forms.currentForm("causerie")?.version)
        let newVersion = shipped.replacingOccurrences(of: "version=\"\(oldVersion)\"", with: "version=\"\(oldVersion)\(suffix)\"")
            .replacingOccurrences(of: "<h:title>", with: "<h:title>Nouvelle ")
        let (body, contentType) = MultipartPart.encode([
            MultipartPart(name: "file", filename: "causerie.xml", contentType: "text/xml", data: Data(newVersion.utf8))])
        let drafted = try await server.client.request("POST", "/api/v1/forms/causerie/draft",
                                                      headers: auth(server.adminKey).merging(["Content-Type": contentType]) { $1 },
                                                      body: body)
        #expect(drafted.status == 201, "\(drafted.text)")
        return oldVersion + suffix
    }

    static func testLink(_ server: TestServer) async throws -> String {
        let made = try await server.client.request("POST", "/api/v1/forms/causerie/draft/test-link", headers: auth(server.adminKey))
        #expect(made.status == 201, "\(made.text)")
        #expect(made.header("Cache-Control") == "no-store")
        let url = try #require(try made.json()["url"] as? String)
        #expect(url.hasPrefix("\(server.application.baseURL)/test/"))
        return String(url.dropFirst(server.application.baseURL.count))
    }

    @Test func aDraftIsTriedOnAPhoneAndItsRecordsStayApart() async throws {
        try await withTestServer { server in
            let version = try await Self.draftCauserie(server)
            let link = try await Self.testLink(server)
            // Collect's view through the test link: the draft alone.
            let list = try await server.client.get("\(link)/formList", headers: ["X-OpenRosa-Version": "1.0"])
            #expect(list.status == 200)
            #expect(list.text.contains("<formID>causerie</formID>") && list.text.contains("<version>\(version)</version>"))
            #expect(!list.text.contains("<formID>visite</formID>"))
            let xform = try await server.client.get("\(link)/forms/causerie.xml")
            #expect(xform.status == 200 && xform.text.contains("version=\"\(version)\""))
            #expect(list.text.contains("<hash>md5:\(md5Hex(xform.body))</hash>"))
            // The personal links still get the published version.
            let personal = try await server.client.get("\(server.linkPath)/formList", headers: ["X-OpenRosa-Version": "1.0"])
            #expect(!personal.text.contains("<version>\(version)</version>"))

            // A test record (with an answer the checks flag), sent twice.
            let instanceID = "uuid:\(UUID().uuidString.lowercased())"
            let record = Self.causerie(version: version, instanceID: instanceID)
            for _ in 0..<2 {
                let sent = try await server.client.submit("\(link)/submission", xml: record)
                #expect(sent.status == 201, "\(sent.text)")
                #expect(sent.text.contains("Fiche de test"))
            }
            // Kept apart: no record, no tally, no export row.
            let counted: [Int64] = try server.query("SELECT count(*) FROM submissions")
            #expect(counted == [0])
            let tallies: [Int64] = try server.query("SELECT count(*) FROM tallies")
            #expect(tallies == [0])
            let export = try await server.client.get("/api/v1/forms/causerie/submissions.csv", headers: auth(server.adminKey))
            #expect(export.header("Suivi-Row-Count") == "0")
            // Listed for the draft, once, with its checks.
            let listed = try await server.client.get("/api/v1/forms/causerie/draft/submissions", headers: auth(server.adminKey))
            #expect(listed.status == 200)
            #expect(listed.header("Cache-Control") == "no-store")
            let records = try #require(try listed.json()["records"] as? [[String: Any]])
            #expect(records.count == 1)
            #expect(records.first?["instance_id"] as? String == instanceID)
            #expect(records.first?["version"] as? String == version)
            #expect((records.first?["xml"] as? String)?.contains("Marché Thiaroye") == true)

            // A record of another version is refused through the test link.
            let stale = try await server.client.submit("\(link)/submission",
                                                       xml: Self.causerie(version: "2026112301", instanceID: "uuid:other"))
            #expect(stale.status == 400 || stale.status == 404 || stale.status == 409, "\(stale.status)")

            // Published: the test records and the link go with the draft.
            let published = try await server.client.request("POST", "/api/v1/forms/causerie/draft/publish", headers: auth(server.adminKey))
            #expect(published.status == 200)
            let left: [Int64] = try server.query("SELECT count(*) FROM draft_test_records")
            #expect(left == [0])
            #expect(try await server.client.get("\(link)/formList").status == 403)
        }
    }

    @Test func aTestLinkIsMadeByAdminsOnlyAndDiesWithItsDraft() async throws {
        try await withTestServer { server in
            // No draft, no link.
            let none = try await server.client.request("POST", "/api/v1/forms/causerie/draft/test-link", headers: auth(server.adminKey))
            #expect(none.status == 404)
            #expect(try none.json()["code"] as? String == "404.41")
            _ = try await Self.draftCauserie(server)
            let coordinator = try server.administration.addAPIKey(name: "coordination", role: .coordinator, region: nil).1
            let refused = try await server.client.request("POST", "/api/v1/forms/causerie/draft/test-link", headers: auth(coordinator))
            #expect(refused.status == 403)
            let first = try await Self.testLink(server)
            // A new link replaces the old one.
            let second = try await Self.testLink(server)
            #expect(try await server.client.get("\(first)/formList").status == 403)
            #expect(try await server.client.get("\(second)/formList").status == 200)
            // A new draft keeps the link; its test records start anew.
            let instanceID = "uuid:\(UUID().uuidString.lowercased())"
            let version = try #require(server.application.forms.draft("causerie")?.version)
            #expect(try await server.client.submit("\(second)/submission",
                                                   xml: Self.causerie(version: version, instanceID: instanceID)).status == 201)
            let newer = try await Self.draftCauserie(server, suffix: "-c")
            #expect(try await server.client.get("\(second)/formList").text.contains("<version>\(newer)</version>"))
            let records = try await server.client.get("/api/v1/forms/causerie/draft/submissions", headers: auth(server.adminKey))
            #expect((try records.json()["records"] as? [[String: Any]])?.isEmpty == true)
            // Discarded: the link is dead, a body to it refused unread.
            #expect(try await server.client.request("DELETE", "/api/v1/forms/causerie/draft", headers: auth(server.adminKey)).status == 200)
            #expect(try await server.client.get("\(second)/formList").status == 403)
            let late = try await server.client.submit("\(second)/submission",
                                                      xml: Self.causerie(version: newer, instanceID: "uuid:late"))
            #expect(late.status == 403)
            #expect(late.header("Content-Type")?.hasPrefix("text/xml") == true)
        }
    }
}
