import Foundation
import SuiviApp
import SuiviHTTP
import SuiviStore
import Testing

/// Guessing personal links and API keys: failed lookups are limited per
/// client address, valid ones always work, and a guess learns nothing from
/// the answer. Every test request comes from 127.0.0.1, hence small limits.
@Suite struct GuessingLimitTests {
    private static func small(failures: Int) -> (inout AppConfiguration) -> Void {
        { $0.guessingLimits = GuessingLimits(failures: failures, windowSeconds: 600) }
    }

    @Test func pastTheLimitABadLinkIs429ButAValidLinkStillWorks() async throws {
        try await withTestServer(configure: Self.small(failures: 3)) { (server: TestServer) async throws in
            let bad = "/key/\(Secrets.newToken())"
            let firstFailure = Date()
            // Successful requests are never counted.
            for _ in 0..<2 { #expect(try await server.client.get("\(bad)/formList").status == 403) }
            for _ in 0..<5 { #expect(try await server.client.get("\(server.linkPath)/formList").status == 200) }
            #expect(try await server.client.get("\(bad)/formList").status == 403)

            let limited = try await server.client.get("\(bad)/formList")
            #expect(limited.status == 429)
            #expect(limited.header("X-Suivi-Problem") == "429.1")
            #expect(limited.header("X-OpenRosa-Version") == "1.0")
            #expect(limited.header("Content-Type")?.hasPrefix("text/xml") == true)
            // The window runs from the first failure, seconds ago on a loaded machine.
            let retryAfter = Int(limited.header("Retry-After") ?? "") ?? 0
            let elapsed = Int(Date().timeIntervalSince(firstFailure).rounded(.up))
            #expect((600 - elapsed - 1...600).contains(retryAfter), "\(retryAfter) after \(elapsed) s")
            #expect(limited.text.contains("<OpenRosaResponse"))
            #expect(limited.text.contains("Trop de tentatives avec un lien non valide"))
            #expect(limited.text.contains("Attendez 10 minutes"))
            let english = try await server.client.get("\(bad)/formList", headers: ["Accept-Language": "en"])
            #expect(english.status == 429)
            #expect(english.text.contains("Wait 10 minutes"))

            // The person behind the same address is not locked out.
            #expect(try await server.client.get("\(server.linkPath)/formList").status == 200)
            #expect(try await server.client.request("HEAD", "\(server.linkPath)/submission").status == 204)
            let submitted = try await server.client.submit("\(server.linkPath)/submission", xml: Records.visit())
            #expect(submitted.status == 201)
            #expect(try await server.client.get(server.linkPath).status == 200)

            // The phone page under a bad link is still the page, not raw JSON.
            let page = try await server.client.get(bad)
            #expect(page.status == 429)
            #expect(page.text.contains("<html"))
            #expect(try await server.client.get("\(bad)/me").header("Retry-After") != nil)

            // Behind the proxy, each client has its own count.
            let elsewhere = try await server.client.get("\(bad)/formList", headers: ["X-Forwarded-For": "203.0.113.7"])
            #expect(elsewhere.status == 403)
        }
    }

    @Test func unknownAndRevokedLinksGetTheSameAnswer() async throws {
        try await withTestServer(configure: Self.small(failures: 2)) { (server: TestServer) async throws in
            let revoked = server.linkPath
            _ = try server.administration.reissueLink(personID: server.personID, baseURL: nil)
            let unknown = "/key/\(Secrets.newToken())"
            for (expected, suffix) in [(403, "/formList"), (429, "/formList")] {
                let first = try await server.client.get(unknown + suffix)
                let second = try await server.client.get(revoked + suffix)
                #expect(first.status == expected)
                Self.expectSame(first, second)
            }
            // Every OpenRosa route and the browser's JSON, once limited.
            let xml = Records.visit()
            Self.expectSame(try await server.client.submit("\(unknown)/submission", xml: xml),
                            try await server.client.submit("\(revoked)/submission", xml: xml))
            for (method, suffix) in [("HEAD", "/submission"), ("GET", "/forms/visite.xml"),
                                     ("GET", "/forms/visite/manifest"), ("GET", "/me"), ("GET", "/forms/visite.json")] {
                let first = try await server.client.request(method, unknown + suffix)
                let second = try await server.client.request(method, revoked + suffix)
                #expect(first.status == 429)
                Self.expectSame(first, second)
            }
        }
    }

    @Test func apiKeyGuessingIsLimitedTheSameWay() async throws {
        try await withTestServer(configure: Self.small(failures: 2)) { (server: TestServer) async throws in
            let path = "/api/v1/submissions?form=visite"
            // No key at all is not a guess.
            for _ in 0..<4 { #expect(try await server.client.get(path).status == 401) }

            let (revokedKey, revokedSecret) = try server.administration.addAPIKey(name: "old", role: .admin, region: nil)
            #expect(try await server.client.get(path, headers: ["Authorization": "Bearer \(revokedSecret)"]).status == 200)
            try APIKeyStore(database: server.application.database).revoke(id: revokedKey.id)
            let unknown = try await server.client.get(path, headers: ["Authorization": "Bearer \(Secrets.newToken())"])
            let revoked = try await server.client.get(path, headers: ["Authorization": "Bearer \(revokedSecret)"])
            #expect(unknown.status == 401)
            Self.expectSame(unknown, revoked)

            let limited = try await server.client.get(path, headers: ["Authorization": "Bearer \(Secrets.newToken())"])
            #expect(limited.status == 429)
            #expect(limited.header("Content-Type")?.hasPrefix("application/json") == true)
            #expect((1...600).contains(Int(limited.header("Retry-After") ?? "") ?? 0))
            let json = try limited.json()
            #expect(json["code"] as? String == "429.1")
            #expect(json["field"] as? String == "Authorization")
            #expect((json["message"] as? String)?.hasPrefix("Trop de tentatives") == true)
            #expect((json["message_en"] as? String)?.hasPrefix("Too many attempts") == true)
            Self.expectSame(limited, try await server.client.get(path, headers: ["Authorization": "Bearer \(revokedSecret)"]))

            let valid = try await server.client.get(path, headers: ["Authorization": "Bearer \(server.adminKey)"])
            #expect(valid.status == 200)
        }
    }

    /// Same status, same body, same headers (but the clock's).
    private static func expectSame(_ first: HTTPReply, _ second: HTTPReply,
                                   sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(first.status == second.status, sourceLocation: sourceLocation)
        #expect(first.body == second.body, sourceLocation: sourceLocation)
        let clockFree = { (reply: HTTPReply) in reply.headers.filter { !["date", "retry-after"].contains($0.key) } }
        #expect(clockFree(first) == clockFree(second), sourceLocation: sourceLocation)
    }
}

/// The limiter itself, on a clock the test moves.
@Suite struct GuessingLimiterTests {
    final class TestClock: @unchecked Sendable {
        // @unchecked: `seconds` is only touched under `lock`.
        private let lock = NSLock()
        private var seconds = 1_000.0

        var now: Double { lock.withLock { seconds } }
        func advance(_ by: Double) { lock.withLock { seconds += by } }
    }

    @Test func failuresOlderThanTheWindowAreForgotten() {
        let clock = TestClock()
        let limiter = GuessingLimiter(limits: GuessingLimits(failures: 3, windowSeconds: 60), clock: { clock.now })
        for _ in 0..<3 {
            #expect(limiter.recordFailure(from: "192.0.2.1") == .allowed)
            clock.advance(10)
        }
        // Failures at 0, 10 and 20 s; the fourth, at 30 s, waits for the one at 10 s to expire.
        #expect(limiter.recordFailure(from: "192.0.2.1") == .limited(retryAfterSeconds: 40))
        #expect(limiter.recordFailure(from: "192.0.2.2") == .allowed)
        // Coming back too early counts too: the one at 20 s is now the oldest kept.
        clock.advance(39.5)
        #expect(limiter.recordFailure(from: "192.0.2.1") == .limited(retryAfterSeconds: 11))
        // Waiting as told is enough.
        clock.advance(11)
        #expect(limiter.recordFailure(from: "192.0.2.1") == .allowed)
        // A whole quiet window forgets everything.
        clock.advance(60)
        for _ in 0..<3 { #expect(limiter.recordFailure(from: "192.0.2.1") == .allowed) }
        #expect(limiter.recordFailure(from: "192.0.2.1") == .limited(retryAfterSeconds: 60))
    }

    @Test func aFloodOfDistinctAddressesStaysWithinTheCap() {
        let clock = TestClock()
        let limiter = GuessingLimiter(limits: GuessingLimits(failures: 3, windowSeconds: 60, maximumAddresses: 1_000),
                                      clock: { clock.now })
        let persistent = "198.51.100.9"
        var largest = 0
        for index in 0..<100_000 {
            _ = limiter.recordFailure(from: "10.\(index >> 16).\((index >> 8) & 255).\(index & 255)")
            if index % 100 == 0 { _ = limiter.recordFailure(from: persistent) }
            largest = max(largest, limiter.rememberedAddresses)
        }
        #expect(largest <= 1_000)
        // The address that kept failing through the flood is still remembered.
        #expect(limiter.recordFailure(from: persistent) != .allowed)
    }

    @Test func clientsAreCountedByAddressBehindTheProxyAndByIPv6Network() {
        let limiter = GuessingLimiter(limits: GuessingLimits())
        func request(from peer: String, forwardedFor: String? = nil) -> Request {
            var headers = HTTPHeaders()
            if let forwardedFor { headers.add("X-Forwarded-For", forwardedFor) }
            return Request(id: "r", method: "GET", path: "/", headers: headers, clientAddress: peer)
        }
        #expect(limiter.client(of: request(from: "41.82.10.3")) == "41.82.10.3")
        // nginx appends the address it saw; what comes before is the client's own claim.
        #expect(limiter.client(of: request(from: "127.0.0.1", forwardedFor: "1.2.3.4, 41.82.10.3")) == "41.82.10.3")
        #expect(limiter.client(of: request(from: "41.82.10.3", forwardedFor: "1.2.3.4")) == "41.82.10.3")
        #expect(limiter.client(of: request(from: "2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64")
        #expect(limiter.client(of: request(from: "2001:db8:1:2:bbbb::7")) == "2001:db8:1:2::/64")
        #expect(limiter.client(of: request(from: "::ffff:41.82.10.3")) == "41.82.10.3")
    }
}
