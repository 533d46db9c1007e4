import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A deliberately plain HTTP/1.1 client over a POSIX socket, so tests control
/// every byte: malformed bodies, missing boundaries, slow trickles.
struct HTTPReply: Sendable {
    let status: Int
    let headers: [String: String]  // lower-cased names
    let body: Data
    /// Every `Set-Cookie` in order (`headers` keeps only the first).
    var setCookies: [String] = []

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The value of the cookie `name` this reply sets, if it sets one.
    func cookie(_ name: String) -> String? {
        setCookies.lazy.compactMap { line -> String? in
            let pair = line.split(separator: ";", maxSplits: 1)[0]
            guard pair.hasPrefix("\(name)=") else { return nil }
            return String(pair.dropFirst(name.count + 1))
        }.first
    }

    func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
    }
}

struct TestSocketError: Error, CustomStringConvertible {
    let description: String
}

/// One TCP connection to the test server.
final class TestConnection: @unchecked Sendable {
    // @unchecked: a connection is used by one test task at a time.
    let descriptor: Int32

    /// `sourceAddress`: another loopback address (127.0.0.2, ...) to come
    /// from, so a test can play many clients; Linux routes all of 127/8 to lo.
    init(port: UInt16, receiveTimeoutSeconds: Int = 30, sourceAddress: String? = nil) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestSocketError(description: "socket() failed") }
        var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if let sourceAddress {
            var source = sockaddr_in()
            source.sin_family = sa_family_t(AF_INET)
            source.sin_addr.s_addr = inet_addr(sourceAddress)
            let bound = withUnsafePointer(to: &source) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else {
                close(descriptor)
                throw TestSocketError(description: "bind(\(sourceAddress)) failed: errno \(errno)")
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(descriptor)
            throw TestSocketError(description: "connect() failed: errno \(errno)")
        }
    }

    deinit { close(descriptor) }

    /// Ends the connection now (the descriptor itself is closed in deinit).
    func hangUp() {
        shutdown(descriptor, Int32(SHUT_RDWR))
    }

    /// Writes bytes; false when the server has closed the connection.
    @discardableResult
    func write(_ data: Data) -> Bool {
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let sent = send(descriptor, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }
    }

    /// Reads one response (Content-Length, or up to connection close).
    func readReply() throws -> HTTPReply {
        var buffer = Data()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        var headerEnd: Range<Data.Index>?
        var expected: Int?
        while true {
            if let end = headerEnd, let expected, buffer.count - end.upperBound >= expected { break }
            let received = recv(descriptor, &chunk, chunk.count, 0)
            if received < 0 { throw TestSocketError(description: "recv() failed or timed out: errno \(errno)") }
            if received == 0 { break }
            buffer.append(contentsOf: chunk[0..<received])
            if headerEnd == nil, let end = buffer.range(of: Data("\r\n\r\n".utf8)) {
                headerEnd = end
                let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
                expected = Self.headers(head)["content-length"].flatMap(Int.init)
                if head.hasPrefix("HTTP/1.1 204") || head.hasPrefix("HTTP/1.1 304") { expected = 0 }
            }
        }
        guard let end = headerEnd else {
            throw TestSocketError(description: "connection closed before a response (\(buffer.count) bytes)")
        }
        let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
        let statusLine = head.components(separatedBy: "\r\n").first ?? ""
        let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
        var body = Data(buffer[end.upperBound...])
        if let expected, body.count > expected { body = body.prefix(expected) }
        let cookies = head.components(separatedBy: "\r\n").dropFirst().compactMap { line -> String? in
            guard line.lowercased().hasPrefix("set-cookie:") else { return nil }
            return line.dropFirst("set-cookie:".count).trimmingCharacters(in: .whitespaces)
        }
        return HTTPReply(status: status, headers: Self.headers(head), body: body, setCookies: cookies)
    }

    /// True when the server has closed the connection, without waiting.
    var closedByServer: Bool {
        var byte: UInt8 = 0
        let received = recv(descriptor, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        if received == 0 { return true }
        return received < 0 && (errno == ECONNRESET || errno == EPIPE)
    }

    /// True when the server closed the connection (read returns 0) within the timeout.
    func waitForClose() -> Bool {
        var byte: UInt8 = 0
        while true {
            let received = recv(descriptor, &byte, 1, 0)
            if received == 0 { return true }
            if received < 0 { return errno == ECONNRESET }
        }
    }

    private static func headers(_ head: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in head.components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            // Of several `Set-Cookie`, the first (the session's); all are in `setCookies`.
            if name == "set-cookie", result[name] != nil { continue }
            result[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return result
    }
}

/// Requests against one test server.
struct TestClient: Sendable {
    let port: UInt16

    func request(_ method: String, _ path: String, headers: [String: String] = [:], body: Data = Data()) async throws -> HTTPReply {
        try await raw(Self.requestBytes(method, path, port: port, headers: headers, body: body))
    }

    /// Sends bytes exactly as given and reads the reply.
    func raw(_ bytes: Data, timeoutSeconds: Int = 30) async throws -> HTTPReply {
        let port = self.port
        return try await blocking {
            let connection = try TestConnection(port: port, receiveTimeoutSeconds: timeoutSeconds)
            connection.write(bytes)
            return try connection.readReply()
        }
    }

    /// The same request on the calling thread, for tests that time a
    /// sequence of requests from a thread of their own (`blocking`): an
    /// `await` between two of them may wait seconds for Swift concurrency's
    /// two threads while other suites run.
    func requestNow(_ method: String, _ path: String, headers: [String: String] = [:], body: Data = Data()) throws -> HTTPReply {
        let connection = try TestConnection(port: port, receiveTimeoutSeconds: 30)
        connection.write(Self.requestBytes(method, path, port: port, headers: headers, body: body))
        return try connection.readReply()
    }

    private static func requestBytes(_ method: String, _ path: String, port: UInt16, headers: [String: String],
                                     body: Data) -> Data {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return Data(head.utf8) + body
    }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> HTTPReply {
        try await request("GET", path, headers: headers)
    }

    /// An OpenRosa submission as ODK Collect sends it.
    func submit(_ path: String, xml: String, attachments: [(name: String, data: Data, type: String)] = [],
                incomplete: Bool = false) async throws -> HTTPReply {
        let (body, headers) = Self.submission(xml: xml, attachments: attachments, incomplete: incomplete)
        return try await request("POST", path, headers: headers, body: body)
    }

    /// `submit` on the calling thread (see `requestNow`).
    func submitNow(_ path: String, xml: String) throws -> HTTPReply {
        let (body, headers) = Self.submission(xml: xml, attachments: [], incomplete: false)
        return try requestNow("POST", path, headers: headers, body: body)
    }

    private static func submission(xml: String, attachments: [(name: String, data: Data, type: String)],
                                   incomplete: Bool) -> (Data, [String: String]) {
        var parts: [MultipartPart] = [MultipartPart(name: "xml_submission_file", filename: "submission.xml",
                                                    contentType: "text/xml", data: Data(xml.utf8))]
        for attachment in attachments {
            parts.append(MultipartPart(name: attachment.name, filename: attachment.name,
                                       contentType: attachment.type, data: attachment.data))
        }
        if incomplete {
            parts.append(MultipartPart(name: "*isIncomplete*", filename: nil, contentType: nil, data: Data("yes".utf8)))
        }
        let (body, contentType) = MultipartPart.encode(parts)
        return (body, ["Content-Type": contentType, "X-OpenRosa-Version": "1.0"])
    }
}

struct MultipartPart {
    let name: String
    let filename: String?
    let contentType: String?
    let data: Data

    static func encode(_ parts: [MultipartPart], boundary: String = "suivi-test-boundary-7d1f") -> (Data, String) {
        var body = Data()
        for part in parts {
            var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\""
            if let filename = part.filename { head += "; filename=\"\(filename)\"" }
            head += "\r\n"
            if let type = part.contentType { head += "Content-Type: \(type)\r\n" }
            head += "\r\n"
            body += Data(head.utf8) + part.data + Data("\r\n".utf8)
        }
        body += Data("--\(boundary)--\r\n".utf8)
        return (body, "multipart/form-data; boundary=\(boundary)")
    }
}

/// Runs `work` on a thread of its own and waits for it there (for a
/// request that must be under way while the calling thread sends another).
final class ThreadResult<T: Sendable>: @unchecked Sendable {
    // @unchecked: `result` is written once before `done` is signalled.
    private var result: Result<T, any Error>?
    private let done = DispatchSemaphore(value: 0)

    init(_ work: @escaping @Sendable () throws -> T) {
        Thread { [self] in
            result = Result { try work() }
            done.signal()
        }.start()
    }

    func get() throws -> T {
        done.wait()
        return try result!.get()
    }
}

/// Runs blocking socket work on a thread of its own: blocking a Swift
/// concurrency or GCD worker thread would starve the server under test,
/// whose handlers share those pools (on Linux both are small).
func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            continuation.resume(with: Result { try work() })
        }.start()
    }
}
