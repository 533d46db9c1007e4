import Foundation
import GRDB

/// Radio programme and group talk records, and campaign rows written
/// straight into the test database (the campaign pages are built elsewhere).
enum TallyFixtures {
    static func radio(instanceID: String = "uuid:\(UUID().uuidString.lowercased())", departement: String = "guediawaye",
                      date: String = "2023-03-09", station: String = "Radio Guédiawaye FM", audience: String = "4000") -> String {
        let answers: [(String, String)] = [
            ("start", "\(date)T10:00:00.000+00:00"), ("end", "\(date)T11:00:00.000+00:00"), ("departement", departement),
            ("station", station), ("broadcast_date", date), ("duration_minutes", "45"), ("language", "wolof"),
            ("hosts", "Délégué MSNAS"), ("estimated_audience", audience), ("calls_received", "12"),
        ]
        return record("emission_radio", instanceID: instanceID, answers: answers)
    }

    static func groupTalk(instanceID: String = "uuid:\(UUID().uuidString.lowercased())", departement: String = "guediawaye",
                          date: String = "2023-03-09", men: String = "12", women: String = "20") -> String {
        let answers: [(String, String)] = [
            ("start", "\(date)T10:00:00.000+00:00"), ("end", "\(date)T11:00:00.000+00:00"), ("departement", departement),
            ("place", "Marché Boubess"), ("talk_date", date), ("participants_men", men), ("participants_women", women),
            ("pre_registrations", "3"),
        ]
        return record("causerie", instanceID: instanceID, answers: answers)
    }

    private static func record(_ formID: String, instanceID: String, answers: [(String, String)]) -> String {
        let body = answers.map { name, value in value.isEmpty ? "<\(name)/>" : "<\(name)>\(value)</\(name)>" }.joined()
        return """
            <?xml version="1.0"?>
            <data xmlns:jr="http://openrosa.org/javarosa" id="\(formID)" version="2026112301">\(body)<meta><instanceID>\(instanceID)</instanceID></meta></data>
            """
    }

    /// Runs SQL on the test server's database file, as the campaign pages would.
    static func execute(_ path: String, _ sql: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in try db.execute(sql: sql) }
    }

    /// The Dakar phase of March 2023: campaign days Rufisque 7, Keur Massar 8,
    /// Guédiawaye 9, Pikine 10, Dakar 11; visit targets per département.
    /// Everyone on file was picked before the campaign: active since `day`
    /// (people added by a test are otherwise active from today only).
    static func peopleActiveSince(_ path: String, _ day: String) throws {
        try execute(path, "UPDATE resource_person_activity SET from_day = '\(day)' WHERE until_day IS NULL;")
    }

    static func dakarPhase(_ path: String) throws {
        try execute(path, """
            INSERT INTO campaigns (id, name, starts_on, ends_on, created_at) VALUES (1, 'Campagne 2023', '2023-03-01', '2023-12-31', '2023-02-01T00:00:00Z');
            INSERT INTO campaign_phases (id, campaign_id, name, position, starts_on, ends_on) VALUES (1, 1, 'Dakar', 1, '2023-03-07', '2023-03-11');
            INSERT INTO campaign_days (phase_id, departement_code, day) VALUES
                (1, 'rufisque', '2023-03-07'), (1, 'keur-massar', '2023-03-08'), (1, 'guediawaye', '2023-03-09'),
                (1, 'pikine', '2023-03-10'), (1, 'dakar', '2023-03-11');
            INSERT INTO targets (phase_id, indicator_id, departement_code, baseline, milestone, target, updated_at) VALUES
                (1, 'visits', 'guediawaye', 0, 80, 160, '2023-02-01T00:00:00Z'),
                (1, 'visits', 'pikine', 0, 80, 160, '2023-02-01T00:00:00Z'),
                (1, 'people_reached', 'guediawaye', 0, 2000, 4000, '2023-02-01T00:00:00Z');
            """)
    }
}

extension HTTPReply {
    /// A top-level JSON array.
    func jsonArray() throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: body) as? [[String: Any]] ?? []
    }
}
