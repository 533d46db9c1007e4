import Crypto
import Foundation
import Testing

/// OpenRosa submissions: stored once, durably, whatever the phone resends.
@Suite struct SubmissionTests {
    @Test func aVisitIsStoredAndAttributedToThePersonWhoseLinkWasUsed() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let reply = try await server.client.submit("\(server.linkPath)/submission", xml: Records.visit(instanceID: "uuid:v1"))
            #expect(reply.status == 201)
            #expect(reply.text.contains("OpenRosaResponse"))
            #expect(reply.header("X-OpenRosa-Version") == "1.0")
            let people: [Int64] = try server.query("SELECT resource_person_id FROM submissions WHERE instance_id = 'uuid:v1'")
            #expect(people == [server.personID])
            let states: [String] = try server.query("SELECT review_state || ' ' || departement_code FROM submissions")
            #expect(states == ["received guediawaye"])
        }
    }

    @Test func aResendOfTheSameRecordAnswers201AndStoresNothingNew() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let xml = Records.visit(instanceID: "uuid:resend")
            for _ in 0..<3 {
                #expect(try await server.client.submit("\(server.linkPath)/submission", xml: xml).status == 201)
            }
            let count: [Int64] = try server.query("SELECT count(*) FROM submissions")
            #expect(count == [1])
        }
    }

    @Test func theSameInstanceIDWithOtherContentIs409() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let path = "\(server.linkPath)/submission"
            #expect(try await server.client.submit(path, xml: Records.visit(instanceID: "uuid:c")).status == 201)
            let clash = try await server.client.submit(path, xml: Records.visit(instanceID: "uuid:c", overrides: ["artisan_name": "Ibrahima Fall"]))
            #expect(clash.status == 409)
            #expect(clash.text.contains("même identifiant"))
            let names: [String] = try server.query("SELECT xml FROM submissions").map { (data: Data) in String(decoding: data, as: UTF8.self) }
            #expect(names.count == 1)
            #expect(names[0].contains("Moussa Diop"))
        }
    }

    @Test func anEditThroughDeprecatedIDKeepsTheOldVersion() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let path = "\(server.linkPath)/submission"
            #expect(try await server.client.submit(path, xml: Records.visit(instanceID: "uuid:first")).status == 201)
            let edit = Records.visit(instanceID: "uuid:second", deprecatedID: "uuid:first", overrides: ["household_size": "7"])
            #expect(try await server.client.submit(path, xml: edit).status == 201)
            let rows: [String] = try server.query("SELECT instance_id || ':' || current FROM submissions ORDER BY id")
            #expect(rows == ["uuid:first:0", "uuid:second:1"])
            // Resending the edit is a plain resend.
            #expect(try await server.client.submit(path, xml: edit).status == 201)
            // A second, different edit of the same old version conflicts.
            let rival = Records.visit(instanceID: "uuid:third", deprecatedID: "uuid:first")
            let reply = try await server.client.submit(path, xml: rival)
            #expect(reply.status == 409)
            #expect(reply.header("X-Suivi-Problem") == "409.2")
            let count: [Int64] = try server.query("SELECT count(*) FROM submissions")
            #expect(count == [2])
        }
    }

    @Test func concurrentIdenticalResendsMakeExactlyOneRecord() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let xml = Records.visit(instanceID: "uuid:race")
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<24 {
                    group.addTask { try await server.client.submit("\(server.linkPath)/submission", xml: xml).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 201 })
            let count: [Int64] = try server.query("SELECT count(*) FROM submissions")
            #expect(count == [1])
        }
    }

    @Test func concurrentRivalsWithOneInstanceIDGetOne201AndThe409s() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<16 {
                    let xml = Records.visit(instanceID: "uuid:rivals", overrides: ["notes": "version \(index)"])
                    group.addTask { try await server.client.submit("\(server.linkPath)/submission", xml: xml).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1)
            #expect(statuses.filter { $0 == 409 }.count == 15)
            let count: [Int64] = try server.query("SELECT count(*) FROM submissions")
            #expect(count == [1])
        }
    }

    @Test func wrongAnswersAreKeptAndFlaggedWithTheFieldsAtFault() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let xml = Records.visit(instanceID: "uuid:flagged", overrides: [
                "household_size": "0",          // constraint . >= 1
                "sex": "unknown",               // not a choice
                "neighbourhood": "",            // required
                "phone": "12",                  // not a Senegalese number (advisory)
                "national_id": "12345",         // not 13 digits (advisory)
                "visit_date": "2023-02-30",     // not a date
            ])
            let reply = try await server.client.submit("\(server.linkPath)/submission", xml: xml)
            #expect(reply.status == 201)
            let states: [String] = try server.query("SELECT review_state FROM submissions")
            #expect(states == ["flagged"])
            let issuesJSON: [String] = try server.query("SELECT issues FROM submissions")
            let issues = try JSONSerialization.jsonObject(with: Data(issuesJSON[0].utf8)) as? [[String: String]] ?? []
            let byField = Dictionary(issues.map { ($0["field"] ?? "", $0["kind"] ?? "") }, uniquingKeysWith: { a, _ in a })
            #expect(byField["/data/household_size"] == "constraint")
            #expect(byField["/data/sex"] == "unknown_choice")
            #expect(byField["/data/neighbourhood"] == "required")
            #expect(byField["/data/phone"] == "advisory")
            #expect(byField["/data/national_id"] == "advisory")
            #expect(byField["/data/visit_date"] == "wrong_type")
            #expect(issues.count == 6)
            #expect(issues.allSatisfy { !($0["message"] ?? "").isEmpty && !($0["message_en"] ?? "").isEmpty })
        }
    }

    @Test func irrelevantQuestionsAreNotRequired() async throws {
        try await withTestServer { (server: TestServer) async throws in
            // Not joining: household size and consent are not asked.
            let xml = Records.visit(instanceID: "uuid:no-join", overrides: [
                "wants_to_join": "no", "household_size": "", "consent_contact": ""])
            #expect(try await server.client.submit("\(server.linkPath)/submission", xml: xml).status == 201)
            let states: [String] = try server.query("SELECT review_state FROM submissions")
            #expect(states == ["received"])
        }
    }

    @Test func phoneNumbersWrittenTheUsualWaysAreNotFlagged() async throws {
        try await withTestServer { (server: TestServer) async throws in
            for (index, phone) in ["77 123 45 67", "+221 77 123 45 67", "00221771234567", "221771234567", "33 822 11 22"].enumerated() {
                let xml = Records.visit(instanceID: "uuid:phone-\(index)", overrides: ["phone": phone])
                #expect(try await server.client.submit("\(server.linkPath)/submission", xml: xml).status == 201)
            }
            let states: [String] = try server.query("SELECT DISTINCT review_state FROM submissions")
            #expect(states == ["received"])
        }
    }

    @Test func attachmentsAreStoredDurablyByContentAndSplitUploadsComplete() async throws {
        try await withTestServer(extraForms: ["photo_test.xml"]) { (server: TestServer) async throws in
            let path = "\(server.linkPath)/submission"
            let xml = Records.photo(instanceID: "uuid:photo", front: "front.jpg", back: "back.jpg")
            let front = Data((0..<40_000).map { UInt8($0 % 251) })
            let back = Data((0..<30_000).map { UInt8(($0 * 7) % 253) })
            // Collect splits: first request with one file and *isIncomplete*.
            let first = try await server.client.submit(path, xml: xml, attachments: [("front.jpg", front, "image/jpeg")], incomplete: true)
            #expect(first.status == 201)
            var received: [Int64] = try server.query("SELECT attachments_received FROM submissions")
            #expect(received == [1])
            let second = try await server.client.submit(path, xml: xml, attachments: [("back.jpg", back, "image/jpeg")])
            #expect(second.status == 201)
            received = try server.query("SELECT attachments_received FROM submissions")
            #expect(received == [2])
            let expected: [Int64] = try server.query("SELECT attachments_expected FROM submissions")
            #expect(expected == [2])
            let count: [Int64] = try server.query("SELECT count(*) FROM submissions")
            #expect(count == [1])
            for data in [front, back] {
                let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
                let file = "\(server.application.configuration.attachmentsDirectory)/\(digest.prefix(2))/\(digest)"
                #expect(FileManager.default.contents(atPath: file) == data)
                let stored: [String] = try server.query("SELECT name FROM submission_attachments WHERE sha256 = '\(digest)'")
                #expect(stored.count == 1)
            }
        }
    }

    @Test func recordsFromAnOlderFormVersionAreRefusedWhenTheServerNeverHadIt() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let reply = try await server.client.submit("\(server.linkPath)/submission", xml: Records.visit(version: "1999"))
            #expect(reply.status == 409)
            #expect(reply.header("X-Suivi-Problem") == "409.3")
            #expect(reply.text.contains("Mettez les formulaires à jour"))
        }
    }

    @Test func theDatabaseIsWALWithFullSynchronousCommits() async throws {
        try await withTestServer { (server: TestServer) async throws in
            #expect(try server.application.database.synchronousSetting() == 2)
            #expect(try server.application.database.journalMode() == "wal")
        }
    }

    @Test func logsNeverHoldPersonalDataOrTokens() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let xml = Records.visit(instanceID: "uuid:private", overrides: ["artisan_name": "Ndeye Coumba Faye", "phone": "78 555 44 33"])
            #expect(try await server.client.submit("\(server.linkPath)/submission", xml: xml).status == 201)
            #expect(try await server.client.get("/key/wrong-token-value/formList").status == 403)
            let flagged = Records.visit(instanceID: "uuid:private2", overrides: ["national_id": "99"])
            #expect(try await server.client.submit("\(server.linkPath)/submission", xml: flagged).status == 201)
            let text = server.logs.all.joined(separator: "\n")
            #expect(text.contains("submission.outcome=created"))
            for secret in [server.token, "wrong-token-value", "Ndeye", "78 555 44 33", "Awa Ndiaye", "77 123 45 67", server.adminKey] {
                #expect(!text.contains(secret), "log lines contain a secret or personal value")
            }
        }
    }

    /// Security issue, item 3: a record whose `meta/deprecatedID` names
    /// another person's record (here from another département), or a record
    /// of another form, is refused with 409.4 as OpenRosa XML, and nothing
    /// changes: the old record still counts and its lead keeps its name.
    @Test func anEditOfSomeoneElsesRecordOrOfAnotherFormIsRefused() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let own = "\(server.linkPath)/submission"
            #expect(try await server.client.submit(own, xml: Records.visit(instanceID: "uuid:victim")).status == 201)
            let mbour = try server.addPerson(name: "Fatou Sarr", departement: "Mbour")
            let forged = Records.visit(instanceID: "uuid:forged", deprecatedID: "uuid:victim",
                                       overrides: ["artisan_name": "Nom Remplacé", "departement": "mbour"])
            let refused = try await server.client.submit("\(mbour)/submission", xml: forged)
            #expect(refused.status == 409)
            #expect(refused.header("X-Suivi-Problem") == "409.4")
            #expect(refused.text.contains("<OpenRosaResponse"))
            #expect(refused.text.contains("même lien"))
            // The same person's record of another form may not replace a visit either.
            let radio = TallyFixtures.radio(instanceID: "uuid:radio-edit").replacingOccurrences(
                of: "<instanceID>uuid:radio-edit</instanceID>",
                with: "<instanceID>uuid:radio-edit</instanceID><deprecatedID>uuid:victim</deprecatedID>")
            let otherForm = try await server.client.submit(own, xml: radio)
            #expect(otherForm.status == 409)
            #expect(otherForm.header("X-Suivi-Problem") == "409.4")

            let rows: [String] = try server.query("SELECT instance_id || ':' || current FROM submissions ORDER BY id")
            #expect(rows == ["uuid:victim:1"])
            let names: [String] = try server.query("SELECT name FROM leads")
            #expect(names == ["Moussa Diop"])
            let visits: [Double] = try server.query("SELECT value FROM tallies WHERE indicator_id = 'visits'")
            #expect(visits == [1])
            // The person's own edit still goes through.
            let edit = Records.visit(instanceID: "uuid:victim-2", deprecatedID: "uuid:victim", overrides: ["household_size": "8"])
            #expect(try await server.client.submit(own, xml: edit).status == 201)
            #expect(try server.query("SELECT instance_id || ':' || current FROM submissions ORDER BY id")
                    == ["uuid:victim:0", "uuid:victim-2:1"])
        }
    }
}
