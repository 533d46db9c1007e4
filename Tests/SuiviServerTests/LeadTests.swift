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

    /// Every lead answer byte for byte (the feed as JSON and CSV, one lead,
    /// duplicates, merges and their undo, keeping apart, memberships one by
    /// one and from a file, erasure): what the membership system and the
    /// coordinators' pages read.
    @Test func leadAnswersKeepTheirBytes() async throws {
        try await withTestServer { server in
            let instance = { (n: Int) in "uuid:00000000-0000-4000-8000-00000000000\(n)" }
            try await visit(server, ["artisan_name": "Moussa Diop", "phone": "77 600 00 01", "national_id": "",
                                     "organisation": "OPA \"Couture\"/Tissage é"], instanceID: instance(1))
            try await visit(server, ["artisan_name": "DIOP Moussa", "phone": "77 600 00 02", "national_id": ""],
                            instanceID: instance(2))
            try await visit(server, ["artisan_name": "Awa Sow", "phone": "", "national_id": "1234567890123",
                                     "household_size": "", "sex": "female"], instanceID: instance(3))
            let key = auth(server.adminKey).merging(["Content-Type": "application/json"]) { $1 }
            func call(_ method: String, _ path: String, _ body: String = "", type: String = "application/json") async throws -> HTTPReply {
                try await server.client.request(method, path, headers: auth(server.adminKey).merging(["Content-Type": type]) { $1 },
                                                body: Data(body.utf8))
            }
            let page = try await server.client.get("/api/v1/leads?after=0&limit=2", headers: key)
            #expect(page.header("Cache-Control") == "no-store")
            expectJSON(page, #"{"leads":[{"change_seq":2,"consent_contact":"yes","created_at":"<time>","departement":"guediawaye","household_size":9,"id":1,"member_number":null,"member_since":null,"merged_into":null,"name":"Moussa Diop","national_id":null,"neighbourhood":"Wakhinane Nimzatt","organisation":"OPA \"Couture\"/Tissage é","phone":"+221776000001","phone_valid":true,"sex":"male","status":"lead","trade":"tailoring","updated_at":"<time>","visit_count":1},{"change_seq":4,"consent_contact":"yes","created_at":"<time>","departement":"guediawaye","household_size":9,"id":2,"member_number":null,"member_since":null,"merged_into":null,"name":"DIOP Moussa","national_id":null,"neighbourhood":"Wakhinane Nimzatt","organisation":"OPA Couture","phone":"+221776000002","phone_valid":true,"sex":"male","status":"lead","trade":"tailoring","updated_at":"<time>","visit_count":1}],"next":"4"}"#)
            let csv = try await server.client.get("/api/v1/leads?after=0&format=csv", headers: key)
            expectJSON(csv, "\u{FEFF}id,status,merged_into,name,sex,phone,phone_valid,national_id,trade,organisation,departement,neighbourhood,household_size,consent_contact,member_number,member_since,visit_count,created_at,updated_at,change_seq\r\n1,lead,,Moussa Diop,male,'+221776000001,true,,tailoring,\"OPA \"\"Couture\"\"/Tissage é\",guediawaye,Wakhinane Nimzatt,9,yes,,,1,<time>,<time>,2\r\n2,lead,,DIOP Moussa,male,'+221776000002,true,,tailoring,OPA Couture,guediawaye,Wakhinane Nimzatt,9,yes,,,1,<time>,<time>,4\r\n3,lead,,Awa Sow,female,,true,1234567890123,tailoring,OPA Couture,guediawaye,Wakhinane Nimzatt,,yes,,,1,<time>,<time>,6\r\n")
            expectJSON(try await server.client.get("/api/v1/leads/1", headers: key), #"{"change_seq":2,"consent_contact":"yes","created_at":"<time>","departement":"guediawaye","household_size":9,"id":1,"member_number":null,"member_since":null,"merged_into":null,"name":"Moussa Diop","national_id":null,"neighbourhood":"Wakhinane Nimzatt","organisation":"OPA \"Couture\"/Tissage é","phone":"+221776000001","phone_valid":true,"sex":"male","status":"lead","trade":"tailoring","updated_at":"<time>","visit_count":1,"visits":[{"activity_date":"2023-03-09","instance_id":"uuid:00000000-0000-4000-8000-000000000001","submission_id":1}]}"#)
            expectJSON(try await server.client.get("/api/v1/leads/duplicates", headers: key), #"{"pairs":[{"leads":[{"change_seq":2,"consent_contact":"yes","created_at":"<time>","departement":"guediawaye","household_size":9,"id":1,"member_number":null,"member_since":null,"merged_into":null,"name":"Moussa Diop","national_id":null,"neighbourhood":"Wakhinane Nimzatt","organisation":"OPA \"Couture\"/Tissage é","phone":"+221776000001","phone_valid":true,"sex":"male","status":"lead","trade":"tailoring","updated_at":"<time>","visit_count":1},{"change_seq":4,"consent_contact":"yes","created_at":"<time>","departement":"guediawaye","household_size":9,"id":2,"member_number":null,"member_since":null,"merged_into":null,"name":"DIOP Moussa","national_id":null,"neighbourhood":"Wakhinane Nimzatt","organisation":"OPA Couture","phone":"+221776000002","phone_valid":true,"sex":"male","status":"lead","trade":"tailoring","updated_at":"<time>","visit_count":1}],"reason":"name"}]}"#)
            let merged = try await call("POST", "/api/v1/leads/merges", #"{"kept_id": 1, "merged_id": 2}"#)
            #expect(merged.status == 201)
            expectJSON(merged, #"{"lead":{"change_seq":8,"consent_contact":"yes","created_at":"<time>","departement":"guediawaye","household_size":9,"id":1,"member_number":null,"member_since":null,"merged_into":null,"name":"DIOP Moussa","national_id":null,"neighbourhood":"Wakhinane Nimzatt","organisation":"OPA Couture","phone":"+221776000002","phone_valid":true,"sex":"male","status":"lead","trade":"tailoring","updated_at":"<time>","visit_count":2},"merge_id":1}"#)
            let log = try await server.client.get("/api/v1/leads/merges", headers: key)
            #expect(log.header("Cache-Control") == nil)
            expectJSON(log, #"{"merges":[{"id":1,"kept_id":1,"merged_at":"<time>","merged_by":"test admin","merged_id":2,"reason":"coordinator","undone_at":null}]}"#)
            expectJSON(try await call("POST", "/api/v1/leads/merges/1/undo"), #"{"kept":{"change_seq":9,"consent_contact":"yes","created_at":"<time>","departement":"guediawaye","household_size":9,"id":1,"member_number":null,"member_since":null,"merged_into":null,"name":"Moussa Diop","national_id":null,"neighbourhood":"Wakhinane Nimzatt","organisation":"OPA \"Couture\"/Tissage é","phone":"+221776000001","phone_valid":true,"sex":"male","status":"lead","trade":"tailoring","updated_at":"<time>","visit_count":1},"restored":{"change_seq":10,"consent_contact":"yes","created_at":"<time>","departement":"guediawaye","household_size":9,"id":2,"member_number":null,"member_since":null,"merged_into":null,"name":"DIOP Moussa","national_id":null,"neighbourhood":"Wakhinane Nimzatt","organisation":"OPA Couture","phone":"+221776000002","phone_valid":true,"sex":"male","status":"lead","trade":"tailoring","updated_at":"<time>","visit_count":1}}"#)
            expectJSON(try await call("POST", "/api/v1/leads/keep-apart", #"{"lead_ids": [2, 1]}"#), #"{"lead_ids":[1,2]}"#)
            expectJSON(try await call("POST", "/api/v1/leads/3/membership", #"{"member_number": "M-1", "date": "2023-03-20"}"#), #"{"change_seq":11,"consent_contact":"yes","created_at":"<time>","departement":"guediawaye","household_size":null,"id":3,"member_number":"M-1","member_since":"2023-03-20","merged_into":null,"name":"Awa Sow","national_id":"1234567890123","neighbourhood":"Wakhinane Nimzatt","organisation":"OPA Couture","phone":null,"phone_valid":true,"sex":"female","status":"member","trade":"tailoring","updated_at":"<time>","visit_count":1}"#)
            let file = "lead_id,member_number,date\n1,M-2,2023-03-21\n99,M-3,2023-03-21\nx,M-4,2023-03-21\n"
            expectJSON(try await call("POST", "/api/v1/memberships", file, type: "text/csv"), #"{"ambiguous":0,"invalid":1,"matched":1,"not_found":1,"rows":[{"detail":null,"lead_id":1,"matched_by":"lead_id","outcome":"matched","row":2},{"detail":null,"lead_id":null,"matched_by":null,"outcome":"not_found","row":3},{"detail":"lead_id: expected a number","lead_id":null,"matched_by":null,"outcome":"invalid","row":4}]}"#)
            expectJSON(try await call("DELETE", "/api/v1/leads/2/personal-data"), #"{"lead_id":2,"leads_erased":1,"visits_erased":1}"#)
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
            try await visit(server, ["departement": "mbacke", "phone": "77 500 00 02", "national_id": ""],
                            link: try server.addPerson(name: "Awa Diop", departement: "Mbacké"))
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

    // MARK: Security issue, items 1, 2 and 8

    /// Item 1: a Thiès coordinator makes a Thiès resource person (allowed)
    /// and sends one visit through that link with only a Pikine artisan's
    /// phone number, or ID number. The Dakar lead must not move, change or
    /// show anything to Thiès; the pair waits for a national coordinator.
    @Test(arguments: ["phone", "national_id"])
    func aVisitFromAnotherRegionNeitherMovesNorRevealsALead(matchedBy key: String) async throws {
        try await withTestServer { server in
            let pikine = try server.addPerson(name: "Modou Faye", departement: "Pikine")
            let dakarVisit = "uuid:\(UUID().uuidString.lowercased())"
            let sent = try await server.client.submit("\(pikine)/submission", xml: Records.visit(instanceID: dakarVisit, overrides: [
                "departement": "pikine", "artisan_name": "Mariama Ndoye", "phone": "77 810 20 30",
                "national_id": "1 751 1990 01234", "neighbourhood": "Thiaroye Gare", "organisation": "OPA Teinture Pikine",
                "household_size": "11"]))
            #expect(sent.status == 201)
            let dakarID = try #require(try await feed(server).first?["id"] as? Int)

            let (_, thiesKey) = try server.administration.addAPIKey(name: "thies", role: .coordinator, region: "Thiès")
            let added = try await server.send("POST", "/api/v1/people", [
                "name": "Ousmane Sarr", "phone": "76 300 00 01", "departement": "Mbour"], key: thiesKey)
            #expect(added.status == 201)
            let link = try #require((try added.json()["link"] as? [String: Any])?["link"] as? String)
            let thiesLink = String(link.dropFirst(server.application.baseURL.count))
            func attack() -> String {
                Records.visit(overrides: [
                    "departement": "mbour", "artisan_name": "Inconnu", "neighbourhood": "", "organisation": "",
                    "household_size": "", "phone": key == "phone" ? "77 810 20 30" : "",
                    "national_id": key == "national_id" ? "1751199001234" : ""])
            }
            #expect(try await server.client.submit("\(thiesLink)/submission", xml: attack()).status == 201)

            // Thiès sees its own visit's lead, and nothing of the Dakar one.
            let shown = try await server.client.get("/api/v1/leads/\(dakarID)", headers: auth(thiesKey))
            #expect(shown.status == 404)
            let thiesLeads = try await feed(server, key: thiesKey)
            #expect(thiesLeads.count == 1)
            let thiesID = try #require(thiesLeads.first?["id"] as? Int)
            #expect(thiesID != dakarID)
            #expect(thiesLeads.first?["departement"] as? String == "mbour")
            #expect(thiesLeads.first?["household_size"] is NSNull)
            let thiesView = try await server.client.get("/api/v1/leads/\(thiesID)", headers: auth(thiesKey))
            #expect(thiesView.status == 200)
            let feedText = try await server.client.get("/api/v1/leads?after=0", headers: auth(thiesKey)).text
            let other = key == "phone" ? "1751199001234" : "+221778102030"
            for secret in ["Mariama", "Thiaroye", "Teinture", dakarVisit, other, "\"household_size\":11"] {
                #expect(!thiesView.text.contains(secret), "GET /leads/\(thiesID) shows \(secret)")
                #expect(!feedText.contains(secret), "the Thiès feed shows \(secret)")
            }

            // The Dakar lead stays in Pikine, as it was, for Dakar.
            let (_, dakarKey) = try server.administration.addAPIKey(name: "dakar", role: .coordinator, region: "Dakar")
            let kept = try await server.client.get("/api/v1/leads/\(dakarID)", headers: auth(dakarKey))
            #expect(kept.status == 200)
            let keptLead = try kept.json()
            #expect(keptLead["departement"] as? String == "pikine")
            #expect(keptLead["name"] as? String == "Mariama Ndoye")
            #expect(keptLead["visit_count"] as? Int == 1)
            #expect(keptLead["household_size"] as? Int == 11)
            #expect((keptLead["visits"] as? [[String: Any]])?.compactMap { $0["instance_id"] as? String } == [dakarVisit])
            #expect(try await server.client.get("/api/v1/leads/\(thiesID)", headers: auth(dakarKey)).status == 404)
            let departements: [String] = try server.query("SELECT departement_code FROM leads WHERE id = \(dakarID)")
            #expect(departements == ["pikine"])

            // The pair is a likely duplicate for a national coordinator only.
            func pairs(_ key: String) async throws -> [Set<Int>] {
                let reply = try await server.client.get("/api/v1/leads/duplicates", headers: auth(key))
                #expect(reply.status == 200)
                return (try reply.json()["pairs"] as? [[String: Any]] ?? []).map { pair in
                    Set((pair["leads"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int })
                }
            }
            let (_, nationalKey) = try server.administration.addAPIKey(name: "national", role: .coordinator, region: nil)
            #expect(try await pairs(nationalKey) == [[dakarID, thiesID]])
            #expect(try await pairs(server.adminKey) == [[dakarID, thiesID]])
            #expect(try await pairs(thiesKey).isEmpty)
            #expect(try await pairs(dakarKey).isEmpty)
            // A second visit of the same kind in Thiès finds the Thiès lead.
            #expect(try await server.client.submit("\(thiesLink)/submission", xml: attack()).status == 201)
            #expect(try await feed(server, key: thiesKey).map { $0["visit_count"] as? Int } == [2])
            #expect(try await pairs(nationalKey) == [[dakarID, thiesID]])
        }
    }

    /// Item 1, the other way in: a Thiès link files the visit "in Pikine".
    /// It counts in the sender's own département and is flagged; the
    /// Pikine lead's fields and Pikine's tallies do not move.
    @Test func aVisitFiledInAnotherRegionCountsAtHomeAndIsFlagged() async throws {
        try await withTestServer { server in
            let pikine = try server.addPerson(name: "Modou Faye", departement: "Pikine")
            #expect(try await server.client.submit("\(pikine)/submission", xml: Records.visit(overrides: [
                "departement": "pikine", "artisan_name": "Mariama Ndoye", "phone": "77 810 20 30",
                "national_id": "", "neighbourhood": "Thiaroye Gare", "household_size": "11"])).status == 201)
            let dakarID = try #require(try await feed(server).first?["id"] as? Int)

            let thies = try server.addPerson(name: "Ousmane Sarr", departement: "Mbour")
            let attack = "uuid:\(UUID().uuidString.lowercased())"
            #expect(try await server.client.submit("\(thies)/submission", xml: Records.visit(instanceID: attack, overrides: [
                "departement": "pikine", "artisan_name": "Faux Nom", "phone": "77 810 20 30", "national_id": "",
                "neighbourhood": "Ailleurs", "household_size": "2"])).status == 201)

            let filed: [String] = try server.query(
                "SELECT departement_code || ' ' || review_state FROM submissions WHERE instance_id = '\(attack)'")
            #expect(filed == ["mbour flagged"])
            let issues: [String] = try server.query("SELECT issues FROM submissions WHERE instance_id = '\(attack)'")
            #expect(issues.first?.contains("hors de la région") == true)
            let pikineVisits: [Int64] = try server.query(
                "SELECT count(*) FROM submissions WHERE departement_code = 'pikine' AND form_id = 'visite'")
            #expect(pikineVisits == [1])

            let (_, dakarKey) = try server.administration.addAPIKey(name: "dakar", role: .coordinator, region: "Dakar")
            let kept = try await server.client.get("/api/v1/leads/\(dakarID)", headers: auth(dakarKey)).json()
            #expect(kept["name"] as? String == "Mariama Ndoye")
            #expect(kept["household_size"] as? Int == 11)
            #expect(kept["visit_count"] as? Int == 1)
        }
    }

    /// Within a region, matching works as before: a visit in another
    /// département of the region finds the lead, which stays where it was made.
    @Test func aVisitElsewhereInTheRegionFindsTheLead() async throws {
        try await withTestServer { server in
            try await visit(server, ["departement": "pikine", "phone": "77 810 20 30", "national_id": "", "household_size": "4"])
            try await visit(server, ["departement": "guediawaye", "phone": "77 810 20 30", "national_id": "", "household_size": "6"])
            let leads = try await feed(server)
            #expect(leads.count == 1)
            #expect(leads.first?["departement"] as? String == "pikine")
            #expect(leads.first?["visit_count"] as? Int == 2)
            #expect(leads.first?["household_size"] as? Int == 6)
        }
    }

    /// A national coordinator may merge a cross-region pair: the membership
    /// system then sees one person, and each region still sees only what its
    /// own visits say.
    @Test func aNationalMergeAcrossRegionsShowsEachRegionOnlyItsOwnVisits() async throws {
        try await withTestServer { server in
            try await visit(server, ["departement": "pikine", "artisan_name": "Mariama Ndoye", "phone": "77 810 20 30",
                                     "national_id": "", "neighbourhood": "Thiaroye Gare"])
            try await visit(server, ["departement": "mbour", "artisan_name": "Inconnu", "phone": "77 810 20 30",
                                     "national_id": "", "neighbourhood": "Saly"],
                            link: try server.addPerson(name: "Ousmane Sarr", departement: "Mbour"))
            let leads = try await feed(server)
            let dakarID = try #require(leads.first { $0["departement"] as? String == "pikine" }?["id"] as? Int)
            let thiesID = try #require(leads.first { $0["departement"] as? String == "mbour" }?["id"] as? Int)
            let (_, national) = try server.administration.addAPIKey(name: "national", role: .coordinator, region: nil)
            let (_, dakar) = try server.administration.addAPIKey(name: "dakar", role: .coordinator, region: "dakar")
            let (_, thies) = try server.administration.addAPIKey(name: "thies", role: .coordinator, region: "thies")
            let pairs = try await server.client.get("/api/v1/leads/duplicates", headers: auth(national)).json()["pairs"]
                as? [[String: Any]] ?? []
            #expect(pairs.map { $0["reason"] as? String } == ["phone"])

            let merged = try await server.send("POST", "/api/v1/leads/merges", ["kept_id": dakarID, "merged_id": thiesID],
                                               key: national)
            #expect(merged.status == 201)
            let mergeID = try #require(try merged.json()["merge_id"] as? Int)
            let kept = try #require(try merged.json()["lead"] as? [String: Any])
            #expect(kept["name"] as? String == "Mariama Ndoye")
            #expect(kept["neighbourhood"] as? String == "Thiaroye Gare")
            #expect((try await server.client.get("/api/v1/leads/duplicates", headers: auth(national)).json()["pairs"]
                     as? [[String: Any]] ?? []).isEmpty)

            func visits(_ id: Int, _ key: String) async throws -> [Int]? {
                let reply = try await server.client.get("/api/v1/leads/\(id)", headers: auth(key))
                guard reply.status == 200 else { return nil }
                return (try reply.json()["visits"] as? [[String: Any]])?.compactMap { $0["submission_id"] as? Int }
            }
            #expect(try await visits(dakarID, national)?.count == 2)
            #expect(try await visits(dakarID, dakar)?.count == 1)
            #expect(try await visits(dakarID, thies) == nil)
            let thiesView = try await server.client.get("/api/v1/leads/\(thiesID)", headers: auth(thies)).json()
            #expect(thiesView["status"] as? String == "merged")
            #expect(!String(describing: thiesView).contains("Mariama"))

            // Membership follows the merge, within the caller's scope only.
            let (_, regionalMembership) = try server.administration.addAPIKey(name: "m", role: .membership, region: "thies")
            let member = ["member_number": "M-9", "date": "2023-03-20"]
            #expect(try await server.send("POST", "/api/v1/leads/\(thiesID)/membership", member, key: regionalMembership).status
                    == 404)
            let (_, membership) = try server.administration.addAPIKey(name: "n", role: .membership, region: nil)
            let written = try await server.send("POST", "/api/v1/leads/\(thiesID)/membership", member, key: membership)
            #expect(written.status == 200)
            #expect(try written.json()["id"] as? Int == dakarID)

            let undo = try await server.send("POST", "/api/v1/leads/merges/\(mergeID)/undo", key: national)
            #expect(undo.status == 200)
            #expect((try undo.json()["restored"] as? [String: Any])?["neighbourhood"] as? String == "Saly")
            #expect(try await visits(thiesID, thies)?.count == 1)
            #expect((try await server.client.get("/api/v1/leads/duplicates", headers: auth(national)).json()["pairs"]
                     as? [[String: Any]] ?? []).isEmpty)
        }
    }

    /// Item 2: `suivi apikey add --role membership --region thies` reads
    /// only Thiès leads, and may write only to them: any route naming a
    /// lead out of scope answers the same 404 as a lead that does not exist.
    @Test func aRegionalKeyNeitherReadsNorWritesAnotherRegionsLead() async throws {
        try await withTestServer { server in
            try await visit(server, ["departement": "pikine", "artisan_name": "Mariama Ndoye", "phone": "77 810 20 30",
                                     "national_id": "1751199001234"])
            try await visit(server, ["departement": "mbour", "artisan_name": "Khady Diouf", "phone": "77 820 20 30",
                                     "national_id": ""], link: try server.addPerson(name: "Ousmane Sarr", departement: "Mbour"))
            try await visit(server, ["departement": "pikine", "artisan_name": "Mariama Ndoye", "phone": "77 810 20 31",
                                     "national_id": ""])
            let leads = try await feed(server)
            let dakarID = try #require(leads.first { $0["departement"] as? String == "pikine" }?["id"] as? Int)
            let otherDakarID = try #require(leads.last { $0["departement"] as? String == "pikine" }?["id"] as? Int)
            let thiesID = try #require(leads.first { $0["departement"] as? String == "mbour" }?["id"] as? Int)
            let missing = 999_999
            let (_, membership) = try server.administration.addAPIKey(name: "mis-thies", role: .membership, region: "thies")
            let (_, coordinator) = try server.administration.addAPIKey(name: "thies", role: .coordinator, region: "thies")
            let member = ["member_number": "MSNAS-0005", "date": "2023-03-20"]

            // What a lead that does not exist answers, route by route.
            let requests: [(String, String, (Int) -> [String: Any]?, String)] = [
                ("GET", "/api/v1/leads/{id}", { _ in nil }, membership),
                ("POST", "/api/v1/leads/{id}/membership", { _ in member }, membership),
                ("GET", "/api/v1/leads/{id}", { _ in nil }, coordinator),
                ("POST", "/api/v1/leads/merges", { ["kept_id": thiesID, "merged_id": $0] }, coordinator),
                ("POST", "/api/v1/leads/merges", { ["kept_id": $0, "merged_id": thiesID] }, coordinator),
                ("POST", "/api/v1/leads/keep-apart", { ["lead_ids": [thiesID, $0]] }, coordinator),
            ]
            for (method, path, body, key) in requests {
                func call(_ id: Int) async throws -> HTTPReply {
                    try await server.send(method, path.replacingOccurrences(of: "{id}", with: "\(id)"), body(id), key: key)
                }
                let unknown = try await call(missing)
                let outOfScope = try await call(dakarID)
                #expect(unknown.status == 404, "\(method) \(path)")
                #expect(try unknown.json()["code"] as? String == "404.30", "\(method) \(path)")
                #expect(outOfScope.status == 404, "\(method) \(path) on a Dakar lead answered \(outOfScope.status)")
                #expect(outOfScope.body == unknown.body, "\(method) \(path)")
                #expect(!outOfScope.text.contains("Mariama"))
            }
            // A merge between Dakar leads is not Thiès's to undo.
            let (_, dakar) = try server.administration.addAPIKey(name: "dakar", role: .coordinator, region: "dakar")
            let merged = try await server.send("POST", "/api/v1/leads/merges", ["kept_id": dakarID, "merged_id": otherDakarID],
                                               key: dakar)
            #expect(merged.status == 201)
            let mergeID = try #require(try merged.json()["merge_id"] as? Int)
            let undo = try await server.send("POST", "/api/v1/leads/merges/\(mergeID)/undo", key: coordinator)
            let noSuchMerge = try await server.send("POST", "/api/v1/leads/merges/\(missing)/undo", key: coordinator)
            #expect(undo.status == 404 && undo.body == noSuchMerge.body)

            // Nothing was written to the Dakar lead; the Thiès one is the key's to write.
            let members: [Int64] = try server.query("SELECT count(*) FROM leads WHERE member_number IS NOT NULL")
            #expect(members == [0])
            let own = try await server.send("POST", "/api/v1/leads/\(thiesID)/membership", member, key: membership)
            #expect(own.status == 200)
            #expect(try own.json()["status"] as? String == "member")
            let tallies: [String] = try server.query(
                "SELECT departement_code FROM tallies WHERE indicator_id = 'memberships'")
            #expect(tallies == ["mbour"])

            // The file upload matches nothing out of scope, and names no lead there.
            let csv = """
                lead_id;phone;national_id;member_number;date
                \(dakarID);;;M-1;2023-03-20
                ;77 810 20 30;;M-2;2023-03-20
                ;77 820 20 30;1751199001234;M-3;2023-03-21
                """
            let upload = try await server.client.request("POST", "/api/v1/memberships",
                                                         headers: auth(membership).merging(["Content-Type": "text/csv"]) { $1 },
                                                         body: Data(csv.utf8))
            #expect(upload.status == 200)
            let rows = try upload.json()["rows"] as? [[String: Any]] ?? []
            #expect(rows.map { $0["outcome"] as? String } == ["not_found", "not_found", "matched"])
            #expect(rows.last?["lead_id"] as? Int == thiesID)
            #expect(rows.allSatisfy { $0["detail"] is NSNull })
            #expect(try server.query("SELECT count(*) FROM leads WHERE member_number IS NOT NULL") == [Int64(1)])
        }
    }

    /// Item 8: `suivi verify` agrees with the memberships tally after write-backs.
    @Test func verifyAgreesWithTheMembershipsTally() async throws {
        try await withTestServer { server in
            try await visit(server, ["phone": "77 900 00 01", "national_id": ""])
            try await visit(server, ["phone": "77 900 00 02", "national_id": ""])
            let ids = try await feed(server).compactMap { $0["id"] as? Int }
            let json = auth(server.adminKey).merging(["Content-Type": "application/json"]) { $1 }
            let one = try await server.client.request("POST", "/api/v1/leads/\(ids[0])/membership", headers: json,
                                                      body: Data(#"{"member_number": "M-1", "date": "2023-03-20"}"#.utf8))
            #expect(one.status == 200)
            let csv = "lead_id,member_number,date\n\(ids[1]),M-2,2023-03-21\n"
            let file = try await server.client.request("POST", "/api/v1/memberships",
                                                       headers: auth(server.adminKey).merging(["Content-Type": "text/csv"]) { $1 },
                                                       body: Data(csv.utf8))
            #expect(file.status == 200)
            // A changed date moves the count.
            let moved = try await server.client.request("POST", "/api/v1/leads/\(ids[0])/membership", headers: json,
                                                        body: Data(#"{"member_number": "M-1", "date": "2023-03-22"}"#.utf8))
            #expect(moved.status == 200)
            let clean = try await blocking { try CommandLineTests.run(["verify", "--db", server.databasePath]) }
            #expect(clean.status == 0, "\(clean.output)")
            #expect(!clean.output.contains("DIFFERENCE"))
            try TallyFixtures.execute(server.databasePath,
                                      "UPDATE tallies SET value = 2, records = 2 WHERE indicator_id = 'memberships' AND day = '2023-03-21'")
            let tampered = try await blocking { try CommandLineTests.run(["verify", "--db", server.databasePath]) }
            #expect(tampered.status == 1)
            #expect(tampered.output.contains("memberships guediawaye 2023-03-21: recount 1 (1 records), tallies 2 (2 records)"))
        }
    }
}

func auth(_ key: String) -> [String: String] {
    ["Authorization": "Bearer \(key)"]
}

/// Posts one visit like a phone does and checks it was accepted.
/// `link`: the sender's personal link path, the test server's Pikine
/// person's by default. A visit counts only in its sender's region, so
/// visits of other regions come through a person of that region.
func visit(_ server: TestServer, _ overrides: [String: String], instanceID: String? = nil,
           deprecatedID: String? = nil, link: String? = nil) async throws {
    let xml = Records.visit(instanceID: instanceID ?? "uuid:\(UUID().uuidString.lowercased())", deprecatedID: deprecatedID,
                            overrides: overrides)
    let reply = try await server.client.submit("\(link ?? server.linkPath)/submission", xml: xml)
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
