import Foundation
import SuiviBasics
import Testing

/// The `suivi` command, run as an operator would, against a running server.
@Suite struct CommandLineTests {
    static var executable: URL {
        let candidates = [".build/debug/suivi", ".build/x86_64-unknown-linux-gnu/debug/suivi"]
        return candidates.map { repositoryRoot.appendingPathComponent($0) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? repositoryRoot.appendingPathComponent(candidates[0])
    }

    /// Runs `suivi` with arguments and standard input; returns exit status and output.
    static func run(_ arguments: [String], input: String = "") throws -> (status: Int32, output: String, errors: String) {
        let finished = try ChildProcess.run(executable.path, arguments, input: Data(input.utf8))
        return (finished.status, String(decoding: finished.output, as: UTF8.self), String(decoding: finished.errors, as: UTF8.self))
    }

    /// Starts `suivi serve` on a port the system picks; returns once it
    /// says where it listens (the test fails if it never does).
    static func serve(_ arguments: [String], errors: Pipe? = nil) async throws -> (Process, UInt16) {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["serve", "--port", "0"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = errors ?? FileHandle.nullDevice
        try ChildProcess.run(process)
        let line = try await blocking { () -> String in
            var text = ""
            while !text.contains("\n") {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            return text
        }
        #expect(line.contains("listening on http://127.0.0.1:"))
        return (process, UInt16(line.split(separator: ":").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0)
    }

    /// Issue 16: `suivi form publish` beside a running server; phones see
    /// the form at their next form list, without a restart.
    @Test func formPublishWhileTheServerRunsShowsOnTheNextFormList() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let directory = server.directory.appendingPathComponent("upload")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let xlsform = directory.appendingPathComponent("marche.xlsx")
            try await FormPublishingTests.xlsform("marche").write(to: xlsform)
            let communes = directory.appendingPathComponent("communes.csv")
            try FormPublishingTests.communes.write(to: communes)
            let published = try await blocking {
                try Self.run(["form", "publish", "--db", server.databasePath, xlsform.path, "--media", communes.path])
            }
            #expect(published.status == 0, "\(published.errors)")
            #expect(published.output.contains("publié / published\tmarche\t"))
            let list = try await server.client.get("\(server.linkPath)/formList", headers: ["X-OpenRosa-Version": "1.0"]).text
            #expect(list.contains("<formID>marche</formID>") && list.contains("manifestUrl"))
            let listed = try await blocking { try Self.run(["form", "list", "--db", server.databasePath]) }
            #expect(listed.output.split(separator: "\n").contains { $0.hasPrefix("marche\t") && $0.contains("\topen\t0\tno\t") })
            // A version already published: refused with the reason, exit 1.
            let again = try await blocking {
                try Self.run(["form", "publish", "--db", server.databasePath,
                              repositoryRoot.appendingPathComponent("Forms/visite.xml").path])
            }
            #expect(again.status == 1 && again.errors.contains("déjà publiée"))
        }
    }

    @Test func personAddPrintsAWorkingLinkWhileTheServerRuns() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let result = try await blocking {
                try Self.run(["person", "add", "--db", server.databasePath, "--name", "Mame Diarra Sène",
                              "--phone", "70 111 22 33", "--departement", "keur massar"])
            }
            #expect(result.status == 0, "\(result.errors)")
            let link = result.output.split(separator: "\n").last.map(String.init) ?? ""
            #expect(link.hasPrefix("\(server.application.baseURL)/key/"))
            let token = String(link.dropFirst("\(server.application.baseURL)/key/".count))
            #expect(token.count >= 22)  // at least 128 bits in URL-safe base64
            let reply = try await server.client.get("/key/\(token)/formList")
            #expect(reply.status == 200)
            // Only the hash is stored.
            let hashes: [String] = try server.query("SELECT token_hash FROM access_links")
            #expect(!hashes.contains(token))
            #expect(hashes.allSatisfy { $0.count == 64 })
        }
    }

    @Test func personAddRefusesAnUnknownDepartement() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let result = try await blocking {
                try Self.run(["person", "add", "--db", server.databasePath, "--name", "X", "--phone", "1", "--departement", "Atlantis"])
            }
            #expect(result.status != 0)
            #expect(result.errors.contains("Département inconnu"))
        }
    }

    @Test func apikeyAddPrintsAKeyThatReadsRecords() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let result = try await blocking {
                try Self.run(["apikey", "add", "--db", server.databasePath, "--name", "tableau", "--role", "admin"])
            }
            #expect(result.status == 0, "\(result.errors)")
            let key = result.output.split(separator: "\n").last.map(String.init) ?? ""
            let reply = try await server.client.get("/api/v1/submissions?form=visite", headers: ["Authorization": "Bearer \(key)"])
            #expect(reply.status == 200)
            let wrongRole = try await blocking {
                try Self.run(["apikey", "add", "--db", server.databasePath, "--name", "x", "--role", "king"])
            }
            #expect(wrongRole.status != 0)
        }
    }

    /// Run outside the repository, `serve` names the missing folder and the
    /// option to use, not a Foundation error code.
    @Test func serveOutsideTheRepositoryNamesTheMissingFolder() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("suivi-cwd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let finished = try ChildProcess.run(Self.executable.path, ["serve", "--db", directory.appendingPathComponent("suivi.sqlite").path,
                                                                   "--port", "0"], directory: directory.path)
        let text = String(decoding: finished.errors, as: UTF8.self)
        #expect(finished.status == 2)
        #expect(text.contains("forms folder 'Forms' not found; use --forms DIR"), "\(text)")
        #expect(!text.contains("NSCocoaErrorDomain"), "\(text)")
    }

    @Test func serveStopsCleanlyOnSIGTERM() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("suivi-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (process, port) = try await Self.serve(["--db", directory.appendingPathComponent("s.sqlite").path,
                                                     "--forms", repositoryRoot.appendingPathComponent("Forms").path])
        defer { if process.isRunning { process.terminate() } }
        let health = try await TestClient(port: port).get("/healthz")
        #expect(health.status == 200)
        process.terminate()  // SIGTERM
        try await blocking { ChildProcess.wait(process) }
        #expect(process.terminationStatus == 0)
    }

    /// One bad form never stops the server (issue 15): it starts with the
    /// others and its log names the file it does not serve, and why.
    @Test func serveStartsWithTheGoodFormsAndNamesTheBadOne() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("suivi-cli-\(UUID().uuidString)")
        let forms = directory.appendingPathComponent("Forms")
        try FileManager.default.createDirectory(at: forms, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("<h:html><oops".utf8).write(to: forms.appendingPathComponent("bad.xml"))
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("Forms/causerie.xml"),
                                         to: forms.appendingPathComponent("causerie.xml"))
        let errors = Pipe()
        let (process, port) = try await Self.serve(["--db", directory.appendingPathComponent("s.sqlite").path,
                                                     "--forms", forms.path], errors: errors)
        defer { if process.isRunning { process.terminate() } }
        #expect(try await TestClient(port: port).get("/healthz").status == 200)
        process.terminate()
        try await blocking { ChildProcess.wait(process) }
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("form not served"))
        #expect(log.contains("bad.xml"))
        #expect(!log.contains("causerie.xml"))
    }
}
