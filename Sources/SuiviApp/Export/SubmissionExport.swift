import Foundation
import SuiviDomain
import SuiviStore
import ZIPFoundation

/// Writes a form's records to CSV, a zip of CSVs or XLSX, page by page:
/// memory holds one page of records and one output buffer per table,
/// whatever the number of rows. Runs on its own thread (`BlockingWork`): it
/// reads SQLite synchronously.
///
/// Tables are ODK Central's (`RecordTables`): the records, then one per
/// repeat, linked by `KEY` / `PARENT_KEY`. The plain CSV is the records'
/// table alone, as Central's `submissions.csv`.
struct SubmissionExport {
    enum Format: String {
        case csv
        case csvZip = "csv.zip"
        case xlsx
    }

    struct Column {
        let name: String
        let label: String
        let numeric: Bool
    }

    /// What was written: records, and rows of every repeat table together.
    struct Written {
        let records: Int
        let repeatRows: Int
    }

    /// How answers are written. `codes`: as the phone sent them, ODK
    /// Central's shape, for scripts (the API's default). `labels`: as people
    /// read them (the admin's export page): choice labels, département names
    /// and review states in `language`, headers in that language too.
    enum Values: Equatable {
        case codes
        case labels(language: Language)
    }

    enum Language: String {
        case french = "fr"
        case english = "en"
    }

    static let pageSize = 2000

    let store: ExportStore
    let form: FormDefinition
    let filter: ExportStore.Filter
    /// Set when the caller sent the form's private key: encrypted records
    /// are then written with their answers (Encryption/EncryptedExport.swift).
    var encryptedRecords: EncryptedRecordReader? = nil
    var values: Values = .codes
    /// Département names by code, for `labels`.
    var departementNames: [String: String] = [:]
    let tables: RecordTables

    init(store: ExportStore, form: FormDefinition, filter: ExportStore.Filter) {
        self.store = store
        self.form = form
        self.filter = filter
        self.tables = RecordTables(form: form)
    }

    /// The records' table's questions (not groups, not metadata, not in a
    /// repeat), labelled in the export's language (French for codes).
    var fieldColumns: [Column] {
        columns(of: 0)
    }

    private var language: Language {
        if case .labels(let language) = values { return language }
        return .french
    }

    /// A question's header: its label, as exports always had, unless another
    /// question has the same name: then Central's path name
    /// (`contact-name`), so two columns never read alike.
    func columns(of table: Int) -> [Column] {
        tables.tables[table].columns.map { column in
            let label = column.nameIsShared ? column.pathedName
                : Self.label(column.field.labels, in: language, form: form) ?? column.field.name
            return Column(name: column.field.name, label: label, numeric: column.numeric)
        }
    }

    static let fixedHeaders = ["N°", "Identifiant de l'enregistrement", "Reçu le", "Date de l'activité", "Département",
                               "État de la revue"]
    /// With labels: the département the record counts in is named apart
    /// from a form's own "Département" question, which may differ (a visit
    /// filed for another region counts at home, docs/tallies.md).
    static let labelledFixedHeaders: [Language: [String]] = [
        .french: ["N°", "Identifiant de l'enregistrement", "Reçu le", "Date de l'activité", "Compté dans le département",
                  "État de la revue"],
        .english: ["No.", "Record ID", "Received", "Activity date", "Counted in département", "Review state"],
    ]
    static let reviewStateLabels: [Language: [String: String]] = [
        .french: ["received": "reçue", "flagged": "signalée", "approved": "approuvée", "has_issues": "à problèmes",
                  "rejected": "rejetée"],
        .english: ["received": "received", "flagged": "flagged", "approved": "approved", "has_issues": "has issues",
                   "rejected": "rejected"],
    ]
    /// Central's linking columns, named as Central names them.
    static let keyHeader = "KEY"
    static let parentKeyHeader = "PARENT_KEY"

    func headers(of table: Int) -> [String] {
        let labels = columns(of: table).map(\.label)
        let fixed = values == .codes ? Self.fixedHeaders : Self.labelledFixedHeaders[language]!
        return table == 0 ? fixed + labels + [Self.keyHeader] : labels + [Self.parentKeyHeader, Self.keyHeader]
    }

    /// A label in `language` (the form's default language, or any, when
    /// the form has none in it).
    static func label(_ labels: [String: String], in language: Language, form: FormDefinition) -> String? {
        let wanted = labels.first { key, _ in
            let lowered = key.lowercased()
            return switch language {
            case .french: lowered == "fr" || lowered.contains("(fr)") || lowered.hasPrefix("fran")
            case .english: lowered == "en" || lowered.contains("(en)") || lowered.hasPrefix("english")
            }
        }?.value
        let text = wanted ?? form.defaultLanguage.flatMap { labels[$0] } ?? labels[""] ?? labels.values.first
        return text.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Per column of `table`: the choice labels a select's answers are
    /// written as, or nil (codes, or not a select).
    func choiceLabels(of table: Int) -> [ChoiceLabels?] {
        guard values != .codes else { return tables.tables[table].columns.map { _ in nil } }
        return tables.tables[table].columns.map { column in
            let field = column.field
            guard field.dataType == .select1 || field.dataType == .select, let choices = field.choices, !choices.isEmpty else {
                return nil
            }
            var labels: [String: String] = [:]
            for choice in choices {
                labels[choice.value] = Self.label(choice.labels, in: language, form: form) ?? choice.value
            }
            return ChoiceLabels(labels: labels, multiple: field.dataType == .select)
        }
    }

    /// Names of the files of a zip export, as Central names them: the form
    /// id, then `-repeat` (with `~n` when two repeats share a name).
    var csvFileNames: [String] {
        let base = Self.fileSafe(form.formID)
        var totals: [String: Int] = [:]
        for table in tables.tables.dropFirst() { totals[table.name, default: 0] += 1 }
        var counts: [String: Int] = [:]
        return tables.tables.enumerated().map { index, table in
            guard index > 0 else { return base + ".csv" }
            guard totals[table.name, default: 0] > 1 else { return Self.fileSafe("\(base)-\(table.name).csv") }
            counts[table.name, default: 0] += 1
            return Self.fileSafe("\(base)-\(table.name)~\(counts[table.name]!).csv")
        }
    }

    /// No path separators, reserved or control characters in a file name.
    static func fileSafe(_ name: String) -> String {
        String(name.unicodeScalars.filter { !"/\\?<>:*|\"".unicodeScalars.contains($0) && $0.value >= 0x20 && $0.value != 0x7F })
    }

    /// Writes the file.
    func write(_ format: Format, to path: String) throws -> Written {
        switch format {
        case .csv:
            let sink = try CSVTables(paths: [path] + Array(repeating: nil, count: tables.tables.count - 1),
                                     headers: tables.tables.indices.map(headers(of:)))
            return try fill(sink)
        case .csvZip:
            return try writeZip(to: path)
        case .xlsx:
            let workbook = try XLSXWorkbook(path: path, temporaryDirectory: (path as NSString).deletingLastPathComponent)
            let sink = try XLSXTables(workbook: workbook, names: tables.tables.map(\.name),
                                      headers: tables.tables.indices.map(headers(of:)),
                                      fixedColumns: Self.fixedHeaders.count)
            return try fill(sink)
        }
    }

    /// One CSV per table next to the zip, then deflated into it one after
    /// the other (ZIPFoundation reads each file by chunks), then removed.
    private func writeZip(to path: String) throws -> Written {
        let parts = tables.tables.indices.map { "\(path).part\($0).csv" }
        defer { for part in parts { try? FileManager.default.removeItem(atPath: part) } }
        let sink = try CSVTables(paths: parts, headers: tables.tables.indices.map(headers(of:)))
        let written = try fill(sink)
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        } catch {
            throw Problem.storageUnavailable("cannot create export archive: \(error)")
        }
        for (name, part) in zip(csvFileNames, parts) {
            try archive.addEntry(with: name, fileURL: URL(fileURLWithPath: part), compressionMethod: .deflate,
                                 bufferSize: 1 << 20)
        }
        return written
    }

    /// Every record of the filter, page by page, into `sink`.
    private func fill(_ sink: some TableSink) throws -> Written {
        var records = 0
        var repeatRows = 0
        var after: Int64 = 0
        let rootNumeric = tables.tables[0].columns.map(\.numeric)
        let numeric = tables.tables.map { $0.columns.map(\.numeric) }
        var answers = AnswersScanner(fields: tables.tables[0].columns.map { form.answerKey(for: $0.field) })
        let choices = tables.tables.indices.map(choiceLabels(of:))
        let rootChoices = choices[0]
        let fixedLabels: [Int: [String: String]] = values == .codes ? [:] : [
            ExportStore.RowView.departementColumn: departementNames,
            ExportStore.RowView.reviewStateColumn: Self.reviewStateLabels[language]!,
        ]
        let readXML = tables.needsXML
        let wantsRepeats = sink.wantsRepeats
        while true {
            let page = try store.forEach(filter, afterID: after, limit: Self.pageSize, withXML: readXML) { row in
                try row.withBytes(0) { try sink.cell(0, $0, numeric: true) }
                for column in 1..<ExportStore.RowView.fixedColumnCount {
                    if let labels = fixedLabels[column] {
                        let code = row.withBytes(column) { String(decoding: $0, as: UTF8.self) }
                        try sink.cell(0, labels[code] ?? code, numeric: false)
                    } else {
                        try row.withBytes(column) { try sink.cell(0, $0, numeric: false) }
                    }
                }
                if readXML {
                    let instanceID = row.withBytes(1) { String(decoding: $0, as: UTF8.self) }
                    let values = try withRecordXML(row) { xml in
                        try tables.read(xml, instanceID: instanceID) { repeated in
                            guard wantsRepeats else { return }
                            for (index, value) in repeated.values.enumerated() {
                                if let labels = choices[repeated.table][index] {
                                    try sink.cell(repeated.table, labels.text(value), numeric: false)
                                } else {
                                    try sink.cell(repeated.table, value, numeric: numeric[repeated.table][index])
                                }
                            }
                            try sink.cell(repeated.table, repeated.parentKey, numeric: false)
                            try sink.cell(repeated.table, repeated.key, numeric: false)
                            try sink.endRow(repeated.table)
                            repeatRows += 1
                        }
                    }
                    for (index, value) in values.enumerated() {
                        if let labels = rootChoices[index] {
                            try sink.cell(0, labels.text(value), numeric: false)
                        } else {
                            try sink.cell(0, value, numeric: rootNumeric[index])
                        }
                    }
                } else {
                    try withAnswers(row) { input in
                        try Self.scan(&answers, input, recordID: row.id)
                        for index in 0..<answers.fieldCount {
                            try answers.value(index, in: input) { bytes in
                                if let labels = rootChoices[index] {
                                    try sink.cell(0, labels.text(String(decoding: bytes, as: UTF8.self)), numeric: false)
                                } else {
                                    try sink.cell(0, bytes, numeric: rootNumeric[index])
                                }
                            }
                        }
                    }
                }
                try row.withBytes(1) { try sink.cell(0, $0, numeric: false) }
                try sink.endRow(0)
            }
            records += page.count
            guard page.count == Self.pageSize else { break }
            after = page.lastID
        }
        try sink.finish()
        return Written(records: records, repeatRows: repeatRows)
    }

    /// The one place an export gets a record's XML: the stored one, or an
    /// encrypted record's decrypted one when the caller sent the key.
    private func withRecordXML<T>(_ row: ExportStore.RowView, _ body: (Data) throws -> T) throws -> T {
        let xml = try decryptedXML(row) ?? row.withBlob(ExportStore.RowView.xmlColumn) { Data($0) }
        do {
            return try body(xml)
        } catch let problem as Problem {
            // An export never silently drops a record: the whole export fails, naming it.
            throw Problem.storageUnavailable("record \(row.id): stored XML unreadable (\(problem.detail ?? problem.code))")
        }
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
}

/// A select question's choice labels: one answer is a value, a
/// select_multiple's is values separated by spaces (written ", "). A value
/// not in the list (a choice since removed) is written as sent.
struct ChoiceLabels {
    let labels: [String: String]
    let multiple: Bool

    func text(_ answer: String) -> String {
        guard multiple else { return labels[answer] ?? answer }
        return answer.split(separator: " ").map { labels[String($0)] ?? String($0) }.joined(separator: ", ")
    }
}

/// Where an export's tables go, cell by cell; each table has its own
/// current row, so a record's repeat rows are written while its own row is.
protocol TableSink {
    /// False when only the records' table is kept (the plain CSV).
    var wantsRepeats: Bool { get }
    /// `numeric`: written as a number when the text is one (XLSX).
    func cell(_ table: Int, _ bytes: UnsafeRawBufferPointer, numeric: Bool) throws
    func endRow(_ table: Int) throws
    func finish() throws
}

extension TableSink {
    func cell(_ table: Int, _ text: String, numeric: Bool) throws {
        var text = text
        try text.withUTF8 { try cell(table, UnsafeRawBufferPointer($0), numeric: numeric) }
    }
}

/// One CSV file per table (a nil path: the table is not kept), each with
/// its BOM and header, written about 1 MB at a time.
final class CSVTables: TableSink {
    private var buffers: [CSVBuffer]
    private var handles: [FileHandle?]

    init(paths: [String?], headers: [[String]]) throws {
        buffers = []
        handles = []
        for (path, header) in zip(paths, headers) {
            var buffer = CSVBuffer()
            guard let path else {
                buffers.append(buffer)
                handles.append(nil)
                continue
            }
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw Problem.storageUnavailable("cannot create export file")
            }
            handles.append(try FileHandle(forWritingTo: URL(fileURLWithPath: path)))
            buffer.bytes.append(contentsOf: [0xEF, 0xBB, 0xBF])  // BOM: Excel then reads UTF-8
            buffer.appendRow(header)
            buffers.append(buffer)
        }
    }

    deinit {
        for handle in handles { try? handle?.close() }
    }

    var wantsRepeats: Bool { handles.dropFirst().contains { $0 != nil } }

    func cell(_ table: Int, _ bytes: UnsafeRawBufferPointer, numeric: Bool) throws {
        guard handles[table] != nil else { return }
        buffers[table].appendField(bytes: bytes)
    }

    func endRow(_ table: Int) throws {
        guard let handle = handles[table] else { return }
        buffers[table].endRow()
        if buffers[table].bytes.count >= 1 << 20 {
            try handle.write(contentsOf: buffers[table].bytes)
            buffers[table].bytes.removeAll(keepingCapacity: true)
        }
    }

    func finish() throws {
        for (index, handle) in handles.enumerated() {
            guard let handle else { continue }
            try handle.write(contentsOf: buffers[index].bytes)
            buffers[index].bytes.removeAll()
            try handle.close()
            handles[index] = nil
        }
    }
}

/// One sheet per table (another when Excel's row limit is reached), named
/// after the form and each repeat, unique within Excel's 31 characters.
final class XLSXTables: TableSink {
    private let workbook: XLSXWorkbook
    private let names: [String]
    private let headers: [[String]]
    private let fixedColumns: Int
    private var sheets: [XLSXWorkbook.Sheet] = []
    private var rows: [Int] = []
    private var columns: [Int] = []
    private var sheetCounts: [Int] = []
    private var usedNames = Set<String>()

    init(workbook: XLSXWorkbook, names: [String], headers: [[String]], fixedColumns: Int) throws {
        self.workbook = workbook
        self.names = names
        self.headers = headers
        self.fixedColumns = fixedColumns
        for table in names.indices {
            sheetCounts.append(0)
            sheets.append(try newSheet(table))
            rows.append(1)
            columns.append(0)
        }
    }

    var wantsRepeats: Bool { true }

    private func newSheet(_ table: Int) throws -> XLSXWorkbook.Sheet {
        sheetCounts[table] += 1
        let base = sheetCounts[table] == 1 ? names[table] : "\(names[table]) (\(sheetCounts[table]))"
        let sheet = try workbook.addSheet(named: uniqueName(base))
        for (index, header) in headers[table].enumerated() {
            try workbook.write(sheet, row: 0, column: index, string: header, format: .header)
            let key = table > 0 && index >= headers[table].count - 2 || table == 0 && index == headers[table].count - 1
            try workbook.setColumnWidth(sheet, column: index, width: key ? 40 : table == 0 && index < fixedColumns ? 16 : 22)
        }
        workbook.freezeTopRow(sheet)
        return sheet
    }

    /// Excel compares sheet names without case; a clash gets `~n` inside 31 characters.
    private func uniqueName(_ wanted: String) -> String {
        let cleaned = XLSXWorkbook.sheetName(wanted)
        var candidate = cleaned
        var number = 1
        while usedNames.contains(candidate.lowercased()) {
            number += 1
            let suffix = "~\(number)"
            candidate = String(cleaned.prefix(31 - suffix.count)) + suffix
        }
        usedNames.insert(candidate.lowercased())
        return candidate
    }

    func cell(_ table: Int, _ bytes: UnsafeRawBufferPointer, numeric: Bool) throws {
        if columns[table] == 0, rows[table] == XLSXWorkbook.maximumRows {
            sheets[table] = try newSheet(table)
            rows[table] = 1
        }
        let (row, column) = (rows[table], columns[table])
        columns[table] += 1
        if numeric, let number = Double(String(decoding: bytes, as: UTF8.self)), number.isFinite {
            try workbook.write(sheets[table], row: row, column: column, number: number)
        } else {
            try workbook.write(sheets[table], row: row, column: column, bytes: bytes)
        }
    }

    func endRow(_ table: Int) throws {
        rows[table] += 1
        columns[table] = 0
    }

    func finish() throws {
        try workbook.close()
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
