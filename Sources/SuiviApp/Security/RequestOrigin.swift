import Foundation
import SuiviDomain
import SuiviHTTP

/// Whether a request that changes something comes from Suivi's own pages.
///
/// The anti-CSRF token is the main defence; this is the second lock on the
/// same door. A browser names the page that sent a request in `Origin` (for
/// `fetch` and form posts), and a cross-site page cannot change it. So a cookie
/// request whose `Origin` is another site's is refused even when it carries the
/// right token (a token can leak: a page left open on a shared computer, a
/// cached copy). Without `Origin`, `Referer` is read the same way. A request
/// with neither (curl, old browsers) is left to the token alone: refusing it
/// would stop no attacker, whose browser always sends `Origin` on a cross-site
/// POST.
///
/// "Our own origin" is the configured base URL's, or the one the `Host` header
/// names (the address the browser actually used, e.g. a LAN address next to
/// the public name). A browser sets `Host` itself, so a page elsewhere cannot
/// make it match; and a look-alike host that resolves to Suivi (DNS rebinding)
/// never gets the session cookie, which stays bound to Suivi's own name.
enum RequestOrigin {
    /// Throws 403.11 when the request names a page from another site, or an
    /// opaque origin (`Origin: null`: sandboxed frames, `data:` pages).
    static func requireSameSite(_ request: Request, baseURL: String) throws {
        let named = request.headers["Origin"] ?? request.headers["Referer"]
        guard let named else { return }
        guard let origin = Self.origin(of: named), Self.ours(request, baseURL: baseURL).contains(origin) else {
            throw Problem.crossOriginRefused()
        }
    }

    /// The origins this request may come from: the base URL's, and the `Host`
    /// header's over HTTP and HTTPS (a reverse proxy may end TLS before Suivi).
    static func ours(_ request: Request, baseURL: String) -> Set<String> {
        var origins: Set<String> = []
        if let base = origin(of: baseURL) { origins.insert(base) }
        if let host = request.headers["Host"]?.trimmingCharacters(in: .whitespaces), !host.isEmpty,
           !host.contains("/"), !host.contains("@") {
            for scheme in ["http", "https"] {
                if let origin = origin(of: "\(scheme)://\(host)") { origins.insert(origin) }
            }
        }
        return origins
    }

    /// `scheme://host:port`, lower case, the port always written (80 and 443
    /// by default), parsed as a URL; nil for anything that is not an http(s)
    /// URL with a host (`null`, `file:`, garbage).
    static func origin(of text: String) -> String? {
        guard text.count <= 2048, let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host?.lowercased(), !host.isEmpty
        else { return nil }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        return "\(scheme)://\(host):\(port)"
    }
}
