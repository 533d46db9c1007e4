import Foundation
import GRDB
import SuiviDomain

/// A coordinator's verdict on a record, or taking one back.
public enum ReviewState: String, Sendable, CaseIterable {
    case approved
    case hasIssues = "has_issues"
    case rejected
    /// Not reviewed (any more): the record goes back to `flagged` when the
    /// server's checks found something, else `received`. What "undo" sends.
    case unreviewed = "received"

    /// `received` and `flagged` both mean "not reviewed": the server, not
    /// the caller, knows whether the record was flagged.
    public init?(requested: String) {
        self.init(rawValue: requested == "flagged" ? "received" : requested)
    }
}

/// Review of records: the verdict, the tallies and the audit line change in
/// one transaction. A rejected record leaves the tallies; lifting the
/// rejection of a current record counts it again.
public struct ReviewStore: Sendable {
    let database: SuiviDatabase

    public init(database: SuiviDatabase) {
        self.database = database
    }

    public struct Outcome: Sendable, Equatable {
        public let id: Int64
        public let previousState: String
        public let state: String
        /// The tallies changed (counted or taken back).
        public let talliesChanged: Bool
    }

    /// Sets a record's review. `departementCodes` limits it to the caller's
    /// scope (nil: all); a record outside answers 404, like one that does not
    /// exist. `userID` is set for signed-in users (API keys have none).
    public func review(submissionID: Int64, state: ReviewState, comment: String?, actor: AuditActor,
                       userID: Int64?, departementCodes: [String]?, at date: Date = Date()) async throws -> Outcome {
        try await database.write { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT review_state, current, departement_code, issues != '[]' FROM submissions WHERE id = ?
                """, arguments: [submissionID]) else { throw Problem.submissionNotFound() }
            let previous: String = row[0]
            let current: Bool = row[1]
            let departement: String? = row[2]
            let checksFoundSomething: Bool = row[3]
            if let codes = departementCodes, !codes.contains(departement ?? "") { throw Problem.submissionNotFound() }
            let newState = state == .unreviewed ? (checksFoundSomething ? "flagged" : "received") : state.rawValue
            let reviewed = state == .unreviewed ? nil : Timestamp.string(date)
            try db.execute(sql: """
                UPDATE submissions SET review_state = ?, review_comment = ?, reviewed_at = ?, reviewed_by = ? WHERE id = ?
                """, arguments: [newState, comment, reviewed, state == .unreviewed ? nil : userID, submissionID])
            var changed = false
            // A rejected record stops counting and stops naming a lead; lifting
            // the rejection puts both back.
            if state == .rejected, previous != "rejected" {
                try TallyBook.uncount(submissionID: submissionID, in: db)
                try LeadBook.detachRejected(submissionID: submissionID, in: db)
                changed = true
            } else if previous == "rejected", state != .rejected, current {
                try TallyBook.recount(submissionID: submissionID, sources: TallyBook.sources(in: db), in: db)
                try LeadBook.reattach(submissionID: submissionID, in: db)
                changed = true
            }
            // The comment may name people: only whether there is one is logged.
            try AuditStore.record(actor, "submission.review", targetKind: "submission", targetID: String(submissionID),
                                  details: ["from": previous, "to": newState, "comment": comment == nil ? "no" : "yes"],
                                  at: date, in: db)
            return Outcome(id: submissionID, previousState: previous, state: newState, talliesChanged: changed)
        }
    }

    /// A record as the review list shows it. Carries answers: personal data.
    public struct Item: Sendable {
        public let id: Int64
        public let instanceID: String
        public let formID: String
        public let departementCode: String?
        public let activityDate: String?
        public let receivedAt: String
        public let reviewState: String
        public let reviewComment: String?
        public let current: Bool
        public let issuesJSON: String
        public let answersJSON: String
        public let resourcePersonID: Int64?
        /// Sealed answers: the list says "Fiche chiffrée".
        public let encrypted: Bool
        public let formVersion: String
        /// The record as sent: the only place every repeat instance is kept.
        public let xml: Data
    }

    /// How coordinators judged records a resource person sent: the review
    /// state of each of `instanceIDs` that is theirs (others' records, even
    /// with a guessed id, never answer). For the phone's outbox.
    public func reviewStates(ofPerson personID: Int64, instanceIDs: [String]) async throws -> [(instanceID: String, state: String)] {
        guard !instanceIDs.isEmpty else { return [] }
        return try await database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT instance_id, review_state FROM submissions
                WHERE resource_person_id = ? AND instance_id IN (\(SQLText.placeholders(instanceIDs.count)))
                ORDER BY id
                """, arguments: [personID] + StatementArguments(instanceIDs)).map { ($0[0], $0[1]) }
        }
    }

    /// Records to review, flagged first, newest first within each group.
    public func queue(states: [String]?, formID: String?, departementCodes: [String]?, limit: Int,
                      offset: Int) async throws -> [Item] {
        try await database.read { db in
            var sql = """
                SELECT id, instance_id, form_id, departement_code, activity_date, received_at, review_state, review_comment,
                       current, issues, answers, resource_person_id, encrypted, form_version, xml
                FROM submissions WHERE current = 1
                """
            var arguments: StatementArguments = []
            if let states {
                sql += " AND review_state IN (\(SQLText.placeholders(states.count)))"
                arguments += StatementArguments(states)
            }
            if let formID {
                sql += " AND form_id = ?"
                arguments += [formID]
            }
            if let codes = departementCodes {
                sql += " AND departement_code IN (\(SQLText.placeholders(codes.count)))"
                arguments += StatementArguments(codes)
            }
            sql += " ORDER BY review_state = 'flagged' DESC, id DESC LIMIT ? OFFSET ?"
            arguments += [limit, offset]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                Item(id: row[0], instanceID: row[1], formID: row[2], departementCode: row[3], activityDate: row[4],
                     receivedAt: row[5], reviewState: row[6], reviewComment: row[7], current: row[8] as Bool,
                     issuesJSON: row[9], answersJSON: row[10], resourcePersonID: row[11], encrypted: row[12] as Bool,
                     formVersion: row[13], xml: row[14])
            }
        }
    }
}
