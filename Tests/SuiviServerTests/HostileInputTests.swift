import Foundation
import Testing

/// Malformed and hostile input gets a clear 4xx with the part at fault,
/// never a crash, a 500 or a silent drop.
@Suite struct HostileInputTests {
    static let billionLaughs = """
        <?xml version="1.0"?>
        <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\
        <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
        <data id="visite" version="2026112301"><notes>&lol3;</notes><meta><instanceID>uuid:lol</instanceID></meta></data>
        """

    static let externalEntity = """
        <?xml version="1.0"?>
        <!DOCTYPE data [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
        <data id="visite" version="2026112301"><notes>&xxe;</notes><meta><instanceID>uuid:xxe</instanceID></meta></data>
        """

    struct Case: Sendable, CustomTestStringConvertible {
        let label: String
        let xml: String
        let status: Int
        let code: String
        var testDescription: String { label }
    }

    static let xmlCases: [Case] = [
        Case(label: "not XML", xml: "this is not xml", status: 400, code: "400.1"),
        Case(label: "unclosed element", xml: "<data id=\"visite\"><meta><instanceID>x</instanceID></meta>", status: 400, code: "400.1"),
        Case(label: "billion laughs", xml: billionLaughs, status: 400, code: "400.2"),
        Case(label: "external entity (XXE)", xml: externalEntity, status: 400, code: "400.2"),
        Case(label: "lower-case doctype", xml: "<!doctype data><data id=\"visite\"/>", status: 400, code: "400.2"),
        Case(label: "deep nesting", xml: "<data id=\"visite\">" + String(repeating: "<a>", count: 5000) + String(repeating: "</a>", count: 5000) + "</data>", status: 400, code: "400.3"),
        Case(label: "no instanceID", xml: "<data id=\"visite\" version=\"2026112301\"><notes/></data>", status: 400, code: "400.6"),
        Case(label: "no form id", xml: "<data version=\"1\"><meta><instanceID>uuid:x</instanceID></meta></data>", status: 400, code: "400.7"),
        Case(label: "unknown form", xml: "<data id=\"nope\" version=\"1\"><meta><instanceID>uuid:x</instanceID></meta></data>", status: 404, code: "404.2"),
        Case(label: "huge attribute", xml: "<data id=\"visite\" version=\"2026112301\" junk=\"" + String(repeating: "A", count: 2_000_000) + "\"><meta><instanceID>uuid:big</instanceID></meta></data>", status: 201, code: ""),
    ]

    @Test(arguments: xmlCases)
    func hostileXML(_ testCase: Case) async throws {
        try await withTestServer { (server: TestServer) async throws in
            let reply = try await server.client.submit("\(server.linkPath)/submission", xml: testCase.xml)
            #expect(reply.status == testCase.status, "\(testCase.label): \(reply.text)")
            if !testCase.code.isEmpty {
                #expect(reply.header("X-Suivi-Problem") == testCase.code)
                #expect(reply.text.contains("OpenRosaResponse"))
            }
            // The server still serves.
            #expect(try await server.client.get("/healthz").status == 200)
        }
    }

    @Test func invalidUTF8IsRefused() async throws {
        try await withTestServer { (server: TestServer) async throws in
            var xml = Data(#"<data id="visite" version="2026112301"><notes>"#.utf8)
            xml += Data([0xC3, 0x28, 0xFF, 0xFE])
            xml += Data("</notes><meta><instanceID>uuid:utf</instanceID></meta></data>".utf8)
            let (body, type) = MultipartPart.encode([MultipartPart(name: "xml_submission_file", filename: "s.xml", contentType: "text/xml", data: xml)])
            let reply = try await server.client.request("POST", "\(server.linkPath)/submission", headers: ["Content-Type": type], body: body)
            #expect(reply.status == 400)
            #expect(reply.header("X-Suivi-Problem") == "400.10")
        }
    }

    struct MultipartCase: Sendable, CustomTestStringConvertible {
        let label: String
        let contentType: String?
        let body: String
        let status: Int
        let code: String
        var testDescription: String { label }
    }

    static let validPart = "--b\r\nContent-Disposition: form-data; name=\"xml_submission_file\"; filename=\"s.xml\"\r\nContent-Type: text/xml\r\n\r\n<data id=\"visite\" version=\"2026112301\"><meta><instanceID>uuid:m</instanceID></meta></data>\r\n"

    static let multipartCases: [MultipartCase] = [
        MultipartCase(label: "no content type", contentType: nil, body: validPart + "--b--\r\n", status: 415, code: "415.1"),
        MultipartCase(label: "JSON content type", contentType: "application/json", body: "{\"a\": 1}", status: 415, code: "415.1"),
        MultipartCase(label: "no boundary parameter", contentType: "multipart/form-data", body: validPart + "--b--\r\n", status: 400, code: "400.5"),
        MultipartCase(label: "boundary never appears", contentType: "multipart/form-data; boundary=zzz", body: validPart + "--b--\r\n", status: 400, code: "400.5"),
        MultipartCase(label: "part without end", contentType: "multipart/form-data; boundary=b", body: validPart, status: 400, code: "400.5"),
        MultipartCase(label: "part without headers end", contentType: "multipart/form-data; boundary=b", body: "--b\r\nContent-Disposition: form-data; name=\"x\"", status: 400, code: "400.5"),
        MultipartCase(label: "part without a name", contentType: "multipart/form-data; boundary=b", body: "--b\r\nContent-Type: text/xml\r\n\r\n<a/>\r\n--b--\r\n", status: 400, code: "400.5"),
        MultipartCase(label: "no xml_submission_file", contentType: "multipart/form-data; boundary=b", body: "--b\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n\r\nxx\r\n--b--\r\n", status: 400, code: "400.4"),
        MultipartCase(label: "empty body", contentType: "multipart/form-data; boundary=b", body: "", status: 400, code: "400.5"),
        MultipartCase(label: "repeated boundaries only", contentType: "multipart/form-data; boundary=b", body: "--b\r\n--b\r\n--b--\r\n", status: 400, code: "400.5"),
        MultipartCase(label: "quoted boundary works", contentType: "multipart/form-data; boundary=\"b\"", body: validPart + "--b--\r\n", status: 201, code: ""),
    ]

    @Test(arguments: multipartCases)
    func hostileMultipart(_ testCase: MultipartCase) async throws {
        try await withTestServer { (server: TestServer) async throws in
            var headers: [String: String] = [:]
            if let type = testCase.contentType { headers["Content-Type"] = type }
            let reply = try await server.client.request("POST", "\(server.linkPath)/submission", headers: headers, body: Data(testCase.body.utf8))
            #expect(reply.status == testCase.status, "\(testCase.label): \(reply.text)")
            if !testCase.code.isEmpty {
                #expect(reply.header("X-Suivi-Problem") == testCase.code)
            }
        }
    }

    @Test func tooManyPartsAreRefused() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let parts = (0..<600).map { MultipartPart(name: "p\($0)", filename: nil, contentType: nil, data: Data("x".utf8)) }
            let (body, type) = MultipartPart.encode(parts)
            let reply = try await server.client.request("POST", "\(server.linkPath)/submission", headers: ["Content-Type": type], body: body)
            #expect(reply.status == 400)
            #expect(reply.header("X-Suivi-Problem") == "400.5")
        }
    }

    @Test func malformedHTTPDoesNotHurtTheServer() async throws {
        try await withTestServer { (server: TestServer) async throws in
            for garbage in ["GARBAGE\r\n\r\n", "GET\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "\u{0}\u{1}\u{2}\r\n\r\n",
                            "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                            "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n"] {
                _ = try? await server.client.raw(Data(garbage.utf8), timeoutSeconds: 3)
            }
            let health = try await server.client.get("/healthz")
            #expect(health.status == 200)
        }
    }
}

/// Regressions found while hardening the parsers.
@Suite struct ParserRegressionTests {
    /// Foundation's XMLParser crashed the whole server on a processing
    /// instruction without data; one POST must never do that.
    @Test(arguments: ["<?x?>", "<?x?><data id=\"visite\"/>", "<data id=\"visite\"><?pi?><meta><instanceID>uuid:pi</instanceID></meta></data>"])
    func processingInstructionsDoNotCrash(_ xml: String) async throws {
        try await withTestServer { (server: TestServer) async throws in
            let reply = try await server.client.submit("\(server.linkPath)/submission", xml: xml)
            #expect(reply.status < 500, "\(reply.status)")
            let health = try await server.client.get("/healthz")
            #expect(health.status == 200)
        }
    }
}
