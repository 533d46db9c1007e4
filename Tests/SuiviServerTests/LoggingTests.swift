import Foundation
@testable import SuiviApp
import Testing

/// What the server writes to its log, as `suivi serve` writes it (logfmt).
@Suite struct LoggingTests {
    /// Issue item 10: a client-sent value (a 5,000-character form id) was
    /// logged whole, and raw control bytes (ESC) reached the log. Every value
    /// is now cut at 200 characters with a marker, and control characters
    /// are escaped, whichever handler logged them.
    @Test func clientSentValuesAreCappedAndEscapedInTheLog() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("suivi-log-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: file.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try FileHandle(forWritingTo: file)
        defer { try? output.close() }
        let formID = String(repeating: "v", count: 5000) + "%1B%5B31mrouge%1B%5B0m%0Afaux=1"
        try await withTestServer(logfmtOutput: output) { (server: TestServer) async throws in
            let records = try await server.client.get("/api/v1/submissions?form=\(formID)", headers: auth(server.adminKey))
            #expect(records.status == 404)
            let form = try await server.client.get("\(server.linkPath)/forms/\(formID).json")
            #expect(form.status == 404)
        }
        let log = try String(contentsOf: file, encoding: .utf8)
        let lines = log.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let refused = lines.filter { $0.contains("msg=\"request refused\"") && $0.contains("problem.code=404.2") }
        #expect(refused.count == 2)
        // No raw control bytes at all, and no forged line.
        #expect(!log.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(!lines.contains { $0.hasPrefix("faux") })
        for line in lines {
            #expect(line.count < 1500, "a log line of \(line.count) characters")
            #expect(line.hasPrefix("time="))
        }
        for line in refused {
            #expect(line.contains("…[+"), "\(line.prefix(300))")
            #expect(!line.contains(String(repeating: "v", count: 201)))
        }
    }

    @Test func valuesAreQuotedEscapedAndCut() {
        #expect(LogfmtLogHandler.quote("visite") == "visite")
        #expect(LogfmtLogHandler.quote("a b") == "\"a b\"")
        #expect(LogfmtLogHandler.quote("Guédiawaye") == "Guédiawaye")
        #expect(LogfmtLogHandler.quote("say \"hi\"\\") == #""say \"hi\"\\""#)
        #expect(LogfmtLogHandler.quote("\u{1b}[31m") == #""\u001b[31m""#)
        #expect(LogfmtLogHandler.quote("a\nb\rc\td") == #""a\nb\rc\td""#)
        #expect(LogfmtLogHandler.quote("\u{7f}\u{85}\u{2028}\u{202e}") == #""\u007f\u0085\u2028\u202e""#)
        let long = LogfmtLogHandler.quote(String(repeating: "é", count: 5000))
        #expect(long == "\"" + String(repeating: "é", count: 200) + "…[+4800 chars]\"")
        #expect(LogfmtLogHandler.quote(String(repeating: "a", count: 200)) == String(repeating: "a", count: 200))
        #expect(LogfmtLogHandler.quote("") == "\"\"")
    }
}
