import Foundation
import SuiviStore
import Testing

/// Tallies kept in the record's transaction always equal a recount of the
/// records, whatever arrives: inserts, resends, edits, rejections,
/// concurrent records; and the tallies API gives each role its scope.
@Suite struct TallyTests {
    static func value(_ rows: [[String: Any]], _ indicator: String, departement: String = "Guédiawaye",
                      date: String = "2023-03-09") -> Double {
        rows.filter { $0["indicator"] as? String == indicator && $0["departement"] as? String == departement
            && $0["date"] as? String == date }
            .compactMap { ($0["value"] as? NSNumber)?.doubleValue }.reduce(0, +)
    }

    static func tallies(_ server: TestServer, key: String? = nil, query: String = "from=2023-03-01&to=2023-03-31") async throws -> [[String: Any]] {
        let reply = try await server.client.get("/api/v1/tallies?\(query)",
                                                headers: ["Authorization": "Bearer \(key ?? server.adminKey)"])
        #expect(reply.status == 200, "\(reply.text)")
        return try reply.jsonArray()
    }

    static func review(_ server: TestServer, _ id: Int64, _ state: String, key: String? = nil) async throws -> HTTPReply {
        try await server.client.request(
            "PATCH", "/api/v1/submissions/\(id)/review",
            headers: ["Authorization": "Bearer \(key ?? server.adminKey)", "Content-Type": "application/json"],
            body: Data("{\"state\":\"\(state)\",\"comment\":\"Vérifié par téléphone\"}".utf8))
    }

    static func expectRecountMatches(_ server: TestServer, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let differences = try TallyVerifier.differences(in: server.application.database)
        #expect(differences.isEmpty, "\(differences)", sourceLocation: sourceLocation)
    }

    @Test func talliesEqualARecountAfterInsertsResendsEditsAndRejections() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let path = "\(server.linkPath)/submission"
            for index in 0..<4 {
                let xml = Records.visit(instanceID: "uuid:visit-\(index)", overrides: ["wants_to_join": index < 3 ? "yes" : "no"])
                #expect(try await server.client.submit(path, xml: xml).status == 201)
            }
            #expect(try await server.client.submit(path, xml: TallyFixtures.radio(audience: "5000")).status == 201)
            #expect(try await server.client.submit(path, xml: TallyFixtures.groupTalk(men: "10", women: "15")).status == 201)
            try Self.expectRecountMatches(server)
            var rows = try await Self.tallies(server)
            #expect(Self.value(rows, "visits") == 4)
            #expect(Self.value(rows, "pre_registrations") == 3)
            #expect(Self.value(rows, "radio_audience") == 5000)
            #expect(Self.value(rows, "group_talk_participants_women") == 15)
            #expect(Self.value(rows, "people_reached") == 4 + 5000 + 10 + 15)

            // A resend changes nothing.
            let resend = Records.visit(instanceID: "uuid:visit-0", overrides: ["wants_to_join": "yes"])
            #expect([200, 201, 202].contains(try await server.client.submit(path, xml: resend).status))
            rows = try await Self.tallies(server)
            #expect(Self.value(rows, "visits") == 4)

            // An edit moves its counts: to another day and no longer a lead.
            let edit = Records.visit(instanceID: "uuid:visit-0-v2", deprecatedID: "uuid:visit-0",
                                     overrides: ["wants_to_join": "no", "visit_date": "2023-03-10"])
            #expect(try await server.client.submit(path, xml: edit).status == 201)
            try Self.expectRecountMatches(server)
            rows = try await Self.tallies(server)
            #expect(Self.value(rows, "visits") == 3)
            #expect(Self.value(rows, "visits", date: "2023-03-10") == 1)
            #expect(Self.value(rows, "pre_registrations") == 2)

            // A rejection takes the record out; lifting it counts it again.
            let ids: [Int64] = try server.query("SELECT id FROM submissions WHERE instance_id = 'uuid:visit-1'")
            #expect(try await Self.review(server, ids[0], "rejected").status == 200)
            try Self.expectRecountMatches(server)
            rows = try await Self.tallies(server)
            #expect(Self.value(rows, "visits") == 2)
            #expect(Self.value(rows, "pre_registrations") == 1)
            // Rejecting twice takes nothing more.
            #expect(try await Self.review(server, ids[0], "rejected").status == 200)
            #expect(Self.value(try await Self.tallies(server), "visits") == 2)
            #expect(try await Self.review(server, ids[0], "approved").status == 200)
            try Self.expectRecountMatches(server)
            rows = try await Self.tallies(server)
            #expect(Self.value(rows, "visits") == 3)
            #expect(Self.value(rows, "pre_registrations") == 2)

            // The edited (replaced) version stays out even if its rejection is lifted.
            let old: [Int64] = try server.query("SELECT id FROM submissions WHERE instance_id = 'uuid:visit-0'")
            #expect(try await Self.review(server, old[0], "rejected").status == 200)
            #expect(try await Self.review(server, old[0], "approved").status == 200)
            try Self.expectRecountMatches(server)
            #expect(Self.value(try await Self.tallies(server), "visits") == 3)

            let audit: [String] = try server.query("SELECT details FROM audit_log WHERE action = 'submission.review' ORDER BY id")
            #expect(audit.count == 5)
            #expect(audit.allSatisfy { !$0.contains("téléphone") })
        }
    }

    @Test func concurrentRecordsForOneDepartementAndDayAllCount() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let path = "\(server.linkPath)/submission"
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        let xml = Records.visit(instanceID: "uuid:together-\(index)", overrides: ["wants_to_join": index % 2 == 0 ? "yes" : "no"])
                        return try await server.client.submit(path, xml: xml).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 201 })
            let rows = try await Self.tallies(server)
            #expect(Self.value(rows, "visits") == 40)
            #expect(Self.value(rows, "pre_registrations") == 20)
            try Self.expectRecountMatches(server)
        }
    }

    /// Records and their edits sent together often share a group commit,
    /// where tallies are written once per batch: an edit must still take
    /// back exactly what its record added.
    @Test func editsInTheSameBatchAsTheirRecordKeepTalliesExact() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let path = "\(server.linkPath)/submission"
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<30 {
                    group.addTask {
                        let xml = Records.visit(instanceID: "uuid:pair-\(index)", overrides: ["wants_to_join": "yes"])
                        return try await server.client.submit(path, xml: xml).status
                    }
                    group.addTask {
                        let edit = Records.visit(instanceID: "uuid:pair-\(index)-v2", deprecatedID: "uuid:pair-\(index)",
                                                 overrides: ["wants_to_join": "no", "visit_date": "2023-03-10"])
                        return try await server.client.submit(path, xml: edit).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 201 })
            try Self.expectRecountMatches(server)
        }
    }

    @Test func verifyFindsATamperedTallyAndExitsNonZero() async throws {
        try await withTestServer { (server: TestServer) async throws in
            #expect(try await server.client.submit("\(server.linkPath)/submission", xml: Records.visit()).status == 201)
            let clean = try await blocking { try CommandLineTests.run(["verify", "--db", server.databasePath]) }
            #expect(clean.status == 0, "\(clean.output) \(clean.errors)")
            try TallyFixtures.execute(server.databasePath,
                                      "UPDATE tallies SET value = value + 1 WHERE indicator_id = 'visits'")
            let tampered = try await blocking { try CommandLineTests.run(["verify", "--db", server.databasePath]) }
            #expect(tampered.status == 1)
            #expect(tampered.output.contains("visits guediawaye 2023-03-09: recount 1 (1 records), tallies 2 (1 records)"))
        }
    }

    /// Reads keep days of tallies in memory (TallyDays.swift); a change made
    /// outside the server, by another connection, must still show at the
    /// next read of every call built on them.
    @Test func aTallyChangedByAnotherConnectionShowsAtTheNextRead() async throws {
        try await withTestServer { (server: TestServer) async throws in
            #expect(try await server.client.submit("\(server.linkPath)/submission", xml: Records.visit()).status == 201)
            let summary = "/api/v1/tallies/summary?from=2023-03-01&to=2023-03-31&by=departement"
            func summaryVisits() async throws -> Double {
                let reply = try await server.client.get(summary, headers: ["Authorization": "Bearer \(server.adminKey)"])
                let object = try JSONSerialization.jsonObject(with: reply.body) as? [String: Any]
                let rows = object?["rows"] as? [[String: Any]] ?? []
                return rows.filter { $0["indicator"] as? String == "visits" && $0["key"] as? String == "guediawaye" }
                    .compactMap { ($0["value"] as? NSNumber)?.doubleValue }.reduce(0, +)
            }
            // Twice each, so the second read is served from the days held.
            for _ in 0..<2 {
                #expect(Self.value(try await Self.tallies(server), "visits") == 1)
                #expect(try await summaryVisits() == 1)
            }
            try TallyFixtures.execute(server.databasePath,
                                      "UPDATE tallies SET value = value + 6 WHERE indicator_id = 'visits'")
            #expect(Self.value(try await Self.tallies(server), "visits") == 7)
            #expect(try await summaryVisits() == 7)
            try TallyFixtures.execute(server.databasePath, "DELETE FROM tallies WHERE indicator_id = 'visits'")
            #expect(Self.value(try await Self.tallies(server), "visits") == 0)
            #expect(try await summaryVisits() == 0)
            #expect(Self.value(try await Self.tallies(server), "pre_registrations") == 1)
        }
    }

    @Test func talliesAreScopedByRoleAndPlace() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let path = "\(server.linkPath)/submission"
            #expect(try await server.client.submit(path, xml: Records.visit(overrides: ["departement": "guediawaye"])).status == 201)
            let mbour = try server.addPerson(name: "Ousmane Sarr", departement: "Mbour")
            #expect(try await server.client.submit("\(mbour)/submission", xml: Records.visit(overrides: ["departement": "mbour"])).status == 201)
            let (_, viewer) = try server.administration.addAPIKey(name: "viewer", role: .viewer, region: nil)
            let (_, thies) = try server.administration.addAPIKey(name: "Thiès", role: .coordinator, region: "Thiès")
            let (_, membership) = try server.administration.addAPIKey(name: "mis", role: .membership, region: nil)

            let all = try await Self.tallies(server, key: viewer)
            #expect(Set(all.compactMap { $0["departement"] as? String }) == ["Guédiawaye", "Mbour"])
            #expect(all.allSatisfy { Set($0.keys) == ["departement", "region", "date", "indicator", "value"] })
            #expect(all.first { $0["departement"] as? String == "Mbour" }?["region"] as? String == "Thiès")

            let regional = try await Self.tallies(server, key: thies)
            #expect(Set(regional.compactMap { $0["departement"] as? String }) == ["Mbour"])

            // A département by name (any case, no accents) or by code.
            for name in ["Guédiawaye", "guediawaye", "GUEDIAWAYE"] {
                let query = "from=2023-03-09&to=2023-03-09&departement=\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
                let rows = try await Self.tallies(server, key: viewer, query: query)
                #expect(Set(rows.compactMap { $0["departement"] as? String }) == ["Guédiawaye"])
            }
            let outside = try await server.client.get("/api/v1/tallies?from=2023-03-01&to=2023-03-31&departement=pikine",
                                                      headers: ["Authorization": "Bearer \(thies)"])
            #expect(outside.status == 403)
            let mis = try await server.client.get("/api/v1/tallies?from=2023-03-01&to=2023-03-31",
                                                  headers: ["Authorization": "Bearer \(membership)"])
            #expect(mis.status == 403)
            #expect(try await server.client.get("/api/v1/tallies?from=2023-03-01&to=2023-03-31").status == 401)
            for query in ["to=2023-03-31", "from=2023-03-31&to=2023-03-01", "from=2023-02-30&to=2023-03-01",
                          "from=2020-01-01&to=2023-03-01"] {
                let bad = try await server.client.get("/api/v1/tallies?\(query)", headers: ["Authorization": "Bearer \(viewer)"])
                #expect(bad.status == 400, "\(query)")
            }
            let unknown = try await server.client.get("/api/v1/tallies?from=2023-03-01&to=2023-03-31&departement=Atlantis",
                                                      headers: ["Authorization": "Bearer \(viewer)"])
            #expect(unknown.status == 404)
            #expect((try unknown.json())["code"] as? String == "404.20")

            // Viewers read tallies, never records.
            let review = try await server.client.get("/api/v1/review", headers: ["Authorization": "Bearer \(viewer)"])
            #expect(review.status == 403)

            // Roll-ups: regions, nation.
            let regions = try await server.client.get("/api/v1/tallies/summary?from=2023-03-09&to=2023-03-09&by=region",
                                                      headers: ["Authorization": "Bearer \(viewer)"])
            let regionRows = (try regions.json())["rows"] as? [[String: Any]] ?? []
            #expect(regionRows.contains { $0["key"] as? String == "thies" && $0["indicator"] as? String == "visits" && ($0["value"] as? NSNumber)?.intValue == 1 })
            let nation = try await server.client.get("/api/v1/tallies/summary?from=2023-03-09&to=2023-03-09&by=nation",
                                                     headers: ["Authorization": "Bearer \(thies)"])
            let nationRows = (try nation.json())["rows"] as? [[String: Any]] ?? []
            #expect(nationRows.first { $0["indicator"] as? String == "visits" }?["value"] as? NSNumber == 1)
        }
    }

    /// Expected reporters are those active on the day: people added,
    /// moved or deactivated today leave a past day's report as it was.
    @Test func completenessOfAPastDayIgnoresLaterChanges() async throws {
        try await withTestServer { (server: TestServer) async throws in
            try TallyFixtures.dakarPhase(server.databasePath)
            _ = try server.addPerson(name: "Moussa Fall", departement: "Guédiawaye")
            _ = try server.addPerson(name: "Fatou Sarr", departement: "Pikine")
            try TallyFixtures.peopleActiveSince(server.databasePath, "2023-03-01")
            #expect(try await server.client.submit("\(server.linkPath)/submission", xml: Records.visit()).status == 201)
            let auth = ["Authorization": "Bearer \(server.adminKey)"]
            func expected() async throws -> [String: Int] {
                let reply = try await server.client.get("/api/v1/completeness?from=2023-03-09&to=2023-03-10", headers: auth)
                let rows = (try reply.json())["rows"] as? [[String: Any]] ?? []
                var result: [String: Int] = [:]
                for row in rows {
                    result["\(row["departement"] as? String ?? "")"] = row["expected"] as? Int
                    result["\(row["departement"] as? String ?? "")-reported"] = row["reported"] as? Int
                }
                return result
            }
            let before = try await expected()
            #expect(before == ["guediawaye": 2, "guediawaye-reported": 1, "pikine": 1, "pikine-reported": 0])

            // Today: two more in Pikine, Moussa leaves, Awa (who reported) is deactivated.
            _ = try server.addPerson(name: "Ibrahima Diop", departement: "Pikine")
            _ = try server.addPerson(name: "Khady Faye", departement: "Pikine")
            let people = try await server.client.get("/api/v1/people", headers: auth)
            let moussa = ((try people.json())["people"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "Moussa Fall" }
            let moussaID = (moussa?["id"] as? NSNumber)?.int64Value ?? 0
            for id in [moussaID, server.personID] {
                let reply = try await server.client.request(
                    "PATCH", "/api/v1/people/\(id)",
                    headers: auth.merging(["Content-Type": "application/json"]) { $1 }, body: Data(#"{"active":false}"#.utf8))
                #expect(reply.status == 200, "\(reply.text)")
            }
            #expect(try await expected() == before)
        }
    }

    @Test func completenessWithAndWithoutReports() async throws {
        try await withTestServer { (server: TestServer) async throws in
            try TallyFixtures.dakarPhase(server.databasePath)
            // Guédiawaye: Awa (the test person) and Moussa; only Awa reports on the 9th.
            _ = try server.addPerson(name: "Moussa Fall", departement: "Guédiawaye")
            _ = try server.addPerson(name: "Fatou Sarr", departement: "Pikine")
            try TallyFixtures.peopleActiveSince(server.databasePath, "2023-03-01")
            let auth = ["Authorization": "Bearer \(server.adminKey)"]
            var reply = try await server.client.get("/api/v1/completeness?from=2023-03-09&to=2023-03-10", headers: auth)
            var rows = (try reply.json())["rows"] as? [[String: Any]] ?? []
            #expect(rows.count == 2)
            #expect(rows.allSatisfy { $0["status"] as? String == "no_data" && $0["label_fr"] as? String == "n'a pas fourni de statistiques" })

            #expect(try await server.client.submit("\(server.linkPath)/submission", xml: Records.visit()).status == 201)
            reply = try await server.client.get("/api/v1/completeness?from=2023-03-09&to=2023-03-10", headers: auth)
            rows = (try reply.json())["rows"] as? [[String: Any]] ?? []
            let guediawaye = rows.first { $0["departement"] as? String == "guediawaye" }
            #expect(guediawaye?["date"] as? String == "2023-03-09")
            #expect(guediawaye?["expected"] as? Int == 2)
            #expect(guediawaye?["reported"] as? Int == 1)
            #expect(guediawaye?["status"] as? String == "partial")
            let pikine = rows.first { $0["departement"] as? String == "pikine" }
            #expect(pikine?["expected"] as? Int == 1)
            #expect(pikine?["status"] as? String == "no_data")

            // Targets: visits in Guédiawaye 1 of 160 over the phase.
            reply = try await server.client.get("/api/v1/targets/progress?date=2023-03-11&departement=guediawaye", headers: auth)
            let progress = try reply.json()
            let visits = (progress["rows"] as? [[String: Any]] ?? []).first { $0["indicator"] as? String == "visits" }
            #expect(visits?["target"] as? NSNumber == 160)
            #expect(visits?["milestone"] as? NSNumber == 80)
            #expect(visits?["actual"] as? NSNumber == 1)
            #expect((visits?["percentage"] as? NSNumber)?.doubleValue == 0.6)
        }
    }

    @Test func reviewListsFlaggedRecordsFirstWithinScope() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let path = "\(server.linkPath)/submission"
            #expect(try await server.client.submit(path, xml: Records.visit(instanceID: "uuid:fine")).status == 201)
            // A phone number too short is flagged by the server's checks, never refused.
            #expect(try await server.client.submit(path, xml: Records.visit(instanceID: "uuid:odd", overrides: ["phone": "12"])).status == 201)
            #expect(try await server.client.submit(path, xml: Records.visit(instanceID: "uuid:later")).status == 201)
            let auth = ["Authorization": "Bearer \(server.adminKey)"]
            let reply = try await server.client.get("/api/v1/review", headers: auth)
            #expect(reply.header("Cache-Control") == "no-store")
            let rows = (try reply.json())["submissions"] as? [[String: Any]] ?? []
            #expect(rows.first?["instance_id"] as? String == "uuid:odd")
            #expect(rows.first?["review_state"] as? String == "flagged")
            #expect(rows.dropFirst().compactMap { $0["instance_id"] as? String } == ["uuid:later", "uuid:fine"])

            let (_, thies) = try server.administration.addAPIKey(name: "Thiès", role: .coordinator, region: "Thiès")
            let id = try #require(rows.first?["id"] as? Int)
            #expect(try await Self.review(server, Int64(id), "rejected", key: thies).status == 404)
            let (_, viewer) = try server.administration.addAPIKey(name: "viewer", role: .viewer, region: nil)
            #expect(try await Self.review(server, Int64(id), "rejected", key: viewer).status == 403)
            let bad = try await server.client.request(
                "PATCH", "/api/v1/submissions/\(id)/review", headers: auth.merging(["Content-Type": "application/json"]) { $1 },
                body: Data("{\"state\":\"deleted\"}".utf8))
            #expect(bad.status == 400)
            #expect(try await Self.review(server, Int64(id), "has_issues").status == 200)
            let state: [String] = try server.query("SELECT review_state FROM submissions WHERE instance_id = 'uuid:odd'")
            #expect(state == ["has_issues"])

            // Undo ("received" or "flagged"): not reviewed any more; the
            // server, which knows the checks found something, flags it again.
            for undo in ["received", "flagged"] {
                #expect(try await Self.review(server, Int64(id), "rejected").status == 200)
                let undone = try await Self.review(server, Int64(id), undo)
                #expect(undone.status == 200)
                #expect(try undone.json()["review_state"] as? String == "flagged")
                #expect(try undone.json()["previous_state"] as? String == "rejected")
                let unreviewed: [Int64] = try server.query(
                    "SELECT count(*) FROM submissions WHERE instance_id = 'uuid:odd' AND reviewed_at IS NULL AND reviewed_by IS NULL")
                #expect(unreviewed == [1])
                try Self.expectRecountMatches(server)
            }
            let fine: [Int64] = try server.query("SELECT id FROM submissions WHERE instance_id = 'uuid:fine'")
            #expect(try await Self.review(server, fine[0], "approved").status == 200)
            #expect(try await Self.review(server, fine[0], "received").json()["review_state"] as? String == "received")
        }
    }

    @Test func anIndicatorAddedLaterCountsTheStoredRecords() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let path = "\(server.linkPath)/submission"
            #expect(try await server.client.submit(path, xml: Records.visit(overrides: ["sex": "female"])).status == 201)
            #expect(try await server.client.submit(path, xml: Records.visit(overrides: ["sex": "male"])).status == 201)
            #expect(try await server.client.submit(path, xml: TallyFixtures.groupTalk(men: "4", women: "9")).status == 201)
            let auth = ["Authorization": "Bearer \(server.adminKey)", "Content-Type": "application/json"]
            let body = """
                {"id": "women_reached", "name_fr": "Femmes touchées", "name_en": "Women reached",
                 "sources": [{"form": "visite", "filter_field": "sex", "filter_value": "female", "aggregate": "count"},
                             {"form": "causerie", "aggregate": "sum", "sum_field": "participants_women"}]}
                """
            let created = try await server.client.request("POST", "/api/v1/indicators", headers: auth, body: Data(body.utf8))
            #expect(created.status == 201, "\(created.text)")
            #expect((try created.json())["records_counted"] as? Int == 2)
            #expect(Self.value(try await Self.tallies(server), "women_reached") == 10)
            // New records count into it at once.
            #expect(try await server.client.submit(path, xml: Records.visit(overrides: ["sex": "female"])).status == 201)
            #expect(Self.value(try await Self.tallies(server), "women_reached") == 11)
            try Self.expectRecountMatches(server)

            let again = try await server.client.request("POST", "/api/v1/indicators", headers: auth, body: Data(body.utf8))
            #expect(again.status == 409)
            let wrongField = body.replacingOccurrences(of: "\"women_reached\"", with: "\"other\"")
                .replacingOccurrences(of: "participants_women", with: "participantes")
            let refused = try await server.client.request("POST", "/api/v1/indicators", headers: auth, body: Data(wrongField.utf8))
            #expect(refused.status == 400)
            #expect((try refused.json())["field"] as? String == "sources[1].sum_field")

            let (_, viewer) = try server.administration.addAPIKey(name: "viewer", role: .viewer, region: nil)
            let listed = try await server.client.get("/api/v1/indicators", headers: ["Authorization": "Bearer \(viewer)"])
            let ids = ((try listed.json())["indicators"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            // The eight shipped, memberships (reported back by the membership system) and the new one.
            #expect(ids.contains("women_reached") && ids.contains("visits") && ids.contains("memberships") && ids.count == 10)
            let forbidden = try await server.client.request(
                "POST", "/api/v1/indicators", headers: ["Authorization": "Bearer \(viewer)", "Content-Type": "application/json"],
                body: Data(body.utf8))
            #expect(forbidden.status == 403)
        }
    }

    /// An indicator switched off leaves the tallies and stops counting; on
    /// again, it counts every stored record, those sent meanwhile included.
    @Test func anIndicatorSwitchedOffAndOnAgainCountsEveryStoredRecord() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let path = "\(server.linkPath)/submission"
            let auth = ["Authorization": "Bearer \(server.adminKey)", "Content-Type": "application/json"]
            func switchTo(_ active: Bool, _ id: String = "pre_registrations", headers: [String: String]? = nil) async throws -> HTTPReply {
                try await server.client.request("PATCH", "/api/v1/indicators/\(id)", headers: headers ?? auth,
                                                body: Data("{\"active\": \(active)}".utf8))
            }
            #expect(try await server.client.submit(path, xml: Records.visit(overrides: ["wants_to_join": "yes"])).status == 201)
            #expect(Self.value(try await Self.tallies(server), "pre_registrations") == 1)

            let off = try await switchTo(false)
            #expect(off.status == 200, "\(off.text)")
            #expect((try off.json())["active"] as? Bool == false)
            #expect(Self.value(try await Self.tallies(server), "pre_registrations") == 0)
            #expect(try await server.client.submit(path, xml: Records.visit(instanceID: "uuid:while-off",
                                                                             overrides: ["wants_to_join": "yes"])).status == 201)
            #expect(Self.value(try await Self.tallies(server), "pre_registrations") == 0)
            #expect(Self.value(try await Self.tallies(server), "visits") == 2)
            try Self.expectRecountMatches(server)
            #expect(try await switchTo(false).status == 200)

            let on = try await switchTo(true)
            #expect(on.status == 200, "\(on.text)")
            #expect((try on.json())["records_counted"] as? Int == 2)
            #expect(Self.value(try await Self.tallies(server), "pre_registrations") == 2)
            try Self.expectRecountMatches(server)

            let memberships = try await switchTo(false, "memberships")
            #expect(memberships.status == 409)
            #expect((try memberships.json())["field"] as? String == "active")
            #expect(try await switchTo(false, "unknown_one").status == 404)
            let notBoolean = try await server.client.request("PATCH", "/api/v1/indicators/visits", headers: auth,
                                                             body: Data("{\"active\": 0}".utf8))
            #expect(notBoolean.status == 400)
            let (_, viewer) = try server.administration.addAPIKey(name: "viewer", role: .viewer, region: nil)
            #expect(try await switchTo(false, headers: ["Authorization": "Bearer \(viewer)",
                                                        "Content-Type": "application/json"]).status == 403)
            let audit: [String] = try server.query(
                "SELECT action FROM audit_log WHERE action LIKE 'indicator.%' ORDER BY id")
            #expect(audit == ["indicator.deactivate", "indicator.activate"])
        }
    }

    /// What the indicators page offers: each form's questions, their types,
    /// labels in both languages and the choices of select questions.
    @Test func theFormsAPIDescribesQuestionsAndChoicesToEveryReader() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let (_, viewer) = try server.administration.addAPIKey(name: "viewer", role: .viewer, region: nil)
            let reply = try await server.client.get("/api/v1/forms", headers: ["Authorization": "Bearer \(viewer)"])
            #expect(reply.status == 200, "\(reply.text)")
            let forms = (try reply.json())["forms"] as? [[String: Any]] ?? []
            #expect(Set(forms.compactMap { $0["id"] as? String }) == ["visite", "causerie", "emission_radio"])
            let visit = try #require(forms.first { $0["id"] as? String == "visite" })
            let fields = visit["fields"] as? [[String: Any]] ?? []
            let join = try #require(fields.first { $0["name"] as? String == "wants_to_join" })
            #expect(join["type"] as? String == "select1")
            let choices = (join["choices"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? String }
            #expect(choices == ["yes", "no", "later"])
            let labels = join["labels"] as? [String: String] ?? [:]
            #expect(labels.keys.contains { $0.contains("(fr)") } && labels.keys.contains { $0.contains("(en)") })
            #expect(fields.first { $0["name"] as? String == "household_size" }?["type"] as? String == "int")

            #expect(try await server.client.get("/api/v1/forms").status == 401)
            let revoked = try await server.client.get("/api/v1/forms", headers: ["Authorization": "Bearer nope"])
            #expect(revoked.status == 401)
        }
    }

    @Test func eventsAnswerOnANewRecord() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let auth = ["Authorization": "Bearer \(server.adminKey)"]
            let hello = try await server.client.get("/api/v1/events", headers: auth)
            #expect(hello.header("Content-Type")?.hasPrefix("text/event-stream") == true)
            #expect(hello.text.contains("event: hello"))
            let id = try #require(hello.text.split(separator: "\n").first { $0.hasPrefix("id: ") }.map { String($0.dropFirst(4)) })
            // Timed on threads of their own: between two awaits a test may
            // wait seconds for Swift concurrency while other suites run.
            let (change, sent, elapsed) = try await blocking { () throws -> (HTTPReply, Int, Double) in
                let started = Date()
                let waiting = ThreadResult {
                    try server.client.requestNow("GET", "/api/v1/events", headers: auth.merging(["Last-Event-ID": id]) { $1 })
                }
                Thread.sleep(forTimeInterval: 0.3)
                let sent = try server.client.submitNow("\(server.linkPath)/submission", xml: Records.visit()).status
                let change = try waiting.get()
                return (change, sent, Date().timeIntervalSince(started))
            }
            #expect(sent == 201)
            #expect(change.text.contains("event: change"))
            #expect(change.text.contains("retry: "))
            // Woken by the record, not by the end of the 15 s wait.
            #expect(elapsed < 5)
        }
    }

    @Test func theDailyReportHoldsTheSameNumbersInEveryFormat() async throws {
        try await withTestServer { (server: TestServer) async throws in
            try TallyFixtures.dakarPhase(server.databasePath)
            let path = "\(server.linkPath)/submission"
            #expect(try await server.client.submit(path, xml: Records.visit()).status == 201)
            #expect(try await server.client.submit(path, xml: TallyFixtures.radio(station: "=HYPERLINK(\"x\")", audience: "3500")).status == 201)
            let auth = ["Authorization": "Bearer \(server.adminKey)"]
            let json = try await server.client.get("/api/v1/reports/daily?date=2023-03-09&format=json", headers: auth).json()
            #expect((json["totals"] as? [String: Any])?["radio_audience"] as? NSNumber == 3500)
            let radio = json["radio_programmes"] as? [[String: Any]] ?? []
            #expect(radio.first?["estimated_audience"] as? String == "3500")
            #expect(radio.first?.keys.contains("hosts") == false)

            let csv = try await server.client.get("/api/v1/reports/daily?date=2023-03-09&format=csv", headers: auth)
            #expect(csv.body.prefix(3) == Data([0xEF, 0xBB, 0xBF]))
            #expect(csv.text.contains("\"'=HYPERLINK(\"\"x\"\")\""))
            #expect(csv.text.contains("n'a pas fourni de statistiques") == false)
            #expect(csv.text.contains("Guédiawaye"))

            let xlsx = try await server.client.get("/api/v1/reports/daily?date=2023-03-09&format=xlsx", headers: auth)
            #expect(xlsx.status == 200)
            #expect(xlsx.body.prefix(2) == Data("PK".utf8))
            #expect(xlsx.header("Content-Disposition")?.contains("suivi-rapport-2023-03-09.xlsx") == true)
        }
    }

    /// The dashboard opens on today during a campaign, and on the last day
    /// with records once the campaign is over (the demo's March 2023).
    @Test func theDashboardOpensOnTheLastDayWithRecordsOutsideACampaign() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let auth = ["Authorization": "Bearer \(server.adminKey)"]
            let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
            var places = try await server.client.get("/api/v1/dashboard/places", headers: auth).json()
            #expect(places["default_day"] as? String == today)
            #expect(try await server.client.submit("\(server.linkPath)/submission", xml: Records.visit()).status == 201)
            places = try await server.client.get("/api/v1/dashboard/places", headers: auth).json()
            #expect(places["default_day"] as? String == "2023-03-09")
            // Today becomes a campaign day: the dashboard opens on it, records or not.
            try TallyFixtures.execute(server.databasePath, """
                INSERT INTO campaigns (id, name, starts_on, ends_on, created_at) VALUES (1, 'C', '\(today)', '\(today)', '\(today)');
                INSERT INTO campaign_phases (id, campaign_id, name, starts_on, ends_on) VALUES (1, 1, 'P', '\(today)', '\(today)');
                INSERT INTO campaign_days (phase_id, departement_code, day) VALUES (1, 'pikine', '\(today)');
                """)
            places = try await server.client.get("/api/v1/dashboard/places", headers: auth).json()
            #expect(places["default_day"] as? String == today)
        }
    }
}
