import Foundation
import SuiviAdmin
import Logging
import SuiviApp
import Testing

/// `suivi demo`: the Dakar phase, sent through the real intake path.
@Suite struct DemoTests {
    @Test func theDakarPhaseLoadsThroughTheRealIntakeAndTalliesMatchTheRecords() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("suivi-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("demo.sqlite").path
        let configuration = AppConfiguration(
            databasePath: path, formsDirectory: repositoryRoot.appendingPathComponent("Forms").path)
        let logger = Logger(label: "demo-test") { _ in SwiftLogNoOpLogHandler() }

        let summary = try await DemoLoader(configuration: configuration, logger: logger).run()
        #expect(summary.people == 75)
        #expect((800...900).contains(summary.records["visite"] ?? 0))
        #expect(summary.records["emission_radio"] == 5)
        #expect((5...10).contains(summary.records["causerie"] ?? 0))
        #expect(summary.accounts.map(\.login) == ["admin", "coordination", "dakar", "lecture"])

        // Five départements, fifteen persons each, records on their campaign day.
        let perDepartement: [Int64] = try SQLiteProbe.values(
            path, "SELECT count(*) FROM resource_persons GROUP BY departement_code ORDER BY departement_code")
        #expect(perDepartement == [15, 15, 15, 15, 15])
        // Picked before the campaign: all 75 are expected reporters on 10 March 2023.
        let activeThen: [Int64] = try SQLiteProbe.values(path, """
            SELECT count(*) FROM resource_person_activity WHERE from_day <= '2023-03-10' AND until_day IS NULL
            """)
        #expect(activeThen == [75])
        let days: [String] = try SQLiteProbe.values(
            path, "SELECT DISTINCT departement_code || ' ' || activity_date FROM submissions ORDER BY activity_date")
        #expect(days == ["rufisque 2023-03-07", "keur-massar 2023-03-08", "guediawaye 2023-03-09",
                         "pikine 2023-03-10", "dakar 2023-03-11"])
        // Some artisans were visited twice, their phone written differently.
        let revisited: [Int64] = try SQLiteProbe.values(path, """
            SELECT count(*) FROM (SELECT json_extract(answers, '$.artisan_name') AS name, departement_code,
                   json_extract(answers, '$.national_id') AS nin
            FROM submissions WHERE form_id = 'visite' AND nin <> ''
            GROUP BY name, departement_code, nin HAVING count(DISTINCT json_extract(answers, '$.phone')) > 1)
            """)
        #expect(revisited[0] > 5)

        // Tallies kept at intake equal a recount from the stored answers.
        let visits: [Double] = try SQLiteProbe.values(path, "SELECT sum(value) FROM tallies WHERE indicator_id = 'visits'")
        #expect(Int(visits[0]) == summary.records["visite"])
        let preRegistrations: [Int64] = try SQLiteProbe.values(path, """
            SELECT count(*) FROM submissions WHERE form_id = 'visite' AND json_extract(answers, '$.wants_to_join') = 'yes'
            """)
        let tallied: [Double] = try SQLiteProbe.values(
            path, "SELECT sum(value) FROM tallies WHERE indicator_id = 'pre_registrations'")
        #expect(Int64(tallied[0]) == preRegistrations[0])
        let audience: [Double] = try SQLiteProbe.values(
            path, "SELECT sum(value) FROM tallies WHERE indicator_id = 'radio_audience'")
        #expect((17_500...22_500).contains(audience[0]))

        // A second run refuses: the demo only fills an empty database.
        await #expect(throws: DemoLoader.Failure.self) {
            _ = try await DemoLoader(configuration: configuration, logger: logger).run()
        }
    }
}
