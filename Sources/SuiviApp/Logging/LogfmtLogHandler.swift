import Foundation
import Logging

/// One line per event in logfmt (`time=… level=info msg="…" request.id=…`),
/// easy for people to read and for log tools to parse. Callers pass only
/// safe metadata: never names, phones, ID numbers, tokens or full URLs.
public struct LogfmtLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let output: FileHandle

    public init(label: String, output: FileHandle = .standardError) {
        self.label = label
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Made once: building the style for every line showed in profiles.
    private static let timeStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// One line per request: appended piece by piece into one buffer, with
    /// no merge when the handler has no metadata of its own (the usual case).
    public func log(event: LogEvent) {
        var line = ""
        line.reserveCapacity(320)
        line += "time="
        line += Self.timeStyle.format(Date())
        line += " level=\(event.level) logger="
        line += label
        line += " msg="
        line += Self.quote(event.message.description)
        let eventMetadata = event.metadata ?? [:]
        let merged = metadata.isEmpty ? eventMetadata : metadata.merging(eventMetadata) { $1 }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += " "
            line += key
            line += "="
            if case .string(let text) = value {
                line += Self.quote(text)
            } else {
                line += Self.quote("\(value)")
            }
        }
        line += "\n"
        output.write(Data(line.utf8))
    }

    /// The most characters of one value written; the rest is replaced by a
    /// marker that says how much was cut. Values can come from clients (a form
    /// id, a problem's detail), and one request must not write a megabyte line.
    static let maximumValueLength = 200

    /// The value as logfmt writes it: bare when it is plain, else quoted, with
    /// quotes, backslashes and every control character escaped (an ESC sent by
    /// a client must not reach a terminal reading the log, nor a newline forge
    /// a second line), and cut at `maximumValueLength` characters.
    static func quote(_ value: String) -> String {
        // `utf8.count` is O(1) for native strings: only long values are counted by characters.
        let value = value.utf8.count > maximumValueLength ? capped(value) : value
        let plain = plainASCII(value)
            ?? (!value.isEmpty && value.allSatisfy { $0.isLetter || $0.isNumber || "._-:/+".contains($0) })
        if plain { return value }
        // Most values have nothing to escape: no copy scalar by scalar.
        guard value.unicodeScalars.contains(where: needsEscape) else { return "\"\(value)\"" }
        var escaped = "\""
        escaped.reserveCapacity(value.utf8.count + 16)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where needsEscape(scalar):
                let hex = String(scalar.value, radix: 16)
                escaped += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped + "\""
    }

    /// Quotes, backslashes, control characters (C0, DEL, C1), the Unicode line
    /// and paragraph separators, and the bidirectional overrides that can make
    /// a line read differently from what it holds.
    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x22, 0x5C, 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
            true
        default:
            false
        }
    }

    /// The first `maximumValueLength` characters and how many were left out.
    static func capped(_ value: String) -> String {
        let total = value.count
        guard total > maximumValueLength else { return value }
        return "\(value.prefix(maximumValueLength))…[+\(total - maximumValueLength) chars]"
    }

    /// For ASCII text, whether it needs no quotes, judged byte by byte (for
    /// ASCII, `isLetter` and `isNumber` mean A-Z, a-z and 0-9); nil when the
    /// text is not ASCII and must be judged by characters.
    private static func plainASCII(_ value: String) -> Bool? {
        var plain = !value.isEmpty
        for byte in value.utf8 {
            switch byte {
            case 0x80...: return nil
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"),
                 UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "+"):
                continue
            default:
                plain = false
            }
        }
        return plain
    }
}
