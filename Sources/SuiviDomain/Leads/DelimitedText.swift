import Foundation

/// CSV as Excel and the membership system write it (RFC 4180: comma or
/// semicolon, double quotes doubled inside quoted fields).
public enum DelimitedText {
    /// Rows of fields. The delimiter is guessed from the first line (`;` when
    /// it has more of them than commas, as French Excel writes). A leading
    /// byte-order mark is skipped.
    public static func parse(_ text: String) -> [[String]] {
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        let firstLine = body.prefix { $0 != "\n" && $0 != "\r\n" }
        let delimiter: Character = firstLine.filter { $0 == ";" }.count > firstLine.filter { $0 == "," }.count ? ";" : ","
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var index = body.startIndex
        while index < body.endIndex {
            let character = body[index]
            if quoted {
                if character == "\"" {
                    let next = body.index(after: index)
                    if next < body.endIndex, body[next] == "\"" {
                        field.append("\"")
                        index = next
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" && field.isEmpty {
                quoted = true
            } else if character == delimiter {
                row.append(field)
                field = ""
            } else if character == "\n" || character == "\r\n" || character == "\r" {
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            } else {
                field.append(character)
            }
            index = body.index(after: index)
        }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows.filter { !($0.count == 1 && $0[0].trimmingCharacters(in: .whitespaces).isEmpty) }
    }
}

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
}
