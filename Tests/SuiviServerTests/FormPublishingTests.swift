import Foundation
import SuiviBasics
import Testing
import SuiviApp
import Logging
import ZIPFoundation
@testable import SuiviDomain

/// Issue 16: forms published from the admin, through the real server, a
/// real SQLite file and real pyxform.
@Suite struct FormPublishingTests {
    /// One of the tests' own XLSForms (Fixtures/xlsforms/make_xlsform.py), as .xlsx bytes.
    /// On a thread of its own: the test servers share Swift concurrency's two threads.
    static func xlsform(_ name: String) async throws -> Data {
        try await blocking { try makeXLSForm(name) }
    }

    private static func makeXLSForm(_ name: String) throws -> Data {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).xlsx")
        defer { try? FileManager.default.removeItem(at: output) }
        let finished = try ChildProcess.run("python3", [
            repositoryRoot.appendingPathComponent("Tests/SuiviServerTests/Fixtures/xlsforms/make_xlsform.py").path, name, output.path])
        #expect(finished.status == 0, "\(String(decoding: finished.errors, as: UTF8.self))")
        return try Data(contentsOf: output)
    }

    /// An .xlsx-shaped zip whose one sheet unpacks to 64 MiB of zeros.
    static func zipBomb() throws -> Data {
        let archive = try Archive(accessMode: .create)
        let size: Int64 = 64 << 20
        try archive.addEntry(with: "xl/worksheets/sheet1.xml", type: .file, uncompressedSize: size,
                             compressionMethod: .deflate, bufferSize: 1 << 20) { position, chunk in
            Data(count: min(chunk, Int(size - position)))
        }
        return try #require(archive.data)
    }

    static let communes = Data("name,label\nthiaroye,Thiaroye\nyeumbeul,Yeumbeul\n".utf8)
    static let logo = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<200).map { UInt8($0) })

    func upload(_ server: TestServer, _ path: String, file: (name: String, data: Data),
                media: [(name: String, data: Data)] = [], key: String? = nil) async throws -> HTTPReply {
        var parts = [MultipartPart(name: "file", filename: file.name, contentType: "application/octet-stream", data: file.data)]
        parts += media.map { MultipartPart(name: "media", filename: $0.name, contentType: nil, data: $0.data) }
        let (body, contentType) = MultipartPart.encode(parts)
        return try await server.client.request("POST", path, headers: auth(key ?? server.adminKey).merging(
            ["Content-Type": contentType]) { $1 }, body: body)
    }

    func formList(_ server: TestServer) async throws -> String {
        try await server.client.get("\(server.linkPath)/formList", headers: ["X-OpenRosa-Version": "1.0"]).text
    }

    @Test func anXLSFormIsDraftedPublishedAndServedWithItsFiles() async throws {
        try await withTestServer { server in
            let uploaded = try await upload(server, "/api/v1/forms", file: ("marche.xlsx", try await Self.xlsform("marche")),
                                            media: [("communes.csv", Self.communes), ("logo.png", Self.logo)])
            #expect(uploaded.status == 201, "\(uploaded.text)")
            let draft = try uploaded.json()
            #expect(draft["form_id"] as? String == "marche")
            let version = try #require(draft["version"] as? String)
            #expect(version.count == 14 && version.allSatisfy(\.isNumber), "a version is made when the XLSForm has none")
            #expect((draft["media"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["communes.csv", "logo.png"])
            #expect(((draft["changes"] as? [String: Any])?["added"] as? [String])?.contains("/data/metier") == true)
            #expect((draft["warnings"] as? [String])?.contains { $0.contains("image") } == true, "pyxform's warnings are shown")

            // A draft is not served to phones.
            #expect(!(try await formList(server)).contains("<formID>marche</formID>"))
            #expect(try await server.client.get("/api/v1/forms/marche/draft", headers: auth(server.adminKey)).status == 200)

            let published = try await server.client.request("POST", "/api/v1/forms/marche/draft/publish", headers: auth(server.adminKey))
            #expect(published.status == 200, "\(published.text)")
            #expect(try published.json()["state"] as? String == "open")

            // Collect's view: the list names a manifest, the manifest each file with its md5, the files are those bytes.
            let list = try await formList(server)
            #expect(list.contains("<formID>marche</formID>") && list.contains("<version>\(version)</version>"))
            #expect(list.contains("\(server.linkPath)/forms/marche/manifest</manifestUrl>"))
            let manifest = try await server.client.get("\(server.linkPath)/forms/marche/manifest", headers: ["X-OpenRosa-Version": "1.0"])
            #expect(manifest.status == 200)
            for (name, bytes) in [("communes.csv", Self.communes), ("logo.png", Self.logo)] {
                #expect(manifest.text.contains("<filename>\(name)</filename>"))
                #expect(manifest.text.contains("<hash>md5:\(md5Hex(bytes))</hash>"))
                let file = try await server.client.get("\(server.linkPath)/forms/marche/media/\(name)")
                #expect(file.status == 200 && file.body == bytes, "\(name)")
            }
            #expect(try await server.client.get("\(server.linkPath)/forms/marche/media/other.png").status == 404)
            let xform = try await server.client.get("\(server.linkPath)/forms/marche.xml")
            #expect(list.contains("<hash>md5:\(md5Hex(xform.body))</hash>"))
            #expect(xform.text.contains("version=\"\(version)\""))

            // Records of the published version come in.
            let record = """
                <data id="marche" version="\(version)"><jour>2023-03-09</jour><accueil/><commune>thiaroye</commune>\
                <metier>poterie</metier><exposants>12</exposants><meta><instanceID>uuid:marche-1</instanceID></meta></data>
                """
            #expect(try await server.client.submit("\(server.linkPath)/submission", xml: record).status == 201)
            // The commune list comes from communes.csv: an answer not in it is
            // kept and flagged, as an inline list's would be.
            let stray = record.replacingOccurrences(of: "<commune>thiaroye</commune>", with: "<commune>plateau</commune>")
                .replacingOccurrences(of: "uuid:marche-1", with: "uuid:marche-2")
            #expect(try await server.client.submit("\(server.linkPath)/submission", xml: stray).status == 201)
            let issues: [String] = try server.query("SELECT issues FROM submissions WHERE instance_id LIKE 'uuid:marche-%' ORDER BY instance_id")
            #expect(issues.count == 2)
            #expect(issues.first == "[]", "thiaroye is in communes.csv")
            #expect(issues.last?.contains("commune") == true && issues.last?.contains("unknown_choice") == true, "\(issues)")

            // A restart reads the same forms back from the database.
            let again = try SuiviApplication(configuration: server.application.configuration, logger: Logger(label: "second"))
            let reread = try #require(again.forms.currentForm("marche"))
            #expect(reread.version == version && reread.media.count == 2 && reread.state == .open)
        }
    }

    /// Issue 15: cascading selects (inline and from a CSV, in a repeat too)
    /// are checked against the record's own answers.
    @Test func cascadingSelectsAreCheckedAgainstTheRecordsOwnAnswers() async throws {
        try await withTestServer { server in
            let communes = Data("name,label,departement\nthiaroye,Thiaroye,pikine\nbargny,Bargny,rufisque\nsaly,Saly,mbour\n".utf8)
            let uploaded = try await upload(server, "/api/v1/forms", file: ("cascade.xlsx", try await Self.xlsform("cascade")),
                                            media: [("communes_dept.csv", communes)])
            #expect(uploaded.status == 201, "\(uploaded.text)")
            #expect(try await server.client.request("POST", "/api/v1/forms/cascade/draft/publish",
                                                    headers: auth(server.adminKey)).status == 200)
            func send(_ id: String, _ region: String, _ departement: String, _ commune: String,
                      stands: [(String, String)]) async throws {
                let standXML = stands.map {
                    "<stand><region_stand>\($0.0)</region_stand><departement_stand>\($0.1)</departement_stand></stand>"
                }.joined()
                let record = """
                    <data id="cascade" version="1"><region>\(region)</region><departement>\(departement)</departement>\
                    <commune>\(commune)</commune>\(standXML)<meta><instanceID>uuid:cascade-\(id)</instanceID></meta></data>
                    """
                #expect(try await server.client.submit("\(server.linkPath)/submission", xml: record).status == 201)
            }
            try await send("1", "dakar", "rufisque", "bargny", stands: [("thies", "mbour"), ("dakar", "pikine")])
            try await send("2", "thies", "rufisque", "saly", stands: [("dakar", "pikine"), ("dakar", "mbour")])
            let issues: [String] = try server.query(
                "SELECT issues FROM submissions WHERE instance_id LIKE 'uuid:cascade-%' ORDER BY instance_id")
            #expect(!issues[0].contains("unknown_choice"), "\(issues[0])")
            // Rufisque is not of Thiès, Saly not of Rufisque, Mbour not of the second stall's Dakar.
            let flagged = try JSONSerialization.jsonObject(with: Data(issues[1].utf8)) as? [[String: Any]] ?? []
            #expect(flagged.filter { $0["kind"] as? String == "unknown_choice" }.compactMap { $0["field"] as? String }
                    == ["/data/departement", "/data/commune", "/data/stand[2]/departement_stand"], "\(issues[1])")

            // The web form gets the prepared filter and each item's fields.
            let catalogue = try await server.client.get("/api/v1/forms", headers: auth(server.adminKey)).json()
            let form = try #require((catalogue["forms"] as? [[String: Any]])?.first { $0["id"] as? String == "cascade" })
            let fields = try #require(form["fields"] as? [[String: Any]])
            let commune = try #require(fields.first { $0["path"] as? String == "/data/commune" })
            #expect(commune["choice_filter"] as? String == "((/__choice_item__/departement = /data/departement))")
            #expect(((commune["choices"] as? [[String: Any]])?.first?["fields"] as? [String: String])?["departement"] == "pikine")
            let region = try #require(fields.first { $0["path"] as? String == "/data/region" })
            #expect(region["choice_filter"] is NSNull)

            // Three languages read from the itext; labelled exports pick theirs, never Wolof for English.
            #expect(form["languages"] as? [String] == ["Français (fr)", "English (en)", "Wolof (wo)"])
            #expect((region["labels"] as? [String: String])?["Wolof (wo)"] == "Diwaan")
            #expect(((region["choices"] as? [[String: Any]])?.last?["labels"] as? [String: String])?["Wolof (wo)"] == "Kees")
            // A resend: no second record, no new rows.
            try await send("2", "thies", "rufisque", "saly", stands: [("dakar", "pikine"), ("dakar", "mbour")])
            for (language, thies, header, stall) in [("en", "Thies", "Region", "Stall region"), ("fr", "Thiès", "Région", "Région du stand")] {
                let reply = try await server.client.get("/api/v1/forms/cascade/submissions.csv.zip?values=labels&lang=\(language)",
                                                        headers: auth(server.adminKey))
                #expect(reply.status == 200)
                let files = try await ExternalReader.read(.zip, reply.body)
                let records = try #require(files.tables["cascade.csv"])
                let regionColumn = try #require(records.first?.firstIndex(of: header), "\(records.first ?? [])")
                #expect(records.dropFirst().map { $0[regionColumn] } == ["Dakar", thies])
                let stands = try #require(files.tables["cascade-stand.csv"])
                let standColumn = try #require(stands.first?.firstIndex(of: stall), "\(stands.first ?? [])")
                #expect(stands.dropFirst().map { $0[standColumn] } == [thies, "Dakar", "Dakar", "Dakar"])
                #expect(records.count == 3)
            }
        }
    }

    @Test func aNewVersionOfAShippedFormReplacesItWithoutARestart() async throws {
        try await withTestServer { server in
            let shipped = try String(contentsOf: repositoryRoot.appendingPathComponent("Forms/causerie.xml"), encoding: .utf8)
            let oldVersion = try #require(server.application.forms.currentForm("causerie")?.version)
            // Same version, changed content: refused, nothing half-published.
            let sameVersion = shipped.replacingOccurrences(of: "<h:title>", with: "<h:title>Nouvelle ")
            let refused = try await upload(server, "/api/v1/forms/causerie/draft", file: ("causerie.xml", Data(sameVersion.utf8)))
            #expect(refused.status == 409)
            #expect(try refused.json()["code"] as? String == "409.51")
            #expect(try await server.client.get("/api/v1/forms/causerie/draft", headers: auth(server.adminKey)).status == 404)

            let newVersion = sameVersion.replacingOccurrences(of: "version=\"\(oldVersion)\"", with: "version=\"\(oldVersion)-b\"")
            let drafted = try await upload(server, "/api/v1/forms/causerie/draft", file: ("causerie.xml", Data(newVersion.utf8)))
            #expect(drafted.status == 201, "\(drafted.text)")
            #expect(try drafted.json()["published_version"] as? String == oldVersion)
            #expect(try await server.client.request("POST", "/api/v1/forms/causerie/draft/publish", headers: auth(server.adminKey)).status == 200)
            let list = try await formList(server)
            #expect(list.contains("<version>\(oldVersion)-b</version>"))
            #expect(server.application.forms.form("causerie", version: oldVersion) != nil, "old versions stay readable")
            let audit: [String] = try server.query("SELECT action FROM audit_log WHERE target_id = 'causerie' ORDER BY id")
            #expect(audit.suffix(2) == ["form.draft", "form.publish"])
        }
    }

    /// One export holds every version's records, with every version's
    /// questions: a question the new version drops keeps its column and the
    /// old records' answers (as ODK Central's union of fields).
    @Test func oneExportAcrossVersionsKeepsEveryQuestion() async throws {
        try await withTestServer { server in
            let oldVersion = try #require(server.application.forms.currentForm("causerie")?.version)
            let first = "uuid:\(UUID().uuidString.lowercased())"
            let sent = try await server.client.submit("\(server.linkPath)/submission",
                                                      xml: DraftTestTests.causerie(version: oldVersion, instanceID: first))
            #expect(sent.status == 201, "\(sent.text)")
            // Version b: no more `place` question.
            var xform = try String(contentsOf: repositoryRoot.appendingPathComponent("Forms/causerie.xml"), encoding: .utf8)
            for (pattern, replacement) in [
                (#"<place/>"#, ""), (#"<bind nodeset="/data/place"[^>]*/>"#, ""),
                (#"<input ref="/data/place">[\s\S]*?</input>"#, ""), (#"concat\( /data/place , ' - ',  "#, "concat("),
                ("version=\"\(oldVersion)\"", "version=\"\(oldVersion)-b\""),
            ] {
                xform = xform.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
            }
            #expect(!xform.contains("/data/place\""))
            let drafted = try await upload(server, "/api/v1/forms/causerie/draft", file: ("causerie.xml", Data(xform.utf8)))
            #expect(drafted.status == 201, "\(drafted.text)")
            #expect(try await server.client.request("POST", "/api/v1/forms/causerie/draft/publish",
                                                    headers: auth(server.adminKey)).status == 200)
            let second = "uuid:\(UUID().uuidString.lowercased())"
            let newer = DraftTestTests.causerie(version: "\(oldVersion)-b", instanceID: second)
                .replacingOccurrences(of: "<place>Marché Thiaroye</place>", with: "")
            #expect(try await server.client.submit("\(server.linkPath)/submission", xml: newer).status == 201)

            let export = try await server.client.get("/api/v1/forms/causerie/submissions.csv", headers: auth(server.adminKey))
            let rows = try CSVTable.rows(Data(export.text.utf8))
            try #require(rows.count == 3, "\(rows)")
            let place = try #require(rows[0].firstIndex(of: "Lieu de la causerie") ?? rows[0].firstIndex { $0.lowercased().contains("lieu") },
                                     "the dropped question keeps its column: \(rows[0])")
            let byInstance = Dictionary(uniqueKeysWithValues: rows.dropFirst().map { ($0[1], $0) })
            #expect(byInstance[first]?[place] == "Marché Thiaroye")
            #expect(byInstance[second]?[place] == "")
        }
    }

    @Test func badUploadsAreRefusedWithTheirReason() async throws {
        try await withTestServer { server in
            let broken = try await upload(server, "/api/v1/forms", file: ("marche.xlsx", try await Self.xlsform("marche_broken")))
            #expect(broken.status == 400)
            let problem = try broken.json()
            #expect(problem["code"] as? String == "400.61")
            #expect((problem["message"] as? String)?.contains("metiers_absents") == true, "pyxform's own message: \(problem)")

            let clash = try await upload(server, "/api/v1/forms", file: ("visite.xml",
                try Data(contentsOf: repositoryRoot.appendingPathComponent("Forms/visite.xml"))))
            let clashCode = try clash.json()["code"] as? String
            #expect(clash.status == 409 && clashCode == "409.50")

            let notAForm = try await upload(server, "/api/v1/forms", file: ("notes.txt", Data("bonjour".utf8)))
            let notAFormCode = try notAForm.json()["code"] as? String
            #expect(notAForm.status == 400 && notAFormCode == "400.60")
            let garbage = try await upload(server, "/api/v1/forms", file: ("x.xlsx", Data("PK\u{3}\u{4}not a zip".utf8)))
            #expect(garbage.status == 400)
            // A zip bomb: a few kilobytes that unpack to 64 MB of one sheet.
            let bomb = try await upload(server, "/api/v1/forms", file: ("bombe.xlsx", try await blocking { try Self.zipBomb() }))
            #expect(bomb.status == 400, "\(bomb.text)")
            #expect(try bomb.json()["code"] as? String == "400.65")

            let pathName = try await upload(server, "/api/v1/forms", file: ("marche.xlsx", try await Self.xlsform("marche")),
                                            media: [("../communes.csv", Self.communes)])
            let pathNameCode = try pathName.json()["code"] as? String
            #expect(pathName.status == 400 && pathNameCode == "400.62")
            #expect(try await server.client.get("/api/v1/forms/marche/draft", headers: auth(server.adminKey)).status == 404,
                    "nothing half-published")
        }
    }

    @Test func closingAndClosedFormsAsCentralHasThem() async throws {
        try await withTestServer { server in
            func state(_ value: String) async throws -> Int {
                try await server.send("PATCH", "/api/v1/forms/causerie", ["state": value], key: server.adminKey).status
            }
            #expect(try await state("closing") == 200)
            #expect(!(try await formList(server)).contains("<formID>causerie</formID>"))
            #expect(try await server.client.get("\(server.linkPath)/forms/causerie.xml").status == 404)
            let version = try #require(server.application.forms.currentForm("causerie")?.version)
            func record(_ id: String) -> String {
                """
                <data id="causerie" version="\(version)"><meta><instanceID>uuid:\(id)</instanceID></meta></data>
                """
            }
            #expect(try await server.client.submit("\(server.linkPath)/submission", xml: record("c-1")).status == 201)
            #expect(try await state("closed") == 200)
            let refused = try await server.client.submit("\(server.linkPath)/submission", xml: record("c-2"))
            #expect(refused.status == 403)
            #expect(refused.text.contains("fermé"))
            #expect(try await state("archived") == 400)
            #expect(try await state("open") == 200)
            #expect((try await formList(server)).contains("<formID>causerie</formID>"))
        }
    }
}

func md5Hex(_ data: Data) -> String {
    Secrets.md5Hex(data)
}
