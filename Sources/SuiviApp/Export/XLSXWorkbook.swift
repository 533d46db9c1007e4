import CXLSXWriter
import Foundation

/// An .xlsx workbook written by libxlsxwriter: the one owner of the
/// `lxw_workbook` handle. Sheets and formats are lent out only inside
/// `sheet(_:_:)`; `finish()` closes (and frees) the handle once, `deinit`
/// frees it as a backstop. Not thread-safe: build one per export, on a
/// blocking thread (it writes a file).
final class XLSXWorkbook {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    struct Options {
        /// Rows are flushed to disk as they are written (big exports): each
        /// sheet must then be written row by row, top to bottom.
        var constantMemory = false
        var temporaryDirectory: String?
    }

    let path: String
    private var handle: UnsafeMutablePointer<lxw_workbook>?
    private let bold: UnsafeMutablePointer<lxw_format>
    private var sheetNames: Set<String> = []

    init(path: String, options: Options = Options()) throws {
        self.path = path
        var native = lxw_workbook_options()
        native.constant_memory = options.constantMemory ? 1 : 0
        native.use_zip64 = 0
        let created: UnsafeMutablePointer<lxw_workbook>? = path.withCString { file in
            if let directory = options.temporaryDirectory {
                return directory.withCString { tmp in
                    native.tmpdir = UnsafeMutablePointer(mutating: tmp)
                    return workbook_new_opt(file, &native)
                }
            }
            return workbook_new_opt(file, &native)
        }
        guard let created else { throw Failure(description: "cannot create workbook at \(path)") }
        handle = created
        guard let format = workbook_add_format(created) else {
            workbook_close(created)
            handle = nil
            throw Failure(description: "cannot create a format")
        }
        format_set_bold(format)
        bold = format
    }

    deinit {
        if let handle {
            // Backstop only: a workbook left open is closed (and its file removed).
            workbook_close(handle)
            unlink(path)
        }
    }

    /// A worksheet being written.
    struct Sheet {
        fileprivate let pointer: UnsafeMutablePointer<lxw_worksheet>
        fileprivate let bold: UnsafeMutablePointer<lxw_format>

        func text(_ row: Int, _ column: Int, _ value: String, bold isBold: Bool = false) throws {
            try check(worksheet_write_string(pointer, lxw_row_t(row), lxw_col_t(column), value, isBold ? bold : nil))
        }

        func number(_ row: Int, _ column: Int, _ value: Double, bold isBold: Bool = false) throws {
            try check(worksheet_write_number(pointer, lxw_row_t(row), lxw_col_t(column), value, isBold ? bold : nil))
        }

        /// A header row in bold.
        func header(_ row: Int, _ titles: [String]) throws {
            for (column, title) in titles.enumerated() { try text(row, column, title, bold: true) }
        }

        func columnWidth(_ column: Int, _ width: Double) throws {
            try check(worksheet_set_column(pointer, lxw_col_t(column), lxw_col_t(column), width, nil))
        }
    }

    /// Adds a sheet (name cut to Excel's 31 characters, forbidden characters
    /// replaced, made unique) and lends it to `body`.
    func sheet(_ name: String, _ body: (Sheet) throws -> Void) throws {
        guard let handle else { throw Failure(description: "workbook already finished") }
        var clean = String(name.map { "[]:*?/\\".contains($0) ? "-" : $0 }.prefix(31))
        if clean.isEmpty { clean = "Feuille" }
        var unique = clean
        var counter = 2
        while sheetNames.contains(unique.lowercased()) {
            let suffix = " (\(counter))"
            unique = String(clean.prefix(31 - suffix.count)) + suffix
            counter += 1
        }
        sheetNames.insert(unique.lowercased())
        guard let pointer = workbook_add_worksheet(handle, unique) else {
            throw Failure(description: "cannot add sheet \(unique)")
        }
        try body(Sheet(pointer: pointer, bold: bold))
    }

    /// Writes the file and frees the handle.
    func finish() throws {
        guard let handle else { return }
        self.handle = nil
        try check(workbook_close(handle))
    }
}

/// Every libxlsxwriter return code goes through here: the code, never the text.
private func check(_ error: lxw_error) throws {
    guard error != LXW_NO_ERROR else { return }
    throw XLSXWorkbook.Failure(description: "libxlsxwriter error \(error.rawValue): \(String(cString: lxw_strerror(error)))")
}
