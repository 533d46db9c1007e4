import Foundation
import SuiviBasics
import Testing

/// Response types leave through `JSONResponseEncoder`: the bytes must be
/// what `JSONSerialization` (sorted keys, slashes unescaped) wrote for the
/// same dictionaries before, with nil optionals kept as null.
@Suite struct JSONResponseEncoderTests {
    struct Inner: Encodable { let zeta: Int; let alpha: [String?] }
    struct Sample: Encodable {
        let name: String
        let count: Int
        let share: Double?
        let whole: Double
        let missing: String?
        let flag: Bool
        let small: Int8?
        let inner: Inner
        let list: [Inner]
        let map: [String: Int]
        let path: String
    }

    static let sample = Sample(
        name: "Guédiawaye \"nord\"\n\t\u{01}", count: -12, share: 71.6, whole: 3700, missing: nil, flag: true, small: nil,
        inner: Inner(zeta: 1, alpha: ["a", nil]), list: [Inner(zeta: 2, alpha: [])], map: ["b": 2, "a": 1], path: "a/b")

    @Test func encodesAsJSONSerializationDidWithNullsKept() throws {
        let encoded = String(decoding: try JSONResponseEncoder.encode(Self.sample), as: UTF8.self)
        let dictionary: [String: Any] = [
            "name": Self.sample.name, "count": -12, "share": 71.6, "whole": 3700.0, "missing": NSNull(), "flag": true,
            "small": NSNull(), "inner": ["zeta": 1, "alpha": ["a", NSNull()]], "list": [["zeta": 2, "alpha": [] as [Any]]],
            "map": ["b": 2, "a": 1], "path": "a/b",
        ]
        let expected = try JSONSerialization.data(withJSONObject: dictionary, options: [.sortedKeys, .withoutEscapingSlashes])
        #expect(encoded == String(decoding: expected, as: UTF8.self))
    }

    @Test func fragmentsArePlacedAsWritten() throws {
        struct Wrapper: Encodable { let rows: JSONFragment; let n: Int }
        let fragment = JSONFragment { json in json.raw("[1,2]") }
        #expect(try JSONResponseEncoder.encode(Wrapper(rows: fragment, n: 3)) == Array(#"{"n":3,"rows":[1,2]}"#.utf8))
    }
}
