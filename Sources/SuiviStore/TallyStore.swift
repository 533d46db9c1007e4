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

    /// Tallies of the days `from...to`, for `departementCodes` (nil: all),
    /// ordered by day, département and indicator.
    public func tallies(from: String, to: String, departementCodes: [String]?) async throws -> [Row] {
        try await database.read { db in
            var sql = "SELECT departement_code, day, indicator_id, value, records FROM tallies WHERE day BETWEEN ? AND ?"
            var arguments: StatementArguments = [from, to]
            if let codes = departementCodes {
                sql += " AND departement_code IN (\(codes.map { _ in "?" }.joined(separator: ",")))"
                arguments += StatementArguments(codes)
            }
            sql += " ORDER BY day, departement_code, indicator_id"
            // A cursor reuses one row: no copy per tally.
            let cursor = try GRDB.Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
            var rows: [Row] = []
            while let row = try cursor.next() {
                rows.append(Row(departementCode: row[0], day: row[1], indicatorID: row[2], value: row[3], records: row[4]))
            }
            return rows
        }
    }

    /// Totals per département and indicator over `from...to` (the day is
    /// left empty).
    public func totalsByDepartement(from: String, to: String, departementCodes: [String]?) async throws -> [Row] {
        try await database.read { db in
            var sql = """
                SELECT departement_code, indicator_id, sum(value), sum(records) FROM tallies WHERE day BETWEEN ? AND ?
                """
            var arguments: StatementArguments = [from, to]
            if let codes = departementCodes {
                sql += " AND departement_code IN (\(codes.map { _ in "?" }.joined(separator: ",")))"
                arguments += StatementArguments(codes)
            }
            sql += " GROUP BY departement_code, indicator_id"
            return try GRDB.Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map {
                Row(departementCode: $0[0], day: "", indicatorID: $0[1], value: $0[2], records: $0[3])
            }
        }
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
        try await database.read { db in
            let select = """
                SELECT p.id, c.name, p.name, p.starts_on, p.ends_on FROM campaign_phases p JOIN campaigns c ON c.id = p.campaign_id
                """
            let row: GRDB.Row?
            if let id {
                row = try GRDB.Row.fetchOne(db, sql: select + " WHERE p.id = ?", arguments: [id])
            } else {
                row = try GRDB.Row.fetchOne(db, sql: select + " WHERE p.starts_on <= ? AND p.ends_on >= ? ORDER BY p.starts_on DESC LIMIT 1",
                                            arguments: [day, day])
                    ?? GRDB.Row.fetchOne(db, sql: select + " WHERE p.starts_on <= ? ORDER BY p.ends_on DESC LIMIT 1", arguments: [day])
            }
            return row.map { Phase(id: $0[0], campaignName: $0[1], name: $0[2], startsOn: $0[3], endsOn: $0[4]) }
        }
    }

    public struct Target: Sendable, Equatable {
        public let indicatorID: String
        public let departementCode: String
        public let baseline: Double
        public let milestone: Double?
        public let target: Double
    }

    public func targets(phaseID: Int64, departementCodes: [String]?) async throws -> [Target] {
        try await database.read { db in
            var sql = "SELECT indicator_id, departement_code, baseline, milestone, target FROM targets WHERE phase_id = ?"
            var arguments: StatementArguments = [phaseID]
            if let codes = departementCodes {
                sql += " AND departement_code IN (\(codes.map { _ in "?" }.joined(separator: ",")))"
                arguments += StatementArguments(codes)
            }
            return try GRDB.Row.fetchAll(db, sql: sql, arguments: arguments).map {
                Target(indicatorID: $0[0], departementCode: $0[1], baseline: $0[2], milestone: $0[3], target: $0[4])
            }
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
