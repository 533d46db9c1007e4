import Foundation
import SuiviDomain
import SuiviBasics

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
                try data.withUnsafeBytes { try SystemCalls.createSynced(temporary, $0) }
            } catch let error as SystemCallError where error.errno == ENOENT {
                // `tmp/` was removed under the running server: make it again.
                try FileManager.default.createDirectory(
                    atPath: "\(directory)/tmp", withIntermediateDirectories: true)
                try data.withUnsafeBytes { try SystemCalls.createSynced(temporary, $0) }
            }
            try SystemCalls.move(temporary, to: final)
            try SystemCalls.syncDirectory(folder)
        } catch {
            unlink(temporary)
            throw .storageUnavailable("attachment write failed: \(error)")
        }
        return digest
    }
}
