import Foundation
import GRDB
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
                scope = " AND departement_code IN (\(SQLText.placeholders(codes.count)))"
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
        try await days(from: from, to: to).flatMap { day in
            day.cells(of: departementCodes).map {
                Row(departementCode: $0.departementCode, day: day.day, indicatorID: $0.indicatorID,
                    value: $0.value, records: Int($0.records))
            }
        }
    }

    /// The days of `from...to` that have tallies, in order, each with all
    /// its départements (the caller picks with `TallyDay.cells(of:)`).
    public func days(from: String, to: String) async throws -> [TallyDay] {
        try await database.read { [cache = database.tallyDays] db in try cache.days(from: from, to: to, in: db) }
    }

    /// Totals per département and indicator over `from...to` (the day is
    /// left empty), ordered by département and indicator.
    public func totalsByDepartement(from: String, to: String, departementCodes: [String]?) async throws -> [Row] {
        try await database.read { [cache = database.tallyDays] db in
            try Self.totalsByDepartement(from: from, to: to, departementCodes: departementCodes, cache: cache, in: db)
        }
    }

    /// Sums run in day order within each group, as SQLite's `sum` over the
    /// period did.
    static func totalsByDepartement(from: String, to: String, departementCodes: [String]?, cache: TallyDayCache,
                                    in db: Database) throws -> [Row] {
        var groups = TallyGroups()
        for day in try cache.days(from: from, to: to, in: db) {
            for cell in day.cells(of: departementCodes) { groups.add(cell) }
        }
        return groups.rows()
    }

    /// Totals per day and indicator over `from...to` (the département is
    /// left empty), ordered by day then indicator: the chart's series.
    public func totalsByDay(from: String, to: String, departementCodes: [String]?) async throws -> [Row] {
        try await days(from: from, to: to).flatMap { day -> [Row] in
            var totals: [String: (value: Double, records: Int64)] = [:]
            for cell in day.cells(of: departementCodes) {
                totals[cell.indicatorID, default: (0, 0)].value += cell.value
                totals[cell.indicatorID, default: (0, 0)].records += cell.records
            }
            return totals.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { indicator in
                Row(departementCode: "", day: day.day, indicatorID: indicator, value: totals[indicator]!.value,
                    records: Int(totals[indicator]!.records))
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
            sql += " AND departement_code IN (\(SQLText.placeholders(codes.count)))"
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
                from: phase.startsOn, to: to, departementCodes: departementCodes, cache: database.tallyDays, in: db)
            return ProgressInputs(indicators: indicators, phase: phase, targets: targets, actuals: actuals, to: to)
        }
    }

    // MARK: - Reporting completeness

    public struct Completeness: Sendable, Equatable {
        public let departementCode: String
        public let day: String
        /// Resource persons active in the département on that day (as kept
        /// since migration 0013), and anyone who sent a record for it.
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
                sql += " AND departement_code IN (\(SQLText.placeholders(codes.count)))"
                arguments += StatementArguments(codes)
            }
            // Who was active on the day, not who is active now: adding people
            // today leaves a past day's figures as they were.
            let statement = try db.cachedStatement(sql: """
                SELECT count(*),
                       coalesce(sum(EXISTS (SELECT 1 FROM submissions s WHERE s.resource_person_id = e.id AND s.activity_date = ?1)), 0),
                       EXISTS (SELECT 1 FROM submissions s WHERE s.departement_code = ?2 AND s.activity_date = ?1)
                FROM (SELECT a.resource_person_id AS id FROM resource_person_activity a
                      WHERE a.departement_code = ?2 AND a.from_day <= ?1 AND (a.until_day IS NULL OR a.until_day > ?1)
                      UNION
                      SELECT s.resource_person_id FROM submissions s
                      WHERE s.departement_code = ?2 AND s.activity_date = ?1 AND s.resource_person_id IS NOT NULL) e
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
                sql += " AND departement_code IN (\(SQLText.placeholders(codes.count)))"
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

/// Sums tallies per (département, indicator): the period comes day after
/// day, each day in the same (département, indicator) order, so the next
/// cell's group is almost always the one after the previous cell's and no
/// hashing is needed.
struct TallyGroups {
    private var groups: [TallyStore.Row] = []
    /// Index of the group the last cell went to.
    private var last = -1

    mutating func add(_ cell: TallyDay.Cell) {
        let index = find(cell)
        let group = groups[index]
        groups[index] = TallyStore.Row(departementCode: group.departementCode, day: "", indicatorID: group.indicatorID,
                                       value: group.value + cell.value, records: group.records + Int(cell.records))
        last = index
    }

    private mutating func find(_ cell: TallyDay.Cell) -> Int {
        if last + 1 < groups.count && matches(cell, last + 1) { return last + 1 }
        if !groups.isEmpty && matches(cell, 0) { return 0 }
        // Otherwise search in order; a group seen for the first time goes in
        // its sorted (byte order) place, so the order stays (département, indicator).
        func precedes(_ group: TallyStore.Row) -> Bool {
            group.departementCode == cell.departementCode
                ? group.indicatorID.utf8.lexicographicallyPrecedes(cell.indicatorID.utf8)
                : group.departementCode.utf8.lexicographicallyPrecedes(cell.departementCode.utf8)
        }
        var low = 0
        var high = groups.count
        while low < high {
            let middle = (low + high) / 2
            if precedes(groups[middle]) { low = middle + 1 } else { high = middle }
        }
        if low < groups.count && matches(cell, low) { return low }
        groups.insert(TallyStore.Row(departementCode: cell.departementCode, day: "", indicatorID: cell.indicatorID,
                                     value: 0, records: 0), at: low)
        return low
    }

    private func matches(_ cell: TallyDay.Cell, _ index: Int) -> Bool {
        groups[index].departementCode == cell.departementCode && groups[index].indicatorID == cell.indicatorID
    }

    func rows() -> [TallyStore.Row] { groups }
}
