import Foundation
import SuiviDomain
import SuiviApp
import SuiviStore
import Testing

/// A coordinator signed in through `POST /api/v1/session`, as a browser would be.
struct SignedIn: Sendable {
    let cookie: String
    let csrfToken: String
    let userID: Int64

    /// The session cookie, and the anti-CSRF token unless told otherwise.
    func headers(csrf: Bool = true, json: Bool = false) -> [String: String] {
        var headers = ["Cookie": "suivi_session=\(cookie)"]
        if csrf { headers["X-CSRF-Token"] = csrfToken }
        if json { headers["Content-Type"] = "application/json" }
        return headers
    }
}

/// Passwords good enough for the policy, so tests read as what they test.
let testPassword = "un-mot-de-passe-sûr"

func jsonData(_ object: [String: Any]) -> Data {
    (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
}

extension TestServer {
    /// An account made as `suivi user add` makes it.
    @discardableResult
    func addUser(_ login: String, role: Role = .admin, region: String? = nil, password: String = testPassword,
                 displayName: String = "") async throws -> UserAccount {
        try await administration.addUser(login: login, password: password, role: role, region: region, displayName: displayName)
    }

    /// The raw sign-in answer.
    func postSession(_ login: String, _ password: String, headers: [String: String] = [:]) async throws -> HTTPReply {
        var all = ["Content-Type": "application/json"]
        all.merge(headers) { $1 }
        return try await client.request("POST", "/api/v1/session", headers: all,
                                        body: jsonData(["login": login, "password": password]))
    }

    /// Signs in and returns the session; fails the test if sign-in fails.
    func signIn(_ login: String, _ password: String = testPassword, headers: [String: String] = [:]) async throws -> SignedIn {
        let reply = try await postSession(login, password, headers: headers)
        return try Self.signedIn(login, reply)
    }

    /// `signIn` on the calling thread (see `TestClient.requestNow`).
    func signInNow(_ login: String, _ password: String = testPassword) throws -> SignedIn {
        let reply = try client.requestNow("POST", "/api/v1/session", headers: ["Content-Type": "application/json"],
                                          body: jsonData(["login": login, "password": password]))
        return try Self.signedIn(login, reply)
    }

    private static func signedIn(_ login: String, _ reply: HTTPReply) throws -> SignedIn {
        guard reply.status == 200, let cookieHeader = reply.header("Set-Cookie") else {
            throw TestSocketError(description: "sign-in of \(login) answered \(reply.status): \(reply.text)")
        }
        let value = String(cookieHeader.split(separator: ";")[0].dropFirst("suivi_session=".count))
        let json = try reply.json()
        let user = json["user"] as? [String: Any] ?? [:]
        return SignedIn(cookie: value, csrfToken: json["csrf_token"] as? String ?? "",
                        userID: (user["id"] as? NSNumber)?.int64Value ?? 0)
    }

    /// A JSON request with a session (and its CSRF token) or an API key.
    func send(_ method: String, _ path: String, _ object: [String: Any]? = nil, as session: SignedIn) async throws -> HTTPReply {
        try await client.request(method, path, headers: session.headers(json: object != nil),
                                 body: object.map(jsonData) ?? Data())
    }

    func send(_ method: String, _ path: String, _ object: [String: Any]? = nil, key: String) async throws -> HTTPReply {
        var headers = ["Authorization": "Bearer \(key)"]
        if object != nil { headers["Content-Type"] = "application/json" }
        return try await client.request(method, path, headers: headers, body: object.map(jsonData) ?? Data())
    }
}
