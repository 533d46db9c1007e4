import Foundation
import SuiviDomain
import Testing

/// Leads from visits: one per person, merges and their undo, the feed, the
/// membership write-back, scope and erasure.
@Suite struct LeadTests {
    @Test(arguments: [
        ("77 123 45 67", "+221771234567"), ("771234567", "+221771234567"), ("+221 77 123 45 67", "+221771234567"),
        ("00221771234567", "+221771234567"), ("221771234567", "+221771234567"), ("77.123.45.67", "+221771234567"),
        ("(+221) 77-123-45-67", "+221771234567"), ("33 821 00 00", "+221338210000"), ("٧٧١٢٣٤٥٦٧", "+221771234567"),
    ])
    func phoneNumbersNormalise(written: String, expected: String) {
        #expect(PhoneNumber.normalise(written) == expected)
    }

    @Test(arguments: ["", "12345", "77 123 45 6", "87 123 45 67", "0033 6 12 34 56 78", "77 123 45 67 ext 2", "abc"])
    func unreadablePhoneNumbersAreRefused(written: String) {
        #expect(PhoneNumber.normalise(written) == nil)
    }

    @Test func namesFoldForDuplicates() {
        #expect(LeadIdentity.nameKey("DIOP  Moussa") == LeadIdentity.nameKey("moussa diop"))
        #expect(LeadIdentity.nameKey("Aïssatou Sèye") == "aissatou seye")
    }

    @Test func theSamePhoneWrittenTwoWaysIsOneLead() async throws {
        try await withTestServer { server in
            try await visit(server, ["phone": "77 123 45 67", "national_id": ""])
            try await visit(server, ["phone": "00221771234567", "national_id": "", "household_size": "7"])
            let leads = try await feed(server)
            #expect(leads.count == 1)
            #expect(leads[0]["phone"] as? String == "+221771234567")
            #expect(leads[0]["visit_count"] as? Int == 2)
            #expect(leads[0]["household_size"] as? Int == 7)
            #expect(leads[0]["status"] as? String == "lead")
        }
    }

    @Test func aRejectedVisitLeavesItsLeadAndComesBackWhenTheRejectionIsLifted() async throws {
        try await withTestServer { server in
            try await visit(server, ["phone": "77 555 00 01", "national_id": "", "household_size": "4"],
                            instanceID: "uuid:lead-review")
            var leads = try await feed(server)
            #expect(leads.count == 1 && leads[0]["status"] as? String == "lead")
            let ids: [Int64] = try server.query("SELECT id FROM submissions WHERE instance_id = 'uuid:lead-review'")
            #expect(try await TallyTests.review(server, ids[0], "rejected").status == 200)
            leads = try await feed(server)
            #expect(leads[0]["status"] as? String == "withdrawn")
            #expect(leads[0]["visit_count"] as? Int == 0)
            #expect(try await TallyTests.review(server, ids[0], "approved").status == 200)
            leads = try await feed(server)
            #expect(leads[0]["status"] as? String == "lead")
            #expect(leads[0]["visit_count"] as? Int == 1)
        }
    }

    @Test func theSameNationalIDIsOneLead() async throws {
        try await withTestServer { server in
            try await visit(server, ["phone": "77 000 00 01", "national_id": "1 234 567 890 123"])
            try await visit(server, ["phone": "78 000 00 02", "national_id": "1234567890123"])
            let leads = try await feed(server)
            let live = leads.filter { $0["status"] as? String == "lead" }
            #expect(live.count == 1)
            #expect(live.first?["visit_count"] as? Int == 2)
        }
    }

    @Test func aVisitNamingTwoLeadsMergesThem() async throws {
        try await withTestServer { server in
            try await visit(server, ["phone": "77 000 00 01", "national_id": "1111111111111", "artisan_name": "Awa Fall"])
            try await visit(server, ["phone": "77 000 00 02", "national_id": "2222222222222", "artisan_name": "Awa Fall"])
            var leads = try await feed(server)
            #expect(leads.count == 2)
            let first = leads[0]["id"] as! Int
            let second = leads[1]["id"] as! Int
            // Phone of the first, ID number of the second.
            try await visit(server, ["phone": "77 000 00 01", "national_id": "2222222222222"])
            leads = try await feed(server)
            let byID = Dictionary(uniqueKeysWithValues: leads.map { ($0["id"] as! Int, $0) })
            #expect(byID[second]?["status"] as? String == "merged")
            #expect(byID[second]?["merged_into"] as? Int == first)
            #expect(byID[first]?["visit_count"] as? Int == 3)
            let merges: [Int64] = try server.query("SELECT count(*) FROM lead_merges WHERE reason = 'national_id'")
            #expect(merges == [1])
            // Both numbers now find the one lead.
            try await visit(server, ["phone": "77 000 00 02", "national_id": ""])
            let after = try await feed(server).filter { $0["status"] as? String == "lead" }
            #expect(after.map { $0["id"] as? Int } == [first])
        }
    }

    @Test func anUnreadablePhoneIsKeptAsWrittenAndFlagged() async throws {
        try await withTestServer { server in
            try await visit(server, ["phone": "12 34", "national_id": ""])
            let lead = try await feed(server)[0]
            #expect(lead["phone"] as? String == "12 34")
            #expect(lead["phone_valid"] as? Bool == false)
        }
    }

    @Test func onlyArtisansWhoWantToJoinBecomeLeads() async throws {
        try await withTestServer { server in
            try await visit(server, ["wants_to_join": "no"])
            try await visit(server, ["wants_to_join": "later", "phone": "78 111 11 11", "national_id": ""])
            #expect(try await feed(server).isEmpty)
        }
    }

    @Test func anEditReplacesTheVisitAndKeepsTheLead() async throws {
        try await withTestServer { server in
            let original = "uuid:\(UUID().uuidString.lowercased())"
            try await visit(server, ["phone": "77 999 99 99", "national_id": ""], instanceID: original)
            let id = try await feed(server)[0]["id"] as! Int
            try await visit(server, ["phone": "78 555 55 55", "national_id": ""], deprecatedID: original)
            let leads = try await feed(server)
            #expect(leads.count == 1)
            #expect(leads[0]["id"] as? Int == id)
            #expect(leads[0]["phone"] as? String == "+221785555555")
            #expect(leads[0]["visit_count"] as? Int == 1)
            // The old number no longer names the lead.
            try await visit(server, ["phone": "77 999 99 99", "national_id": ""])
            #expect(try await feed(server).count == 2)
        }
    }

    @Test func theFeedPagedWhileVisitsArriveSkipsNothing() async throws {
        try await withTestServer { server in
            for index in 0..<6 { try await visit(server, ["phone": "77 200 00 \(10 + index)", "national_id": ""]) }
            var seen: [Int] = []
            var cursor = "0"
            var pages = 0
            var arrived = 0
            while pages < 50 {
                let reply = try await server.client.get("/api/v1/leads?limit=2&after=\(cursor)", headers: auth(server.adminKey))
                #expect(reply.status == 200)
                #expect(reply.header("Cache-Control") == "no-store")
                let json = try reply.json()
                let leads = json["leads"] as! [[String: Any]]
                cursor = json["next"] as! String
                seen += leads.map { $0["id"] as! Int }
                pages += 1
                if arrived < 4 {
                    // New people, and a known one visited again (it changes, so it comes again).
                    try await visit(server, ["phone": "77 300 00 \(10 + arrived)", "national_id": ""])
                    if arrived == 1 { try await visit(server, ["phone": "77 200 00 10", "national_id": ""]) }
                    arrived += 1
                } else if leads.isEmpty {
                    break
                }
            }
            let all = try await feed(server)
            #expect(Set(seen) == Set(all.map { $0["id"] as! Int }))
            #expect(all.count == 10)
            // Only the changed lead came twice.
            let repeated = Dictionary(grouping: seen, by: { $0 }).filter { $0.value.count > 1 }.keys
            #expect(Array(repeated) == [all.first { $0["phone"] as? String == "+221772000010" }!["id"] as! Int])
        }
    }

    @Test func theMembershipSystemWritesBackByIdAndTheTallyCounts() async throws {
        try await withTestServer { server in
            try await visit(server, [:])
            let id = try await feed(server)[0]["id"] as! Int
            let (_, key) = try server.administration.addAPIKey(name: "mis", role: .membership, region: nil)
            let body = Data(#"{"member_number": "MSNAS-0001", "date": "2023-03-20"}"#.utf8)
            let reply = try await server.client.request("POST", "/api/v1/leads/\(id)/membership",
                                                        headers: auth(key).merging(["Content-Type": "application/json"]) { $1 }, body: body)
            #expect(reply.status == 200)
            #expect(try reply.json()["status"] as? String == "member")
            // Twice is once.
            _ = try await server.client.request("POST", "/api/v1/leads/\(id)/membership",
                                                headers: auth(key).merging(["Content-Type": "application/json"]) { $1 }, body: body)
            let tally: [Double] = try server.query(
                "SELECT value FROM tallies WHERE indicator_id = 'memberships' AND departement_code = 'guediawaye' AND day = '2023-03-20'")
            #expect(tally == [1])
            let bad = try await server.client.request("POST", "/api/v1/leads/\(id)/membership",
                                                      headers: auth(key).merging(["Content-Type": "application/json"]) { $1 },
                                                      body: Data(#"{"member_number": "X", "date": "2023-02-30"}"#.utf8))
            #expect(bad.status == 400)
            #expect(try bad.json()["field"] as? String == "date")
            let missing = try await server.client.request("POST", "/api/v1/leads/999999/membership",
                                                          headers: auth(key).merging(["Content-Type": "application/json"]) { $1 }, body: body)
            #expect(missing.status == 404)
        }
    }

    @Test func aMembershipsFileIsMatchedByPhoneOrIDNumber() async throws {
        try await withTestServer { server in
            try await visit(server, ["phone": "77 400 00 01", "national_id": "4000000000001"])
            try await visit(server, ["phone": "77 400 00 02", "national_id": "4000000000002"])
            let csv = """
                member_number;date;phone;national_id
                M-1;2023-03-20;+221 77 400 00 01;
                M-2;2023-03-21;;4 000 000 000 002
                M-3;2023-03-21;77 999 00 00;
                M-4;2023-03-21;77 400 00 01;4000000000002
                M-5;21/03/2023;77 400 00 01;
                """
            let reply = try await server.client.request("POST", "/api/v1/memberships",
                                                        headers: auth(server.adminKey).merging(["Content-Type": "text/csv"]) { $1 },
                                                        body: Data(csv.utf8))
            #expect(reply.status == 200)
            let json = try reply.json()
            let outcomes = (json["rows"] as! [[String: Any]]).map { $0["outcome"] as! String }
            #expect(outcomes == ["matched", "matched", "not_found", "ambiguous", "invalid"])
            #expect(json["matched"] as? Int == 2)
            let members = try await feed(server).filter { $0["status"] as? String == "member" }
            #expect(Set(members.compactMap { $0["member_number"] as? String }) == ["M-1", "M-2"])
            let total: [Double] = try server.query("SELECT sum(value) FROM tallies WHERE indicator_id = 'memberships'")
            #expect(total == [2])
            let audit: [String] = try server.query("SELECT details FROM audit_log WHERE action = 'lead.membership_import'")
            #expect(audit.count == 1 && !audit[0].contains("77"))
        }
    }

    @Test func rolesAndScope() async throws {
        try await withTestServer { server in
            try await visit(server, ["departement": "guediawaye", "phone": "77 500 00 01", "national_id": ""])
            try await visit(server, ["departement": "mbacke", "phone": "77 500 00 02", "national_id": ""])
            let (_, viewer) = try server.administration.addAPIKey(name: "v", role: .viewer, region: nil)
            #expect(try await server.client.get("/api/v1/leads", headers: auth(viewer)).status == 403)
            let (_, regional) = try server.administration.addAPIKey(name: "r", role: .coordinator, region: "Diourbel")
            let leads = try await feed(server, key: regional)
            #expect(leads.map { $0["departement"] as? String } == ["mbacke"])
            let (_, membership) = try server.administration.addAPIKey(name: "m", role: .membership, region: nil)
            #expect(try await feed(server, key: membership).count == 2)
            #expect(try await server.client.get("/api/v1/forms/visite/submissions.csv", headers: auth(membership)).status == 403)
            #expect(try await server.client.get("/api/v1/leads/duplicates", headers: auth(membership)).status == 403)
            // Coordinators read leads but do not write memberships.
            let reply = try await server.client.request("POST", "/api/v1/leads/1/membership",
                                                        headers: auth(regional).merging(["Content-Type": "application/json"]) { $1 },
                                                        body: Data(#"{"member_number": "M", "date": "2023-03-20"}"#.utf8))
            #expect(reply.status == 403)
            let export = try await server.client.get("/api/v1/forms/visite/submissions.csv?departement=guediawaye",
                                                     headers: auth(regional))
            #expect(export.status == 403)
        }
    }

    @Test func likelyDuplicatesAreMergedOrKeptApartAndMergesUndone() async throws {
        try await withTestServer { server in
            try await visit(server, ["artisan_name": "Moussa Diop", "phone": "77 600 00 01", "national_id": ""])
            try await visit(server, ["artisan_name": "DIOP Moussa", "phone": "77 600 00 02", "national_id": ""])
            try await visit(server, ["artisan_name": "Ibrahima Ba", "phone": "77 600 00 03", "national_id": ""])
            try await visit(server, ["artisan_name": "Ibrahima  Ba", "phone": "77 600 00 04", "national_id": ""])
            let key = auth(server.adminKey).merging(["Content-Type": "application/json"]) { $1 }
            var pairs = try await server.client.get("/api/v1/leads/duplicates", headers: key).json()["pairs"] as! [[String: Any]]
            #expect(pairs.count == 2)
            func ids(_ pair: [String: Any]) -> [Int] { (pair["leads"] as! [[String: Any]]).map { $0["id"] as! Int } }
            let diop = ids(pairs.first { (($0["leads"] as! [[String: Any]])[0]["name"] as! String).contains("Diop") || (($0["leads"] as! [[String: Any]])[0]["name"] as! String).contains("DIOP") }!)
            let ba = ids(pairs.first { ids($0) != diop }!)
            let merged = try await server.client.request("POST", "/api/v1/leads/merges", headers: key,
                                                         body: Data(#"{"kept_id": \#(diop[0]), "merged_id": \#(diop[1])}"#.utf8))
            #expect(merged.status == 201)
            let mergeID = try merged.json()["merge_id"] as! Int
            #expect((try merged.json()["lead"] as! [String: Any])["visit_count"] as? Int == 2)
            let apart = try await server.client.request("POST", "/api/v1/leads/keep-apart", headers: key,
                                                        body: Data(#"{"lead_ids": [\#(ba[0]), \#(ba[1])]}"#.utf8))
            #expect(apart.status == 200)
            pairs = try await server.client.get("/api/v1/leads/duplicates", headers: key).json()["pairs"] as! [[String: Any]]
            #expect(pairs.isEmpty)
            let undo = try await server.client.request("POST", "/api/v1/leads/merges/\(mergeID)/undo", headers: key)
            #expect(undo.status == 200)
            let undone = try undo.json()
            #expect((undone["restored"] as! [String: Any])["status"] as? String == "lead")
            #expect((undone["restored"] as! [String: Any])["phone"] as? String == "+221776000002")
            #expect((undone["kept"] as! [String: Any])["visit_count"] as? Int == 1)
            #expect(try await server.client.request("POST", "/api/v1/leads/merges/\(mergeID)/undo", headers: key).status == 409)
            // A new visit with the restored lead's phone goes to it.
            try await visit(server, ["artisan_name": "Moussa Diop", "phone": "77 600 00 02", "national_id": ""])
            let restored = try await server.client.get("/api/v1/leads/\(diop[1])", headers: key).json()
            #expect(restored["visit_count"] as? Int == 2)
        }
    }

    @Test func erasureRemovesPersonalFieldsEverywhereAndKeepsCounts() async throws {
        try await withTestServer { server in
            try await visit(server, ["artisan_name": "Ndeye Sow", "phone": "77 700 00 01", "national_id": "7000000000001"])
            try await visit(server, ["artisan_name": "Ndeye Sow", "phone": "77 700 00 01", "national_id": ""])
            let id = try await feed(server)[0]["id"] as! Int
            let (_, coordinator) = try server.administration.addAPIKey(name: "c", role: .coordinator, region: nil)
            #expect(try await server.client.request("DELETE", "/api/v1/leads/\(id)/personal-data", headers: auth(coordinator)).status == 403)
            let reply = try await server.client.request("DELETE", "/api/v1/leads/\(id)/personal-data", headers: auth(server.adminKey))
            #expect(reply.status == 200)
            #expect(try reply.json()["visits_erased"] as? Int == 2)
            let lead = try await feed(server)[0]
            #expect(lead["status"] as? String == "erased")
            #expect(lead["name"] as? String == "")
            #expect(lead["phone"] is NSNull)
            let xml: [String] = try server.query("SELECT CAST(xml AS TEXT) FROM submissions")
            #expect(xml.allSatisfy { !$0.contains("Ndeye") && !$0.contains("700 00 01") && !$0.contains("7000000000001") })
            let answers: [String] = try server.query("SELECT answers FROM submissions")
            #expect(answers.allSatisfy { !$0.contains("Ndeye") && $0.contains("\"wants_to_join\":\"yes\"") })
            let visits: [Double] = try server.query("SELECT value FROM tallies WHERE indicator_id = 'visits'")
            #expect(visits == [2])
            let audit: [String] = try server.query("SELECT details FROM audit_log WHERE action = 'lead.erase'")
            #expect(audit.count == 1 && !audit[0].contains("Ndeye"))
            // Still the same person? A new visit makes a new lead: nothing left to match.
            try await visit(server, ["artisan_name": "Ndeye Sow", "phone": "77 700 00 01", "national_id": ""])
            #expect(try await feed(server).count == 2)
        }
    }
}

func auth(_ key: String) -> [String: String] {
    ["Authorization": "Bearer \(key)"]
}

/// Posts one visit like a phone does and checks it was accepted.
func visit(_ server: TestServer, _ overrides: [String: String], instanceID: String? = nil,
           deprecatedID: String? = nil) async throws {
    let xml = Records.visit(instanceID: instanceID ?? "uuid:\(UUID().uuidString.lowercased())", deprecatedID: deprecatedID,
                            overrides: overrides)
    let reply = try await server.client.submit("\(server.linkPath)/submission", xml: xml)
    #expect(reply.status == 201)
}

/// The whole feed, paged.
func feed(_ server: TestServer, key: String? = nil) async throws -> [[String: Any]] {
    var cursor = "0"
    var latest: [Int: [String: Any]] = [:]
    var order: [Int] = []
    while true {
        let reply = try await server.client.get("/api/v1/leads?limit=100&after=\(cursor)", headers: auth(key ?? server.adminKey))
        guard reply.status == 200 else { throw TestSocketError(description: "feed answered \(reply.status)") }
        let json = try reply.json()
        let leads = json["leads"] as! [[String: Any]]
        for lead in leads {
            let id = lead["id"] as! Int
            if latest[id] == nil { order.append(id) }
            latest[id] = lead
        }
        if leads.isEmpty { break }
        cursor = json["next"] as! String
    }
    return order.sorted().map { latest[$0]! }
}
