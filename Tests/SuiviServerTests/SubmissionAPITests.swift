import Foundation
import SuiviDomain
import SuiviStore
import Testing

/// `GET /api/v1/submissions`: authorised, scoped, paged, never cached.
@Suite struct SubmissionAPITests {
    @Test func withoutAValidKeyTheAnswerIs401() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let none = try await server.client.get("/api/v1/submissions?form=visite")
            #expect(none.status == 401)
            #expect(none.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
            let wrong = try await server.client.get("/api/v1/submissions?form=visite", headers: ["Authorization": "Bearer nope"])
            #expect(wrong.status == 401)
            #expect((try wrong.json())["message"] as? String == "Authentification requise.")
        }
    }

    @Test func viewersAndTheMembershipSystemCannotReadRecords() async throws {
        try await withTestServer { (server: TestServer) async throws in
            for role in [Role.viewer, .membership] {
                let (_, key) = try server.administration.addAPIKey(name: "k", role: role, region: nil)
                let reply = try await server.client.get("/api/v1/submissions?form=visite", headers: ["Authorization": "Bearer \(key)"])
                #expect(reply.status == 403)
            }
        }
    }

    @Test func adminsPageThroughRecordsWithAnswers() async throws {
        try await withTestServer { (server: TestServer) async throws in
            for index in 0..<5 {
                let xml = Records.visit(instanceID: "uuid:page-\(index)")
                #expect(try await server.client.submit("\(server.linkPath)/submission", xml: xml).status == 201)
            }
            let auth = ["Authorization": "Bearer \(server.adminKey)"]
            var seen: [String] = []
            var after = "0"
            for _ in 0..<5 {
                let reply = try await server.client.get("/api/v1/submissions?form=visite&limit=2&after=\(after)", headers: auth)
                #expect(reply.status == 200)
                #expect(reply.header("Cache-Control") == "no-store")
                let json = try reply.json()
                let rows = json["submissions"] as? [[String: Any]] ?? []
                seen += rows.compactMap { $0["instance_id"] as? String }
                if let first = rows.first {
                    let answers = first["answers"] as? [String: String] ?? [:]
                    #expect(answers["artisan_name"] == "Moussa Diop")
                    #expect(answers["meta/instanceID"] == first["instance_id"] as? String)
                    #expect(first["departement"] as? String == "guediawaye")
                }
                guard let next = json["next"] as? String else { break }
                after = next
            }
            #expect(seen == (0..<5).map { "uuid:page-\($0)" })
        }
    }

    @Test func regionalCoordinatorsSeeOnlyTheirRegion() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let path = "\(server.linkPath)/submission"
            #expect(try await server.client.submit(path, xml: Records.visit(instanceID: "uuid:dakar", overrides: ["departement": "pikine"])).status == 201)
            let mbour = try server.addPerson(name: "Ousmane Sarr", departement: "Mbour")
            #expect(try await server.client.submit("\(mbour)/submission", xml: Records.visit(instanceID: "uuid:thies", overrides: ["departement": "mbour"])).status == 201)
            let (_, dakar) = try server.administration.addAPIKey(name: "Dakar", role: .coordinator, region: "Dakar")
            let (_, thies) = try server.administration.addAPIKey(name: "Thiès", role: .coordinator, region: "Thiès")
            for (key, expected) in [(dakar, "uuid:dakar"), (thies, "uuid:thies"), (server.adminKey, nil)] {
                let reply = try await server.client.get("/api/v1/submissions?form=visite", headers: ["Authorization": "Bearer \(key)"])
                let ids = ((try reply.json())["submissions"] as? [[String: Any]] ?? []).compactMap { $0["instance_id"] as? String }
                if let expected {
                    #expect(ids == [expected])
                } else {
                    #expect(ids.count == 2)
                }
            }
        }
    }

    /// The bytes of a flat form's records, an answer with escapes, an issue
    /// and a `/` in them: other systems parse these, so they never move.
    @Test func aFlatRecordReadsByteForByteAsAlways() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let xml = Records.visit(instanceID: "uuid:golden", overrides: ["phone": "12", "notes": "a &amp; \"b\" / c"])
            #expect(try await server.client.submit("\(server.linkPath)/submission", xml: xml).status == 201)
            let reply = try await server.client.get("/api/v1/submissions?form=visite", headers: auth(server.adminKey))
            // As before typed responses, but for `attachments.files`, added with repeats.
            expectJSON(reply, #"{"next":null,"submissions":[{"answers":{"artisan_name":"Moussa Diop","consent_contact":"yes","departement":"guediawaye","end":"2023-03-09T09:12:00.000+00:00","household_size":"9","informed_terms":"yes","location":"14.7645 -17.3660 12 5","materials":"flyer poster","meta/instanceID":"uuid:golden","meta/instanceName":"visite","national_id":"1234567890123","neighbourhood":"Wakhinane Nimzatt","notes":"a & \"b\" / c","organisation":"OPA Couture","phone":"12","sex":"male","start":"2023-03-09T09:00:00.000+00:00","trade":"tailoring","trade_other":"","visit_date":"2023-03-09","wants_to_join":"yes"},"attachments":{"expected":0,"files":[],"received":0},"current":true,"departement":"guediawaye","deprecated_id":null,"encrypted":false,"form_id":"visite","form_version":"2026112301","id":1,"instance_id":"uuid:golden","issues":[{"field":"/data/phone","kind":"advisory","message":"Numéro de téléphone non reconnu comme un numéro sénégalais (+221 et 9 chiffres).","message_en":"Phone number is not a recognisable Senegalese number (+221 and 9 digits)."}],"received_at":"<time>","resource_person_id":1,"review_state":"flagged"}]}"#)
        }
    }

    /// Repeats as arrays of their instances, in order, nested as the form
    /// nests them; each file with the place the record names it.
    @Test func repeatsReadAsArraysOfInstancesWithTheirFiles() async throws {
        try await withTestServer(extraForms: ["foyer_test.xml"]) { (server: TestServer) async throws in
            let reply = try await server.client.submit("\(server.linkPath)/submission", xml: SubmissionRepeatTests.household,
                                                       attachments: SubmissionRepeatTests.files)
            #expect(reply.status == 201)
            let list = try await server.client.get("/api/v1/submissions?form=foyer_test", headers: auth(server.adminKey))
            #expect(list.status == 200)
            let record = try #require((try list.json()["submissions"] as? [[String: Any]])?.first)
            let answers = try #require(record["answers"] as? [String: Any])
            #expect(answers["photo_foyer"] as? String == "foyer.jpg")
            #expect(answers["meta/instanceID"] as? String == "uuid:foyer-1")
            let members = try #require(answers["membre"] as? [[String: Any]])
            #expect(members.map { $0["nom"] as? String } == ["Khady Sy", "Ousmane Sy", "Awa Sy"])
            #expect(members.map { $0["age"] as? String } == ["34", "7", "19"])
            #expect(members[1]["annees_metier"] as? String == "")
            let pieces = try #require(members[2]["dossier/piece"] as? [[String: String]])
            #expect(pieces == [["piece_type": "extrait", "piece_photo": ""], ["piece_type": "cni", "piece_photo": "cni-awa.jpg"]])
            #expect((members[0]["dossier/piece"] as? [[String: String]])?.count == 1)

            let attachments = try #require(record["attachments"] as? [String: Any])
            #expect(attachments["expected"] as? Int == 3 && attachments["received"] as? Int == 3)
            let files = try #require(attachments["files"] as? [[String: Any]])
            #expect(files.map { $0["name"] as? String } == ["foyer.jpg", "cni-khady.jpg", "cni-awa.jpg"])
            #expect(files.map { $0["field"] as? String } == [
                "/data/photo_foyer", "/data/membre[1]/dossier/piece[1]/piece_photo", "/data/membre[3]/dossier/piece[2]/piece_photo"])
            #expect(files.allSatisfy { $0["received"] as? Bool == true && $0["content_type"] as? String == "image/jpeg" })
            // Each file as the phone sent it, from the address the list gives.
            for (file, sent) in zip(files, SubmissionRepeatTests.files) {
                let url = try #require(file["url"] as? String)
                #expect(url == "/api/v1/submissions/\(record["id"] as? Int ?? 0)/attachments/\(sent.name)")
                #expect(file["size"] as? Int == sent.data.count)
                let download = try await server.client.get(url, headers: auth(server.adminKey))
                #expect(download.status == 200)
                #expect(download.body == sent.data)
                #expect(download.header("Content-Type") == "image/jpeg")
                #expect(download.header("Cache-Control") == "no-store")
                #expect(download.header("Content-Disposition") == "attachment")
                #expect(download.header("X-Content-Type-Options") == "nosniff")
            }
            let audit: [Int64] = try server.query("SELECT count(*) FROM audit_log WHERE action = 'submissions.attachment'")
            #expect(audit == [3])
        }
    }

    @Test func aFileIsServedOnlyWhenReceivedNamedAndInScope() async throws {
        try await withTestServer(extraForms: ["foyer_test.xml"]) { (server: TestServer) async throws in
            // Split upload: the papers' photos have not come yet.
            let reply = try await server.client.submit("\(server.linkPath)/submission", xml: SubmissionRepeatTests.household,
                                                       attachments: [SubmissionRepeatTests.files[0]], incomplete: true)
            #expect(reply.status == 201)
            let ids: [Int64] = try server.query("SELECT id FROM submissions")
            let id = try #require(ids.first)
            let list = try await server.client.get("/api/v1/submissions?form=foyer_test", headers: auth(server.adminKey))
            let record = try #require((try list.json()["submissions"] as? [[String: Any]])?.first)
            let files = try #require((record["attachments"] as? [String: Any])?["files"] as? [[String: Any]])
            #expect(files.map { $0["received"] as? Bool } == [true, false, false])
            #expect(files[1]["url"] is NSNull && files[1]["size"] is NSNull)

            let base = "/api/v1/submissions/\(id)/attachments"
            #expect(try await server.client.get("\(base)/foyer.jpg", headers: auth(server.adminKey)).status == 200)
            let (_, dakar) = try server.administration.addAPIKey(name: "Dakar", role: .coordinator, region: "Dakar")
            #expect(try await server.client.get("\(base)/foyer.jpg", headers: auth(dakar)).status == 200)
            let (_, thies) = try server.administration.addAPIKey(name: "Thiès", role: .coordinator, region: "Thiès")
            let (_, viewer) = try server.administration.addAPIKey(name: "v", role: .viewer, region: nil)
            for (path, key, status, code) in [
                ("\(base)/cni-khady.jpg", server.adminKey, 404, "404.24"),  // not received yet
                ("\(base)/autre.jpg", server.adminKey, 404, "404.24"),  // not named
                ("/api/v1/submissions/\(id + 1)/attachments/foyer.jpg", server.adminKey, 404, "404.24"),
                ("/api/v1/submissions/abc/attachments/foyer.jpg", server.adminKey, 404, "404.22"),
                ("\(base)/foyer.jpg", thies, 404, "404.24"),  // another region's record, as if none
                ("\(base)/foyer.jpg", viewer, 403, "403.2"),
            ] {
                let answer = try await server.client.get(path, headers: auth(key))
                #expect(answer.status == status, "\(path)")
                #expect((try answer.json())["code"] as? String == code, "\(path)")
            }
            // A record stored before files in later instances were awaited has
            // no row for them: still listed, as not received.
            try SQLiteProbe.execute(server.databasePath, "DELETE FROM submission_attachments WHERE name = 'cni-awa.jpg'")
            let again = try await server.client.get("/api/v1/submissions?form=foyer_test", headers: auth(server.adminKey))
            let listed = try #require(((try again.json()["submissions"] as? [[String: Any]])?.first?["attachments"]
                as? [String: Any])?["files"] as? [[String: Any]])
            #expect(listed.map { $0["name"] as? String } == ["foyer.jpg", "cni-khady.jpg", "cni-awa.jpg"])
            #expect(listed.map { $0["received"] as? Bool } == [true, false, false])
        }
    }

    @Test(arguments: ["form=", "form=inconnu", "form=visite&limit=0", "form=visite&limit=abc", "form=visite&after=-1"])
    func badParametersAreExplained(query: String) async throws {
        try await withTestServer { (server: TestServer) async throws in
            let reply = try await server.client.get("/api/v1/submissions?\(query)", headers: ["Authorization": "Bearer \(server.adminKey)"])
            #expect([400, 404].contains(reply.status))
            let json = try reply.json()
            #expect(json["code"] != nil)
            #expect(json["message"] != nil)
            #expect(json["message_en"] != nil)
        }
    }
}
