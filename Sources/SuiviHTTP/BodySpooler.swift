import Foundation
import SuiviBasics

/// Collects upload chunks as libmicrohttpd hands them over: in memory while
/// small, then in a temporary file, with a hard cap. Bytes bound for the
/// file are first reserved from the server's `SpoolBudget`. Used only from
/// the connection's own callbacks, so it needs no lock.
final class BodySpooler {
    enum Outcome { case accepted, overLimit, spoolFull }

    private(set) var limit: Int
    private let inMemoryLimit: Int
    private let directory: String
    private let budget: SpoolBudget
    /// Taken from `budget`, given back by `removeFile()`.
    private var reservedBytes = 0
    private var buffer = Data()
    private var fileDescriptor: Int32 = -1
    private(set) var filePath: String?
    private(set) var size = 0

    init(limit: Int, inMemoryLimit: Int, directory: String, budget: SpoolBudget) {
        self.limit = limit
        self.inMemoryLimit = inMemoryLimit
        self.directory = directory
        self.budget = budget
    }

    deinit {
        closeFile()
        removeFile()
    }

    /// A route's own, smaller cap; set before the first byte arrives.
    func narrowLimit(to routeLimit: Int) {
        limit = min(limit, routeLimit)
    }

    /// Reserves a body announced by `Content-Length` at once when it will go
    /// to disk, so one the spool cannot hold is refused before it is read.
    func reserveAnnounced(_ length: Int) -> Bool {
        length <= inMemoryLimit || reserve(total: length)
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws -> Outcome {
        guard size + bytes.count <= limit else { return .overLimit }
        if fileDescriptor < 0 && buffer.count + bytes.count <= inMemoryLimit {
            size += bytes.count
            buffer.append(contentsOf: bytes)
            return .accepted
        }
        // Everything received so far goes to the file, the memory part included.
        guard reserve(total: size + bytes.count) else { return .spoolFull }
        size += bytes.count
        if fileDescriptor < 0 { try openFile() }
        try writeAll(bytes)
        return .accepted
    }

    /// Hands the body over; the spooled file, if any, now belongs to the caller
    /// until `removeFile()` runs at request completion.
    func finish() -> RequestBody {
        if let filePath {
            closeFile()
            return .file(path: filePath, size: size)
        }
        return size == 0 ? .empty : .memory(buffer)
    }

    /// Deletes the file, if any, and gives its bytes back to the budget.
    func removeFile() {
        if let filePath { unlink(filePath) }
        filePath = nil
        if reservedBytes > 0 {
            budget.release(reservedBytes)
            reservedBytes = 0
        }
    }

    private func reserve(total: Int) -> Bool {
        guard total > reservedBytes else { return true }
        guard budget.reserve(total - reservedBytes) else { return false }
        reservedBytes = total
        return true
    }

    private func openFile() throws {
        var made = Self.makeTemporaryFile(in: directory)
        if case .failure(let failure) = made, failure.errno == ENOENT {
            // The spool directory was removed under the running server (a
            // temporary-file cleaner): make it again rather than refuse every
            // large body until a restart.
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            made = Self.makeTemporaryFile(in: directory)
        }
        let (descriptor, path) = try made.get()
        fileDescriptor = descriptor
        filePath = path
        let pending = buffer
        buffer = Data()
        try pending.withUnsafeBytes { try writeAll($0) }
    }

    private static func makeTemporaryFile(in directory: String) -> Result<(Int32, String), SystemCallError> {
        var template = Array((directory + "/suivi-upload-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in
            Result { () throws(SystemCallError) -> Int32 in try SystemCalls.retrying("mkstemp", directory) { mkstemp(buffer.baseAddress!) } }
        }
        return made.map { ($0, String(nulTerminated: template)) }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        try SystemCalls.writeAll(bytes, to: fileDescriptor, path: filePath ?? "")
    }

    private func closeFile() {
        if fileDescriptor >= 0 { close(fileDescriptor) }
        fileDescriptor = -1
    }
}
