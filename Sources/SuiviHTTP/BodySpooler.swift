import Foundation

/// Collects upload chunks as libmicrohttpd hands them over: in memory while
/// small, then in a temporary file, with a hard cap. Used only from the
/// connection's own callbacks, so it needs no lock.
final class BodySpooler {
    enum Outcome { case accepted, overLimit }

    private let limit: Int
    private let inMemoryLimit: Int
    private let directory: String
    private var buffer = Data()
    private var fileDescriptor: Int32 = -1
    private(set) var filePath: String?
    private(set) var size = 0

    init(limit: Int, inMemoryLimit: Int, directory: String) {
        self.limit = limit
        self.inMemoryLimit = inMemoryLimit
        self.directory = directory
    }

    deinit {
        closeFile()
        removeFile()
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws -> Outcome {
        guard size + bytes.count <= limit else { return .overLimit }
        size += bytes.count
        if fileDescriptor < 0 && buffer.count + bytes.count <= inMemoryLimit {
            buffer.append(contentsOf: bytes)
            return .accepted
        }
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

    func removeFile() {
        if let filePath { unlink(filePath) }
        filePath = nil
    }

    private func openFile() throws {
        var template = Array((directory + "/suivi-upload-XXXXXX").utf8CString)
        var descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if descriptor < 0 && errno == ENOENT {
            // The spool directory was removed under the running server (a
            // temporary-file cleaner): make it again rather than refuse every
            // large body until a restart.
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            template = Array((directory + "/suivi-upload-XXXXXX").utf8CString)
            descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        }
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        fileDescriptor = descriptor
        filePath = String(nulTerminated: template)
        let pending = buffer
        buffer = Data()
        try pending.withUnsafeBytes { try writeAll($0) }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = write(fileDescriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            offset += written
        }
    }

    private func closeFile() {
        if fileDescriptor >= 0 { close(fileDescriptor) }
        fileDescriptor = -1
    }
}
