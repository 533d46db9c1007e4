import Foundation
import Testing

/// A JSON answer's text with what changes from run to run replaced, so the
/// rest can be compared byte for byte with fixed JSON: timestamps become
/// `<time>`, personal links `<link>`, QR images and Collect payloads
/// `<image>`, `today` (when given) `<today>`, and each of `secrets` (a
/// new key, a CSRF token) `<secret>`.
func fixedText(_ reply: HTTPReply, today: String? = nil, secrets: [String] = []) -> String {
    var text = reply.text
    let replacements: [(String, String)] = [
        (#"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"#, "<time>"),
        (#"http://127\.0\.0\.1:\d+/key/[A-Za-z0-9_-]+"#, "<link>"),
        (#""(link_png|link_svg|collect_png|collect_svg|collect_payload)":"(?:[^"\\]|\\.)*""#, #""$1":"<image>""#),
    ]
    for (pattern, template) in replacements {
        let expression = try! NSRegularExpression(pattern: pattern)
        text = expression.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
    }
    if let today { text = text.replacingOccurrences(of: today, with: "<today>") }
    for secret in secrets where !secret.isEmpty { text = text.replacingOccurrences(of: secret, with: "<secret>") }
    return text
}

/// Expects the answer, made fixed, to be exactly `expected`.
func expectJSON(_ reply: HTTPReply, _ expected: String, today: String? = nil, secrets: [String] = [],
                sourceLocation: SourceLocation = #_sourceLocation) {
    let actual = fixedText(reply, today: today, secrets: secrets)
    if let dump = ProcessInfo.processInfo.environment["GOLDEN_DUMP"] {
        let name = "\(sourceLocation.fileName)-\(sourceLocation.line).json"
        try? Data(actual.utf8).write(to: URL(fileURLWithPath: dump).appendingPathComponent(name))
    }
    #expect(actual == expected, sourceLocation: sourceLocation)
}
