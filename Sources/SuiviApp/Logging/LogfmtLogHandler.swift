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

    static func quote(_ value: String) -> String {
        let plain = plainASCII(value)
            ?? (!value.isEmpty && value.allSatisfy { $0.isLetter || $0.isNumber || "._-:/+".contains($0) })
        if plain { return value }
        // Most values have nothing to escape: skip the three replacements.
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") })
        else { return "\"\(value)\"" }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        return "\"\(escaped)\""
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
