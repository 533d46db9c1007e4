import CXLSXWriter
import Foundation
import SuiviDomain

/// The one owner of a libxlsxwriter workbook handle. Built in constant-memory
/// mode: each row is flushed to a temporary file once the next row starts,
/// so rows must be written in order and memory does not grow with them.
/// Used from one thread at a time (an export runs on its own thread).
final class XLSXWorkbook {
    /// Excel's limit of rows per sheet.
    static let maximumRows = 1_048_576

    struct Failure: Error, CustomStringConvertible {
        let code: UInt32
        let operation: String
        var description: String { "libxlsxwriter \(operation) failed: \(String(cString: lxw_strerror(lxw_error(code))))" }
    }

    /// A sheet, lent out by index; the workbook owns it.
    struct Sheet {
        fileprivate let index: Int
    }

    enum CellFormat {
        case plain, header
    }

    private var workbook: UnsafeMutablePointer<lxw_workbook>?
    private var sheets: [UnsafeMutablePointer<lxw_worksheet>] = []
    private var headerFormat: UnsafeMutablePointer<lxw_format>?
    /// Reused for `write(_:row:column:bytes:)`: neutralised, NUL-terminated.
    private var cell: [UInt8] = []

    /// `temporaryDirectory` holds libxlsxwriter's per-sheet files while writing.
    init(path: String, temporaryDirectory: String = NSTemporaryDirectory()) throws {
        var options = lxw_workbook_options()
        options.constant_memory = UInt8(LXW_TRUE.rawValue)
        options.use_zip64 = UInt8(LXW_TRUE.rawValue)
        workbook = temporaryDirectory.withCString { directory in
            options.tmpdir = UnsafeMutablePointer(mutating: directory)
            return workbook_new_opt(path, &options)
        }
        guard let workbook else { throw Failure(code: UInt32(LXW_ERROR_CREATING_XLSX_FILE.rawValue), operation: "workbook_new") }
        headerFormat = workbook_add_format(workbook)
        format_set_bold(headerFormat)
        format_set_bg_color(headerFormat, 0xDDEBF7)
    }

    deinit {
        // Backstop: an unfinished workbook is still closed (and its
        // temporary files removed) exactly once.
        if let workbook { workbook_close(workbook) }
    }

    /// Sheet names: at most 31 characters, none of []:*?/\ (Excel's rules).
    func addSheet(named name: String) throws -> Sheet {
        guard let workbook else { preconditionFailure("workbook already closed") }
        let cleaned = Self.sheetName(name)
        guard let sheet = workbook_add_worksheet(workbook, cleaned.isEmpty ? nil : cleaned) else {
            throw Failure(code: UInt32(LXW_ERROR_MEMORY_MALLOC_FAILED.rawValue), operation: "workbook_add_worksheet")
        }
        sheets.append(sheet)
        return Sheet(index: sheets.count - 1)
    }

    static func sheetName(_ name: String) -> String {
        String(name.filter { !"[]:*?/\\".contains($0) }.prefix(31))
    }

    func setColumnWidth(_ sheet: Sheet, column: Int, width: Double) throws {
        try check(worksheet_set_column(sheets[sheet.index], lxw_col_t(column), lxw_col_t(column), width, nil), "set_column")
    }

    /// Writes text as text (never a formula): neutralised first.
    func write(_ sheet: Sheet, row: Int, column: Int, string: String, format: CellFormat = .plain) throws {
        var string = string
        try string.withUTF8 { try write(sheet, row: row, column: column, bytes: UnsafeRawBufferPointer($0), format: format) }
    }

    /// The same for UTF-8 bytes read from SQLite, without a String per cell
    /// (libxlsxwriter copies the text).
    func write(_ sheet: Sheet, row: Int, column: Int, bytes: UnsafeRawBufferPointer, format: CellFormat = .plain) throws {
        guard let first = bytes.first else { return }
        cell.removeAll(keepingCapacity: true)
        if SpreadsheetCell.needsNeutralising(first) { cell.append(UInt8(ascii: "'")) }
        Self.appendEscapingLiteralEscapes(bytes, to: &cell)
        cell.append(0)
        let status = cell.withUnsafeBufferPointer { text in
            text.withMemoryRebound(to: CChar.self) { text in
                worksheet_write_string(sheets[sheet.index], lxw_row_t(row), lxw_col_t(column), text.baseAddress,
                                       format == .header ? headerFormat : nil)
            }
        }
        try check(status, "write_string")
    }

    /// Excel reads `_xHHHH_` in a cell as the character U+HHHH (libxlsxwriter
    /// writes a carriage return so). Someone who typed such a sequence must
    /// read it back as typed: its underscore is written `_x005F_`, which
    /// libxlsxwriter does not do itself.
    static func appendEscapingLiteralEscapes(_ bytes: UnsafeRawBufferPointer, to cell: inout [UInt8]) {
        func isHex(_ byte: UInt8) -> Bool {
            (48...57).contains(byte) || (65...70).contains(byte) || (97...102).contains(byte)
        }
        var start = 0
        var index = 0
        while index + 6 < bytes.count {
            if bytes[index] == UInt8(ascii: "_"), bytes[index + 1] == UInt8(ascii: "x"),
               isHex(bytes[index + 2]), isHex(bytes[index + 3]), isHex(bytes[index + 4]), isHex(bytes[index + 5]),
               bytes[index + 6] == UInt8(ascii: "_") {
                cell.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
                cell.append(contentsOf: "_x005F".utf8)
                start = index
                index += 6
            } else {
                index += 1
            }
        }
        cell.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start...]))
    }

    func write(_ sheet: Sheet, row: Int, column: Int, number: Double, format: CellFormat = .plain) throws {
        try check(worksheet_write_number(sheets[sheet.index], lxw_row_t(row), lxw_col_t(column), number,
                                         format == .header ? headerFormat : nil), "write_number")
    }

    func freezeTopRow(_ sheet: Sheet) {
        worksheet_freeze_panes(sheets[sheet.index], 1, 0)
    }

    /// Writes the file and frees the handle.
    func close() throws {
        guard let workbook else { return }
        self.workbook = nil
        sheets = []
        try check(workbook_close(workbook), "workbook_close")
    }

    /// The one place libxlsxwriter's return codes are read.
    private func check(_ error: lxw_error, _ operation: String) throws {
        guard error == LXW_NO_ERROR else { throw Failure(code: UInt32(error.rawValue), operation: operation) }
    }
}
