import Foundation
import SuiviBasics

/// A record's answers as stored in `submissions.answers`: a JSON object of
/// field name to text.
public enum Answers {
    /// Keys in sorted order. Written by hand: Foundation's sorted-keys
    /// serialisation compares keys with locale-aware collation and cost a
    /// third of the server's CPU per record at intake.
    public static func encode(_ answers: [String: String]) -> String {
        var json = JSONWriter(capacity: 1024)
        json.raw("{")
        for (index, key) in answers.keys.sorted().enumerated() {
            if index > 0 { json.raw(",") }
            json.string(key)
            json.raw(":")
            json.string(answers[key])
        }
        json.raw("}")
        return String(decoding: json.bytes, as: UTF8.self)
    }

    public static func decode(_ text: String) -> [String: String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return [:] }
        return object.compactMapValues { $0 as? String }
    }
}
