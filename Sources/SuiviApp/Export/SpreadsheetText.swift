/// Text cells that a spreadsheet could take for a formula (= + - @, or a
/// leading tab or carriage return) get a leading apostrophe, in CSV and XLSX
/// alike.
enum SpreadsheetText {
    static func neutralised(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return text }
        return "'" + text
    }

    /// One CSV field (RFC 4180 quoting).
    static func csvField(_ text: String) -> String {
        let safe = neutralised(text)
        guard safe.contains(where: { $0 == "," || $0 == ";" || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return safe }
        return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
