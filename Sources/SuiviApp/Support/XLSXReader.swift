import Foundation
import SuiviDomain
import ZIPFoundation

/// Reads the cells of an XLSX workbook's first sheet as text (numbers as
/// written in the file): enough for a list of resource persons. The XML
/// parts go through SafeXMLParser (no DTD, limited depth and size); zip
/// entries larger than `maximumPartBytes` are refused (zip bombs).
enum XLSXReader {
    static let maximumPartBytes = 32 << 20

    static func isXLSX(_ data: Data) -> Bool {
        data.starts(with: [0x50, 0x4B, 0x03, 0x04])
    }

    static func rows(_ data: Data) throws -> [[String]] {
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw Problem.unreadableImportFile("not a zip archive")
        }
        let sheetPath = try firstSheetPath(archive) ?? "xl/worksheets/sheet1.xml"
        guard let sheet = try part(sheetPath, in: archive) else {
            throw Problem.unreadableImportFile("no worksheet in the workbook")
        }
        let strings = try part("xl/sharedStrings.xml", in: archive).map(sharedStrings) ?? []
        var rows: [[String]] = []
        guard let sheetData = sheet.child("sheetData") else { return [] }
        for row in sheetData.children("row") {
            var cells: [String] = []
            for (position, cell) in row.children("c").enumerated() {
                let column = cell.attribute("r").flatMap(columnIndex) ?? position
                guard column < 1000 else { continue }
                while cells.count < column { cells.append("") }
                let value: String
                switch cell.attribute("t") {
                case "s":
                    let index = Int(cell.child("v")?.text.trimmingCharacters(in: .whitespaces) ?? "") ?? -1
                    value = strings.indices.contains(index) ? strings[index] : ""
                case "inlineStr":
                    value = cell.child("is").map(text) ?? ""
                case "str":
                    value = unescaped(cell.child("v")?.text ?? "")
                default:
                    value = cell.child("v")?.text ?? ""
                }
                if column == cells.count { cells.append(value) } else { cells[column] = value }
            }
            if let number = row.attribute("r").flatMap(Int.init), number > rows.count + 1, number <= PeopleImport.maximumRows + 10 {
                // Keep row numbers as the spreadsheet shows them in the report.
                while rows.count < number - 1 { rows.append([]) }
            }
            rows.append(cells)
        }
        return rows
    }

    /// The first sheet named by the workbook, through its relationship.
    private static func firstSheetPath(_ archive: Archive) throws -> String? {
        guard let workbook = try part("xl/workbook.xml", in: archive),
              let sheet = workbook.child("sheets")?.children("sheet").first,
              let relationID = sheet.attribute("id"),
              let relations = try part("xl/_rels/workbook.xml.rels", in: archive) else { return nil }
        guard let target = relations.children("Relationship").first(where: { $0.attribute("Id") == relationID })?
            .attribute("Target") else { return nil }
        if target.hasPrefix("/") { return String(target.dropFirst()) }
        return "xl/" + target
    }

    private static func part(_ path: String, in archive: Archive) throws -> XMLTree? {
        guard let entry = archive[path] else { return nil }
        guard entry.uncompressedSize <= maximumPartBytes else {
            throw Problem.unreadableImportFile("\(path) larger than \(maximumPartBytes) bytes")
        }
        var data = Data()
        do {
            _ = try archive.extract(entry, skipCRC32: false) { chunk in
                guard data.count + chunk.count <= maximumPartBytes else { throw Problem.unreadableImportFile("part too large") }
                data.append(chunk)
            }
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem.unreadableImportFile("\(path) could not be extracted")
        }
        do {
            return try SafeXMLParser.parse(data, limits: .init(maximumDepth: 16, maximumElements: 400_000), field: "file")
        } catch {
            throw Problem.unreadableImportFile("\(path): \(error.detail ?? error.englishMessage)")
        }
    }

    private static func sharedStrings(_ root: XMLTree) -> [String] {
        root.children("si").map(text)
    }

    /// The text of a string item: its `t` elements, rich runs included,
    /// phonetic hints (`rPh`) left out.
    private static func text(_ item: XMLTree) -> String {
        var result = ""
        for child in item.children {
            switch child.localName {
            case "t": result += child.text
            case "r": result += child.children("t").map(\.text).joined()
            default: break
            }
        }
        return unescaped(result)
    }

    /// Office Open XML writes characters XML 1.0 cannot hold (a carriage
    /// return, other control characters) as `_xHHHH_`, and a literal `_x`
    /// that looks like one with its underscore as `_x005F_`; Excel and
    /// libxlsxwriter do so.
    static func unescaped(_ text: String) -> String {
        guard text.contains("_x") else { return text }
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "_x") {
            result += rest[..<start.lowerBound]
            let after = rest[start.upperBound...]
            let hex = after.prefix(4)
            if hex.count == 4, after.dropFirst(4).first == "_",
               let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) {
                result.unicodeScalars.append(scalar)
                rest = after.dropFirst(5)
            } else {
                result += "_x"
                rest = after
            }
        }
        return result + rest
    }

    /// "C12" is column 2 (zero-based).
    static func columnIndex(_ reference: String) -> Int? {
        var index = 0
        var letters = 0
        for scalar in reference.unicodeScalars {
            guard scalar.value >= 65 && scalar.value <= 90 else { break }
            index = index * 26 + Int(scalar.value - 64)
            letters += 1
        }
        return letters == 0 || letters > 3 ? nil : index - 1
    }
}
