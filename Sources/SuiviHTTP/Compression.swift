import CDeflate
import Foundation
import SuiviBasics

/// gzip for text answers, for phones on a slow link: pages, scripts, styles,
/// JSON, XML (OpenRosa too, as ODK Collect asks for it) and CSV, when the
/// client sends `Accept-Encoding: gzip`. Small bodies and already compressed
/// types go as they are; files written for one response (exports) are
/// streamed from disk and never loaded whole to be compressed.
public enum ResponseCompression {
    /// Below this, gzip's own header and the CPU cost outweigh the saving.
    static let minimumBytes = 1024
    /// Static files above this are sent as they are rather than read whole.
    static let maximumFileBytes = 4 << 20

    static func apply(to response: Response, request: Request) -> Response {
        guard response.header("Content-Encoding") == nil, response.status != 204, response.status != 304,
              let type = response.header("Content-Type"), isCompressible(type) else { return response }
        var response = response
        // Caches must keep the two encodings apart, whichever this one is.
        let vary = response.header("Vary")
        if !(vary ?? "").lowercased().contains("accept-encoding") {
            response.setHeader("Vary", vary.map { "\($0), Accept-Encoding" } ?? "Accept-Encoding")
        }
        guard acceptsGzip(request.headers["Accept-Encoding"]) else { return response }
        let compressed: Data?
        switch response.body {
        case .data(let data) where data.count >= minimumBytes:
            // A large answer (a month of tallies: 439 KB) at level 1 takes a
            // quarter of level 6's time for a slightly larger result.
            compressed = try? Gzip.compress(data, level: data.count > 256 << 10 ? 1 : 6)
        case .file(let path):
            compressed = StaticFileCache.shared.gzipped(path)
        default:
            compressed = nil
        }
        guard let compressed else { return response }
        response.body = .data(compressed)
        response.setHeader("Content-Encoding", "gzip")
        // A strong ETag names exact bytes: the gzipped ones are other bytes.
        if let etag = response.header("ETag"), !etag.hasPrefix("W/") { response.setHeader("ETag", "W/" + etag) }
        return response
    }

    static func isCompressible(_ contentType: String) -> Bool {
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        // Server-Sent Events are read as they arrive: never held back by a compressor.
        guard type != "text/event-stream" else { return false }
        return type.hasPrefix("text/") || type.hasSuffix("+json") || type.hasSuffix("+xml")
            || ["application/json", "application/xml", "application/javascript", "image/svg+xml"].contains(type)
    }

    /// `gzip` (or `*`) listed with a quality above zero.
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        var star = false
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = parts.first else { continue }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if coding == "gzip" || coding == "x-gzip" { return quality > 0 }
            if coding == "*" { star = quality > 0 }
        }
        return star
    }
}

/// The gzipped bytes of the static files served so far, kept while the
/// file's size and modification time stay the same: each is compressed once.
final class StaticFileCache: @unchecked Sendable {  // `entries` is only touched under `lock`
    static let shared = StaticFileCache()
    /// Public/ is small; a bound anyway, so a large folder cannot fill memory.
    private static let maximumTotalBytes = 16 << 20

    private struct Entry {
        let size: Int64
        let modified: timespec
        let gzipped: Data?
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var totalBytes = 0

    /// nil when the file is too small, too large, or unreadable: then it goes as it is.
    func gzipped(_ path: String) -> Data? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        let size = Int64(status.st_size)
        guard size >= ResponseCompression.minimumBytes, size <= ResponseCompression.maximumFileBytes else { return nil }
        if let entry = lock.withLock({ entries[path] }), entry.size == size,
           entry.modified.tv_sec == status.st_mtim.tv_sec, entry.modified.tv_nsec == status.st_mtim.tv_nsec {
            return entry.gzipped
        }
        guard let contents = FileManager.default.contents(atPath: path), Int64(contents.count) == size else { return nil }
        let gzipped = try? Gzip.compress(contents, level: 9)
        lock.withLock {
            let kept = gzipped?.count ?? 0
            if let old = entries.removeValue(forKey: path) { totalBytes -= old.gzipped?.count ?? 0 }
            guard totalBytes + kept <= Self.maximumTotalBytes else { return }
            entries[path] = Entry(size: size, modified: status.st_mtim, gzipped: gzipped)
            totalBytes += kept
        }
        return gzipped
    }
}

/// zlib's deflate in its gzip framing (RFC 1952). Every zlib return code is
/// checked here.
public enum Gzip {
    public struct Failure: Error, Equatable {
        public let call: String
        public let code: Int32
    }

    public static func compress(_ data: Data, level: Int32 = 6) throws -> Data {
        var stream = z_stream()
        // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
        try check(deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                                ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)), "deflateInit2")
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(data.count)))
        var output = Data(count: bound)
        let status = data.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(out.count)
                // The bound fits the whole stream: one call finishes it.
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw Failure(call: "deflate", code: status) }
        output.count = Int(stream.total_out)
        return output
    }

    private static func check(_ status: Int32, _ call: String) throws {
        guard status == Z_OK else { throw Failure(call: call, code: status) }
    }
}
