import Foundation
import GRDB
import SuiviDomain

/// Indicators and their sources. Adding one fills its tallies from the
/// records already stored, in the same transaction, so it never shows a
/// partial count.
public struct IndicatorStore: Sendable {
    let database: SuiviDatabase

    public init(database: SuiviDatabase) {
        self.database = database
    }

    public func all() async throws -> [Indicator] {
        try await database.read { db in try Self.all(in: db) }
    }

    static func all(in db: Database) throws -> [Indicator] {
        var sources: [String: [IndicatorSource]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT indicator_id, form_id, filter_field, filter_value, aggregate, sum_field FROM indicator_sources ORDER BY id
            """) {
            sources[row[0], default: []].append(IndicatorSource(
                formID: row[1], filterField: row[2], filterValue: row[3],
                aggregate: IndicatorSource.Aggregate(rawValue: row[4]) ?? .count, sumField: row[5]))
        }
        return try Row.fetchAll(db, sql: "SELECT id, name_fr, name_en, position, active FROM indicators ORDER BY position, id")
            .map { row in
                Indicator(id: row[0], nameFrench: row[1], nameEnglish: row[2], position: row[3],
                          active: row[4] as Bool, sources: sources[row[0] as String] ?? [])
            }
    }

    /// Adds an indicator and counts the stored records into it. Throws
    /// 409.30 when the id is taken.
    public func add(_ indicator: Indicator, by actor: AuditActor, at date: Date = Date()) async throws -> Int {
        try await database.write { db in
            do {
                try db.execute(sql: """
                    INSERT INTO indicators (id, name_fr, name_en, position, active, created_at) VALUES (?, ?, ?, ?, 1, ?)
                    """, arguments: [indicator.id, indicator.nameFrench, indicator.nameEnglish, indicator.position,
                                     Timestamp.string(date)])
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT
                && error.extendedResultCode != .SQLITE_CONSTRAINT_CHECK {
                throw Problem.indicatorExists(indicator.id)
            }
            for source in indicator.sources {
                try db.execute(sql: """
                    INSERT INTO indicator_sources (indicator_id, form_id, filter_field, filter_value, aggregate, sum_field)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [indicator.id, source.formID, source.filterField, source.filterValue,
                                     source.aggregate.rawValue, source.sumField])
            }
            let counted = try Self.fill(indicator.id, sources: indicator.sources, in: db)
            try AuditStore.record(actor, "indicator.add", targetKind: "indicator", targetID: indicator.id,
                                  details: ["sources": "\(indicator.sources.count)", "records": "\(counted)"],
                                  at: date, in: db)
            return counted
        }
    }

    /// Switches an indicator off or on. Off: it stops counting and its
    /// tallies and contributions go, so no read shows a total that new
    /// records no longer move. On again: it is filled from the stored records,
    /// as when it was added. Returns the indicator as it is now and the
    /// records counted into it (0 when off).
    /// Throws 404.23 for an unknown id; asking for the current state changes nothing.
    public func setActive(_ id: String, _ active: Bool, by actor: AuditActor,
                          at date: Date = Date()) async throws -> (indicator: Indicator, recordsCounted: Int) {
        try await database.write { db in
            guard let indicator = try Self.all(in: db).first(where: { $0.id == id }) else {
                throw Problem.indicatorNotFound()
            }
            let now = Indicator(id: id, nameFrench: indicator.nameFrench, nameEnglish: indicator.nameEnglish,
                                position: indicator.position, active: active, sources: indicator.sources)
            guard indicator.active != active else {
                let counted = try Int.fetchOne(db, sql: "SELECT count(*) FROM tally_contributions WHERE indicator_id = ?",
                                               arguments: [id]) ?? 0
                return (now, counted)
            }
            // `memberships` is counted by the membership system's write-back,
            // not from forms: switched off, it could not be filled again.
            guard !indicator.sources.isEmpty else { throw Problem.indicatorStaysOn() }
            try db.execute(sql: "UPDATE indicators SET active = ? WHERE id = ?", arguments: [active, id])
            var counted = 0
            if active {
                counted = try Self.fill(id, sources: indicator.sources, in: db)
            } else {
                try db.execute(sql: "DELETE FROM tally_contributions WHERE indicator_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM tallies WHERE indicator_id = ?", arguments: [id])
            }
            try AuditStore.record(actor, active ? "indicator.activate" : "indicator.deactivate", targetKind: "indicator",
                                  targetID: id, details: ["records": "\(counted)"], at: date, in: db)
            return (now, counted)
        }
    }

    /// Counts the stored records into an indicator that has no tallies yet.
    private static func fill(_ id: String, sources: [IndicatorSource], in db: Database) throws -> Int {
        let (select, arguments) = TallySQL.contributions(of: sources)
        try db.execute(sql: """
            INSERT INTO tally_contributions (submission_id, indicator_id, departement_code, day, value)
            SELECT submission_id, ?, departement_code, day, value FROM (\(select))
            """, arguments: [id] + arguments)
        try db.execute(sql: """
            INSERT INTO tallies (indicator_id, departement_code, day, value, records)
            SELECT indicator_id, departement_code, day, sum(value), count(*) FROM tally_contributions
            WHERE indicator_id = ? GROUP BY departement_code, day
            """, arguments: [id])
        return try Int.fetchOne(db, sql: "SELECT count(*) FROM tally_contributions WHERE indicator_id = ?",
                                arguments: [id]) ?? 0
    }
}

/// What records add to indicators, written in SQL with `json_extract` on
/// `submissions.answers`, apart from `TallyBook`'s Swift: used to fill a new
/// indicator and by `suivi verify` to check the running totals.
enum TallySQL {
    /// The records that count: current, not rejected, with a place and a
    /// day, not encrypted (their fields are unknown to the server).
    static let counted = """
        current = 1 AND review_state <> 'rejected' AND departement_code IS NOT NULL AND activity_date IS NOT NULL
        AND encrypted = 0
        """

    /// A SELECT of (submission_id, departement_code, day, value): what each
    /// counted record adds to an indicator with these sources (one row per
    /// record that at least one source takes).
    static func contributions(of sources: [IndicatorSource]) -> (String, StatementArguments) {
        var parts: [String] = []
        var arguments: StatementArguments = []
        for source in sources {
            let (part, partArguments) = select(source)
            parts.append(part)
            arguments += partArguments
        }
        if parts.isEmpty {
            return ("SELECT NULL AS submission_id, NULL AS departement_code, NULL AS day, 0 AS value WHERE 0", [])
        }
        let sql = """
            SELECT id AS submission_id, departement_code, activity_date AS day, sum(v) AS value
            FROM (\(parts.joined(separator: " UNION ALL "))) GROUP BY id
            """
        return (sql, arguments)
    }

    private static func select(_ source: IndicatorSource) -> (String, StatementArguments) {
        var arguments: StatementArguments = []
        let value: String
        if let field = source.sumField {
            // A number written plainly counts; anything else adds 0, as in TallyBook.
            value = """
                (SELECT CASE WHEN a GLOB '*[0-9]*' AND a NOT GLOB '*[^0-9.eE+-]*' THEN CAST(a AS REAL) ELSE 0 END
                 FROM (SELECT trim(coalesce(json_extract(answers, ?), '')) AS a))
                """
            arguments += [path(field)]
        } else {
            value = "1"
        }
        var sql = "SELECT id, departement_code, activity_date, \(value) AS v FROM submissions WHERE \(counted) AND form_id = ?"
        arguments += [source.formID]
        if let field = source.filterField, let wanted = source.filterValue {
            // Equal, or one of the space-separated values of a multiple choice.
            sql += " AND instr(' ' || json_extract(answers, ?) || ' ', ' ' || ? || ' ') > 0"
            arguments += [path(field), wanted]
        }
        return (sql, arguments)
    }

    /// (departement_code, day, value, records) of the `memberships`
    /// indicator, recounted from the leads: one per lead that is a member
    /// now, where the write-back counted it (else, if it was never counted,
    /// its own département and membership day, so the gap shows). A lead
    /// merged away gave its membership to the kept one, or stopped counting.
    static let memberships = """
        SELECT coalesce(membership_tally_departement, departement_code) AS departement_code,
               coalesce(membership_tally_day, member_since) AS day, count(*), count(*)
        FROM leads
        WHERE member_number IS NOT NULL AND coalesce(membership_tally_departement, departement_code) IS NOT NULL
          AND coalesce(membership_tally_day, member_since) IS NOT NULL
        GROUP BY 1, 2
        """

    /// `$."name"`: quoted so that any field name is one key.
    static func path(_ field: String) -> String {
        "$.\"\(field.replacingOccurrences(of: "\"", with: ""))\""
    }
}
