#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A system call that failed: which call, on which path, and the errno it
/// left, read at once (any later call, even a log line, may change errno).
public struct SystemCallError: Error, Equatable, CustomStringConvertible {
    public let call: String
    public let path: String
    public let errno: Int32

    public var description: String { "\(call) \(path): \(String(cString: strerror(errno)))" }
}

/// The file system calls Suivi makes for durability (spooled bodies,
/// attachments, backups), each wrapped once: -1 becomes a thrown
/// `SystemCallError`, EINTR is retried, short writes are finished.
/// Compare swift-nio's `System.swift`.
public enum SystemCalls {
    /// Runs `body` until it is not interrupted; a negative result throws
    /// with the errno it set.
    @inline(__always)
    public static func retrying<Result: FixedWidthInteger>(_ call: String, _ path: String = "",
                                                    _ body: () -> Result) throws(SystemCallError) -> Result {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            throw SystemCallError(call: call, path: path, errno: code)
        }
    }

    /// Opens `path`, lends the descriptor to `body` and closes it on every
    /// path out: the descriptor never outlives the call.
    public static func withFile<T>(_ path: String, flags: Int32, mode: mode_t = 0o600,
                                   _ body: (Int32) throws -> T) throws -> T {
        let descriptor = try retrying("open", path) { open(path, flags | O_CLOEXEC, mode) }
        defer { close(descriptor) }
        return try body(descriptor)
    }

    /// Writes every byte, however many calls it takes.
    public static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32, path: String) throws(SystemCallError) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            offset += try retrying("write", path) { write(descriptor, base + offset, bytes.count - offset) }
        }
    }

    /// Reads up to `buffer.count` bytes; 0 at the end of the file.
    public static func readSome(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer,
                                path: String) throws(SystemCallError) -> Int {
        try retrying("read", path) { read(descriptor, buffer.baseAddress, buffer.count) }
    }

    public static func sync(_ descriptor: Int32, path: String) throws(SystemCallError) {
        _ = try retrying("fsync", path) { fsync(descriptor) }
    }

    /// fsync on a directory: makes a rename or a new name in it durable.
    public static func syncDirectory(_ path: String) throws {
        try withFile(path, flags: O_RDONLY | O_DIRECTORY) { try sync($0, path: path) }
    }

    /// A new file (never an existing one) holding `bytes`, fsynced.
    public static func createSynced(_ path: String, _ bytes: UnsafeRawBufferPointer) throws {
        try withFile(path, flags: O_WRONLY | O_CREAT | O_EXCL) { descriptor in
            try writeAll(bytes, to: descriptor, path: path)
            try sync(descriptor, path: path)
        }
    }

    public static func move(_ from: String, to: String) throws(SystemCallError) {
        _ = try retrying("rename", from) { rename(from, to) }
    }

    public static func makeDirectory(_ path: String, mode: mode_t = 0o700) throws(SystemCallError) {
        _ = try retrying("mkdir", path) { mkdir(path, mode) }
    }

    /// Gives `existing` a second name; fails with EEXIST rather than replace.
    public static func addName(_ new: String, to existing: String) throws(SystemCallError) {
        _ = try retrying("link", new) { link(existing, new) }
    }

    public static func remove(_ path: String) throws(SystemCallError) {
        _ = try retrying("unlink", path) { unlink(path) }
    }
}
