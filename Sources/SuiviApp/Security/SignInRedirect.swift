import Foundation

/// Where the sign-in page sends the browser once signed in: the `next` it
/// was given only when that is a path on this server.
///
/// Browsers read addresses more loosely than a prefix test does: they drop
/// tabs and newlines anywhere and take `\` for `/`, so `/\evil.example/x` and
/// `/<TAB>/evil.example/x` both open `//evil.example/x`, another site. The
/// value is therefore refused outright when it holds any of those, then
/// parsed as a URL, which must have no scheme, host, user or port and a path
/// starting with a single `/`. The sign-in page checks the answer again with
/// the browser's own parser (`Public/assets/admin/login.js`).
enum SignInRedirect {
    static let fallback = "/admin"

    static func path(_ next: String?) -> String {
        guard let next, !next.isEmpty, next.utf8.count <= 2000,
              next.hasPrefix("/"), !next.hasPrefix("//"),
              !next.unicodeScalars.contains(where: { $0 == "\\" || $0.value <= 0x20 || (0x7F...0x9F).contains($0.value) }),
              let components = URLComponents(string: next),
              components.scheme == nil, components.host == nil, components.user == nil, components.port == nil,
              components.percentEncodedPath.hasPrefix("/"), !components.percentEncodedPath.hasPrefix("//")
        else { return fallback }
        var path = components.percentEncodedPath
        if let query = components.percentEncodedQuery { path += "?" + query }
        if let fragment = components.percentEncodedFragment { path += "#" + fragment }
        return path
    }
}
