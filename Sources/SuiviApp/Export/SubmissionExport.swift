import Foundation
import SuiviDomain
import SuiviStore

/// Writes a form's records to a CSV or XLSX file, page by page: memory holds
/// one page of records and one output buffer, whatever the number of rows.
/// Runs on its own thread (`BlockingWork`): it reads SQLite synchronously.
struct SubmissionExport {
    enum Format: String {
        case csv, xlsx
    }

    struct Column {
        let name: String
        let label: String
        let numeric: Bool
    }

    static let pageSize = 2000

    let store: ExportStore
    let form: FormDefinition
    let filter: ExportStore.Filter
    /// Set when the caller sent the form's private key: encrypted records
    /// are then written with their answers (Encryption/EncryptedExport.swift).
    var encryptedRecords: EncryptedRecordReader? = nil

    /// The form's questions (not groups, not metadata), labelled in French.
    var fieldColumns: [Column] {
        form.fields.filter { !$0.isGroup && !$0.path.contains("/meta/") && $0.name != "meta" }.map { field in
            Column(name: field.name, label: Self.frenchLabel(field.labels, form: form) ?? field.name,
                   numeric: field.dataType == .int || field.dataType == .decimal)
        }
    }

    static let fixedHeaders = ["N°", "Identifiant de l'enregistrement", "Reçu le", "Date de l'activité", "Département",
                               "État de la revue"]

    static func frenchLabel(_ labels: [String: String], form: FormDefinition) -> String? {
        let french = labels.first { key, _ in
            let lowered = key.lowercased()
            return lowered == "fr" || lowered.contains("(fr)") || lowered.hasPrefix("fran")
        }?.value
        let text = french ?? form.defaultLanguage.flatMap { labels[$0] } ?? labels[""] ?? labels.values.first
        return text.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Writes the file; returns the number of records written.
    func write(_ format: Format, to path: String) throws -> Int {
        switch format {
        case .csv: try writeCSV(to: path)
        case .xlsx: try writeXLSX(to: path)
        }
    }

    private func writeCSV(to path: String) throws -> Int {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw Problem.storageUnavailable("cannot create export file")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var buffer = CSVBuffer()
        buffer.bytes.append(contentsOf: [0xEF, 0xBB, 0xBF])  // BOM: Excel then reads UTF-8
        let columns = fieldColumns
        buffer.appendRow(Self.fixedHeaders + columns.map(\.label))
        var count = 0
        var after: Int64 = 0
        var answers = AnswersScanner(fields: columns.map(\.name))
        while true {
            let page = try store.forEach(filter, afterID: after, limit: Self.pageSize) { row in
                for column in 0..<ExportStore.RowView.fixedColumnCount {
                    row.withBytes(column) { buffer.appendField(bytes: $0) }
                }
                try withAnswers(row) { input in
                    try Self.scan(&answers, input, recordID: row.id)
                    for index in 0..<answers.fieldCount {
                        answers.value(index, in: input) { buffer.appendField(bytes: $0) }
                    }
                }
                buffer.endRow()
            }
            count += page.count
            if buffer.bytes.count >= 1 << 20 || page.count < Self.pageSize {
                try handle.write(contentsOf: buffer.bytes)
                buffer.bytes.removeAll(keepingCapacity: true)
            }
            guard page.count == Self.pageSize else { break }
            after = page.lastID
        }
        return count
    }

    /// Answers that are not a JSON object fail the export, as SQLite's
    /// json_extract did: an export never silently drops answers.
    private static func scan(_ answers: inout AnswersScanner, _ input: UnsafeRawBufferPointer, recordID: Int64) throws {
        do {
            try answers.scan(input)
        } catch let malformed as AnswersScanner.Malformed {
            throw Problem.storageUnavailable("record \(recordID): answers are not a JSON object (offset \(malformed.offset))")
        }
    }

    private func writeXLSX(to path: String) throws -> Int {
        let workbook = try XLSXWorkbook(path: path, temporaryDirectory: (path as NSString).deletingLastPathComponent)
        let columns = fieldColumns
        let headers = Self.fixedHeaders + columns.map(\.label)
        var sheetNumber = 1
        func newSheet() throws -> XLSXWorkbook.Sheet {
            let sheet = try workbook.addSheet(named: sheetNumber == 1 ? form.formID : "\(form.formID) (\(sheetNumber))")
            sheetNumber += 1
            for (index, header) in headers.enumerated() {
                try workbook.write(sheet, row: 0, column: index, string: header, format: .header)
                try workbook.setColumnWidth(sheet, column: index, width: index < Self.fixedHeaders.count ? 16 : 22)
            }
            workbook.freezeTopRow(sheet)
            return sheet
        }
        var sheet = try newSheet()
        var rowNumber = 1
        var count = 0
        var after: Int64 = 0
        var answers = AnswersScanner(fields: columns.map(\.name))
        while true {
            let page = try store.forEach(filter, afterID: after, limit: Self.pageSize) { row in
                if rowNumber == XLSXWorkbook.maximumRows {
                    sheet = try newSheet()
                    rowNumber = 1
                }
                try workbook.write(sheet, row: rowNumber, column: 0, number: Double(row.id))
                for column in 1..<ExportStore.RowView.fixedColumnCount {
                    try row.withBytes(column) { try workbook.write(sheet, row: rowNumber, column: column, bytes: $0) }
                }
                try withAnswers(row) { input in
                    try Self.scan(&answers, input, recordID: row.id)
                    for (index, field) in columns.enumerated() {
                        let column = Self.fixedHeaders.count + index
                        if field.numeric, let text = answers.string(index, in: input), let number = Double(text), number.isFinite {
                            try workbook.write(sheet, row: rowNumber, column: column, number: number)
                        } else {
                            try answers.value(index, in: input) { try workbook.write(sheet, row: rowNumber, column: column, bytes: $0) }
                        }
                    }
                }
                rowNumber += 1
            }
            count += page.count
            guard page.count == Self.pageSize else { break }
            after = page.lastID
        }
        try workbook.close()
        return count
    }
}

/// CSV bytes: fields quoted only when they must be, formulas neutralised.
struct CSVBuffer {
    var bytes: [UInt8] = []
    private var atRowStart = true

    init() {
        bytes.reserveCapacity(1 << 19)
    }

    mutating func appendRow(_ fields: [String]) {
        for field in fields { appendField(field) }
        endRow()
    }

    mutating func appendField(_ text: String, first: Bool = false) {
        if !atRowStart { bytes.append(UInt8(ascii: ",")) }
        atRowStart = false
        let value = SpreadsheetCell.neutralised(text)
        var needsQuotes = false
        for byte in value.utf8 where byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 0x0A || byte == 0x0D {
            needsQuotes = true
            break
        }
        if needsQuotes {
            bytes.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                if byte == UInt8(ascii: "\"") { bytes.append(byte) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        } else {
            bytes.append(contentsOf: value.utf8)
        }
    }

    /// The same as `appendField(_:)` for UTF-8 bytes read from SQLite.
    mutating func appendField(bytes: UnsafeRawBufferPointer) {
        if !atRowStart { self.bytes.append(UInt8(ascii: ",")) }
        atRowStart = false
        guard let first = bytes.first else { return }
        var needsQuotes = false
        for byte in bytes where byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 0x0A || byte == 0x0D {
            needsQuotes = true
            break
        }
        if needsQuotes { self.bytes.append(UInt8(ascii: "\"")) }
        if SpreadsheetCell.needsNeutralising(first) { self.bytes.append(UInt8(ascii: "'")) }
        if needsQuotes {
            for byte in bytes {
                if byte == UInt8(ascii: "\"") { self.bytes.append(byte) }
                self.bytes.append(byte)
            }
            self.bytes.append(UInt8(ascii: "\""))
        } else {
            self.bytes.append(contentsOf: bytes)
        }
    }

    mutating func endRow() {
        bytes.append(0x0D)
        bytes.append(0x0A)
        atRowStart = true
    }
}
