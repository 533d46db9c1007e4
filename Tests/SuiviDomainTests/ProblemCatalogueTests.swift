import Foundation
import Testing

/// The one error catalogue: a code names one reason only. Branches written
/// in parallel once took the same numbers without a merge conflict.
@Suite struct ProblemCatalogueTests {
    @Test func everyCodeIsUsedOnce() throws {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/SuiviDomain/Problems.swift")
        let text = try String(contentsOf: source, encoding: .utf8)
        let codes = text.matches(of: /code: "(\d{3}\.\d+)"/).map { String($0.output.1) }
        #expect(codes.count > 50)
        let repeated = Dictionary(grouping: codes, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        #expect(repeated.isEmpty, "codes used twice: \(repeated)")
    }
}
