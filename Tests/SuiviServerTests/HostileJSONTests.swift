import Foundation
import Testing

/// Malformed and hostile JSON bodies to the coordinators' API get a clear
/// 4xx naming what is wrong, never a crash or a 500.
@Suite struct HostileJSONTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let label: String
        let body: Data
        var contentType = "application/json"
        let status: Int
        let code: String
        var field: String?
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "not JSON", body: Data("{login: awa".utf8), status: 400, code: "400.8"),
        Case(label: "empty body", body: Data(), status: 400, code: "400.8"),
        Case(label: "an array, not an object", body: Data(#"["awa", "secret"]"#.utf8), status: 400, code: "400.8"),
        Case(label: "a bare string", body: Data(#""awa""#.utf8), status: 400, code: "400.8"),
        Case(label: "login of the wrong type", body: Data(#"{"login": 42, "password": "x"}"#.utf8),
             status: 400, code: "400.9", field: "login"),
        Case(label: "password missing", body: Data(#"{"login": "awa"}"#.utf8), status: 400, code: "400.9", field: "password"),
        Case(label: "password of the wrong type", body: Data(#"{"login": "awa", "password": true}"#.utf8),
             status: 400, code: "400.9", field: "password"),
        Case(label: "invalid UTF-8", body: Data([0x7B, 0x22, 0x6C, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0xFF, 0x22, 0x7D]),
             status: 400, code: "400.8"),
        Case(label: "deep nesting", body: Data((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8),
             status: 400, code: "400.8"),
        Case(label: "deep nesting of objects",
             body: Data((String(repeating: #"{"a":"#, count: 50_000) + "1" + String(repeating: "}", count: 50_000)).utf8),
             status: 400, code: "400.8"),
        Case(label: "huge body", body: Data(("{\"login\": \"" + String(repeating: "a", count: 2_000_000) + "\"}").utf8),
             status: 413, code: "413.1"),
        Case(label: "wrong content type", body: Data(#"{"login": "awa", "password": "x"}"#.utf8),
             contentType: "text/plain", status: 415, code: "415.1"),
        Case(label: "form-encoded body", body: Data("login=awa&password=x".utf8),
             contentType: "application/x-www-form-urlencoded", status: 415, code: "415.1"),
        Case(label: "NUL bytes in the login", body: Data("{\"login\": \"aw\\u0000a\", \"password\": \"correct horse\"}".utf8),
             status: 401, code: "401.2", field: "password"),
        Case(label: "very long password", body: Data(("{\"login\": \"awa\", \"password\": \"" + String(repeating: "p", count: 100_000) + "\"}").utf8),
             status: 400, code: "400.9", field: "password"),
        Case(label: "duplicate keys", body: Data(#"{"login": "awa", "login": "admin", "password": "wrong password"}"#.utf8),
             status: 401, code: "401.2", field: "password"),
    ]

    @Test(arguments: cases)
    func hostileJSON(_ testCase: Case) async throws {
        try await withTestServer { (server: TestServer) async throws in
            let reply = try await server.client.request(
                "POST", "/api/v1/session", headers: ["Content-Type": testCase.contentType], body: testCase.body)
            #expect(reply.status == testCase.status, "\(testCase.label): \(reply.text.prefix(300))")
            let problem = try reply.json()
            #expect(problem["code"] as? String == testCase.code)
            #expect((problem["message"] as? String)?.isEmpty == false)
            #expect((problem["message_en"] as? String)?.isEmpty == false)
            if let field = testCase.field {
                #expect(problem["field"] as? String == field)
            }
            #expect(reply.header("Cache-Control") == "no-store")
            // The server still serves.
            #expect(try await server.client.get("/healthz").status == 200)
        }
    }
}
