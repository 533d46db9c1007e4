import Foundation
import GRDB
import GRDBSQLite
import SuiviDomain

/// Reads of the running totals, targets and reporting completeness. Every
/// query here reads `tallies`, the campaign tables, resource persons, or
/// probes `submissions` through an index: none grows with the number of
/// records.
public struct TallyStore: Sendable {
    let database: SuiviDatabase

    public init(database: SuiviDatabase) {
        self.database = database
    }

    /// One tally: an indicator's value for a département and a day.
    public struct Row: Sendable, Equatable {
        public let departementCode: String
        public let day: String
        public let indicatorID: String
        public let value: Double
        public let records: Int
    }

    /// The day a dashboard opens on: `today` when it is a campaign day or
    /// has records within `departementCodes` (nil: all), else the latest day
    /// before it with records (a campaign already over), else `today`.
    public func defaultDay(today: String, departementCodes: [String]?) async throws -> String {
        try await database.read { db in
            var scope = ""
            var arguments: StatementArguments = []
            if let codes = departementCodes {
                scope = " AND departement_code IN (\(codes.map { _ in "?" }.joined(separator: ",")))"
                arguments = StatementArguments(codes)
            }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM campaign_days WHERE day = ?\(scope) LIMIT 1",
                                 arguments: [today] + arguments) == true {
                return today
            }
            let latest = try String.fetchOne(db, sql: "SELECT max(day) FROM tallies WHERE day <= ?\(scope)",
                                             arguments: [today] + arguments)
            return latest ?? today
        }
    }

    /// Tallies of the days `from...to`, for `departementCodes` (nil: all),
    /// ordered by day, département and indicator.
    public func tallies(from: String, to: String, departementCodes: [String]?) async throws -> [Row] {
        try await database.read { db in
            var rows: [Row] = []
            try Self.eachTally(from: from, to: to, departementCodes: departementCodes, in: db) { cell in
                rows.append(Row(departementCode: cell.departementCode.string, day: cell.day.string,
                                indicatorID: cell.indicatorID.string, value: cell.value, records: Int(cell.records)))
            }
            return rows
        }
    }

    /// Hands the tallies of `from...to` to `visitor` one by one, inside the
    /// read, in the order (day, département, indicator): a full dump is a few
    /// thousand tallies, and a String per cell cost more than the query.
    public func visitTallies<Visitor: TallyVisitor>(from: String, to: String, departementCodes: [String]?,
                                                    _ visitor: Visitor) async throws -> Visitor {
        try await database.read { db in
            var visitor = visitor
            try Self.eachTally(from: from, to: to, departementCodes: departementCodes, in: db) { visitor.visit($0) }
            return visitor
        }
    }

    /// The one query over a period's tallies: the covering index
    /// `tallies_by_day_covering` alone, in its order.
    static func eachTally(from: String, to: String, departementCodes: [String]?, in db: Database,
                          _ body: (TallyCell) throws -> Void) throws {
        var sql = "SELECT departement_code, day, indicator_id, value, records FROM tallies WHERE day BETWEEN ? AND ?"
        var arguments: StatementArguments = [from, to]
        if let codes = departementCodes {
            sql += " AND departement_code IN (\(codes.map { _ in "?" }.joined(separator: ",")))"
            arguments += StatementArguments(codes)
        }
        sql += " ORDER BY day, departement_code, indicator_id"
        let statement = try db.cachedStatement(sql: sql)
        // The cursor steps the statement; the columns are read from it in
        // place, as GRDB's own rows do.
        let cursor = try GRDB.Row.fetchCursor(statement, arguments: arguments)
        let handle = statement.sqliteStatement
        while try cursor.next() != nil {
            try body(TallyCell(departementCode: TallyCell.Text(handle, 0), day: TallyCell.Text(handle, 1),
                               indicatorID: TallyCell.Text(handle, 2), value: sqlite3_column_double(handle, 3),
                               records: sqlite3_column_int64(handle, 4)))
        }
    }

    /// Totals per département and indicator over `from...to` (the day is
    /// left empty), ordered by département and indicator.
    public func totalsByDepartement(from: String, to: String, departementCodes: [String]?) async throws -> [Row] {
        try await database.read { db in
            try Self.totalsByDepartement(from: from, to: to, departementCodes: departementCodes, in: db)
        }
    }

    /// Summed here from the period's tallies in index order rather than with
    /// SQL's GROUP BY, whose sort of every tally of the period was most of
    /// the targets call. Sums run in day order within each group, as SQLite's
    /// `sum` did.
    static func totalsByDepartement(from: String, to: String, departementCodes: [String]?, in db: Database) throws -> [Row] {
        var groups = TallyGroups()
        try eachTally(from: from, to: to, departementCodes: departementCodes, in: db) { groups.add($0) }
        return groups.rows()
    }

    /// Totals per day and indicator over `from...to` (the département is
    /// left empty): the chart's series.
    public func totalsByDay(from: String, to: String, departementCodes: [String]?) async throws -> [Row] {
        try await database.read { db in
            var sql = "SELECT day, indicator_id, sum(value), sum(records) FROM tallies WHERE day BETWEEN ? AND ?"
            var arguments: StatementArguments = [from, to]
            if let codes = departementCodes {
                sql += " AND departement_code IN (\(codes.map { _ in "?" }.joined(separator: ",")))"
                arguments += StatementArguments(codes)
            }
            sql += " GROUP BY day, indicator_id ORDER BY day"
            return try GRDB.Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map {
                Row(departementCode: "", day: $0[0], indicatorID: $0[1], value: $0[2], records: $0[3])
            }
        }
    }

    // MARK: - Campaign phases and targets

    public struct Phase: Sendable, Equatable {
        public let id: Int64
        public let campaignName: String
        public let name: String
        public let startsOn: String
        public let endsOn: String
    }

    /// The phase with this id; else the one running on `day` (the latest
    /// started if several); else the last one started before it.
    public func phase(id: Int64?, day: String) async throws -> Phase? {
        try await database.read { db in try Self.phase(id: id, day: day, in: db) }
    }

    static func phase(id: Int64?, day: String, in db: Database) throws -> Phase? {
        let select = """
            SELECT p.id, c.name, p.name, p.starts_on, p.ends_on FROM campaign_phases p JOIN campaigns c ON c.id = p.campaign_id
            """
        let row: GRDB.Row?
        if let id {
            row = try GRDB.Row.fetchOne(db.cachedStatement(sql: select + " WHERE p.id = ?"), arguments: [id])
        } else {
            row = try GRDB.Row.fetchOne(
                db.cachedStatement(sql: select + " WHERE p.starts_on <= ? AND p.ends_on >= ? ORDER BY p.starts_on DESC LIMIT 1"),
                arguments: [day, day])
                ?? GRDB.Row.fetchOne(db.cachedStatement(sql: select + " WHERE p.starts_on <= ? ORDER BY p.ends_on DESC LIMIT 1"),
                                     arguments: [day])
        }
        return row.map { Phase(id: $0[0], campaignName: $0[1], name: $0[2], startsOn: $0[3], endsOn: $0[4]) }
    }

    public struct Target: Sendable, Equatable {
        public let indicatorID: String
        public let departementCode: String
        public let baseline: Double
        public let milestone: Double?
        public let target: Double
    }

    public func targets(phaseID: Int64, departementCodes: [String]?) async throws -> [Target] {
        try await database.read { db in try Self.targets(phaseID: phaseID, departementCodes: departementCodes, in: db) }
    }

    static func targets(phaseID: Int64, departementCodes: [String]?, in db: Database) throws -> [Target] {
        var sql = "SELECT indicator_id, departement_code, baseline, milestone, target FROM targets WHERE phase_id = ?"
        var arguments: StatementArguments = [phaseID]
        if let codes = departementCodes {
            sql += " AND departement_code IN (\(codes.map { _ in "?" }.joined(separator: ",")))"
            arguments += StatementArguments(codes)
        }
        return try GRDB.Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map {
            Target(indicatorID: $0[0], departementCode: $0[1], baseline: $0[2], milestone: $0[3], target: $0[4])
        }
    }

    /// What the monitoring table needs, read in one database read (each
    /// read is a hop to a reader thread and back): the active indicators,
    /// the phase, its targets and the actuals per département and indicator
    /// from the phase's first day to `day` (at most its last).
    public struct ProgressInputs: Sendable {
        /// Active ones, in order, without their sources.
        public let indicators: [Indicator]
        public let phase: Phase?
        public let targets: [Target]
        /// Per département and indicator, ordered so.
        public let actuals: [Row]
        /// The last day counted: `day`, or the phase's last day if earlier.
        public let to: String?
    }

    public func progressInputs(phaseID: Int64?, day: String, departementCodes: [String]?) async throws -> ProgressInputs {
        try await database.read { db in
            // Names only: the table never needs the sources.
            let indicators = try GRDB.Row.fetchAll(db.cachedStatement(sql: """
                SELECT id, name_fr, name_en, position FROM indicators WHERE active = 1 ORDER BY position, id
                """)).map { Indicator(id: $0[0], nameFrench: $0[1], nameEnglish: $0[2], position: $0[3], sources: []) }
            guard let phase = try Self.phase(id: phaseID, day: day, in: db) else {
                return ProgressInputs(indicators: indicators, phase: nil, targets: [], actuals: [], to: nil)
            }
            let to = min(day, phase.endsOn)
            let targets = try Self.targets(phaseID: phase.id, departementCodes: departementCodes, in: db)
            let actuals = to < phase.startsOn ? [] : try Self.totalsByDepartement(
                from: phase.startsOn, to: to, departementCodes: departementCodes, in: db)
            return ProgressInputs(indicators: indicators, phase: phase, targets: targets, actuals: actuals, to: to)
        }
    }

    // MARK: - Reporting completeness

    public struct Completeness: Sendable, Equatable {
        public let departementCode: String
        public let day: String
        /// Active resource persons of the département.
        public let expected: Int
        /// Those of them who sent at least one record for the day.
        public let reported: Int
        /// Any record at all for the département and day.
        public let hasData: Bool
    }

    /// For each département whose campaign day falls in `from...to`: who was
    /// expected, who reported. One index probe per person and per
    /// département-day, whatever the number of records.
    public func completeness(from: String, to: String, departementCodes: [String]?) async throws -> [Completeness] {
        try await database.read { db in
            var sql = "SELECT DISTINCT departement_code, day FROM campaign_days WHERE day BETWEEN ? AND ?"
            var arguments: StatementArguments = [from, to]
            if let codes = departementCodes {
                sql += " AND departement_code IN (\(codes.map { _ in "?" }.joined(separator: ",")))"
                arguments += StatementArguments(codes)
            }
            let statement = try db.cachedStatement(sql: """
                SELECT count(*),
                       coalesce(sum(EXISTS (SELECT 1 FROM submissions s WHERE s.resource_person_id = p.id AND s.activity_date = ?1)), 0),
                       EXISTS (SELECT 1 FROM submissions s WHERE s.departement_code = ?2 AND s.activity_date = ?1)
                FROM resource_persons p WHERE p.departement_code = ?2 AND p.active = 1
                """)
            return try GRDB.Row.fetchAll(db, sql: sql + " ORDER BY day, departement_code", arguments: arguments).map { day in
                let code: String = day[0]
                let date: String = day[1]
                let row = try GRDB.Row.fetchOne(statement, arguments: [date, code])
                return Completeness(departementCode: code, day: date, expected: row?[0] ?? 0, reported: row?[1] ?? 0,
                                    hasData: (row?[2] as Bool?) ?? false)
            }
        }
    }

    // MARK: - Radio programmes of a day

    /// A radio programme as the daily report lists it: no personal data.
    public struct RadioProgramme: Sendable, Equatable {
        public let departementCode: String
        public let station: String
        public let durationMinutes: String
        public let language: String
        public let estimatedAudience: String
    }

    /// Counted radio programme records of the day. Radio records are few (one
    /// per département and phase), read through the form's index.
    public func radioProgrammes(day: String, departementCodes: [String]?) async throws -> [RadioProgramme] {
        try await database.read { db in
            var sql = """
                SELECT departement_code, json_extract(answers, '$.station'), json_extract(answers, '$.duration_minutes'),
                       json_extract(answers, '$.language'), json_extract(answers, '$.estimated_audience')
                FROM submissions WHERE form_id = 'emission_radio' AND activity_date = ? AND \(TallySQL.counted)
                """
            var arguments: StatementArguments = [day]
            if let codes = departementCodes {
                sql += " AND departement_code IN (\(codes.map { _ in "?" }.joined(separator: ",")))"
                arguments += StatementArguments(codes)
            }
            sql += " ORDER BY departement_code, id"
            return try GRDB.Row.fetchAll(db, sql: sql, arguments: arguments).map {
                RadioProgramme(departementCode: $0[0], station: $0[1] ?? "", durationMinutes: $0[2] ?? "",
                               language: $0[3] ?? "", estimatedAudience: $0[4] ?? "")
            }
        }
    }
}

/// One tally as SQLite holds it, lent to a `TallyVisitor`: the texts are the
/// statement's own UTF-8 bytes, valid only during the visit.
public struct TallyCell {
    /// UTF-8 bytes borrowed from the statement.
    public struct Text {
        public let bytes: UnsafeRawBufferPointer

        init(_ handle: SQLiteStatement, _ column: Int32) {
            // sqlite3_column_text before sqlite3_column_bytes: SQLite's documented order.
            let start = sqlite3_column_text(handle, column)
            bytes = UnsafeRawBufferPointer(start: start, count: start == nil ? 0 : Int(sqlite3_column_bytes(handle, column)))
        }

        /// A copy, for callers that keep it.
        public var string: String { String(decoding: bytes, as: UTF8.self) }

        public static func == (text: Text, other: [UInt8]) -> Bool {
            guard text.bytes.count == other.count else { return false }
            return other.isEmpty || other.withUnsafeBytes { memcmp($0.baseAddress!, text.bytes.baseAddress!, other.count) == 0 }
        }
    }

    public let departementCode: Text
    public let day: Text
    public let indicatorID: Text
    public let value: Double
    public let records: Int64
}

/// Receives a period's tallies one by one inside the database read, in the
/// order (day, département, indicator), without a String per cell.
public protocol TallyVisitor: Sendable {
    mutating func visit(_ tally: TallyCell)
}

/// Sums tallies per (département, indicator) without a String or a hash of
/// one per tally: the period is read day after day, each day in the same
/// (département, indicator) order, so the next tally's group is almost
/// always the one after the previous tally's.
struct TallyGroups {
    private struct Group {
        let departementCode: [UInt8]
        let indicatorID: [UInt8]
        var value: Double
        var records: Int64
    }

    private var groups: [Group] = []
    /// Index of the group the last tally went to.
    private var last = -1

    mutating func add(_ tally: TallyCell) {
        let index = find(tally)
        groups[index].value += tally.value
        groups[index].records += tally.records
        last = index
    }

    private mutating func find(_ tally: TallyCell) -> Int {
        if last + 1 < groups.count && matches(tally, last + 1) { return last + 1 }
        if !groups.isEmpty && matches(tally, 0) { return 0 }
        // Otherwise search in order; a group seen for the first time goes in
        // its sorted place, so the order stays (département, indicator).
        let code = Array(tally.departementCode.bytes)
        let indicator = Array(tally.indicatorID.bytes)
        var low = 0
        var high = groups.count
        while low < high {
            let middle = (low + high) / 2
            let group = groups[middle]
            let before = group.departementCode.lexicographicallyPrecedes(code)
                || (group.departementCode == code && group.indicatorID.lexicographicallyPrecedes(indicator))
            if before { low = middle + 1 } else { high = middle }
        }
        if low < groups.count && groups[low].departementCode == code && groups[low].indicatorID == indicator { return low }
        groups.insert(Group(departementCode: code, indicatorID: indicator, value: 0, records: 0), at: low)
        return low
    }

    private func matches(_ tally: TallyCell, _ index: Int) -> Bool {
        tally.departementCode == groups[index].departementCode && tally.indicatorID == groups[index].indicatorID
    }

    func rows() -> [TallyStore.Row] {
        groups.map {
            TallyStore.Row(departementCode: String(decoding: $0.departementCode, as: UTF8.self), day: "",
                           indicatorID: String(decoding: $0.indicatorID, as: UTF8.self), value: $0.value,
                           records: Int($0.records))
        }
    }
}
