import Foundation
import SuiviBasics
import GRDB
import SuiviDomain

/// Keeps the `tallies` table equal to what the counted records add up to,
/// inside the transaction of the change: a record counts when it is current
/// (not replaced by an edit) and not rejected. What each counted record added
/// is kept in `tally_contributions`, so taking it back is exact even after
/// an indicator's definition changes.
///
/// Runs on the writer's connection only.
enum TallyBook {
    /// One way a form's records feed an indicator.
    struct Source: Sendable, Equatable {
        let indicatorID: String
        let formID: String
        let filterField: String?
        let filterValue: String?
        /// Nil for a count of records.
        let sumField: String?

        /// What one record with these answers adds; nil when the filter
        /// leaves it out.
        func value(for answers: [String: String]) -> Double? {
            if let field = filterField, let wanted = filterValue {
                let given = answers[field] ?? ""
                // select_multiple answers are space-separated choice values.
                guard given == wanted || given.split(separator: " ").contains(Substring(wanted)) else { return nil }
            }
            guard let field = sumField else { return 1 }
            let text = (answers[field] ?? "").trimmingWhitespace()
            guard let number = Double(text), number.isFinite else { return 0 }
            return number
        }
    }

    static func sources(in db: Database) throws -> [Source] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT s.indicator_id, s.form_id, s.filter_field, s.filter_value, s.sum_field
            FROM indicator_sources s JOIN indicators i ON i.id = s.indicator_id
            WHERE i.active = 1 ORDER BY s.id
            """)).map { row in
            Source(indicatorID: row[0], formID: row[1], filterField: row[2], filterValue: row[3], sumField: row[4])
        }
    }

    /// Counts one record. The caller knows it is current and not rejected.
    static func count(submissionID: Int64, formID: String, departementCode: String?, day: String?,
                      answers: [String: String], sources: [Source], in db: Database) throws {
        var pending = Pending()
        try count(submissionID: submissionID, formID: formID, departementCode: departementCode, day: day,
                  answers: answers, sources: sources, into: &pending, in: db)
        try pending.write(in: db)
    }

    /// Counts one record, leaving its `tallies` additions in `pending` for
    /// the caller to write (its contributions are written at once).
    static func count(submissionID: Int64, formID: String, departementCode: String?, day: String?,
                      answers: [String: String], sources: [Source], into pending: inout Pending,
                      in db: Database) throws {
        guard let departementCode, let day else { return }
        var byIndicator: [String: Double] = [:]
        for source in sources where source.formID == formID {
            if let value = source.value(for: answers) {
                byIndicator[source.indicatorID, default: 0] += value
            }
        }
        for (indicator, value) in byIndicator.sorted(by: { $0.key < $1.key }) {
            try db.cachedStatement(sql: """
                INSERT INTO tally_contributions (submission_id, indicator_id, departement_code, day, value)
                VALUES (?, ?, ?, ?, ?)
                """).execute(arguments: [submissionID, indicator, departementCode, day, value])
            pending.add(indicatorID: indicator, departementCode: departementCode, day: day, value: value)
        }
    }

    /// Additions to `tallies` not written yet. The group-commit writer
    /// gathers a whole batch's and writes each tally once before COMMIT:
    /// the records of a batch mostly share their indicators, département and
    /// day, and updating one tally row (and its indexes) per record was the
    /// costliest part of counting. Whoever holds one writes it in the same
    /// transaction, before anything reads or takes back those tallies.
    struct Pending {
        private struct Key: Hashable {
            let indicatorID: String
            let departementCode: String
            let day: String
        }

        private var sums: [Key: (value: Double, records: Int)] = [:]
        /// First-added order, so that writes come in a stable order.
        private var order: [Key] = []

        mutating func add(indicatorID: String, departementCode: String, day: String, value: Double, records: Int = 1) {
            let key = Key(indicatorID: indicatorID, departementCode: departementCode, day: day)
            if let sum = sums[key] {
                sums[key] = (sum.value + value, sum.records + records)
            } else {
                sums[key] = (value, records)
                order.append(key)
            }
        }

        mutating func add(_ other: Pending) {
            for key in other.order {
                let sum = other.sums[key]!
                add(indicatorID: key.indicatorID, departementCode: key.departementCode, day: key.day,
                    value: sum.value, records: sum.records)
            }
        }

        /// Writes every pending addition and empties itself.
        mutating func write(in db: Database) throws {
            for key in order {
                let sum = sums[key]!
                try db.cachedStatement(sql: """
                    INSERT INTO tallies (indicator_id, departement_code, day, value, records) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (indicator_id, departement_code, day)
                    DO UPDATE SET value = value + excluded.value, records = records + excluded.records
                    """).execute(arguments: [key.indicatorID, key.departementCode, key.day, sum.value, sum.records])
            }
            sums = [:]
            order = []
        }
    }

    /// Counts a stored record again from its row (after a rejection is
    /// lifted). Does nothing if it is already counted, or encrypted (its
    /// fields are unknown to the server).
    static func recount(submissionID: Int64, sources: [Source], in db: Database) throws {
        let already = try Int.fetchOne(db, sql: "SELECT count(*) FROM tally_contributions WHERE submission_id = ?",
                                       arguments: [submissionID]) ?? 0
        guard already == 0,
              let row = try Row.fetchOne(db, sql: """
                SELECT form_id, departement_code, activity_date, answers FROM submissions WHERE id = ? AND encrypted = 0
                """, arguments: [submissionID])
        else { return }
        try count(submissionID: submissionID, formID: row[0], departementCode: row[1], day: row[2],
                  answers: Answers.decode(row[3]), sources: sources, in: db)
    }

    /// Takes back everything a record added.
    static func uncount(submissionID: Int64, in db: Database) throws {
        let contributions = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT indicator_id, departement_code, day, value FROM tally_contributions WHERE submission_id = ?
            """), arguments: [submissionID])
        for row in contributions {
            try db.cachedStatement(sql: """
                UPDATE tallies SET value = value - ?, records = records - 1
                WHERE indicator_id = ? AND departement_code = ? AND day = ?
                """).execute(arguments: [row[3] as Double, row[0] as String, row[1] as String, row[2] as String])
            try db.cachedStatement(sql: """
                DELETE FROM tallies WHERE indicator_id = ? AND departement_code = ? AND day = ? AND records <= 0
                """).execute(arguments: [row[0] as String, row[1] as String, row[2] as String])
        }
        try db.cachedStatement(sql: "DELETE FROM tally_contributions WHERE submission_id = ?")
            .execute(arguments: [submissionID])
    }
}
