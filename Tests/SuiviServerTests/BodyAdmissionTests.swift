import Foundation
import SuiviApp
import SuiviHTTP
import Testing

/// A request body is read only once its head has earned it: the reported
/// attack sent 20 unauthenticated 60 MB posts to a made-up personal link and
/// put 1 GB in the spool before each 403. Each test sends a head announcing a
/// big body and expects the answer before sending a byte of it (before the
/// fix there was none: the server waited for the body until the inactivity
/// timeout), then tries to send the body anyway while watching the spool
/// directory.
@Suite struct BodyAdmissionTests {
    static let sixtyMegabytes = 60 << 20

    @Test func aBodyForAMadeUpLinkIsRefusedUnread() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let spool = SpoolWatcher(directory: server.spoolDirectory)
            let port = server.client.port
            let head = "POST /key/\(String(repeating: "x", count: 43))/submission HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: \(Self.sixtyMegabytes)\r\n\r\n"
            let attempts = try await withThrowingTaskGroup(of: HeadFirst.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await HeadFirst.send(head, port: port, bodyBytes: Self.sixtyMegabytes) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for attempt in attempts {
                #expect(attempt.reply.status == 403)
                #expect(attempt.reply.header("X-Suivi-Problem") == "403.1")
                #expect(attempt.reply.header("Connection")?.lowercased() == "close")
                #expect(attempt.bodyBytesTaken < Self.sixtyMegabytes, "the connection took the whole body")
            }
            #expect(spool.stop() == 0, "bytes reached the spool")
            // Phones with a real link still send theirs.
            let reply = try await server.client.submit("\(server.linkPath)/submission", xml: Records.visit())
            #expect(reply.status == 201)
        }
    }

    @Test func anAPIBodyWithoutAValidKeyOrSessionIsRefusedUnread() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let spool = SpoolWatcher(directory: server.spoolDirectory)
            let cases: [(credentials: String, code: String)] = [
                ("Authorization: Bearer made-up-key\r\n", "401.1"),
                ("", "401.1"),
                ("Cookie: suivi_session=made-up-session\r\n", "401.3"),
            ]
            for (credentials, code) in cases {
                let head = "POST /api/v1/people/import HTTP/1.1\r\nHost: x\r\n\(credentials)"
                    + "Content-Type: text/csv\r\nContent-Length: \(Self.sixtyMegabytes)\r\n\r\n"
                let attempt = try await HeadFirst.send(head, port: server.client.port, bodyBytes: Self.sixtyMegabytes)
                #expect(attempt.reply.status == 401, "\(code)")
                #expect(attempt.reply.header("Content-Type")?.hasPrefix("application/json") == true)
                #expect(try attempt.reply.json()["code"] as? String == code)
                #expect(attempt.bodyBytesTaken < Self.sixtyMegabytes)
            }
            #expect(spool.stop() == 0, "bytes reached the spool")
            // A valid key still gets its body read (and its answer from the handler).
            let reply = try await server.client.request(
                "POST", "/api/v1/people/import",
                headers: ["Authorization": "Bearer \(server.adminKey)", "Content-Type": "text/csv"],
                body: Data("nom;téléphone;département\nFatou Sarr;77 111 22 33;Pikine\n".utf8))
            #expect(reply.status == 200, "\(reply.text.prefix(300))")
        }
    }

    @Test func routesThatTakeNoSuchBodyRefuseItUnread() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let spool = SpoolWatcher(directory: server.spoolDirectory)
            let cases: [(request: String, status: Int, code: String)] = [
                ("POST /nowhere", 404, "404.1"),
                ("PUT /healthz", 405, "405.1"),
                ("GET /healthz", 413, "413.2"),
                ("POST /api/v1/session", 413, "413.1"),  // sign-in takes 1 MiB at most, from anyone
            ]
            for (request, status, code) in cases {
                let head = "\(request) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(Self.sixtyMegabytes)\r\n\r\n"
                let attempt = try await HeadFirst.send(head, port: server.client.port, bodyBytes: Self.sixtyMegabytes)
                #expect(attempt.reply.status == status, "\(request)")
                #expect(try attempt.reply.json()["code"] as? String == code, "\(request)")
                #expect(attempt.bodyBytesTaken < Self.sixtyMegabytes, "\(request)")
            }
            #expect(spool.stop() == 0, "bytes reached the spool")
        }
    }

    /// Failed lookups made on the head count for the guessing limit, once each.
    @Test func failedLinkLookupsOnTheHeadCountForTheGuessingLimit() async throws {
        try await withTestServer(configure: {
            $0.guessingLimits = GuessingLimits(failures: 3, windowSeconds: 600)
        }) { (server: TestServer) async throws in
            let head = "POST /key/\(String(repeating: "y", count: 43))/submission HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: \(Self.sixtyMegabytes)\r\n\r\n"
            var statuses: [Int] = []
            for _ in 0..<4 {
                statuses.append(try await HeadFirst.send(head, port: server.client.port, bodyBytes: 0).reply.status)
            }
            #expect(statuses == [403, 403, 403, 429])
            #expect(try await server.client.submit("\(server.linkPath)/submission", xml: Records.visit()).status == 201)
        }
    }

    /// All spooled bodies together stay under `spoolLimitBytes`: past it, 503.3
    /// with Retry-After, before the body is read when its length is announced.
    @Test func theSpoolHasATotalCap() async throws {
        try await withTestServer(extraForms: ["photo_test.xml"], configure: {
            $0.server.spoolLimitBytes = 1 << 20
            $0.server.inMemoryBodyBytes = 16 << 10
        }) { (server: TestServer) async throws in
            let port = server.client.port
            let path = "\(server.linkPath)/submission"
            func upload(_ name: String) -> (head: String, body: Data) {
                let photo = Data((0..<600_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
                let xml = Records.photo(instanceID: "uuid:spool-\(name)", front: "front.jpg", back: nil)
                let (body, type) = MultipartPart.encode([
                    MultipartPart(name: "xml_submission_file", filename: "submission.xml", contentType: "text/xml", data: Data(xml.utf8)),
                    MultipartPart(name: "front.jpg", filename: "front.jpg", contentType: "image/jpeg", data: photo)])
                return ("POST \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\n\r\n", body)
            }
            let first = upload("first")
            let second = upload("second")

            // The first upload holds 600 KB of the 1 MiB spool while it arrives
            // (its file shows once it is let in and has its room).
            let holding = try TestConnection(port: port, receiveTimeoutSeconds: 30)
            holding.write(Data(first.head.utf8) + first.body.prefix(300_000))
            let waitUntil = Date().addingTimeInterval(30)
            while try FileManager.default.contentsOfDirectory(atPath: server.spoolDirectory).isEmpty, Date() < waitUntil {
                try await Task.sleep(for: .milliseconds(50))
            }

            let refused = try await HeadFirst.send(second.head, port: port, bodyBytes: second.body.count)
            #expect(refused.reply.status == 503)
            #expect(refused.reply.header("X-Suivi-Problem") == "503.3")
            #expect(refused.reply.header("Retry-After") == "60")
            #expect(refused.reply.text.contains("réessayez"))

            holding.write(first.body.dropFirst(300_000))
            let firstReply = try await blocking { try holding.readReply() }
            #expect(firstReply.status == 201)
            // Its room is given back: the second one fits now.
            let secondReply = try await server.client.raw(Data(second.head.utf8) + second.body)
            #expect(secondReply.status == 201)

            // A chunked body has no length to reserve: it is refused when the
            // spool runs out, and what it had written is removed.
            var chunked = Data("POST \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
            let chunk = Data(repeating: UInt8(ascii: "a"), count: 64 << 10)
            for _ in 0..<24 {
                chunked += Data(String(chunk.count, radix: 16).utf8) + Data("\r\n".utf8) + chunk + Data("\r\n".utf8)
            }
            chunked += Data("0\r\n\r\n".utf8)
            let chunkedReply = try await server.client.raw(chunked)
            #expect(chunkedReply.status == 503)
            #expect(chunkedReply.header("X-Suivi-Problem") == "503.3")
            #expect(try FileManager.default.contentsOfDirectory(atPath: server.spoolDirectory).isEmpty)
        }
    }
}

extension TestServer {
    var spoolDirectory: String { application.configuration.attachmentsDirectory + "/tmp" }
}

/// A head sent alone, the answer read, then the announced body sent anyway.
struct HeadFirst: Sendable {
    let reply: HTTPReply
    /// Body bytes the connection accepted before it was found closed.
    let bodyBytesTaken: Int

    /// Throws when no answer comes before the server gives up waiting for
    /// the body (its 30 s inactivity timeout).
    static func send(_ head: String, port: UInt16, bodyBytes: Int) async throws -> HeadFirst {
        try await blocking {
            let connection = try TestConnection(port: port, receiveTimeoutSeconds: 45)
            connection.write(Data(head.utf8))
            let reply = try connection.readReply()
            var taken = 0
            let chunk = Data(repeating: UInt8(ascii: "a"), count: 1 << 20)
            while taken < bodyBytes, connection.write(chunk.prefix(bodyBytes - taken)) {
                taken += min(chunk.count, bodyBytes - taken)
            }
            return HeadFirst(reply: reply, bodyBytesTaken: taken)
        }
    }
}

/// Watches a directory from a thread of its own and remembers the most bytes
/// its files ever held together.
final class SpoolWatcher: @unchecked Sendable {
    // @unchecked: `largest` and `running` are only touched under `lock`.
    private let lock = NSLock()
    private var largest = 0
    private var running = true
    private let finished = DispatchSemaphore(value: 0)

    init(directory: String) {
        Thread { [self] in
            while lock.withLock({ running }) {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
                let bytes = names.reduce(0) { total, name in
                    let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)
                    return total + ((attributes?[.size] as? NSNumber)?.intValue ?? 0)
                }
                lock.withLock { largest = max(largest, bytes) }
                usleep(2_000)
            }
            finished.signal()
        }.start()
    }

    /// Stops watching; the most bytes seen.
    func stop() -> Int {
        lock.withLock { running = false }
        finished.wait()
        return lock.withLock { largest }
    }
}
