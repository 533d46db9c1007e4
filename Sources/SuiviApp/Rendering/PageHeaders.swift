import SuiviHTTP

/// The headers every HTML page Suivi serves carries: the coordinators' pages
/// and the resource persons' personal page alike.
enum PageHeaders {
    /// Scripts, styles, fetches and the service worker from Suivi only (so an
    /// injected `<script>` or a script from elsewhere never runs); images also
    /// from `data:` and `blob:` (QR codes, photo previews); no plugins; no
    /// `<base>` tag to redirect relative links; forms post to Suivi only; and
    /// never inside a frame (clickjacking). Inline styles stay allowed, as
    /// before on the coordinators' pages (the charts set some). IndexedDB and
    /// the Cache API need no directive.
    static let contentSecurityPolicy = [
        "default-src 'self'",
        "img-src 'self' data: blob:",
        "style-src 'self' 'unsafe-inline'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ].joined(separator: "; ")

    static func apply(to response: inout Response) {
        response.setHeader("Content-Security-Policy", contentSecurityPolicy)
        // For browsers older than `frame-ancestors`.
        response.setHeader("X-Frame-Options", "DENY")
        // Personal links carry their token in the path: never hand it on to another site.
        response.setHeader("Referrer-Policy", "no-referrer")
        response.setHeader("X-Content-Type-Options", "nosniff")
    }
}
