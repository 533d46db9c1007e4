import Foundation
import SuiviHTTP
import Testing

/// Body caps, slow clients and idle connections.
@Suite struct LimitsTests {
    @Test func anAnnouncedOversizedBodyIsRefusedBeforeItIsSent() async throws {
        try await withTestServer(configure: { $0.server.maximumBodyBytes = 1 << 20 }) { (server: TestServer) async throws in
            let port = server.client.port
            let linkPath = server.linkPath
            let reply = try await blocking { () -> HTTPReply in
                let connection = try TestConnection(port: port, receiveTimeoutSeconds: 10)
                // Headers only: the 50 MB body never comes. The answer must.
                connection.write(Data("POST \(linkPath)/submission HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 52428800\r\n\r\n".utf8))
                return try connection.readReply()
            }
            #expect(reply.status == 413)
            #expect(reply.header("X-Suivi-Problem") == "413.1")
            #expect(reply.text.contains("trop volumineux"))
        }
    }

    @Test func aChunkedBodyPastTheCapIsRefused() async throws {
        try await withTestServer(configure: { $0.server.maximumBodyBytes = 256 << 10 }) { (server: TestServer) async throws in
            var request = Data("POST \(server.linkPath)/submission HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
            let chunk = Data(repeating: UInt8(ascii: "a"), count: 64 << 10)
            for _ in 0..<8 {
                request += Data(String(chunk.count, radix: 16).utf8) + Data("\r\n".utf8) + chunk + Data("\r\n".utf8)
            }
            request += Data("0\r\n\r\n".utf8)
            let reply = try await server.client.raw(request)
            #expect(reply.status == 413)
            let count: [Int64] = try server.query("SELECT count(*) FROM submissions")
            #expect(count == [0])
        }
    }

    @Test func largeBodiesAreSpooledToDiskAndStillAccepted() async throws {
        try await withTestServer(extraForms: ["photo_test.xml"], configure: { $0.server.inMemoryBodyBytes = 16 << 10 }) { (server: TestServer) async throws in
            let photo = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            let xml = Records.photo(instanceID: "uuid:large", front: "big.jpg", back: nil)
            let reply = try await server.client.submit("\(server.linkPath)/submission", xml: xml, attachments: [("big.jpg", photo, "image/jpeg")])
            #expect(reply.status == 201)
            let sizes: [Int64] = try server.query("SELECT size FROM submission_attachments WHERE sha256 IS NOT NULL")
            #expect(sizes == [3_000_000])
            // No spooled upload is left behind.
            let spool = try FileManager.default.contentsOfDirectory(atPath: server.application.configuration.attachmentsDirectory + "/tmp")
            #expect(spool.isEmpty)
        }
    }

    @Test func slowClientsDoNotStopOthersBeingServed() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let port = server.client.port
            let linkPath = server.linkPath
            let finished = Counter()
            // Twenty connections trickle their headers a byte every 200 ms
            // (about 14 s each).
            let trickling = (0..<20).map { _ in
                Task.detached { () -> Void in
                    guard let connection = try? TestConnection(port: port, receiveTimeoutSeconds: 5) else { return }
                    let head = "POST \(linkPath)/submission HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
                    for byte in head.utf8 {
                        if Task.isCancelled || !connection.write(Data([byte])) { return }
                        try? await Task.sleep(for: .milliseconds(200))
                    }
                    finished.increment()
                }
            }
            defer { trickling.forEach { $0.cancel() } }
            try await Task.sleep(for: .milliseconds(300))
            for index in 0..<10 {
                let reply = try await server.client.submit("\(server.linkPath)/submission", xml: Records.visit(instanceID: "uuid:fast-\(index)"))
                #expect(reply.status == 201)
            }
            // Not a speed assertion: the ten were served while every trickling
            // client was still sending its headers, so none waited behind them,
            // however slow the machine is.
            #expect(finished.value == 0)
        }
    }

    @Test func anIdleConnectionIsClosed() async throws {
        try await withTestServer(configure: { $0.server.inactivityTimeoutSeconds = 1 }) { (server: TestServer) async throws in
            let port = server.client.port
            let closed = try await blocking { () -> Bool in
                let connection = try TestConnection(port: port, receiveTimeoutSeconds: 10)
                connection.write(Data("GET /healthz HTTP/1.1\r\nHost: x\r\n".utf8))  // never finishes its headers
                return connection.waitForClose()
            }
            #expect(closed)
        }
    }

    @Test func aBodyStillArrivingAfterTheDeadlineIsDropped() async throws {
        try await withTestServer(configure: {
            $0.server.requestDeadlineSeconds = 1
            $0.server.inactivityTimeoutSeconds = 30
        }) { (server: TestServer) async throws in
            let port = server.client.port
            let linkPath = server.linkPath
            let closed = try await blocking { () -> Bool in
                let connection = try TestConnection(port: port, receiveTimeoutSeconds: 15)
                connection.write(Data("POST \(linkPath)/submission HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n".utf8))
                for _ in 0..<40 {
                    if !connection.write(Data(repeating: 0x61, count: 100)) { return true }
                    usleep(100_000)
                }
                return connection.waitForClose()
            }
            #expect(closed)
        }
    }

    @Test func connectionsPastTheCapAreClosedAndServiceResumesAfterwards() async throws {
        try await withTestServer(configure: {
            $0.server.perAddressConnectionLimit = 4
            $0.server.threadPoolSize = 1
            // The four idle connections must outlive a slow run of the suite.
            $0.server.headerDeadlineSeconds = 120
            $0.server.inactivityTimeoutSeconds = 120
        }) { (server: TestServer) async throws in
            let port = server.client.port
            let idle = try (0..<4).map { _ in try TestConnection(port: port, receiveTimeoutSeconds: 5) }
            // Give the daemon a moment to accept all four.
            try await Task.sleep(for: .milliseconds(200))
            let refused = try await blocking { () -> Bool in
                let extra = try TestConnection(port: port, receiveTimeoutSeconds: 5)
                extra.write(Data("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
                return (try? extra.readReply()) == nil
            }
            #expect(refused)
            idle.forEach { $0.hangUp() }
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await server.client.get("/healthz").status == 200)
        }
    }
}

/// Slow clients (slowloris): a head trickled a line at a time, and enough of
/// them to fill the connection cap.
@Suite struct SlowClientTests {
    /// The reported attack sent a header line every 10 s and kept its
    /// connection 334 s; libmicrohttpd's timeout counts silence, so every
    /// line bought another 30 s. Here a line every 0.5 s, 2 s deadline.
    @Test func aHeadTrickledLineByLineIsCutOffAtTheHeaderDeadline() async throws {
        try await withTestServer(configure: {
            $0.server.headerDeadlineSeconds = 2
            $0.server.inactivityTimeoutSeconds = 30
        }) { (server: TestServer) async throws in
            let port = server.client.port
            let closedAfter = try await blocking { () -> Double? in
                let connection = try TestConnection(port: port, receiveTimeoutSeconds: 5)
                let started = Date()
                connection.write(Data("GET /healthz HTTP/1.1\r\nHost: x\r\n".utf8))
                for line in 0..<40 {
                    usleep(500_000)
                    if connection.closedByServer || !connection.write(Data("X-Line-\(line): 1\r\n".utf8)) {
                        return Date().timeIntervalSince(started)
                    }
                }
                return nil
            }
            let seconds = try #require(closedAfter, "the connection was still open after 20 s of header lines")
            #expect(seconds >= 1.5, "cut off before its deadline")
            // Loose: the whole suite shares two cores.
            #expect(seconds < 10)
        }
    }

    /// Scaled down: a 60-connection cap, 117 slow connections from 39 addresses.
    @Test func slowClientsPastTheConnectionCapDoNotLockOthersOut() async throws {
        try await withTestServer(configure: {
            $0.server.connectionLimit = 60
            $0.server.reservedConnections = 10
            Self.onlyRoomForNewcomersHelps(&$0.server)
        }) { (server: TestServer) async throws in
            let reply = try await Self.healthWhileSlowClientsHold(port: server.client.port, addresses: 39, perAddress: 3)
            #expect(reply?.status == 200)
        }
    }

    /// The shape reported: 1,014 slow connections from 39 addresses (26 each)
    /// against the default cap of 1000.
    @Test func theReportedSlowlorisDoesNotLockOthersOut() async throws {
        try await withTestServer(configure: { Self.onlyRoomForNewcomersHelps(&$0.server) }) { (server: TestServer) async throws in
            let reply = try await Self.healthWhileSlowClientsHold(port: server.client.port, addresses: 39, perAddress: 26)
            #expect(reply?.status == 200)
        }
    }

    /// Deadlines far beyond the test's patience: only the room kept for
    /// newcomers can let `/healthz` in (before it, the slow connections held
    /// every place until the inactivity timeout).
    static func onlyRoomForNewcomersHelps(_ server: inout ServerConfiguration) {
        server.headerDeadlineSeconds = 300
        server.inactivityTimeoutSeconds = 300
    }

    /// Opens `perAddress` connections from each of `addresses` loopback
    /// addresses, each sending the start of a head and then nothing; then asks
    /// for `/healthz` from yet another address. Nil: no answer within 60 s
    /// (a generous wait: the suite shares two cores; unfixed, the answer
    /// never came before the slow clients gave up).
    static func healthWhileSlowClientsHold(port: UInt16, addresses: Int, perAddress: Int) async throws -> HTTPReply? {
        try await blocking { () -> HTTPReply? in
            var slow: [TestConnection] = []
            defer { slow.forEach { $0.hangUp() } }
            for address in 0..<addresses {
                for _ in 0..<perAddress {
                    let connection = try TestConnection(port: port, receiveTimeoutSeconds: 1, sourceAddress: "127.0.0.\(address + 2)")
                    connection.write(Data("GET /healthz HTTP/1.1\r\nHost: x\r\n".utf8))
                    slow.append(connection)
                }
            }
            usleep(300_000)
            let health = try TestConnection(port: port, receiveTimeoutSeconds: 60, sourceAddress: "127.0.0.200")
            health.write(Data("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
            return try? health.readReply()
        }
    }
}

/// A count shared between tasks.
final class Counter: @unchecked Sendable {
    // @unchecked: `count` is only touched under `lock`.
    private let lock = NSLock()
    private var count = 0

    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
