import Foundation
import SuiviApp
import SuiviStore
import Testing

/// `/api/v1/users`, `/api/v1/api-keys` and `/api/v1/audit`: admins only,
/// every change audited without personal data.
@Suite struct AccountAPITests {
    @Test func adminsCreateAndListUsersUnderThePasswordPolicy() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let create = ["login": "ndeye", "display_name": "Ndèye Fatou Diouf", "role": "coordinator",
                          "region": "Thiès", "password": testPassword]
            let created = try await server.send("POST", "/api/v1/users", create, key: server.adminKey)
            #expect(created.status == 201)
            let user = (try created.json())["user"] as? [String: Any] ?? [:]
            #expect(user["region"] as? String == "thies")
            #expect(user["role"] as? String == "coordinator")
            #expect(user["active"] as? Bool == true)
            #expect(user["password"] == nil && user["password_hash"] == nil)

            let taken = try await server.send("POST", "/api/v1/users", create.merging(["login": "NDEYE"]) { $1 }, key: server.adminKey)
            #expect(taken.status == 409)
            #expect((try taken.json())["code"] as? String == "409.10")
            for (change, code) in [(["password": "Senegal2024!"], "400.20"), (["password": "court"], "400.20"),
                                   (["role": "membership"], "400.9"), (["role": "chef"], "400.9"),
                                   (["region": "Atlantide"], "400.9"), (["login": "a b"], "400.9")] {
                let reply = try await server.send("POST", "/api/v1/users", create.merging(change) { $1 }.merging(["login": change["login"] ?? "autre"]) { $1 },
                                                  key: server.adminKey)
                #expect((try reply.json())["code"] as? String == code, "\(change)")
            }

            let listed = try await server.send("GET", "/api/v1/users", key: server.adminKey)
            #expect(listed.status == 200)
            #expect(listed.header("Cache-Control") == "no-store")
            let users = (try listed.json())["users"] as? [[String: Any]] ?? []
            #expect(users.map { $0["login"] as? String } == ["ndeye"])
            #expect(users.first?["display_name"] as? String == "Ndèye Fatou Diouf")

            // Signing in works with the new account; the hash is Argon2id.
            _ = try await server.signIn("ndeye")
            let hashes: [String] = try server.query("SELECT password_hash FROM users")
            #expect(hashes.allSatisfy { $0.hasPrefix("$argon2id$") })
        }
    }

    /// Every account and key answer byte for byte, the new key replaced.
    @Test func accountAnswersKeepTheirBytes() async throws {
        try await withTestServer { (server: TestServer) async throws in
            try await server.addUser("admin1", displayName: "Admin \"Un\"/Dakar")
            let session = try await server.signIn("admin1")
            let create = ["login": "ndeye", "display_name": "Ndèye Fatou Diouf", "role": "coordinator",
                          "region": "Thiès", "password": testPassword]
            expectJSON(try await server.send("POST", "/api/v1/users", create, key: server.adminKey), #"{"user":{"active":true,"display_name":"Ndèye Fatou Diouf","id":2,"login":"ndeye","region":"thies","role":"coordinator"}}"#)
            expectJSON(try await server.send("GET", "/api/v1/users", key: server.adminKey), #"{"users":[{"active":true,"created_at":"<time>","display_name":"Admin \"Un\"/Dakar","id":1,"last_sign_in_at":"<time>","login":"admin1","region":null,"role":"admin"},{"active":true,"created_at":"<time>","display_name":"Ndèye Fatou Diouf","id":2,"last_sign_in_at":null,"login":"ndeye","region":"thies","role":"coordinator"}]}"#)
            expectJSON(try await server.send("PATCH", "/api/v1/users/2", ["display_name": "Ndèye", "region": NSNull()],
                                             key: server.adminKey), #"{"user":{"active":true,"display_name":"Ndèye","id":2,"login":"ndeye","region":null,"role":"coordinator"}}"#)
            let reset = try await server.send("POST", "/api/v1/users/2/password", ["password": testPassword + "2"], key: server.adminKey)
            #expect(reset.header("Cache-Control") == nil)
            expectJSON(reset, #"{"password_reset":true}"#)
            let created = try await server.send("POST", "/api/v1/api-keys", ["name": "SIG \"adhésions\"", "role": "membership"],
                                                key: server.adminKey)
            #expect(created.status == 201)
            expectJSON(created, #"{"api_key":{"created_at":"<time>","id":2,"key":"<secret>","name":"SIG \"adhésions\"","region":null,"revoked_at":null,"role":"membership"}}"#, secrets: [(try created.json()["api_key"] as? [String: Any])?["key"] as? String ?? ""])
            expectJSON(try await server.send("GET", "/api/v1/api-keys", key: server.adminKey), #"{"api_keys":[{"created_at":"<time>","id":2,"name":"SIG \"adhésions\"","region":null,"revoked_at":null,"role":"membership"},{"created_at":"<time>","id":1,"name":"test admin","region":null,"revoked_at":null,"role":"admin"}]}"#)
            expectJSON(try await server.send("DELETE", "/api/v1/api-keys/2", key: server.adminKey), #"{"revoked":true}"#)
            expectJSON(try await server.send("POST", "/api/v1/session/password",
                                             ["current_password": testPassword, "new_password": testPassword + "3"], as: session), #"{"password_changed":true}"#)
        }
    }

    @Test func adminsChangeRoleRegionAndNameButNeverTheirOwnAccess() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let admin = try await server.addUser("admin1")
            let other = try await server.addUser("awa", role: .viewer)
            let session = try await server.signIn("admin1")
            let moved = try await server.send("PATCH", "/api/v1/users/\(other.id)",
                                              ["role": "coordinator", "region": "dakar", "display_name": "Awa Ndiaye"], as: session)
            #expect(moved.status == 200)
            var user = (try moved.json())["user"] as? [String: Any] ?? [:]
            #expect(user["role"] as? String == "coordinator" && user["region"] as? String == "dakar")
            // Null region: a national coordinator.
            let national = try await server.send("PATCH", "/api/v1/users/\(other.id)", ["region": NSNull()], as: session)
            user = (try national.json())["user"] as? [String: Any] ?? [:]
            #expect(user["region"] is NSNull)
            #expect(try await server.send("PATCH", "/api/v1/users/9999", ["active": false], as: session).status == 404)
            for change: [String: Any] in [["active": false], ["role": "viewer"]] {
                let reply = try await server.send("PATCH", "/api/v1/users/\(admin.id)", change, as: session)
                #expect(reply.status == 409)
                #expect((try reply.json())["code"] as? String == "409.11")
            }
            // The audit says which fields changed, never the name itself.
            let details: [String] = try server.query("SELECT details FROM audit_log WHERE action = 'user.update' ORDER BY id")
            #expect(details.count == 2)
            #expect(details[0].contains("display_name,role,region"))
            #expect(!details.joined().contains("Ndiaye"))
        }
    }

    @Test func apiKeysAreShownOnceStoredHashedAndRevokedAtOnce() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let created = try await server.send("POST", "/api/v1/api-keys", ["name": "SIG adhésions", "role": "membership"],
                                                key: server.adminKey)
            #expect(created.status == 201)
            let object = (try created.json())["api_key"] as? [String: Any] ?? [:]
            let secret = try #require(object["key"] as? String)
            let id = try #require((object["id"] as? NSNumber)?.int64Value)
            #expect(secret.count == 43)
            let stored: [String] = try server.query("SELECT key_hash FROM api_keys WHERE id = \(id)")
            #expect(stored == [Secrets.sha256Hex(secret)])
            // The key works (membership: no records, but authenticated).
            #expect(try await server.send("GET", "/api/v1/submissions?form=visite", key: secret).status == 403)

            let listed = try await server.send("GET", "/api/v1/api-keys", key: server.adminKey)
            #expect(!listed.text.contains(secret))
            let keys = (try listed.json())["api_keys"] as? [[String: Any]] ?? []
            #expect(keys.contains { $0["name"] as? String == "SIG adhésions" && $0["role"] as? String == "membership" })

            #expect(try await server.send("DELETE", "/api/v1/api-keys/\(id)", key: server.adminKey).status == 200)
            #expect(try await server.send("GET", "/api/v1/submissions?form=visite", key: secret).status == 401)
            #expect(try await server.send("DELETE", "/api/v1/api-keys/9999", key: server.adminKey).status == 404)
            let actions: [String] = try server.query("SELECT action FROM audit_log WHERE target_kind = 'api_key' ORDER BY id")
            // The test server's own key came from the command line.
            #expect(actions == ["api_key.create", "api_key.create", "api_key.revoke"])
        }
    }

    @Test func onlyAdminsManageAccessAndReadTheAuditLog() async throws {
        try await withTestServer { (server: TestServer) async throws in
            try await server.addUser("coordinatrice", role: .coordinator)
            let session = try await server.signIn("coordinatrice")
            let (_, viewerKey) = try server.administration.addAPIKey(name: "lecture", role: .viewer, region: nil)
            let calls: [(String, String, [String: Any]?)] = [
                ("GET", "/api/v1/users", nil), ("POST", "/api/v1/users", ["login": "x", "role": "viewer", "password": testPassword]),
                ("PATCH", "/api/v1/users/1", ["active": false]), ("POST", "/api/v1/users/1/password", ["password": testPassword]),
                ("GET", "/api/v1/api-keys", nil), ("POST", "/api/v1/api-keys", ["name": "x", "role": "admin"]),
                ("DELETE", "/api/v1/api-keys/1", nil), ("GET", "/api/v1/audit", nil),
            ]
            for (method, path, body) in calls {
                #expect(try await server.send(method, path, body, as: session).status == 403, "\(method) \(path)")
                #expect(try await server.send(method, path, body, key: viewerKey).status == 403, "\(method) \(path)")
                #expect(try await server.client.request(method, path).status == 401, "\(method) \(path)")
            }
        }
    }

    @Test func theAuditLogPagesNewestFirstAndFiltersByAction() async throws {
        try await withTestServer { (server: TestServer) async throws in
            try await server.addUser("admin1", displayName: "Mariama Ba")
            for _ in 0..<3 { _ = try await server.signIn("admin1") }
            _ = try await server.postSession("admin1", "pas-le-bon-mot-de-passe")
            let session = try await server.signIn("admin1")
            let first = try await server.send("GET", "/api/v1/audit?action=session.sign_in&limit=2", as: session)
            #expect(first.status == 200)
            #expect(first.header("Cache-Control") == "no-store")
            let json = try first.json()
            let entries = json["entries"] as? [[String: Any]] ?? []
            #expect(entries.count == 2)
            #expect(entries.allSatisfy { $0["action"] as? String == "session.sign_in" })
            let actor = entries.first?["actor"] as? [String: Any] ?? [:]
            #expect(actor["kind"] as? String == "user" && actor["label"] as? String == "admin1")
            let next = try #require(json["next"] as? String)
            let rest = try await server.send("GET", "/api/v1/audit?action=session.sign_in&before=\(next)", as: session)
            let older = (try rest.json())["entries"] as? [[String: Any]] ?? []
            #expect(older.count == 2)
            let ids = (entries + older).compactMap { ($0["id"] as? NSNumber)?.intValue }
            #expect(ids == ids.sorted(by: >))

            let all = try await server.send("GET", "/api/v1/audit", as: session)
            let actions = ((try all.json())["entries"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            #expect(actions.contains("session.sign_in_failed") && actions.contains("user.create"))
            // No password, no display name anywhere in the log.
            let everything: [String] = try server.query("SELECT actor_label || action || coalesce(target_id, '') || details FROM audit_log")
            #expect(everything.allSatisfy { !$0.contains("Mariama") && !$0.contains("mot-de-passe") && !$0.contains("argon") })

            for query in ["limit=0", "limit=abc", "before=-1", "action=drop%20table"] {
                let reply = try await server.send("GET", "/api/v1/audit?\(query)", as: session)
                #expect(reply.status == 400, "\(query)")
            }
        }
    }

    /// Issue item 9: repeats, sequences and keyboard walks were accepted as
    /// passwords. Refused now, when an account is made, reset or changed.
    @Test func repeatsSequencesAndKeyboardWalksAreRefusedAsPasswords() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let user = try await server.addUser("coordinatrice", role: .coordinator)
            let session = try await server.signIn("coordinatrice")
            for password in ["aaaaaaaaaa", "abcdefghij", "abcabcabca", "ababababab", "qazwsxedcr", "wxcvbnqsdf"] {
                let created = try await server.send("POST", "/api/v1/users", ["login": "lecteur", "role": "viewer", "password": password],
                                                    key: server.adminKey)
                #expect(created.status == 400, "\(password)")
                #expect((try created.json())["code"] as? String == "400.20", "\(password)")
                let reset = try await server.send("POST", "/api/v1/users/\(user.id)/password", ["password": password], key: server.adminKey)
                #expect((try reset.json())["code"] as? String == "400.20", "\(password)")
                let changed = try await server.send("POST", "/api/v1/session/password",
                                                    ["current_password": testPassword, "new_password": password], as: session)
                #expect((try changed.json())["code"] as? String == "400.20", "\(password)")
            }
            // The message says why, in French first.
            let reply = try await server.send("POST", "/api/v1/users", ["login": "lecteur", "role": "viewer", "password": "mlkjhgfdsq"],
                                              key: server.adminKey)
            let json = try reply.json()
            #expect((json["message"] as? String ?? "").contains("clavier"))
            #expect((json["message_en"] as? String ?? "").contains("keyboard"))
            let users: [String] = try server.query("SELECT login FROM users WHERE login = 'lecteur'")
            #expect(users.isEmpty)
            #expect(try await server.send("POST", "/api/v1/users", ["login": "lecteur", "role": "viewer", "password": "Maimouna-Rufisque-77"],
                                          key: server.adminKey).status == 201)
        }
    }
}
