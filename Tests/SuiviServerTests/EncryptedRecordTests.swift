import Crypto
import Foundation
import SuiviBasics
@testable import SuiviApp
import SuiviDomain
import Testing

/// Records of a form with `base64RsaPublicKey`, encrypted as ODK Collect
/// encrypts them by an independent implementation (Python `cryptography`,
/// `Fixtures/collect_encryption.py`), sent over OpenRosa to the real server:
/// stored whole, shown as encrypted, never tallied, and exported decrypted
/// with the form's private key.
@Suite struct EncryptedRecordTests {
    static let helper = repositoryRoot.appendingPathComponent("Tests/SuiviServerTests/Fixtures/collect_encryption.py").path

    /// A key pair and the encrypted form (the XLSForm converted by pyxform
    /// with the public key), in a temporary directory.
    struct Keys {
        let directory: URL
        let publicKey: String
        var pkcs1: String { text("private-pkcs1.pem") }
        var pkcs8: String { text("private-pkcs8.pem") }
        var otherKey: String { text("other-private.pem") }
        var form: URL { directory.appendingPathComponent("visite_chiffree.xml") }

        func text(_ name: String) -> String {
            String(decoding: FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) ?? Data(),
                   as: UTF8.self)
        }
    }

    /// What the phone sends: the envelope and the encrypted files.
    struct Sealed {
        let envelope: Data
        let xmlFile: Data
        let photoFile: Data
    }

    static func python(_ arguments: [String]) async throws -> Data {
        try await blocking {
            let finished = try ChildProcess.run("python3", [helper] + arguments)
            guard finished.status == 0 else {
                throw TestSocketError(description: "collect_encryption.py \(arguments.first ?? ""): "
                                      + String(decoding: finished.errors, as: UTF8.self))
            }
            let data = finished.output
            return data
        }
    }

    static func makeKeys() async throws -> Keys {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("suivi-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        _ = try await python(["keygen", directory.path])
        let publicKey = String(decoding: FileManager.default.contents(
            atPath: directory.appendingPathComponent("public.b64").path) ?? Data(), as: UTF8.self)
        let source = repositoryRoot.appendingPathComponent("Tests/SuiviServerTests/Fixtures/visite_chiffree.md").path
        _ = try await python(["form", source, publicKey, directory.appendingPathComponent("visite_chiffree.xml").path])
        return Keys(directory: directory, publicKey: publicKey)
    }

    static func plainRecord(instanceID: String) -> String {
        """
        <?xml version="1.0"?>
        <data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" id="visite_chiffree" \
        version="1"><artisan>Moussa Diop</artisan><household_size>9</household_size>\
        <wants_to_join>yes</wants_to_join><photo>atelier.jpg</photo>\
        <meta><instanceID>\(instanceID)</instanceID></meta></data>
        """
    }

    /// Encrypts `xml` and `photo` as Collect does, with the form's public key.
    static func seal(_ keys: Keys, instanceID: String, xml: String, photo: Data) async throws -> Sealed {
        let directory = keys.directory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(xml.utf8).write(to: directory.appendingPathComponent("submission.xml"))
        try photo.write(to: directory.appendingPathComponent("atelier.jpg"))
        _ = try await python(["encrypt", directory.path, "visite_chiffree", "1", instanceID, keys.publicKey, "atelier.jpg"])
        let out = directory.appendingPathComponent("out")
        func read(_ name: String) throws -> Data { try Data(contentsOf: out.appendingPathComponent(name)) }
        return Sealed(envelope: try read("submission.xml"), xmlFile: try read("submission.xml.enc"),
                      photoFile: try read("atelier.jpg.enc"))
    }

    static func withEncryptedForm(_ keys: Keys, _ body: (TestServer) async throws -> Void) async throws {
        try await withTestServer(configure: { configuration in
            try? FileManager.default.copyItem(
                atPath: keys.form.path,
                toPath: (configuration.formsDirectory as NSString).appendingPathComponent("visite_chiffree.xml"))
        }, body)
    }

    static func send(_ server: TestServer, _ sealed: Sealed, xmlFile: Bool = true, photo: Bool = true) async throws -> HTTPReply {
        var attachments: [(name: String, data: Data, type: String)] = []
        if photo { attachments.append(("atelier.jpg.enc", sealed.photoFile, "application/octet-stream")) }
        if xmlFile { attachments.append(("submission.xml.enc", sealed.xmlFile, "application/octet-stream")) }
        return try await server.client.submit("\(server.linkPath)/submission",
                                              xml: String(decoding: sealed.envelope, as: UTF8.self),
                                              attachments: attachments)
    }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    static func exportWithKey(_ server: TestServer, _ format: String, json key: String) async throws -> HTTPReply {
        let body = try JSONSerialization.data(withJSONObject: ["private_key": key])
        return try await server.client.request(
            "POST", "/api/v1/forms/visite_chiffree/submissions.\(format)",
            headers: ["Authorization": "Bearer \(server.adminKey)", "Content-Type": "application/json"], body: body)
    }

    @Test func anEncryptedRecordIsStoredWholeOnceAndExportedDecrypted() async throws {
        let keys = try await Self.makeKeys()
        defer { try? FileManager.default.removeItem(at: keys.directory) }
        let instanceID = "uuid:\(UUID().uuidString.lowercased())"
        let photo = Data((0..<7_000).map { _ in UInt8.random(in: 0...255) })
        let sealed = try await Self.seal(keys, instanceID: instanceID, xml: Self.plainRecord(instanceID: instanceID), photo: photo)
        try await Self.withEncryptedForm(keys) { server in
            // The form is served with its public key, as written.
            let formList = try await server.client.get("\(server.linkPath)/formList", headers: ["X-OpenRosa-Version": "1.0"])
            #expect(formList.text.contains("visite_chiffree"))
            let served = try await server.client.get("\(server.linkPath)/forms/visite_chiffree.xml")
            #expect(served.status == 200)
            #expect(served.text.contains("base64RsaPublicKey=\"\(keys.publicKey)\""))
            // An indicator counting this form's records: a plain record would add to it.
            let indicator = try await server.client.request(
                "POST", "/api/v1/indicators",
                headers: ["Authorization": "Bearer \(server.adminKey)", "Content-Type": "application/json"],
                body: Data(#"{"id": "visites_chiffrees", "name_fr": "Visites chiffrées", "name_en": "Encrypted visits", "sources": [{"form": "visite_chiffree", "aggregate": "count"}]}"#.utf8))
            #expect(indicator.status == 201, "\(indicator.text)")
            let tallyRows: [Int64] = try server.query("SELECT count(*) FROM tally_contributions")
            let leadRows: [Int64] = try server.query("SELECT count(*) FROM leads")

            // Split upload: the photo first, then the encrypted XML.
            let first = try await Self.send(server, sealed, xmlFile: false)
            #expect(first.status == 201, "\(first.text)")
            let partial: [Int64] = try server.query(
                "SELECT attachments_expected * 10 + attachments_received FROM submissions WHERE form_id = 'visite_chiffree'")
            #expect(partial == [21])
            #expect(try await Self.send(server, sealed, photo: false).status == 201)
            // A resend of everything makes no second record.
            #expect(try await Self.send(server, sealed).status == 201)
            let records: [Int64] = try server.query(
                "SELECT count(*) FROM submissions WHERE form_id = 'visite_chiffree' AND encrypted = 1")
            #expect(records == [1])
            let complete: [Int64] = try server.query(
                "SELECT attachments_received FROM submissions WHERE form_id = 'visite_chiffree'")
            #expect(complete == [2])

            // Byte for byte: the envelope as the record, each file by its SHA-256.
            let storedXML: [Data] = try server.query("SELECT xml FROM submissions WHERE form_id = 'visite_chiffree'")
            #expect(storedXML == [sealed.envelope])
            let digests: [String] = try server.query("""
                SELECT name || '=' || sha256 FROM submission_attachments ORDER BY name
                """)
            #expect(digests == ["atelier.jpg.enc=\(Self.sha256(sealed.photoFile))",
                                "submission.xml.enc=\(Self.sha256(sealed.xmlFile))"])
            let attachmentsDirectory = server.application.configuration.attachmentsDirectory
            let store = try AttachmentStore(directory: attachmentsDirectory)
            #expect(FileManager.default.contents(atPath: store.path(forSHA256: Self.sha256(sealed.photoFile))) == sealed.photoFile)

            // Counted as received, never in tallies or leads, not even by an
            // indicator added after it came (filled from stored records).
            let later = try await server.client.request(
                "POST", "/api/v1/indicators",
                headers: ["Authorization": "Bearer \(server.adminKey)", "Content-Type": "application/json"],
                body: Data(#"{"id": "visites_chiffrees_2", "name_fr": "Visites chiffrées 2", "name_en": "Encrypted visits 2", "sources": [{"form": "visite_chiffree", "aggregate": "count"}]}"#.utf8))
            #expect(later.status == 201, "\(later.text)")
            #expect(try server.query("SELECT count(*) FROM tally_contributions") as [Int64] == tallyRows)
            #expect(try server.query("SELECT count(*) FROM leads") as [Int64] == leadRows)
            let verify = try await blocking { try CommandLineTests.run(["verify", "--db", server.databasePath]) }
            #expect(verify.status == 0, "\(verify.output) \(verify.errors)")

            // The API says encrypted and shows no answers.
            let listed = try await server.client.get("/api/v1/submissions?form=visite_chiffree", headers: auth(server.adminKey))
            #expect(listed.status == 200)
            let items = try #require(try listed.json()["submissions"] as? [[String: Any]])
            #expect(items.count == 1)
            #expect(items.first?["encrypted"] as? Bool == true)
            #expect((items.first?["answers"] as? [String: Any])?.isEmpty == true)
            #expect(!listed.text.contains("Moussa"))
            let review = try await server.client.get("/api/v1/review?form=visite_chiffree", headers: auth(server.adminKey))
            #expect((try review.json()["submissions"] as? [[String: Any]])?.first?["encrypted"] as? Bool == true)

            // Without the key the export lists the record, sealed.
            let plain = try await server.client.get("/api/v1/forms/visite_chiffree/submissions.csv", headers: auth(server.adminKey))
            #expect(plain.status == 200)
            #expect(plain.header("Suivi-Row-Count") == "1")
            #expect(!plain.text.contains("Moussa"))

            // With the key (PKCS#1, JSON), every value.
            let csv = try await Self.exportWithKey(server, "csv", json: keys.pkcs1)
            #expect(csv.status == 200, "\(csv.text)")
            #expect(csv.header("Cache-Control") == "no-store")
            let rows = try CSVTable.rows(Data(csv.text.utf8))
            #expect(rows.count == 2)
            // The answers, then the KEY column (the instance id) as ODK Central ends its tables.
            #expect(rows.last?.suffix(5).dropLast() == ["Moussa Diop", "9", "yes", "atelier.jpg"])
            #expect(rows.last?.last?.hasPrefix("uuid:") == true)

            // XLSX with the PKCS#8 key sent as a multipart field.
            let (body, contentType) = MultipartPart.encode([
                MultipartPart(name: "private_key", filename: "cle.pem", contentType: "application/x-pem-file",
                              data: Data(keys.pkcs8.utf8))])
            let xlsx = try await server.client.request(
                "POST", "/api/v1/forms/visite_chiffree/submissions.xlsx",
                headers: ["Authorization": "Bearer \(server.adminKey)", "Content-Type": contentType], body: body)
            #expect(xlsx.status == 200, "\(xlsx.text)")
            let workbook = server.directory.appendingPathComponent("export.xlsx")
            try xlsx.body.write(to: workbook)
            let sheet = try JSONSerialization.jsonObject(with: try await Self.python(["xlsx", workbook.path])) as? [[String]]
            #expect(sheet?.last?.suffix(5).dropLast() == ["Moussa Diop", "9", "yes", "atelier.jpg"])

            // The photo decrypts to the bytes the phone had, signature checked.
            let document = try SubmissionDocument(xml: sealed.envelope)
            let envelope = try #require(EncryptedEnvelope(document: document))
            let opened = try RecordDecryptor(pem: keys.pkcs8).open(envelope) { name in
                let digest = name == "atelier.jpg.enc" ? Self.sha256(sealed.photoFile) : Self.sha256(sealed.xmlFile)
                return FileManager.default.contents(atPath: store.path(forSHA256: digest))
            }
            #expect(opened.media == [RecordDecryptor.MediaFile(name: "atelier.jpg", data: photo)])
            #expect(opened.submissionXML == Data(Self.plainRecord(instanceID: instanceID).utf8))
            #expect(opened.signatureChecked)

            // The key never reaches the logs.
            let keyLine = keys.pkcs1.split(separator: "\n")[1]
            #expect(!server.logs.all.contains { $0.contains(keyLine) })
        }
    }

    @Test func aWrongOrUnreadableKeyIsAClearProblem() async throws {
        let keys = try await Self.makeKeys()
        defer { try? FileManager.default.removeItem(at: keys.directory) }
        let instanceID = "uuid:\(UUID().uuidString.lowercased())"
        let sealed = try await Self.seal(keys, instanceID: instanceID, xml: Self.plainRecord(instanceID: instanceID),
                                         photo: Data("jpeg".utf8))
        try await Self.withEncryptedForm(keys) { server in
            #expect(try await Self.send(server, sealed).status == 201)
            let wrong = try await Self.exportWithKey(server, "csv", json: keys.otherKey)
            #expect(wrong.status == 400)
            #expect(try wrong.json()["code"] as? String == "400.81")
            #expect(!wrong.text.contains(keys.otherKey.split(separator: "\n")[1]))
            let garbage = try await Self.exportWithKey(server, "xlsx", json: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
            #expect(garbage.status == 400)
            #expect(try garbage.json()["code"] as? String == "400.80")
            let notPEM = try await Self.exportWithKey(server, "csv", json: "hello")
            #expect(try notPEM.json()["code"] as? String == "400.80")
        }
    }

    @Test func aTamperedFileFailsTheSignature() async throws {
        let keys = try await Self.makeKeys()
        defer { try? FileManager.default.removeItem(at: keys.directory) }
        let instanceID = "uuid:\(UUID().uuidString.lowercased())"
        let sealed = try await Self.seal(keys, instanceID: instanceID, xml: Self.plainRecord(instanceID: instanceID),
                                         photo: Data(repeating: 7, count: 64))
        let envelope = try #require(EncryptedEnvelope(document: try SubmissionDocument(xml: sealed.envelope)))
        let decryptor = try RecordDecryptor(pem: keys.pkcs1)
        // One bit changed in the first block: CFB garbles only that block
        // and the next, the padding still reads, only the signature can tell.
        var altered = sealed.photoFile
        altered[5] ^= 0x01
        #expect(throws: RecordDecryptor.Failure.corrupt("element signature does not match")) {
            try decryptor.open(envelope) { $0 == "atelier.jpg.enc" ? altered : sealed.xmlFile }
        }
        #expect(throws: RecordDecryptor.Failure.missingFile("submission.xml.enc")) {
            try decryptor.open(envelope) { $0 == "atelier.jpg.enc" ? sealed.photoFile : nil }
        }
        #expect(throws: RecordDecryptor.Failure.wrongKey) {
            try RecordDecryptor(pem: keys.otherKey).open(envelope) { _ in sealed.photoFile }
        }
    }
}
