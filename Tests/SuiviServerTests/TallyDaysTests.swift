import Foundation
import GRDB
import Testing
@testable import SuiviStore

/// Days of tallies held in memory (TallyDays.swift) against a real SQLite
/// file: a day is read again exactly when its version moved, and a database
/// migrated from before 0009 starts with a version for every day it holds.
@Suite struct TallyDaysTests {
    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tally-days-\(UUID().uuidString).sqlite").path
    }

    @Test func aDatabaseFromBeforeTheVersionsGetsOneForEveryDayItHolds() async throws {
        let path = Self.temporaryPath()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        do {
            let queue = try DatabaseQueue(path: path)
            try Migrations.migrator.migrate(queue, upTo: "0008-rejected-lead-visits")
            try await queue.write { db in
                try db.execute(sql: """
                    INSERT INTO tallies (indicator_id, departement_code, day, value, records) VALUES
                    ('visits', 'pikine', '2023-03-07', 5, 5), ('visits', 'guediawaye', '2023-03-07', 2, 2),
                    ('visits', 'pikine', '2023-03-08', 1, 1)
                    """)
            }
        }
        let database = try SuiviDatabase(path: path)
        let store = TallyStore(database: database)
        let days = try await store.days(from: "2023-03-01", to: "2023-03-31")
        #expect(days.map(\.day) == ["2023-03-07", "2023-03-08"])
        #expect(days[0].cells.map(\.departementCode) == ["guediawaye", "pikine"])
        #expect(days[0].cells(of: ["pikine"]).map(\.value) == [5])
        let versions: Int = try await database.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM tally_day_versions") ?? 0
        }
        #expect(versions == 2)
    }

    @Test func aDayIsReadAgainOnlyWhenItsTalliesChanged() async throws {
        let path = Self.temporaryPath()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let database = try SuiviDatabase(path: path)
        let store = TallyStore(database: database)
        func write(_ sql: String) async throws { _ = try await database.write { db in try db.execute(sql: sql) } }
        try await write("""
            INSERT INTO tallies (indicator_id, departement_code, day, value, records) VALUES
            ('visits', 'pikine', '2023-03-07', 5, 5), ('visits', 'pikine', '2023-03-08', 1, 1)
            """)
        let first = try await store.days(from: "2023-03-07", to: "2023-03-08")
        let second = try await store.days(from: "2023-03-07", to: "2023-03-08")
        // Unchanged days are the very objects read before.
        #expect(first[0] === second[0] && first[1] === second[1])

        try await write("UPDATE tallies SET value = value + 1, records = records + 1 WHERE day = '2023-03-08'")
        let third = try await store.days(from: "2023-03-07", to: "2023-03-08")
        #expect(third[0] === first[0])
        #expect(third[1] !== first[1] && third[1].cells.map(\.value) == [2])

        try await write("DELETE FROM tallies WHERE day = '2023-03-08'")
        let fourth = try await store.days(from: "2023-03-07", to: "2023-03-08")
        #expect(fourth.count == 2 && fourth[1].cells.isEmpty)
        #expect(try await store.tallies(from: "2023-03-07", to: "2023-03-08", departementCodes: nil).count == 1)
        let totals = try await store.totalsByDepartement(from: "2023-03-01", to: "2023-03-31", departementCodes: ["pikine"])
        #expect(totals.map(\.value) == [5])
    }
}
