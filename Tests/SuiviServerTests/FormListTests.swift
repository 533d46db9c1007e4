import Crypto
import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The OpenRosa form list and form download, as ODK Collect reads them.
@Suite struct FormListTests {
    @Test func formListIsOpenRosaXMLWithHashesOfTheServedBytes() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let reply = try await server.client.get("\(server.linkPath)/formList?deviceID=collect%3Aabc123")
            #expect(reply.status == 200)
            #expect(reply.header("Content-Type")?.hasPrefix("text/xml") == true)
            #expect(reply.header("X-OpenRosa-Version") == "1.0")
            #expect(reply.header("Date") != nil)

            let document = try XMLDocument(data: reply.body)
            let forms = try document.nodes(forXPath: "//*[local-name()='xform']")
            #expect(forms.count == 3)
            var seen: [String] = []
            for form in forms {
                let field = { (name: String) throws -> String in
                    try form.nodes(forXPath: "*[local-name()='\(name)']").first?.stringValue ?? ""
                }
                let formID = try field("formID")
                seen.append(formID)
                #expect(try field("version") == "2026112301")
                let download = try field("downloadUrl")
                #expect(download == "\(server.application.baseURL)\(server.linkPath)/forms/\(formID).xml")
                let served = try await server.client.get(String(download.dropFirst(server.application.baseURL.count)))
                #expect(served.status == 200)
                #expect(served.header("Content-Type")?.hasPrefix("text/xml") == true)
                let digest = Insecure.MD5.hash(data: served.body).map { String(format: "%02x", $0) }.joined()
                #expect(try field("hash") == "md5:\(digest)")
                let onDisk = try Data(contentsOf: repositoryRoot.appendingPathComponent("Forms/\(formID).xml"))
                #expect(served.body == onDisk)
            }
            #expect(seen.sorted() == ["causerie", "emission_radio", "visite"])
        }
    }

    @Test func formListCanBeFilteredByFormID() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let reply = try await server.client.get("\(server.linkPath)/formList?formID=visite")
            #expect(reply.text.contains("<formID>visite</formID>"))
            #expect(!reply.text.contains("<formID>causerie</formID>"))
        }
    }

    @Test func manifestIsEmptyForFormsWithoutMedia() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let reply = try await server.client.get("\(server.linkPath)/forms/visite/manifest")
            #expect(reply.status == 200)
            #expect(reply.text.contains("xformsManifest"))
            let unknown = try await server.client.get("\(server.linkPath)/forms/nope/manifest")
            #expect(unknown.status == 404)
        }
    }

    @Test func unknownFormDownloadIs404InOpenRosaXML() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let reply = try await server.client.get("\(server.linkPath)/forms/inconnu.xml")
            #expect(reply.status == 404)
            #expect(reply.text.contains("OpenRosaResponse"))
            #expect(reply.text.contains("inconnu"))
        }
    }

    @Test(arguments: ["/key/not-a-real-token/formList", "/key/x/forms/visite.xml", "/key/x/submission"])
    func badTokenIs403NotA401(path: String) async throws {
        try await withTestServer { (server: TestServer) async throws in
            let method = path.hasSuffix("submission") ? "HEAD" : "GET"
            let reply = try await server.client.request(method, path)
            #expect(reply.status == 403)
            #expect(reply.header("WWW-Authenticate") == nil)
            #expect(reply.header("X-OpenRosa-Version") == "1.0")
        }
    }

    @Test func revokedLinkIsRefusedAtOnceAndTheNewOneWorks() async throws {
        try await withTestServer { (server: TestServer) async throws in
            #expect(try await server.client.get("\(server.linkPath)/formList").status == 200)
            let newLink = try server.administration.reissueLink(personID: server.personID, baseURL: server.application.baseURL)
            let old = try await server.client.get("\(server.linkPath)/formList")
            #expect(old.status == 403)
            #expect(old.text.contains("révoqué"))
            let newPath = String(newLink.dropFirst(server.application.baseURL.count))
            #expect(try await server.client.get("\(newPath)/formList").status == 200)
        }
    }

    @Test func headOnSubmissionAnnouncesTheAcceptedLength() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let reply = try await server.client.request("HEAD", "\(server.linkPath)/submission")
            #expect(reply.status == 204)
            #expect(reply.header("X-OpenRosa-Accept-Content-Length") == "10000000")
            #expect(reply.header("X-OpenRosa-Version") == "1.0")
        }
    }

    @Test func unknownPathsAndMethodsGetClearErrors() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let missing = try await server.client.get("/nothing/here")
            #expect(missing.status == 404)
            #expect((try missing.json())["code"] as? String == "404.1")
            let wrongMethod = try await server.client.request("DELETE", "\(server.linkPath)/formList")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.header("Allow")?.contains("GET") == true)
        }
    }
}
