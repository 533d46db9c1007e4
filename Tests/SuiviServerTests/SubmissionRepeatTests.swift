import Crypto
import Foundation
import Testing

/// Records with repeats at intake: every file named in any instance of any
/// repeat is awaited and kept, and answers inside a repeat are checked per
/// instance (`Fixtures/foyer_test.md`, converted by pyxform: a household
/// photo, members with a constraint reading `current()/../age` and a
/// question relevant by age, each member's papers in a repeat inside a
/// group, each with a photo).
@Suite struct SubmissionRepeatTests {
    struct Piece {
        let type: String
        let photo: String
    }

    struct Member {
        let name: String
        let age: String
        let sex: String
        let years: String
        var pieces: [Piece] = []
    }

    static func foyer(_ instanceID: String, photo: String, members: [Member]) -> String {
        func element(_ name: String, _ value: String) -> String {
            value.isEmpty ? "<\(name)/>" : "<\(name)>\(value)</\(name)>"
        }
        let body = members.map { member in
            "<membre>" + element("nom", member.name) + element("age", member.age) + element("sexe", member.sex)
                + element("annees_metier", member.years) + "<dossier>"
                + member.pieces.map { "<piece>" + element("piece_type", $0.type) + element("piece_photo", $0.photo) + "</piece>" }
                    .joined()
                + "</dossier></membre>"
        }.joined()
        return """
            <?xml version="1.0"?>
            <data xmlns:jr="http://openrosa.org/javarosa" id="foyer_test" version="1">\(element("photo_foyer", photo))\
            \(body)<meta><instanceID>\(instanceID)</instanceID></meta></data>
            """
    }

    static func file(_ name: String, size: Int = 3000) -> (name: String, data: Data, type: String) {
        (name, Data(name.utf8.map { $0 &* 13 } + (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }), "image/jpeg")
    }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// Three members; papers with photos in the first and third only, the
    /// third member's second paper last in the document.
    static let household = foyer("uuid:foyer-1", photo: "foyer.jpg", members: [
        Member(name: "Khady Sy", age: "34", sex: "f", years: "10",
               pieces: [Piece(type: "cni", photo: "cni-khady.jpg")]),
        Member(name: "Ousmane Sy", age: "7", sex: "m", years: ""),
        Member(name: "Awa Sy", age: "19", sex: "f", years: "2",
               pieces: [Piece(type: "extrait", photo: ""), Piece(type: "cni", photo: "cni-awa.jpg")]),
    ])
    static let files = ["foyer.jpg", "cni-khady.jpg", "cni-awa.jpg"].map { file($0) }

    @Test func aPhotoInEveryInstanceOfARepeatIsKept() async throws {
        try await withTestServer(extraForms: ["menage_test.xml"]) { server in
            // Photos in the first and third members of the household.
            let household = ExportRepeatTests.households[0]
            let reply = try await server.client.submit("\(server.linkPath)/submission", xml: household.xml,
                                                       attachments: household.photos)
            #expect(reply.status == 201, "\(reply.text)")
            let counts: [String] = try server.query(
                "SELECT attachments_expected || '/' || attachments_received FROM submissions")
            #expect(counts == ["2/2"])
            let stored: [String] = try server.query(
                "SELECT name || '=' || sha256 FROM submission_attachments ORDER BY name")
            #expect(stored == household.photos.map { "\($0.name)=\(Self.sha256($0.data))" }.sorted())
            for photo in household.photos {
                let path = server.application.configuration.attachmentsDirectory + "/"
                    + Self.sha256(photo.data).prefix(2) + "/" + Self.sha256(photo.data)
                #expect(FileManager.default.contents(atPath: path) == photo.data)
            }
        }
    }

    @Test func filesInNestedRepeatsAreAwaitedAcrossASplitUpload() async throws {
        try await withTestServer(extraForms: ["foyer_test.xml"]) { server in
            let path = "\(server.linkPath)/submission"
            // Collect splits: the household photo first, the papers' photos next.
            let first = try await server.client.submit(path, xml: Self.household, attachments: [Self.files[0]],
                                                       incomplete: true)
            #expect(first.status == 201, "\(first.text)")
            var counts: [String] = try server.query(
                "SELECT attachments_expected || '/' || attachments_received FROM submissions")
            #expect(counts == ["3/1"])
            let waiting: [String] = try server.query(
                "SELECT name FROM submission_attachments WHERE sha256 IS NULL ORDER BY name")
            #expect(waiting == ["cni-awa.jpg", "cni-khady.jpg"])

            let second = try await server.client.submit(path, xml: Self.household, attachments: Array(Self.files[1...]))
            #expect(second.status == 201, "\(second.text)")
            counts = try server.query("SELECT attachments_expected || '/' || attachments_received FROM submissions")
            #expect(counts == ["3/3"])
            let stored: [String] = try server.query(
                "SELECT name || '=' || sha256 FROM submission_attachments ORDER BY name")
            #expect(stored == Self.files.map { "\($0.name)=\(Self.sha256($0.data))" }.sorted())
            let records: [Int64] = try server.query("SELECT count(*) FROM submissions")
            #expect(records == [1])
        }
    }

    @Test func aFileTheRecordDoesNotNameIsNotKept() async throws {
        try await withTestServer(extraForms: ["foyer_test.xml"]) { server in
            let stray = Self.file("stray.jpg")
            let reply = try await server.client.submit("\(server.linkPath)/submission", xml: Self.household,
                                                       attachments: Self.files + [stray])
            #expect(reply.status == 201)
            let names: [String] = try server.query("SELECT name FROM submission_attachments ORDER BY name")
            #expect(names == ["cni-awa.jpg", "cni-khady.jpg", "foyer.jpg"])
            let path = server.application.configuration.attachmentsDirectory + "/"
                + Self.sha256(stray.data).prefix(2) + "/" + Self.sha256(stray.data)
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    /// The issues stored with a record, as `kind path`.
    static func issues(_ server: TestServer, _ instanceID: String) throws -> [String] {
        let stored: [String] = try server.query("SELECT issues FROM submissions WHERE instance_id = '\(instanceID)'")
        let list = try JSONSerialization.jsonObject(with: Data(try #require(stored.first).utf8)) as? [[String: Any]] ?? []
        return list.map { "\($0["kind"] as? String ?? "?") \($0["field"] as? String ?? "?")" }
    }

    @Test func answersInARepeatAreCheckedPerInstance() async throws {
        try await withTestServer(extraForms: ["foyer_test.xml"]) { server in
            let xml = Self.foyer("uuid:foyer-checks", photo: "", members: [
                Member(name: "Khady Sy", age: "34", sex: "f", years: "10",
                       pieces: [Piece(type: "cni", photo: ""), Piece(type: "", photo: "")]),
                // A child: the years in the trade are not asked (relevant per instance).
                Member(name: "Ousmane Sy", age: "7", sex: "x", years: ""),
                // More years in the trade than years of age: `. <= current()/../age`.
                Member(name: "Awa Sy", age: "19", sex: "f", years: "25"),
                Member(name: "Modou Sy", age: "130", sex: "m", years: "3"),
                Member(name: "Ibou Sy", age: "douze", sex: "m", years: ""),
                Member(name: "Fatou Sy", age: "40", sex: "f", years: ""),
            ])
            let reply = try await server.client.submit("\(server.linkPath)/submission", xml: xml)
            #expect(reply.status == 201)
            #expect(try Self.issues(server, "uuid:foyer-checks") == [
                "constraint /data/membre[4]/age",
                "wrong_type /data/membre[5]/age",
                "unknown_choice /data/membre[2]/sexe",
                "constraint /data/membre[3]/annees_metier",
                "required /data/membre[6]/annees_metier",
                "required /data/membre[1]/dossier/piece[2]/piece_type",
            ])
            let states: [String] = try server.query("SELECT review_state FROM submissions")
            #expect(states == ["flagged"])
        }
    }

    @Test func aRepeatWithNoInstanceAsksForNothingAndGoodInstancesPass() async throws {
        try await withTestServer(extraForms: ["foyer_test.xml"]) { server in
            let path = "\(server.linkPath)/submission"
            #expect(try await server.client.submit(path, xml: Self.foyer("uuid:foyer-empty", photo: "", members: [])).status == 201)
            #expect(try await server.client.submit(path, xml: Self.household).status == 201)
            #expect(try Self.issues(server, "uuid:foyer-empty") == [])
            #expect(try Self.issues(server, "uuid:foyer-1") == [])
            let states: [String] = try server.query("SELECT DISTINCT review_state FROM submissions")
            #expect(states == ["received"])
        }
    }

    /// The review list shows every instance of every repeat (the stored
    /// answers keep only a repeat's first), nested as in the record.
    @Test func theReviewListShowsEveryInstanceOfARepeat() async throws {
        try await withTestServer(extraForms: ["foyer_test.xml"]) { server in
            #expect(try await server.client.submit("\(server.linkPath)/submission", xml: Self.household,
                                                   attachments: Self.files).status == 201)
            #expect(try await server.client.submit("\(server.linkPath)/submission", xml: Records.visit()).status == 201)
            let reply = try await server.client.get("/api/v1/review?state=received", headers: auth(server.adminKey))
            #expect(reply.status == 200)
            let items = try #require(try reply.json()["submissions"] as? [[String: Any]])
            let household = try #require(items.first { $0["form_id"] as? String == "foyer_test" })
            let members = try #require((household["repeats"] as? [String: Any])?["membre"] as? [[String: Any]])
            #expect(members.compactMap { $0["nom"] as? String } == ["Khady Sy", "Ousmane Sy", "Awa Sy"])
            let papers = (members[2]["dossier/piece"] as? [[String: Any]])?.compactMap { $0["piece_type"] as? String }
            #expect(papers == ["extrait", "cni"])
            // A form without repeats: none.
            let visit = try #require(items.first { $0["form_id"] as? String == "visite" })
            #expect((visit["repeats"] as? [String: Any])?.isEmpty == true)
        }
    }
}
