import Foundation
import GRDB
import SuiviDomain

/// One tally that differs from a recount of the records.
public struct TallyDifference: Sendable, Equatable, CustomStringConvertible {
    public let indicatorID: String
    public let departementCode: String
    public let day: String
    public let recountedValue: Double
    public let recountedRecords: Int
    public let storedValue: Double
    public let storedRecords: Int

    public var description: String {
        "\(indicatorID) \(departementCode) \(day): recount \(Self.text(recountedValue)) (\(recountedRecords) records), "
            + "tallies \(Self.text(storedValue)) (\(storedRecords) records)"
    }

    public static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// `suivi verify`: recounts every active indicator from the records with SQL
/// alone (never through `TallyBook`), and `memberships` from the leads the
/// membership system made members, and compares with `tallies`. Reads one
/// snapshot, so a server writing meanwhile cannot cause a false difference.
public enum TallyVerifier {
    public static func differences(in database: SuiviDatabase) throws -> [TallyDifference] {
        try database.readNow { db in
            struct Key: Hashable { let indicator: String, departement: String, day: String }
            var recounted: [Key: (Double, Int)] = [:]
            var stored: [Key: (Double, Int)] = [:]
            let indicators = try IndicatorStore.all(in: db).filter(\.active)
            for indicator in indicators {
                let rows: [Row]
                if indicator.id == LeadBook.membershipsIndicatorID {
                    // Counted by the membership write-back, not from records.
                    rows = try Row.fetchAll(db, sql: TallySQL.memberships)
                } else {
                    let (select, arguments) = TallySQL.contributions(of: indicator.sources)
                    rows = try Row.fetchAll(db, sql: """
                        SELECT departement_code, day, sum(value), count(*) FROM (\(select)) GROUP BY departement_code, day
                        """, arguments: arguments)
                }
                for row in rows {
                    recounted[Key(indicator: indicator.id, departement: row[0], day: row[1])] = (row[2], row[3])
                }
            }
            let active = Set(indicators.map(\.id))
            for row in try Row.fetchAll(db, sql: "SELECT indicator_id, departement_code, day, value, records FROM tallies")
            where active.contains(row[0]) {
                stored[Key(indicator: row[0], departement: row[1], day: row[2])] = (row[3], row[4])
            }
            var differences: [TallyDifference] = []
            for key in Set(recounted.keys).union(stored.keys) {
                let expected = recounted[key] ?? (0, 0)
                let actual = stored[key] ?? (0, 0)
                if abs(expected.0 - actual.0) > 1e-6 * max(1, abs(expected.0)) || expected.1 != actual.1 {
                    differences.append(TallyDifference(
                        indicatorID: key.indicator, departementCode: key.departement, day: key.day,
                        recountedValue: expected.0, recountedRecords: expected.1,
                        storedValue: actual.0, storedRecords: actual.1))
                }
            }
            return differences.sorted {
                ($0.day, $0.departementCode, $0.indicatorID) < ($1.day, $1.departementCode, $1.indicatorID)
            }
        }
    }

    /// How many tally rows were compared, for the command's summary line.
    public static func tallyCount(in database: SuiviDatabase) throws -> Int {
        try database.readNow { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tallies") ?? 0 }
    }
}
