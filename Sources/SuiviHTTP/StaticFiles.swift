import Foundation

/// Serves files from one directory (`Public/`): never outside it, with a
/// content type, and an ETag so a phone on a slow link revalidates instead
/// of downloading again.
public struct StaticFiles: Sendable {
    public let root: String

    public init(root: String) {
        self.root = (root as NSString).standardizingPath
    }

    static let contentTypes: [String: String] = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8",
        "mjs": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
        "json": "application/json; charset=utf-8", "webmanifest": "application/manifest+json",
        "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon", "txt": "text/plain; charset=utf-8",
    ]

    /// The response for `relativePath`, or nil when no such file may be served.
    public func response(for relativePath: String, request: Request, cacheControl: String = "no-cache") -> Response? {
        let parts = relativePath.split(separator: "/", omittingEmptySubsequences: true)
        // No hidden files, no "..", no absolute paths, no NUL.
        guard !parts.isEmpty, parts.allSatisfy({ !$0.hasPrefix(".") && !$0.contains("\0") }) else { return nil }
        let path = (root as NSString).appendingPathComponent(parts.joined(separator: "/"))
        guard (path as NSString).standardizingPath.hasPrefix(root + "/") else { return nil }
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        let etag = "\"\(status.st_size)-\(status.st_mtim.tv_sec)-\(status.st_mtim.tv_nsec)\""
        let type = Self.contentTypes[(path as NSString).pathExtension.lowercased()] ?? "application/octet-stream"
        let headers = [("ETag", etag), ("Cache-Control", cacheControl), ("X-Content-Type-Options", "nosniff")]
        if Self.matches(request.headers["If-None-Match"], etag) {
            return Response(status: 304, headers: headers)
        }
        return Response(status: 200, headers: [("Content-Type", type)] + headers, body: .file(path: path))
    }

    /// If-None-Match compares weakly (RFC 9110 13.1.2): the ETag of the
    /// gzipped answer is the weak form of the file's.
    static func matches(_ header: String?, _ etag: String) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { item in
            let tag = item.trimmingCharacters(in: .whitespaces)
            return tag == "*" || (tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag) == etag
        }
    }
}
