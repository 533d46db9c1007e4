import Foundation
import SuiviApp
import Testing

/// `GET /metrics`: Prometheus counts of what the server did, by route
/// pattern and form, never by path (paths carry tokens).
@Suite struct MetricsTests {
    @Test func submissionOutcomesAreCountedByForm() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let path = "\(server.linkPath)/submission"
            #expect(try await server.client.submit(path, xml: Records.visit(instanceID: "uuid:m1")).status == 201)
            // Stored, but flagged: a national ID number of three digits.
            #expect(try await server.client.submit(path, xml: Records.visit(instanceID: "uuid:m2", overrides: ["national_id": "123"])).status == 201)
            #expect(try await server.client.submit(path, xml: Records.visit(instanceID: "uuid:m1")).status == 201)
            let clash = Records.visit(instanceID: "uuid:m1", overrides: ["artisan_name": "Ibrahima Fall"])
            #expect(try await server.client.submit(path, xml: clash).status == 409)
            #expect(try await server.client.submit(path, xml: "this is not xml").status == 400)

            let reply = try await server.client.get("/metrics")
            #expect(reply.status == 200)
            #expect(reply.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
            let samples = try Exposition.parse(reply.text)
            #expect(samples[#"suivi_submissions_received_total{form="visite",outcome="created"}"#] == 2)
            #expect(samples[#"suivi_submissions_received_total{form="visite",outcome="duplicate"}"#] == 1)
            #expect(samples[#"suivi_submissions_received_total{form="visite",outcome="conflict"}"#] == 1)
            #expect(samples[#"suivi_submissions_received_total{form="visite",outcome="rejected"}"#] == 0)
            // The malformed record's form cannot be read: it is not a label.
            #expect(samples[#"suivi_submissions_received_total{form="unknown",outcome="rejected"}"#] == 1)
            #expect(samples[#"suivi_submissions_flagged_total{form="visite"}"#] == 1)
            // Other forms are there from the start, at zero.
            #expect(samples[#"suivi_submissions_received_total{form="causerie",outcome="created"}"#] == 0)

            let route = #"method="POST",route="/key/:token/submission""#
            #expect(samples["suivi_http_requests_total{\(route),status=\"201\"}"] == 3)
            #expect(samples["suivi_http_requests_total{\(route),status=\"409\"}"] == 1)
            #expect(samples["suivi_http_requests_total{\(route),status=\"400\"}"] == 1)
            #expect(samples["suivi_http_request_duration_seconds_count{\(route)}"] == 5)
            #expect(samples["suivi_http_request_duration_seconds_bucket{\(route),le=\"+Inf\"}"] == 5)

            // Four records reached the writer (the malformed one did not).
            #expect(samples["suivi_group_commit_batch_size_sum"] == 4)
            #expect(samples["suivi_submission_queue_depth"] == 0)
            #expect(samples[#"suivi_build_info{version="\#(SuiviVersion.current)"}"#] == 1)
            let started = try #require(samples["suivi_process_start_time_seconds"])
            #expect(abs(started - Date().timeIntervalSince1970) < 600)
        }
    }

    @Test func noTokenOrPathEverAppears() async throws {
        try await withTestServer(configure: { $0.server.maximumBodyBytes = 1 << 20 }) { (server: TestServer) async throws in
            #expect(try await server.client.submit("\(server.linkPath)/submission", xml: Records.visit()).status == 201)
            #expect(try await server.client.get("\(server.linkPath)/formList").status == 200)
            #expect(try await server.client.get("\(server.linkPath)/no-such-thing").status == 404)
            #expect(try await server.client.get("/key/not-a-real-token-0123456789/formList").status == 403)
            #expect(try await server.client.request("BREW", "/key/\(server.token)/submission").status >= 400)
            // A body over the cap is refused before any handler: still counted under its route.
            let port = server.client.port
            let linkPath = server.linkPath
            let oversized = try await blocking { () -> HTTPReply in
                let connection = try TestConnection(port: port, receiveTimeoutSeconds: 10)
                connection.write(Data("POST \(linkPath)/submission HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 52428800\r\n\r\n".utf8))
                return try connection.readReply()
            }
            #expect(oversized.status == 413)

            let text = try await server.client.get("/metrics").text
            #expect(!text.contains(server.token))
            #expect(!text.contains("not-a-real-token"))
            #expect(!text.contains("no-such-thing"))
            #expect(!text.contains("BREW"))
            #expect(!text.contains("Moussa"))
            let samples = try Exposition.parse(text)
            #expect(samples[#"suivi_http_requests_total{method="POST",route="/key/:token/submission",status="413"}"#] == 1)
            #expect(samples[#"suivi_http_requests_total{method="GET",route="/key/:token/formList",status="200"}"#] == 1)
            #expect(samples[#"suivi_http_requests_total{method="GET",route="/key/:token/formList",status="403"}"#] == 1)
            #expect(samples[#"suivi_http_requests_total{method="GET",route="unmatched",status="404"}"#] == 1)
            for label in samples.keys {
                if let route = label.firstMatch(of: /route="([^"]*)"/)?.1 {
                    #expect(route == "unmatched" || route.hasPrefix("/"), "\(label)")
                    #expect(!route.contains("/key/") || route.hasPrefix("/key/:token"), "\(label)")
                }
            }
        }
    }

    @Test func theExpositionParses() async throws {
        try await withTestServer { (server: TestServer) async throws in
            #expect(try await server.client.submit("\(server.linkPath)/submission", xml: Records.visit()).status == 201)
            #expect(try await server.client.get("/healthz").status == 200)
            let text = try await server.client.get("/metrics").text
            #expect(text.hasSuffix("\n"))
            let samples = try Exposition.parse(text)
            #expect(samples.count > 50)
            // Histogram buckets are cumulative and end with +Inf equal to the count.
            let route = #"method="GET",route="/healthz""#
            let bounds = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]
            let buckets = bounds.compactMap { samples["suivi_http_request_duration_seconds_bucket{\(route),le=\"\($0)\"}"] }
            #expect(buckets.count == bounds.count)
            #expect(buckets == buckets.sorted())
            #expect(buckets.last == samples["suivi_http_request_duration_seconds_count{\(route)}"])
            #expect(buckets.last == 1)
        }
    }

    @Test func aMetricsTokenIsRequiredOnceConfigured() async throws {
        let token = "metrics-0123456789abcdef"
        try await withTestServer(configure: { $0.metricsTokenSHA256 = Secrets.sha256Hex(token) }) { (server: TestServer) async throws in
            let none = try await server.client.get("/metrics")
            #expect(none.status == 401)
            #expect(none.header("WWW-Authenticate") != nil)
            #expect(!none.text.contains("suivi_"))
            #expect(try await server.client.get("/metrics", headers: ["Authorization": "Bearer wrong"]).status == 401)
            #expect(try await server.client.get("/metrics", headers: ["Authorization": "Basic \(token)"]).status == 401)
            let right = try await server.client.get("/metrics", headers: ["Authorization": "Bearer \(token)"])
            #expect(right.status == 200)
            #expect(right.text.contains("suivi_build_info"))
            #expect(!server.logs.all.contains { $0.contains(token) })
        }
    }

    @Test func withoutATokenMetricsStayOnLoopback() async throws {
        try await withTestServer(configure: { $0.server.host = "0.0.0.0" }) { (server: TestServer) async throws in
            #expect(try await server.client.get("/metrics").status == 403)
        }
    }
}

/// A strict reader of the text exposition format 0.0.4.
enum Exposition {
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    /// Every sample by `name{labels}` exactly as written; throws on any line
    /// that is not a comment or `name{labels} value`, or on a series twice.
    static func parse(_ text: String) throws -> [String: Double] {
        let sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})?) (\S+)$/
        var samples: [String: Double] = [:]
        var typed: Set<String> = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
            if line.hasPrefix("#") {
                let words = line.split(separator: " ")
                guard words.count >= 3, words[1] == "HELP" || words[1] == "TYPE" else {
                    throw Malformed(description: "bad comment: \(line)")
                }
                if words[1] == "TYPE" {
                    guard words.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(words[3]) else {
                        throw Malformed(description: "bad TYPE: \(line)")
                    }
                    guard typed.insert(String(words[2])).inserted else { throw Malformed(description: "TYPE twice: \(line)") }
                }
                continue
            }
            guard let match = line.wholeMatch(of: sample) else { throw Malformed(description: "bad line: \(line)") }
            let series = String(match.1)
            let rawValue = String(match.2)
            let value: Double? = switch rawValue {
            case "+Inf": .infinity
            case "-Inf": -.infinity
            case "NaN": .nan
            default: Double(rawValue)
            }
            guard let value else { throw Malformed(description: "bad value: \(line)") }
            let name = String(series.prefix { $0 != "{" })
            let families = [name] + ["_bucket", "_sum", "_count"].filter { name.hasSuffix($0) }.map { String(name.dropLast($0.count)) }
            guard families.contains(where: typed.contains) else { throw Malformed(description: "sample before its TYPE: \(line)") }
            guard samples.updateValue(value, forKey: series) == nil else { throw Malformed(description: "series twice: \(line)") }
        }
        return samples
    }
}
