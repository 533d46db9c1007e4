import Foundation
import SuiviBasics
import Testing

/// gzip on a slow link: text answers are compressed when the client asks,
/// and come back to the very same bytes; nothing changes for a client that
/// does not ask, nor for small bodies or streamed exports.
@Suite struct CompressionTests {
    /// gzip(1) decompresses, not Suivi's own code: the bytes are real gzip.
    static func gunzip(_ data: Data) async throws -> Data {
        try await blocking {
            let finished = try ChildProcess.run("gzip", ["-dc"], input: data, deadlineSeconds: 30)
            #expect(finished.status == 0, "\(String(decoding: finished.errors, as: UTF8.self))")
            return finished.output
        }
    }

    @Test func textAnswersAreGzippedWhenAskedAndDecompressToTheSameBytes() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let openRosa = ["X-OpenRosa-Version": "1.0"]
            let paths: [(path: String, type: String, headers: [String: String])] = [
                (server.linkPath, "text/html", [:]),
                ("/assets/collect/page.js", "text/javascript", [:]),
                ("/assets/suivi.css", "text/css", [:]),
                ("/sw.js", "text/javascript", [:]),
                ("\(server.linkPath)/forms/visite.json", "application/json", [:]),
                ("\(server.linkPath)/forms/visite.xml", "text/xml", openRosa),
            ]
            for (path, type, headers) in paths {
                let plain = try await server.client.get(path, headers: headers)
                let gzipped = try await server.client.get(path, headers: headers.merging(["Accept-Encoding": "gzip"]) { $1 })
                #expect(plain.status == 200 && gzipped.status == 200, "\(path)")
                #expect(plain.header("Content-Type")?.hasPrefix(type) == true, "\(path): \(plain.header("Content-Type") ?? "")")
                #expect(plain.header("Content-Encoding") == nil, "\(path)")
                #expect(gzipped.header("Content-Encoding") == "gzip", "\(path)")
                for reply in [plain, gzipped] {
                    #expect(reply.header("Vary")?.contains("Accept-Encoding") == true, "\(path)")
                }
                #expect(gzipped.header("Cache-Control") == plain.header("Cache-Control"), "\(path)")
                #expect(gzipped.header("Content-Length") == "\(gzipped.body.count)", "\(path)")
                #expect(gzipped.body.count < plain.body.count * 2 / 3, "\(path): \(gzipped.body.count) of \(plain.body.count)")
                #expect(try await Self.gunzip(gzipped.body) == plain.body, "\(path)")
            }
        }
    }

    @Test(arguments: ["identity", "gzip;q=0", "br", "deflate", "x-gzip;q=0, *;q=0"])
    func noGzipUnlessTheClientTakesIt(_ acceptEncoding: String) async throws {
        try await withTestServer { (server: TestServer) async throws in
            let reply = try await server.client.get("/assets/collect/page.js", headers: ["Accept-Encoding": acceptEncoding])
            #expect(reply.status == 200)
            #expect(reply.header("Content-Encoding") == nil)
            #expect(reply.body.count > 1024)
        }
    }

    @Test func smallBodiesAndStreamedExportsGoAsTheyAre() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let gzip = ["Accept-Encoding": "gzip, deflate"]
            let me = try await server.client.get("\(server.linkPath)/me", headers: gzip)
            #expect(me.status == 200 && me.body.count < 1024)
            #expect(me.header("Content-Encoding") == nil)
            // Three forms listed: under a kilobyte too.
            let formList = try await server.client.get("\(server.linkPath)/formList",
                                                       headers: gzip.merging(["X-OpenRosa-Version": "1.0"]) { $1 })
            #expect(formList.status == 200 && formList.body.count < 1024)
            #expect(formList.header("Content-Encoding") == nil)
            for number in 0..<20 {
                let reply = try await server.client.submit("\(server.linkPath)/submission",
                                                           xml: Records.visit(overrides: ["artisan_name": "Artisan \(number)"]))
                #expect(reply.status == 201)
            }
            // An export is written to a file for its one response and sent
            // from disk: never read back whole to be compressed.
            let export = try await server.client.get("/api/v1/forms/visite/submissions.csv",
                                                     headers: ["Authorization": "Bearer \(server.adminKey)"].merging(gzip) { $1 })
            #expect(export.status == 200)
            #expect(export.body.count > 2048)
            #expect(export.header("Content-Encoding") == nil)
        }
    }

    @Test func aGzippedAssetIsRevalidatedWithItsWeakETag() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let gzip = ["Accept-Encoding": "gzip"]
            let first = try await server.client.get("/assets/collect/form.js", headers: gzip)
            let etag = try #require(first.header("ETag"))
            #expect(etag.hasPrefix("W/\""))
            let again = try await server.client.get("/assets/collect/form.js", headers: gzip.merging(["If-None-Match": etag]) { $1 })
            #expect(again.status == 304)
            #expect(again.body.isEmpty)
            let plain = try await server.client.get("/assets/collect/form.js")
            #expect(plain.header("ETag") == String(etag.dropFirst(2)))
        }
    }
}
