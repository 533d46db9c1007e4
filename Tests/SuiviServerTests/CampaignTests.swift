import Foundation
import Testing

/// JSON calls with an API key, as another system or a page would make them.
extension TestServer {
    func call(_ method: String, _ path: String, key: String? = nil, json: [String: Any]? = nil,
              body: Data? = nil, contentType: String? = nil) async throws -> HTTPReply {
        var headers = ["Authorization": "Bearer \(key ?? adminKey)"]
        var bytes = Data()
        if let json {
            bytes = try JSONSerialization.data(withJSONObject: json)
            headers["Content-Type"] = "application/json"
        } else if let body {
            bytes = body
            headers["Content-Type"] = contentType ?? "application/octet-stream"
        }
        return try await client.request(method, path, headers: headers, body: bytes)
    }

    func key(role: String, region: String? = nil) throws -> String {
        try administration.addAPIKey(name: "\(role) \(region ?? "national")", role: .init(rawValue: role)!, region: region).secret
    }

    /// Audit lines for an action, as (target_id, details).
    func auditLines(_ action: String) throws -> [String] {
        try query("SELECT coalesce(target_id, '') || ' ' || details FROM audit_log WHERE action = '\(action)' ORDER BY id")
    }
}

@Suite struct CampaignTests {
    static var dakarPhase: [String: Any] {  ["name": "Dakar", "starts_on": "2023-03-07", "ends_on": "2023-03-11"] }
    static var otherPhase: [String: Any] {  ["name": "Autres régions", "starts_on": "2023-04-01", "ends_on": "2023-06-30"] }

    @Test func aCampaignIsSetUpWithPhasesDaysAndNeighbourhoods() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let created = try await server.call("POST", "/api/v1/campaigns", json: [
                "name": "Campagne RSPC 2023", "starts_on": "2023-03-01", "ends_on": "2023-06-30",
                "phases": [Self.dakarPhase, Self.otherPhase]])
            #expect(created.status == 201, "\(created.text)")
            let campaign = try #require(created.json()["campaign"] as? [String: Any])
            let campaignID = try #require(campaign["id"] as? Int)
            let phases = try #require(campaign["phases"] as? [[String: Any]])
            #expect(phases.map { $0["name"] as? String } == ["Dakar", "Autres régions"])
            let dakar = try #require(phases[0]["id"] as? Int)

            let days = try await server.call("PUT", "/api/v1/phases/\(dakar)/days/rufisque", json: ["days": ["2023-03-07"]])
            #expect(days.status == 200, "\(days.text)")
            let outside = try await server.call("PUT", "/api/v1/phases/\(dakar)/days/pikine", json: ["days": ["2023-03-20"]])
            #expect(outside.status == 400)
            #expect(try outside.json()["code"] as? String == "400.30")
            let added = try await server.call("POST", "/api/v1/phases/\(dakar)/neighbourhoods",
                                              json: ["departement": "rufisque", "name": "Bargny"])
            #expect(added.status == 201)
            let again = try await server.call("POST", "/api/v1/phases/\(dakar)/neighbourhoods",
                                              json: ["departement": "rufisque", "name": "Bargny"])
            #expect(again.status == 409)
            let taken = try await server.call("POST", "/api/v1/campaigns/\(campaignID)/phases", json: Self.dakarPhase)
            #expect(try taken.json()["code"] as? String == "409.20")

            let shown = try await server.call("GET", "/api/v1/campaigns/\(campaignID)")
            #expect(shown.header("Cache-Control") == nil)
            let phase = try #require(((shown.json()["campaign"] as? [String: Any])?["phases"] as? [[String: Any]])?.first)
            #expect((phase["days"] as? [[String: Any]])?.first?["day"] as? String == "2023-03-07")
            #expect((phase["neighbourhoods"] as? [[String: Any]])?.first?["name"] as? String == "Bargny")

            let renamed = try await server.call("PATCH", "/api/v1/campaigns/\(campaignID)", json: ["name": "Campagne 2023"])
            #expect((try renamed.json()["campaign"] as? [String: Any])?["name"] as? String == "Campagne 2023")
            let wrongOrder = try await server.call("PATCH", "/api/v1/campaigns/\(campaignID)", json: ["ends_on": "2023-01-01"])
            #expect(try wrongOrder.json()["code"] as? String == "400.36")

            #expect(try server.auditLines("campaign.create") == ["\(campaignID) {\"phases\":\"2\"}"])
            #expect(try server.auditLines("campaign_days.set") == ["\(dakar) {\"days\":\"1\",\"departement\":\"rufisque\"}"])
            #expect(try server.auditLines("neighbourhood.add").count == 1)
            #expect(try server.auditLines("campaign.update").count == 1)

            let deleted = try await server.call("DELETE", "/api/v1/campaigns/\(campaignID)")
            #expect(deleted.status == 200)
            let gone = try await server.call("GET", "/api/v1/campaigns/\(campaignID)")
            #expect(gone.status == 404)
            let rows: [Int64] = try server.query("SELECT count(*) FROM campaign_days")
            #expect(rows == [0])
        }
    }

    @Test func aRegionalCoordinatorEditsOnlyTheirDepartementsAndNeverTheCampaign() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let created = try await server.call("POST", "/api/v1/campaigns", json: [
                "name": "Campagne", "starts_on": "2023-03-01", "ends_on": "2023-06-30", "phases": [Self.otherPhase]])
            let campaign = try #require(created.json()["campaign"] as? [String: Any])
            let phase = try #require((campaign["phases"] as? [[String: Any]])?.first?["id"] as? Int)
            let thies = try server.key(role: "coordinator", region: "thies")

            let ownDays = try await server.call("PUT", "/api/v1/phases/\(phase)/days/mbour", key: thies, json: ["days": ["2023-04-03"]])
            #expect(ownDays.status == 200)
            let otherDays = try await server.call("PUT", "/api/v1/phases/\(phase)/days/kaolack", key: thies, json: ["days": ["2023-04-03"]])
            #expect(otherDays.status == 403)
            let newCampaign = try await server.call("POST", "/api/v1/campaigns", key: thies,
                                                    json: ["name": "X", "starts_on": "2023-03-01", "ends_on": "2023-03-02"])
            #expect(newCampaign.status == 403)
            let otherTarget = try await server.call("PUT", "/api/v1/phases/\(phase)/targets", key: thies,
                                                    json: ["indicator": "visits", "departement": "kaolack", "target": 100])
            #expect(otherTarget.status == 403)
            let viewer = try server.key(role: "viewer")
            let viewerRead = try await server.call("GET", "/api/v1/campaigns", key: viewer)
            #expect(viewerRead.status == 200)
            let viewerWrite = try await server.call("PUT", "/api/v1/phases/\(phase)/days/mbour", key: viewer, json: ["days": []])
            #expect(viewerWrite.status == 403)
        }
    }

    @Test func targetsKeepEveryChangeInTheirHistory() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let created = try await server.call("POST", "/api/v1/campaigns", json: [
                "name": "Campagne", "starts_on": "2023-03-01", "ends_on": "2023-06-30", "phases": [Self.dakarPhase]])
            let phase = try #require(((created.json()["campaign"] as? [String: Any])?["phases"] as? [[String: Any]])?.first?["id"] as? Int)
            let first = try await server.call("PUT", "/api/v1/phases/\(phase)/targets",
                                              json: ["indicator": "visits", "departement": "dakar", "baseline": 0, "milestone": 160, "target": 200])
            #expect(first.status == 200, "\(first.text)")
            let targetID = try #require((first.json()["target"] as? [String: Any])?["id"] as? Int)
            let second = try await server.call("PUT", "/api/v1/phases/\(phase)/targets",
                                               json: ["indicator": "visits", "departement": "dakar", "baseline": 0, "target": 250])
            #expect((try second.json()["target"] as? [String: Any])?["id"] as? Int == targetID)
            #expect((try second.json()["target"] as? [String: Any])?["milestone"] is NSNull)

            let listed = try await server.call("GET", "/api/v1/phases/\(phase)/targets", key: try server.key(role: "viewer"))
            let json = try listed.json()
            #expect((json["targets"] as? [[String: Any]])?.count == 1)
            #expect((json["indicators"] as? [[String: Any]])?.contains { $0["id"] as? String == "people_reached" } == true)

            let history = try await server.call("GET", "/api/v1/targets/\(targetID)/history")
            let changes = try #require(history.json()["changes"] as? [[String: Any]])
            #expect(changes.map { $0["target"] as? Double } == [250, 200])
            #expect(changes.last?["milestone"] as? Double == 160)

            let unknown = try await server.call("PUT", "/api/v1/phases/\(phase)/targets",
                                                json: ["indicator": "nope", "departement": "dakar", "target": 1])
            #expect(try unknown.json()["code"] as? String == "400.37")
            let negative = try await server.call("PUT", "/api/v1/phases/\(phase)/targets",
                                                 json: ["indicator": "visits", "departement": "dakar", "target": -1])
            #expect(negative.status == 400)
            let missing = try await server.call("GET", "/api/v1/targets/999/history")
            #expect(missing.status == 404)
            #expect(try server.auditLines("target.set").count == 2)
        }
    }

    /// Every campaign answer byte for byte: key names, null where a value is
    /// missing, whole numbers without a fraction.
    @Test func campaignAnswersKeepTheirKeysAndFormats() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let created = try await server.call("POST", "/api/v1/campaigns", json: [
                "name": "Campagne \"2023\"", "starts_on": "2023-03-01", "ends_on": "2023-06-30", "phases": [Self.dakarPhase]])
            #expect(created.status == 201)
            expectJSON(created, #"{"campaign":{"created_at":"<time>","ends_on":"2023-06-30","id":1,"name":"Campagne \"2023\"","phases":[{"campaign_id":1,"days":[],"ends_on":"2023-03-11","id":1,"name":"Dakar","neighbourhoods":[],"position":1,"starts_on":"2023-03-07"}],"starts_on":"2023-03-01"}}"#)
            let days = try await server.call("PUT", "/api/v1/phases/1/days/rufisque", json: ["days": ["2023-03-08", "2023-03-07"]])
            expectJSON(days, #"{"phase":{"campaign_id":1,"days":[{"day":"2023-03-07","departement":"rufisque"},{"day":"2023-03-08","departement":"rufisque"}],"ends_on":"2023-03-11","id":1,"name":"Dakar","neighbourhoods":[],"position":1,"starts_on":"2023-03-07"}}"#)
            let neighbourhood = try await server.call("POST", "/api/v1/phases/1/neighbourhoods",
                                                      json: ["departement": "rufisque", "name": "Bargny"])
            expectJSON(neighbourhood, #"{"neighbourhood":{"departement":"rufisque","id":1,"name":"Bargny","phase_id":1}}"#)
            var other = Self.otherPhase
            other["position"] = 5
            let phase = try await server.call("POST", "/api/v1/campaigns/1/phases", json: other)
            #expect(phase.status == 201)
            expectJSON(phase, #"{"phase":{"campaign_id":1,"days":[],"ends_on":"2023-06-30","id":2,"name":"Autres régions","neighbourhoods":[],"position":5,"starts_on":"2023-04-01"}}"#)
            let renamed = try await server.call("PATCH", "/api/v1/phases/2", json: ["name": "Régions"])
            expectJSON(renamed, #"{"phase":{"campaign_id":1,"days":[],"ends_on":"2023-06-30","id":2,"name":"Régions","neighbourhoods":[],"position":5,"starts_on":"2023-04-01"}}"#)
            let first = try await server.call("PUT", "/api/v1/phases/1/targets", json: [
                "indicator": "visits", "departement": "rufisque", "baseline": 0.5, "milestone": 160, "target": 200])
            expectJSON(first, #"{"target":{"baseline":0.5,"departement":"rufisque","id":1,"indicator":"visits","milestone":160,"phase_id":1,"target":200,"updated_at":"<time>"}}"#)
            let second = try await server.call("PUT", "/api/v1/phases/1/targets", json: [
                "indicator": "visits", "departement": "rufisque", "target": 250.25])
            expectJSON(second, #"{"target":{"baseline":0,"departement":"rufisque","id":1,"indicator":"visits","milestone":null,"phase_id":1,"target":250.25,"updated_at":"<time>"}}"#)
            expectJSON(try await server.call("GET", "/api/v1/phases/1/targets"), #"{"indicators":[{"id":"visits","name":"Visites","name_en":"Visits"},{"id":"pre_registrations","name":"Pré-inscriptions","name_en":"Pre-registrations"},{"id":"radio_programmes","name":"Émissions radio","name_en":"Radio programmes"},{"id":"radio_audience","name":"Auditeurs estimés","name_en":"Estimated radio audience"},{"id":"group_talks","name":"Causeries","name_en":"Group talks"},{"id":"group_talk_participants_men","name":"Participants aux causeries (hommes)","name_en":"Group talk participants (men)"},{"id":"group_talk_participants_women","name":"Participantes aux causeries (femmes)","name_en":"Group talk participants (women)"},{"id":"people_reached","name":"Personnes touchées","name_en":"People reached"},{"id":"memberships","name":"Adhésions","name_en":"Memberships"}],"targets":[{"baseline":0,"departement":"rufisque","id":1,"indicator":"visits","milestone":null,"phase_id":1,"target":250.25,"updated_at":"<time>"}]}"#)
            expectJSON(try await server.call("GET", "/api/v1/targets/1/history"), #"{"changes":[{"baseline":0,"changed_at":"<time>","changed_by":null,"id":2,"milestone":null,"target":250.25},{"baseline":0.5,"changed_at":"<time>","changed_by":null,"id":1,"milestone":160,"target":200}]}"#)
            expectJSON(try await server.call("GET", "/api/v1/campaigns"), #"{"campaigns":[{"created_at":"<time>","ends_on":"2023-06-30","id":1,"name":"Campagne \"2023\"","phases":[{"campaign_id":1,"days":[{"day":"2023-03-07","departement":"rufisque"},{"day":"2023-03-08","departement":"rufisque"}],"ends_on":"2023-03-11","id":1,"name":"Dakar","neighbourhoods":[{"departement":"rufisque","id":1,"name":"Bargny","phase_id":1}],"position":1,"starts_on":"2023-03-07"},{"campaign_id":1,"days":[],"ends_on":"2023-06-30","id":2,"name":"Régions","neighbourhoods":[],"position":5,"starts_on":"2023-04-01"}],"starts_on":"2023-03-01"}]}"#)
            expectJSON(try await server.call("GET", "/api/v1/campaigns/1"), #"{"campaign":{"created_at":"<time>","ends_on":"2023-06-30","id":1,"name":"Campagne \"2023\"","phases":[{"campaign_id":1,"days":[{"day":"2023-03-07","departement":"rufisque"},{"day":"2023-03-08","departement":"rufisque"}],"ends_on":"2023-03-11","id":1,"name":"Dakar","neighbourhoods":[{"departement":"rufisque","id":1,"name":"Bargny","phase_id":1}],"position":1,"starts_on":"2023-03-07"},{"campaign_id":1,"days":[],"ends_on":"2023-06-30","id":2,"name":"Régions","neighbourhoods":[],"position":5,"starts_on":"2023-04-01"}],"starts_on":"2023-03-01"}}"#)
            let updated = try await server.call("PATCH", "/api/v1/campaigns/1", json: ["ends_on": "2023-07-31"])
            expectJSON(updated, #"{"campaign":{"created_at":"<time>","ends_on":"2023-07-31","id":1,"name":"Campagne \"2023\"","phases":[{"campaign_id":1,"days":[{"day":"2023-03-07","departement":"rufisque"},{"day":"2023-03-08","departement":"rufisque"}],"ends_on":"2023-03-11","id":1,"name":"Dakar","neighbourhoods":[{"departement":"rufisque","id":1,"name":"Bargny","phase_id":1}],"position":1,"starts_on":"2023-03-07"},{"campaign_id":1,"days":[],"ends_on":"2023-06-30","id":2,"name":"Régions","neighbourhoods":[],"position":5,"starts_on":"2023-04-01"}],"starts_on":"2023-03-01"}}"#)
            expectJSON(try await server.call("DELETE", "/api/v1/neighbourhoods/1"), #"{"deleted":true}"#)
            expectJSON(try await server.call("DELETE", "/api/v1/phases/2"), #"{"deleted":true}"#)
            expectJSON(try await server.call("DELETE", "/api/v1/campaigns/1"), #"{"deleted":true}"#)
        }
    }
}
