import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Child processes (pyxform, and the tests' helpers) run to their end with
/// posix_spawn, their output read by poll. Not Foundation's `Process`: on
/// Linux its `run()` crashed now and then (a bad pointer in memmove) while
/// other threads worked, which took the whole server or test run down.
public enum ChildProcess {
    public struct Finished: Sendable {
        /// The exit status, or 128 + the signal that ended it.
        public let status: Int32
        /// Ended by a signal (the deadline's SIGKILL among them).
        public let signaled: Bool
        public let output: Data
        public let errors: Data
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `executable` (looked up in PATH when it has no slash) with
    /// `arguments`, in `directory`, `input` on its standard input, and
    /// returns once it has ended. Past `deadlineSeconds` it is killed.
    public static func run(_ executable: String, _ arguments: [String], directory: String? = nil,
                           input: Data = Data(), deadlineSeconds: Double? = nil) throws -> Finished {
        var launcher = [executable] + arguments
        if let directory { launcher = ["env", "-C", directory] + launcher }  // coreutils' env changes directory
        var inputPipe: [Int32] = [-1, -1]
        var outputPipe: [Int32] = [-1, -1]
        var errorPipe: [Int32] = [-1, -1]
        guard pipe(&inputPipe) == 0 else { throw Failure(description: "pipe: errno \(errno)") }
        guard pipe(&outputPipe) == 0 else {
            closeAll(inputPipe)
            throw Failure(description: "pipe: errno \(errno)")
        }
        guard pipe(&errorPipe) == 0 else {
            closeAll(inputPipe + outputPipe)
            throw Failure(description: "pipe: errno \(errno)")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inputPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errorPipe[1], 2)
        for descriptor in inputPipe + outputPipe + errorPipe { posix_spawn_file_actions_addclose(&actions, descriptor) }

        let cArguments: [UnsafeMutablePointer<CChar>?] = launcher.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        var pid: pid_t = 0
        let spawned = cArguments.withUnsafeBufferPointer { argv in
            posix_spawnp(&pid, launcher[0], &actions, nil, argv.baseAddress!, environ)
        }
        close(inputPipe[0])
        close(outputPipe[1])
        close(errorPipe[1])
        guard spawned == 0 else {
            closeAll([inputPipe[1], outputPipe[0], errorPipe[0]])
            throw Failure(description: "cannot start \(executable): errno \(spawned)")
        }
        // Small inputs only (a password, a few lines): written before reading.
        input.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(inputPipe[1], bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { break }
                offset += written
            }
        }
        close(inputPipe[1])

        let started = DispatchTime.now().uptimeNanoseconds
        var output = Data()
        var errors = Data()
        var open: [Int32] = [outputPipe[0], errorPipe[0]]
        var killed = false
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty {
            var descriptors = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&descriptors, nfds_t(descriptors.count), 100)
            if ready < 0 && errno != EINTR { break }
            for entry in descriptors where entry.revents != 0 {
                let count = read(entry.fd, &buffer, buffer.count)
                if count > 0 {
                    if entry.fd == outputPipe[0] { output.append(buffer, count: count) } else { errors.append(buffer, count: count) }
                } else if count == 0 || errno != EINTR {
                    close(entry.fd)
                    open.removeAll { $0 == entry.fd }
                }
            }
            if let deadlineSeconds, !killed,
               Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 > deadlineSeconds {
                kill(pid, SIGKILL)
                killed = true
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return Finished(status: signal == 0 ? (status >> 8) & 0xff : 128 + signal, signaled: signal != 0,
                        output: output, errors: errors)
    }

    private static func closeAll(_ descriptors: [Int32]) {
        for descriptor in descriptors where descriptor >= 0 { close(descriptor) }
    }

    // Long-running children the tests start and stop themselves (`suivi
    // serve`) still use Foundation's Process: launched one at a time.
    private static let launching = NSLock()

    public static func run(_ process: Process) throws {
        launching.lock()
        defer { launching.unlock() }
        try process.run()
    }

    /// Waits without a run loop. Read its pipes first: a child writing to a
    /// full pipe never ends.
    public static func wait(_ process: Process) {
        while process.isRunning { usleep(5_000) }
    }
}
