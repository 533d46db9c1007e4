import Crypto
import Foundation
import GRDB
import SuiviStore
import Testing

/// `suivi backup` and `suivi restore`, run as an operator would, against a
/// server that keeps receiving records.
@Suite struct BackupTests {
    @Test func aBackupTakenWhileRecordsArriveRestoresEveryAcknowledgedRecord() async throws {
        try await withTestServer(extraForms: ["photo_test.xml"]) { (server: TestServer) async throws in
            let sent = SentRecords()
            for index in 0..<10 {
                try await Self.sendPhotoRecord(server, name: "before-\(index)", into: sent)
            }
            let backup = server.directory.appendingPathComponent("backup").path
            let stop = StopFlag()
            let (result, acknowledgedBefore) = try await withThrowingTaskGroup(
                of: Void.self, returning: ((status: Int32, output: String, errors: String), [String: [String: Data]]).self
            ) { group in
                for writer in 0..<4 {
                    group.addTask {
                        var index = 0
                        while !stop.isSet {
                            try await Self.sendPhotoRecord(server, name: "during-\(writer)-\(index)", into: sent)
                            index += 1
                        }
                    }
                }
                // The backup starts only once the writers are busy.
                while sent.count < 14 { try await Task.sleep(for: .milliseconds(2)) }
                let before = sent.all
                let result: Result<(status: Int32, output: String, errors: String), any Error>
                do {
                    result = .success(try await blocking {
                        try CommandLineTests.run(["backup", "--db", server.databasePath, "--to", backup])
                    })
                } catch {
                    result = .failure(error)
                }
                stop.set()
                try await group.waitForAll()
                return (try result.get(), before)
            }
            #expect(result.status == 0, "\(result.errors)")
            #expect(result.output.contains("Sauvegarde terminée / backup complete"))
            #expect(!FileManager.default.fileExists(atPath: backup + ".partial"))
            let manifest = try Self.manifest(backup)
            #expect(manifest["format"] as? String == "suivi-backup-1")
            #expect(manifest["migrations"] as? [String] == DatabaseBackup.knownMigrations)
            let counts = manifest["row_counts"] as? [String: Int] ?? [:]
            #expect((counts["submissions"] ?? 0) >= acknowledgedBefore.count)

            let restored = server.directory.appendingPathComponent("restored/suivi.sqlite").path
            let restore = try await blocking { try CommandLineTests.run(["restore", "--from", backup, "--db", restored]) }
            #expect(restore.status == 0, "\(restore.errors)")
            #expect(restore.output.contains("Restauration terminée / restore complete"))

            let everything = sent.all
            // The writers went on during the backup.
            #expect(everything.count > acknowledgedBefore.count)
            let queue = try DatabaseQueue(path: restored)
            let (integrity, instances, attachments) = try queue.read { db in
                (try String.fetchAll(db, sql: "PRAGMA integrity_check"),
                 try String.fetchSet(db, sql: "SELECT instance_id FROM submissions"),
                 try Row.fetchAll(db, sql: """
                    SELECT s.instance_id, a.name, a.sha256 FROM submission_attachments a
                    JOIN submissions s ON s.id = a.submission_id
                    """))
            }
            try queue.close()
            #expect(integrity == ["ok"])
            #expect(Set(acknowledgedBefore.keys).isSubset(of: instances), "a record acknowledged before the backup is missing")
            #expect(instances.isSubset(of: Set(everything.keys)))
            #expect(instances.count == counts["submissions"])
            let restoredAttachments = restored + "-attachments"
            for row in attachments {
                let instance: String = row["instance_id"]
                let name: String = row["name"]
                let digest: String? = row["sha256"]
                let expected = try #require(everything[instance]?[name])
                #expect(digest == Self.sha256(expected))
                guard let digest else { continue }
                let file = "\(restoredAttachments)/\(digest.prefix(2))/\(digest)"
                #expect(FileManager.default.contents(atPath: file) == expected, "attachment \(name) of \(instance) differs")
                let live = "\(server.application.configuration.attachmentsDirectory)/\(digest.prefix(2))/\(digest)"
                #expect(FileManager.default.contents(atPath: file) == FileManager.default.contents(atPath: live))
            }
            #expect(attachments.count == 2 * instances.count)

            // The restored files are a database Suivi opens as it is.
            let reopened = try SuiviDatabase(path: restored)
            #expect(try reopened.integrityCheck() == "ok")
        }
    }

    @Test func aDamagedBackupIsRefusedWithTheReason() async throws {
        try await withTestServer(extraForms: ["photo_test.xml"]) { (server: TestServer) async throws in
            let sent = SentRecords()
            for index in 0..<3 {
                try await Self.sendPhotoRecord(server, name: "r\(index)", into: sent)
            }
            let backup = server.directory.appendingPathComponent("backup").path
            let made = try await blocking { try CommandLineTests.run(["backup", "--db", server.databasePath, "--to", backup]) }
            #expect(made.status == 0, "\(made.errors)")
            let anAttachment = try #require((try Self.manifest(backup)["attachments"] as? [[String: Any]])?.first?["sha256"] as? String)
            let attachmentFile = "attachments/\(anAttachment.prefix(2))/\(anAttachment)"

            let damages: [(what: String, expected: String, damage: (String) throws -> Void)] = [
                ("flipped bytes in the database", "does not match its manifest", { copy in
                    try Self.alter("\(copy)/suivi.sqlite") { bytes in
                        for offset in (bytes.count / 2)..<(bytes.count / 2 + 16) { bytes[offset] ^= 0xFF }
                    }
                }),
                ("a database damaged before its manifest was written", "is damaged", { copy in
                    try Self.alter("\(copy)/suivi.sqlite") { bytes in
                        let pageSize = Int(bytes[16]) << 8 | Int(bytes[17])
                        for offset in pageSize..<(2 * pageSize) { bytes[offset] = 0 }
                    }
                    try Self.editManifest(copy) { $0["database"] = try Self.databaseEntry(copy) }
                }),
                ("a migration this Suivi does not know", "newer Suivi", { copy in
                    let queue = try DatabaseQueue(path: "\(copy)/suivi.sqlite")
                    try queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('9999-future')") }
                    try queue.close()
                    try Self.editManifest(copy) { manifest in
                        manifest["database"] = try Self.databaseEntry(copy)
                        manifest["migrations"] = DatabaseBackup.knownMigrations + ["9999-future"]
                    }
                }),
                ("an edited manifest", "row counts do not match the manifest: table submissions", { copy in
                    try Self.editManifest(copy) { manifest in
                        var counts = manifest["row_counts"] as? [String: Int] ?? [:]
                        counts["submissions", default: 0] += 1
                        manifest["row_counts"] = counts
                    }
                }),
                ("a deleted attachment", "attachment missing from the backup: \(anAttachment)", { copy in
                    try FileManager.default.removeItem(atPath: "\(copy)/\(attachmentFile)")
                }),
                ("an altered attachment", "attachment damaged in the backup", { copy in
                    try Self.alter("\(copy)/\(attachmentFile)") { $0[0] ^= 0x01 }
                }),
                ("no manifest", "MANIFEST.json missing or unreadable", { copy in
                    try FileManager.default.removeItem(atPath: "\(copy)/MANIFEST.json")
                }),
            ]
            for (index, damage) in damages.enumerated() {
                let copy = server.directory.appendingPathComponent("damaged-\(index)").path
                try FileManager.default.copyItem(atPath: backup, toPath: copy)
                try damage.damage(copy)
                let target = server.directory.appendingPathComponent("target-\(index)/suivi.sqlite").path
                let result = try await blocking { try CommandLineTests.run(["restore", "--from", copy, "--db", target]) }
                #expect(result.status != 0, "\(damage.what) was accepted")
                #expect(result.errors.contains(damage.expected), "\(damage.what): \(result.errors)")
                #expect(!FileManager.default.fileExists(atPath: target), "\(damage.what) left a database")
                #expect(!FileManager.default.fileExists(atPath: target + "-attachments"))
                #expect(!FileManager.default.fileExists(atPath: target + ".restoring"))
            }
            // The undamaged backup still restores.
            let target = server.directory.appendingPathComponent("target-ok/suivi.sqlite").path
            let result = try await blocking { try CommandLineTests.run(["restore", "--from", backup, "--db", target]) }
            #expect(result.status == 0, "\(result.errors)")
        }
    }

    @Test func restoreReplacesAnExistingDatabaseOnlyWithForceAndKeepsTheOldOne() async throws {
        try await withTestServer(extraForms: ["photo_test.xml"]) { (server: TestServer) async throws in
            let sent = SentRecords()
            try await Self.sendPhotoRecord(server, name: "kept", into: sent)
            let backup = server.directory.appendingPathComponent("backup").path
            let made = try await blocking { try CommandLineTests.run(["backup", "--db", server.databasePath, "--to", backup]) }
            #expect(made.status == 0, "\(made.errors)")
            let restoredDirectory = server.directory.appendingPathComponent("restored")
            let restored = restoredDirectory.appendingPathComponent("suivi.sqlite").path
            let first = try await blocking { try CommandLineTests.run(["restore", "--from", backup, "--db", restored]) }
            #expect(first.status == 0, "\(first.errors)")
            // Work done on the restored database after the backup.
            let queue = try DatabaseQueue(path: restored)
            try await queue.write { try $0.execute(sql: "INSERT INTO settings (key, value) VALUES ('after_backup', 'yes')") }
            try queue.close()

            let refused = try await blocking { try CommandLineTests.run(["restore", "--from", backup, "--db", restored]) }
            #expect(refused.status != 0)
            #expect(refused.errors.contains("a database already exists at \(restored): add --force"))
            #expect(try Self.setting("after_backup", in: restored) == "yes")

            let forced = try await blocking { try CommandLineTests.run(["restore", "--from", backup, "--db", restored, "--force"]) }
            #expect(forced.status == 0, "\(forced.errors)")
            #expect(try Self.setting("after_backup", in: restored) == nil)
            let names = try FileManager.default.contentsOfDirectory(atPath: restoredDirectory.path)
            let oldDatabase = try #require(names.first { $0.hasPrefix("suivi.sqlite.before-restore-") && !$0.contains("-wal") && !$0.contains("-shm") })
            #expect(try Self.setting("after_backup", in: restoredDirectory.appendingPathComponent(oldDatabase).path) == "yes")
            #expect(names.contains { $0.hasPrefix("suivi.sqlite-attachments.before-restore-") })
            #expect(forced.output.contains("previous file kept"))
            let instances: [String] = try SQLiteProbe.values(restored, "SELECT instance_id FROM submissions")
            #expect(instances == Array(sent.all.keys))
        }
    }

    @Test func restoreRefusesWhileTheServerHasTheDatabaseOpen() async throws {
        try await withTestServer(extraForms: ["photo_test.xml"]) { (server: TestServer) async throws in
            let sent = SentRecords()
            try await Self.sendPhotoRecord(server, name: "one", into: sent)
            let backup = server.directory.appendingPathComponent("backup").path
            let made = try await blocking { try CommandLineTests.run(["backup", "--db", server.databasePath, "--to", backup]) }
            #expect(made.status == 0, "\(made.errors)")
            try await Self.sendPhotoRecord(server, name: "two", into: sent)
            let refused = try await blocking {
                try CommandLineTests.run(["restore", "--from", backup, "--db", server.databasePath, "--force"])
            }
            #expect(refused.status != 0)
            #expect(refused.errors.contains("is in use by another process (is the server running?)"), "\(refused.errors)")
            // Nothing was touched and the server goes on.
            let names = try FileManager.default.contentsOfDirectory(atPath: server.directory.path)
            #expect(!names.contains { $0.contains("before-restore") || $0.contains(".restoring") })
            try await Self.sendPhotoRecord(server, name: "three", into: sent)
            let count: [Int64] = try server.query("SELECT count(*) FROM submissions")
            #expect(count == [3])
        }
    }

    @Test func aFailedBackupLeavesNothingThatLooksComplete() async throws {
        try await withTestServer(extraForms: ["photo_test.xml"]) { (server: TestServer) async throws in
            let sent = SentRecords()
            try await Self.sendPhotoRecord(server, name: "one", into: sent)
            let digests: [String] = try server.query("SELECT sha256 FROM submission_attachments ORDER BY sha256")
            let lost = try #require(digests.first)
            try FileManager.default.removeItem(
                atPath: "\(server.application.configuration.attachmentsDirectory)/\(lost.prefix(2))/\(lost)")
            let backup = server.directory.appendingPathComponent("backup").path
            let failed = try await blocking { try CommandLineTests.run(["backup", "--db", server.databasePath, "--to", backup]) }
            #expect(failed.status != 0)
            #expect(failed.errors.contains("attachment referenced by a record is missing"), "\(failed.errors)")
            #expect(!FileManager.default.fileExists(atPath: backup))
            #expect(!FileManager.default.fileExists(atPath: backup + ".partial"))

            let existing = server.directory.appendingPathComponent("Forms").path
            let occupied = try await blocking { try CommandLineTests.run(["backup", "--db", server.databasePath, "--to", existing]) }
            #expect(occupied.status != 0)
            #expect(occupied.errors.contains("destination already exists"))

            let missing = server.directory.appendingPathComponent("nowhere.sqlite").path
            let nothing = try await blocking { try CommandLineTests.run(["backup", "--db", missing, "--to", backup]) }
            #expect(nothing.status != 0)
            #expect(nothing.errors.contains("database not found"))
            #expect(!FileManager.default.fileExists(atPath: missing))
            #expect(!FileManager.default.fileExists(atPath: backup + ".partial"))
        }
    }

    // MARK: Helpers

    /// Sends one photo record with two attachments (every third one shares
    /// its second picture with the others) and keeps it once acknowledged.
    static func sendPhotoRecord(_ server: TestServer, name: String, into sent: SentRecords) async throws {
        let instanceID = "uuid:\(name)"
        var generator = SystemRandomNumberGenerator()
        let front = Data(name.utf8) + Data((0..<Int.random(in: 2_000...40_000, using: &generator)).map { _ in
            UInt8.random(in: 0...255, using: &generator)
        })
        let back = name.utf8.reduce(0) { $0 + Int($1) } % 3 == 0 ? Data(repeating: 0x5A, count: 12_345) : Data("back of \(name)".utf8)
        let reply = try await server.client.submit(
            "\(server.linkPath)/submission", xml: Records.photo(instanceID: instanceID, front: "front.jpg", back: "back.jpg"),
            attachments: [("front.jpg", front, "image/jpeg"), ("back.jpg", back, "image/jpeg")])
        guard reply.status == 201 else {
            throw TestSocketError(description: "record \(name) answered \(reply.status): \(reply.text)")
        }
        sent.add(instanceID, ["front.jpg": front, "back.jpg": back])
    }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    static func manifest(_ backup: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(backup)/MANIFEST.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    static func editManifest(_ backup: String, _ edit: (inout [String: Any]) throws -> Void) throws {
        var manifest = try manifest(backup)
        try edit(&manifest)
        try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys])
            .write(to: URL(fileURLWithPath: "\(backup)/MANIFEST.json"))
    }

    /// The manifest's database entry for the file as it is now.
    static func databaseEntry(_ backup: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(backup)/suivi.sqlite"))
        return ["file": "suivi.sqlite", "size": data.count, "sha256": sha256(data)]
    }

    static func alter(_ path: String, _ change: (inout [UInt8]) -> Void) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        change(&bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func setting(_ key: String, in path: String) throws -> String? {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = ?", arguments: [key]) }
    }
}

/// Records the server acknowledged, with the attachment bytes sent.
final class SentRecords: @unchecked Sendable {
    // @unchecked: `records` is only touched under `lock`.
    private let lock = NSLock()
    private var records: [String: [String: Data]] = [:]

    func add(_ instanceID: String, _ attachments: [String: Data]) {
        lock.withLock { records[instanceID] = attachments }
    }

    var count: Int { lock.withLock { records.count } }
    var all: [String: [String: Data]] { lock.withLock { records } }
}

final class StopFlag: @unchecked Sendable {
    // @unchecked: `stopped` is only touched under `lock`.
    private let lock = NSLock()
    private var stopped = false

    func set() { lock.withLock { stopped = true } }
    var isSet: Bool { lock.withLock { stopped } }
}
