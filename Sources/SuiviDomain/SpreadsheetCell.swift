import Foundation

/// Spreadsheet cells that a program could read as a formula (`=`, `+`, `-`,
/// `@`, tab, carriage return first) get a leading apostrophe, so opening an
/// export never runs what someone typed in the field.
public enum SpreadsheetCell {
    public static func neutralised(_ text: String) -> String {
        guard let first = text.utf8.first, needsNeutralising(first) else { return text }
        return "'" + text
    }

    /// Whether a cell whose first UTF-8 byte is `first` needs the apostrophe
    /// (for writers that copy bytes without making strings).
    @inline(__always)
    public static func needsNeutralising(_ first: UInt8) -> Bool {
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D: true
        default: false
        }
    }

    /// One CSV field: neutralised, then quoted when it holds a separator
    /// (comma or semicolon, as French Excel uses), a quote or a line break.
    public static func csvField(_ text: String) -> String {
        let safe = neutralised(text)
        guard safe.contains(where: { $0 == "," || $0 == ";" || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return safe }
        return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
