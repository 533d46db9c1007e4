import Foundation
import GRDB

/// One day's tallies as they stood at one version of that day (see
/// migration 0009), ordered by département then indicator in SQLite's byte
/// order. Immutable, so every reader of the day shares the same one.
public final class TallyDay: Sendable {
    public struct Cell: Sendable, Equatable {
        public let departementCode: String
        public let indicatorID: String
        public let value: Double
        public let records: Int64
    }

    public let day: String
    /// `tally_day_versions.version` when the cells were read.
    public let version: Int64
    public let cells: [Cell]
    /// Where each département's cells are in `cells`.
    public let departements: [String: Range<Int>]

    init(day: String, version: Int64, cells: [Cell]) {
        self.day = day
        self.version = version
        self.cells = cells
        var departements: [String: Range<Int>] = [:]
        var start = 0
        for index in cells.indices where index + 1 == cells.count || cells[index + 1].departementCode != cells[index].departementCode {
            departements[cells[index].departementCode] = start..<(index + 1)
            start = index + 1
        }
        self.departements = departements
    }

    /// The cells of `departementCodes` (nil: all), in order.
    public func cells(of departementCodes: [String]?) -> [Cell] {
        guard let codes = departementCodes else { return cells }
        return Set(codes).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            .flatMap { departements[$0].map { Array(cells[$0]) } ?? [] }
    }
}

/// The days of tallies readers have already read, kept in memory per
/// database. A read first asks SQLite for the versions of the period's days
/// (one row per day) and reads again only the days whose version moved, in
/// the same read transaction, so what it returns is one consistent snapshot.
/// During a campaign only today's tallies change: a month's dashboard reads
/// one day from SQLite instead of every tally of the month.
final class TallyDayCache: @unchecked Sendable {
    // `days` is only touched under `lock`; TallyDay values are immutable.
    private let lock = NSLock()
    private var days: [String: TallyDay] = [:]
    /// Beyond this many days held (years of daily campaigns), start afresh.
    private let capacity = 2_000

    /// The days of `from...to` that have tallies, in order.
    func days(from: String, to: String, in db: Database) throws -> [TallyDay] {
        let versions = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT day, version FROM tally_day_versions WHERE day BETWEEN ? AND ? ORDER BY day
            """), arguments: [from, to]).map { (day: $0[0] as String, version: $0[1] as Int64) }
        var result: [TallyDay?] = lock.withLock {
            versions.map { wanted in days[wanted.day].flatMap { $0.version == wanted.version ? $0 : nil } }
        }
        var fresh: [TallyDay] = []
        for index in versions.indices where result[index] == nil {
            let day = try Self.read(day: versions[index].day, version: versions[index].version, in: db)
            result[index] = day
            fresh.append(day)
        }
        if !fresh.isEmpty {
            lock.withLock {
                if days.count + fresh.count > capacity { days.removeAll() }
                for day in fresh { days[day.day] = day }
            }
        }
        return result.compactMap { $0 }
    }

    private static func read(day: String, version: Int64, in db: Database) throws -> TallyDay {
        let statement = try db.cachedStatement(sql: """
            SELECT departement_code, indicator_id, value, records FROM tallies WHERE day = ?
            ORDER BY departement_code, indicator_id
            """)
        var cells: [TallyDay.Cell] = []
        let cursor = try Row.fetchCursor(statement, arguments: [day])
        while let row = try cursor.next() {
            cells.append(TallyDay.Cell(departementCode: row[0], indicatorID: row[1], value: row[2], records: row[3]))
        }
        return TallyDay(day: day, version: version, cells: cells)
    }
}
