import Foundation
import SuiviDomain

/// Attachment files, named by the SHA-256 of their content. A file is written
/// to a temporary name, fsynced, renamed into place and its directory fsynced
/// before the database row that refers to it is committed, so an
/// acknowledged record never points at a missing file.
public struct AttachmentStore: Sendable {
    public let directory: String

    public init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory + "/tmp", withIntermediateDirectories: true)
    }

    public func path(forSHA256 digest: String) -> String {
        "\(directory)/\(digest.prefix(2))/\(digest)"
    }

    /// Writes the bytes durably and returns their SHA-256.
    public func store(_ data: Data) throws(Problem) -> String {
        let digest = Secrets.sha256Hex(data)
        let final = path(forSHA256: digest)
        if FileManager.default.fileExists(atPath: final) { return digest }
        let folder = (final as NSString).deletingLastPathComponent
        let temporary = "\(directory)/tmp/\(UUID().uuidString)"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            do {
                try Self.writeSynced(data, to: temporary)
            } catch let error as POSIXError where error.code == .ENOENT {
                // `tmp/` was removed under the running server: make it again.
                try FileManager.default.createDirectory(
                    atPath: "\(directory)/tmp", withIntermediateDirectories: true)
                try Self.writeSynced(data, to: temporary)
            }
            guard rename(temporary, final) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            try Self.syncDirectory(folder)
        } catch {
            unlink(temporary)
            throw .storageUnavailable("attachment write failed: \(error)")
        }
        return digest
    }

    private static func writeSynced(_ data: Data, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        try data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
                }
                offset += written
            }
        }
        guard fsync(descriptor) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    private static func syncDirectory(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }
}
