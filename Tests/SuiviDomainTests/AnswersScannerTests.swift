import Foundation
import Testing
@testable import SuiviDomain

/// The exports' reader of stored answers: every value as written, whatever
/// the text, from the JSON that `Answers.encode` (JSONSerialization, sorted
/// keys) stores.
@Suite struct AnswersScannerTests {
    static let hostile: [String] = [
        "", "Moussa Diop", "Médina, rue 11", "a \"quoted\" word", "back\\slash", "\\\"", "\"", "\\",
        "slash / and \\/", "line\nbreak", "carriage\rreturn", "tab\there", "\u{0}nul", "\u{1}\u{7}\u{8}\u{B}\u{C}\u{1B}\u{1F}",
        "\u{7F} delete", "=HYPERLINK(\"http://x\")", "+221771234567", "-2", "@SUM(A1)", "\tx", "\rx",
        "emoji 🇸🇳 👩🏾‍🔧 😀", "\u{2028}\u{2029}", "{\"not\":\"nested\"}", "[1,2]", "null", "true", "0", "ü\u{301}",
        "\u{FEFF}bom", String(repeating: "long é ", count: 2000),
    ]

    /// What `Answers.encode` stores.
    static func encode(_ answers: [String: String]) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: answers, options: [.sortedKeys]))
    }

    static func read(_ scanner: inout AnswersScanner, _ json: [UInt8]) throws -> [String?] {
        try json.withUnsafeBytes { input in
            try scanner.scan(input)
            return (0..<scanner.fieldCount).map { scanner.string($0, in: input) }
        }
    }

    @Test func everyHostileValueComesBackAsWritten() throws {
        var scanner = AnswersScanner(fields: ["a", "b", "missing"])
        for value in Self.hostile {
            let json = try Self.encode(["a": value, "b": "after", "c": value])
            #expect(try Self.read(&scanner, json) == [value, "after", nil], "value \(value.debugDescription)")
        }
    }

    @Test func manyRecordsWithShiftingKeysReuseTheScannerCorrectly() throws {
        let fields = ["visit_date", "artisan_name", "phone", "notes", "sex"]
        var scanner = AnswersScanner(fields: fields)
        for round in 0..<200 {
            var answers: [String: String] = [:]
            // Fields come and go (and unknown ones appear), so key positions
            // change between records.
            for (index, field) in fields.enumerated() where (round + index) % 3 != 0 {
                answers[field] = Self.hostile[(round * 7 + index) % Self.hostile.count]
            }
            if round % 4 == 0 { answers["aaa_unknown"] = "x" }
            if round % 5 == 0 { answers["zzz_unknown"] = "\"y\"" }
            let json = try Self.encode(answers)
            #expect(try Self.read(&scanner, json) == fields.map { answers[$0] }, "round \(round)")
        }
    }

    @Test func escapesAreDecodedAsJSONDefinesThem() throws {
        var scanner = AnswersScanner(fields: ["a"])
        let cases: [(String, String)] = [
            (#"{"a":"\u00e9\u00C9"}"#, "éÉ"),
            (#"{"a":"\ud83c\uddf8\ud83c\uddf3"}"#, "🇸🇳"),
            (#"{"a":"\u0000\u001f"}"#, "\u{0}\u{1F}"),
            (#"{"a":"\/\b\f\n\r\t\"\\"}"#, "/\u{8}\u{C}\n\r\t\"\\"),
            // A lone surrogate cannot be UTF-8: the replacement character.
            (#"{"a":"x\ud800y"}"#, "x\u{FFFD}y"),
            (#"{"a":"\udc00"}"#, "\u{FFFD}"),
            (#"{"\u0061":"escaped key"}"#, "escaped key"),
            (" { \"a\" : \"spaces\" } ", "spaces"),
        ]
        for (json, expected) in cases {
            #expect(try Self.read(&scanner, Array(json.utf8)) == [expected], "\(json)")
        }
    }

    /// What SQLite's json_extract gave for values Answers never writes.
    @Test func otherValuesReadAsJSONExtractReadsThem() throws {
        var scanner = AnswersScanner(fields: ["n", "t", "f", "z", "o", "l"])
        let json = #"{"f":false,"l":[1,"]",{"x":"}"}],"n":-1.5e3,"o":{"k":"v"},"t":true,"z":null}"#
        #expect(try Self.read(&scanner, Array(json.utf8)) == ["-1.5e3", "1", "0", nil, #"{"k":"v"}"#, #"[1,"]",{"x":"}"}]"#])
    }

    @Test func theFirstOfTwoEqualKeysWins() throws {
        var scanner = AnswersScanner(fields: ["a"])
        #expect(try Self.read(&scanner, Array(#"{"a":"first","a":"second"}"#.utf8)) == ["first"])
    }

    @Test func emptyObjectsHaveNoAnswers() throws {
        var scanner = AnswersScanner(fields: ["a"])
        #expect(try Self.read(&scanner, Array("{}".utf8)) == [nil])
        #expect(try Self.read(&scanner, Array(" { } ".utf8)) == [nil])
    }

    @Test(arguments: [
        "", " ", "[]", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":\"x\"", "{\"a\":\"x\",}", "{\"a\":\"x\"} x",
        "{\"a\":\"x\\q\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\u12zz\"}", "{\"a\":nul}", "{\"a\":\"x\\", "{a:\"x\"}",
        "{\"a\":\"x\" \"b\":\"y\"}", "{\"a\":[1,2}", "{\"a\":'x'}",
    ])
    func malformedAnswersAreRefused(_ json: String) {
        var scanner = AnswersScanner(fields: ["a"])
        #expect(throws: AnswersScanner.Malformed.self) { try Self.read(&scanner, Array(json.utf8)) }
    }

    @Test func bytesAreLentWithoutCopyingWhenNothingIsEscaped() throws {
        var scanner = AnswersScanner(fields: ["a"])
        let json = Array(#"{"a":"plain é"}"#.utf8)
        try json.withUnsafeBytes { input in
            try scanner.scan(input)
            scanner.value(0, in: input) { value in
                #expect(value.baseAddress == input.baseAddress! + 6)
                #expect(Array(value) == Array("plain é".utf8))
            }
        }
    }
}
