import Foundation
import SuiviDomain

/// The input is a bind expression. Forms are written by the campaign's
/// staff, not by phones, but a form is still text from outside the code:
/// parsing must never crash, and whatever parses is evaluated.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXPath(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    guard let expression = try? XPathExpression.parse(text) else { return 0 }
    _ = expression.referencedPaths(contextPath: "/data/household_size")
    if let value = try? expression.evaluate(in: FixedAnswers()) {
        _ = value.stringValue.utf8.count
        _ = value.numberValue
        _ = value.booleanValue
    }
    return 0
}

/// A few answers of a visit record, with a repeat, so paths, dates, numbers
/// and multiple choices all have something to read.
private struct FixedAnswers: XPathEvaluationContext {
    static let answers: [String: [String]] = [
        "/data/household_size": ["9"],
        "/data/visit_date": ["2023-03-09"],
        "/data/start": ["2023-03-09T09:00:00.000+00:00"],
        "/data/materials": ["flyer poster"],
        "/data/phone": ["77 123 45 67"],
        "/data/notes": [""],
        "/data/member/age": ["34", "x", "-2.5"],
        "/data/@id": ["visite"],
    ]

    var contextPath: String { "/data/household_size" }
    var today: Int { 19_425 }
    var now: Date { Date(timeIntervalSince1970: 1_678_352_400) }

    func values(atPath path: String) -> [String] {
        Self.answers[path] ?? []
    }
}
