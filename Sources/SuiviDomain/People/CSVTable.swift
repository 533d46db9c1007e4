import Foundation

/// Reads a CSV file as spreadsheets write it: UTF-8 with or without a BOM,
/// `;` (French Excel) or `,` between fields, fields in double quotes with
/// `""` for a quote, CRLF or LF line ends.
public enum CSVTable {
    /// Rows of cells, the header first. The separator is the one of `;` and
    /// `,` that appears more often in the first line outside quotes.
    public static func rows(_ data: Data) throws(Problem) -> [[String]] {
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard let text = String(data: bytes, encoding: .utf8) else {
            throw Problem.unreadableImportFile("CSV is not valid UTF-8 (save it as « CSV UTF-8 »)")
        }
        let separator = Self.separator(in: text)
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let held = pending { pending = nil; return held }
            return iterator.next()
        }
        while let scalar = next() {
            if quoted {
                if scalar == "\"" {
                    let following = next()
                    if following == "\"" {
                        field.unicodeScalars.append("\"")
                    } else {
                        quoted = false
                        pending = following
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty:
                quoted = true
            case separator:
                row.append(field)
                field = ""
            case "\r":
                let following = next()
                if following != "\n" { pending = following }
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            case "\n":
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            default:
                field.unicodeScalars.append(scalar)
            }
        }
        if quoted { throw Problem.unreadableImportFile("unterminated quoted field") }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }

    static func separator(in text: String) -> Unicode.Scalar {
        var semicolons = 0
        var commas = 0
        var quoted = false
        for scalar in text.unicodeScalars {
            if scalar == "\n" && !quoted { break }
            if scalar == "\"" { quoted.toggle() }
            if !quoted && scalar == ";" { semicolons += 1 }
            if !quoted && scalar == "," { commas += 1 }
        }
        return semicolons >= commas && semicolons > 0 ? ";" : ","
    }

    /// One CSV line; cells that a spreadsheet would run as a formula
    /// (starting with = + - @, tab or CR) are neutralised with a quote.
    public static func line(_ cells: [String], separator: String = ";") -> String {
        cells.map { cell in
            var value = cell
            if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) {
                value = "'" + value
            }
            if value.contains(separator) || value.contains("\"") || value.contains("\n") || value.contains("\r") {
                return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return value
        }.joined(separator: separator) + "\r\n"
    }
}
