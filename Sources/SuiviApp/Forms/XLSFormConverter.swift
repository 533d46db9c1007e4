import Foundation
import SuiviBasics
import SuiviDomain

/// Turns an XLSForm into an XForm with pyxform (PyPI), run as a child
/// process with a memory cap, a CPU cap and a wall-clock deadline: a
/// spreadsheet is untrusted input (a zip bomb in an .xlsx runs into the
/// memory cap, not into the server). One conversion at a time.
struct XLSFormConverter: Sendable {
    struct Output: Sendable {
        let xform: Data
        /// pyxform's warnings, as it words them (sheet and row included).
        let warnings: [String]
    }

    var python = "python3"
    var memoryLimitBytes = 1 << 30
    var cpuSeconds = 60
    var deadlineSeconds = 90.0

    /// Conversions are rare (a coordinator uploading a form) and heavy:
    /// one at a time bounds what they take from the machine.
    private static let oneAtATime = NSLock()

    /// Sets its limits, converts, and prints one JSON object: the XForm and
    /// warnings, or pyxform's error message.
    private static let script = """
        import json, resource, sys
        limit = int(sys.argv[2])
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CPU, (int(sys.argv[3]), int(sys.argv[3])))
        try:
            from pyxform.xls2xform import convert
            warnings = []
            result = convert(xlsform=sys.argv[1], warnings=warnings)
            json.dump({"xform": result.xform, "warnings": warnings}, sys.stdout)
        except MemoryError:
            json.dump({"limit": "memory"}, sys.stdout)
        except Exception as error:
            json.dump({"error": str(error)}, sys.stdout)
        """

    /// `fileName` keeps its extension: pyxform reads .xlsx and .xls by it.
    func convert(_ bytes: Data, fileName: String) async throws -> Output {
        try await BlockingWork.run { try convertNow(bytes, fileName: fileName) }
    }

    private func convertNow(_ bytes: Data, fileName: String) throws -> Output {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("suivi-xlsform-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let extensionName = (fileName as NSString).pathExtension.lowercased()
        let input = directory.appendingPathComponent("form.\(extensionName)")
        try bytes.write(to: input)

        Self.oneAtATime.lock()
        defer { Self.oneAtATime.unlock() }
        let finished: ChildProcess.Finished
        do {
            finished = try ChildProcess.run(python, ["-c", Self.script, input.path, String(memoryLimitBytes), String(cpuSeconds)],
                                            deadlineSeconds: deadlineSeconds)
        } catch {
            throw Problem.xlsformConversionFailed("cannot start \(python): \(error)")
        }
        if finished.signaled {
            throw Problem.xlsformConversionFailed("pyxform stopped by signal \(finished.status - 128) (deadline \(Int(deadlineSeconds)) s or CPU \(cpuSeconds) s)")
        }
        let printed = finished.output
        let standardError = finished.errors
        guard let answer = try? JSONSerialization.jsonObject(with: printed) as? [String: Any] else {
            let tail = String(decoding: standardError.suffix(400), as: UTF8.self)
            throw Problem.xlsformConversionFailed("pyxform printed no answer (exit \(finished.status)): \(tail)")
        }
        if answer["limit"] != nil {
            throw Problem.xlsformConversionFailed("pyxform ran out of its \(memoryLimitBytes >> 20) MiB")
        }
        if let message = answer["error"] as? String {
            throw Problem.xlsformRejected(String(message.prefix(2000)))
        }
        guard let xform = answer["xform"] as? String else {
            throw Problem.xlsformConversionFailed("pyxform answered without an XForm")
        }
        return Output(xform: Data(xform.utf8), warnings: (answer["warnings"] as? [String]) ?? [])
    }
}
