import Foundation
import SuiviDomain

/// One input, read by every XML entry point Suivi has: the safe parser
/// alone, as a record (then checked against its shipped form, which
/// evaluates the form's expressions on the record's answers), and as an
/// XForm (whose bind expressions are then parsed).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXML(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    // A record reaches the parser as a multipart part: a slice of the
    // request body whose indices do not start at zero.
    let part = (Data([UInt8(ascii: "-")]) + data).dropFirst()

    if let tree = try? SafeXMLParser.parse(part) {
        touch(tree)
    }

    if let document = try? SubmissionDocument(xml: part) {
        _ = document.answer("notes")
        let checker = shippedForms[document.formID] ?? shippedForms["visite"]
        if let checker {
            let issues = checker.issues(in: document, receivedAt: fixedInstant)
            for issue in issues { _ = issue.message.utf8.count + issue.englishMessage.utf8.count }
        }
    }

    if let form = try? XFormParser.parse(data) {
        for field in form.fields {
            _ = field.name
            for expression in [field.required, field.relevant, field.constraint, field.calculate].compactMap({ $0 }) {
                _ = expression.parsed.referencedPaths(contextPath: field.path)
            }
        }
        _ = form.binaryFieldPaths
    }
    return 0
}

/// Reads every name, attribute and text once, so nothing the parser built
/// is left unexamined.
private func touch(_ tree: XMLTree) {
    var stack = [tree]
    while let element = stack.popLast() {
        _ = element.localName.utf8.count + element.text.utf8.count
        for (key, value) in element.attributes { _ = key.utf8.count + value.utf8.count }
        _ = element.attribute("id")
        _ = element.child("meta")
        stack.append(contentsOf: element.children)
    }
}

/// The receive time is fixed so a crash replays the same way.
private let fixedInstant = Date(timeIntervalSince1970: 1_678_352_400)

/// The forms Suivi ships, read once from the source tree this binary was
/// built from. A form that fails to load is simply left out.
///
/// They live as long as the process, and Swift keeps enum tags in the spare
/// bits of pointers (`XPathExpression` trees), which LeakSanitizer cannot
/// follow: it would report every node as leaked. So they are made with leak
/// checks off; anything an input allocates is still checked.
private let shippedForms: [String: SubmissionChecker] = withoutLeakChecks {
    let forms = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Forms")
    var checkers: [String: SubmissionChecker] = [:]
    for name in ["visite", "emission_radio", "causerie"] {
        guard let data = try? Data(contentsOf: forms.appendingPathComponent("\(name).xml")),
              let form = try? XFormParser.parse(data) else { continue }
        checkers[form.formID] = SubmissionChecker(form: form)
    }
    return checkers
}

/// Runs `body` between `__lsan_disable` and `__lsan_enable`, looked up at
/// run time so a build without LeakSanitizer works too.
private func withoutLeakChecks<T>(_ body: () -> T) -> T {
    typealias Toggle = @convention(c) () -> Void
    let handle = dlopen(nil, RTLD_NOW)
    defer { if let handle { dlclose(handle) } }
    let disable = dlsym(handle, "__lsan_disable").map { unsafeBitCast($0, to: Toggle.self) }
    let enable = dlsym(handle, "__lsan_enable").map { unsafeBitCast($0, to: Toggle.self) }
    disable?()
    defer { enable?() }
    return body()
}
