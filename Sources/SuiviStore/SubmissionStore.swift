import Foundation
import GRDB
import SuiviDomain

/// The SQL of submissions: the idempotent insert run by the group-commit
/// writer, and the read paths. The writer's statements are prepared once per
/// connection (`cachedStatement`): preparing the insert cost more CPU than
/// running it.
public struct SubmissionStore: Sendable {
    let database: SuiviDatabase

    public init(database: SuiviDatabase) {
        self.database = database
    }

    /// Inserts or recognises one submission inside the caller's transaction.
    /// The instance id's UNIQUE constraint decides, so concurrent resends
    /// cannot both insert.
    /// The record's additions to `tallies` are left in `tallies` for the
    /// caller to write before COMMIT.
    static func apply(_ intake: SubmissionIntake, tallySources: [TallyBook.Source], tallies: inout TallyBook.Pending,
                      in db: Database) throws -> IntakeOutcome {
        let issuesJSON = intake.issuesJSON
        let received = intake.receivedAtText
        if let deprecated = intake.deprecatedID {
            try checkEdit(of: deprecated, by: intake, in: db)
        }
        do {
            try db.cachedStatement(sql: """
                INSERT INTO submissions (instance_id, form_id, form_version, resource_person_id, received_at, xml,
                    xml_sha256, deprecated_id, departement_code, review_state, issues, attachments_expected,
                    answers, activity_date, encrypted)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(instance_id) DO NOTHING
                """).execute(arguments: [
                    intake.instanceID, intake.formID, intake.formVersion, intake.resourcePersonID, received,
                    intake.xml, intake.xmlSHA256, intake.deprecatedID, intake.departementCode,
                    intake.issues.isEmpty ? "received" : "flagged", issuesJSON, intake.expectedAttachments.count,
                    intake.answersJSON, intake.activityDate, intake.encrypted,
                ])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            // Only deprecated_id can still clash: this version was already edited.
            throw Problem.editConflict()
        }

        if db.changesCount == 1 {
            let id = db.lastInsertedRowID
            var replacedID: Int64?
            if let deprecated = intake.deprecatedID {
                // The edited record stops counting; the edit counts instead.
                if let oldID = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM submissions WHERE instance_id = ?"),
                                                  arguments: [deprecated]) {
                    try TallyBook.uncount(submissionID: oldID, in: db)
                    replacedID = oldID
                }
                try db.cachedStatement(sql: "UPDATE submissions SET current = 0 WHERE instance_id = ?")
                    .execute(arguments: [deprecated])
            }
            // An encrypted record's fields are unknown here: received, not tallied, no lead.
            if !intake.encrypted {
                try TallyBook.count(submissionID: id, formID: intake.formID, departementCode: intake.departementCode,
                                    day: intake.activityDate, answers: intake.answers, sources: tallySources,
                                    into: &tallies, in: db)
                // Leads from visits, in the visit's own transaction.
                try LeadBook.record(submissionID: id, formID: intake.formID, departementCode: intake.departementCode,
                                    answers: intake.answers, replacedSubmissionID: replacedID, in: db)
            }
            for name in Set(intake.expectedAttachments) {
                try db.cachedStatement(sql: "INSERT INTO submission_attachments (submission_id, name) VALUES (?, ?)")
                    .execute(arguments: [id, name])
            }
            try recordAttachments(intake.attachments, submissionID: id, received: received, in: db)
            return .created(id: id)
        }

        let existingStatement = try db.cachedStatement(sql: "SELECT id, xml_sha256 FROM submissions WHERE instance_id = ?")
        guard let existing = try Row.fetchOne(existingStatement, arguments: [intake.instanceID]) else {
            throw Problem.conflictingRowVanished()
        }
        guard existing["xml_sha256"] as String == intake.xmlSHA256 else { throw Problem.instanceConflict() }
        let id: Int64 = existing["id"]
        try recordAttachments(intake.attachments, submissionID: id, received: received, in: db)
        return .duplicate(id: id)
    }

    /// An edit replaces a record of the same form sent through the same
    /// resource person's link (whichever of their links), nothing else:
    /// otherwise 409.4 before anything is written. An edit of a record the
    /// server never received is stored as a new record, as before.
    private static func checkEdit(of deprecated: String, by intake: SubmissionIntake, in db: Database) throws {
        guard let old = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT form_id, resource_person_id FROM submissions WHERE instance_id = ?"),
            arguments: [deprecated]) else { return }
        guard old[0] as String == intake.formID, let person = old[1] as Int64?, person == intake.resourcePersonID else {
            throw Problem.editNotAllowed()
        }
    }

    /// Fills in the attachments the record expects; a file already received
    /// is kept as it was.
    private static func recordAttachments(_ attachments: [SubmissionIntake.Attachment], submissionID: Int64,
                                          received: String, in db: Database) throws {
        guard !attachments.isEmpty else { return }
        for attachment in attachments {
            try db.cachedStatement(sql: """
                UPDATE submission_attachments SET sha256 = ?, size = ?, content_type = ?, received_at = ?
                WHERE submission_id = ? AND name = ? AND sha256 IS NULL
                """).execute(arguments: [attachment.sha256, attachment.size, attachment.contentType, received,
                                         submissionID, attachment.name])
        }
        try db.cachedStatement(sql: """
            UPDATE submissions SET attachments_received =
                (SELECT count(*) FROM submission_attachments WHERE submission_id = ? AND sha256 IS NOT NULL)
            WHERE id = ?
            """).execute(arguments: [submissionID, submissionID])
    }

    // MARK: - Reading

    public struct Summary: Sendable {
        public let id: Int64
        public let instanceID: String
        public let formID: String
        public let formVersion: String
        public let resourcePersonID: Int64?
        public let receivedAt: String
        public let departementCode: String?
        public let reviewState: String
        public let current: Bool
        public let deprecatedID: String?
        public let issuesJSON: String
        public let attachmentsExpected: Int
        public let attachmentsReceived: Int
        public let xml: Data
        /// An encrypted record: `xml` is its envelope, the answers are sealed.
        public let encrypted: Bool
    }

    /// A page of a form's records in id order, after `afterID`, limited to
    /// départements in `departementCodes` when given.
    public func page(formID: String, afterID: Int64, limit: Int, departementCodes: [String]?) async throws -> [Summary] {
        try await database.read { db in
            var sql = """
                SELECT id, instance_id, form_id, form_version, resource_person_id, received_at, departement_code,
                       review_state, current, deprecated_id, issues, attachments_expected, attachments_received, xml,
                       encrypted
                FROM submissions WHERE form_id = ? AND id > ?
                """
            var arguments: StatementArguments = [formID, afterID]
            if let codes = departementCodes {
                sql += " AND departement_code IN (\(SQLText.placeholders(codes.count)))"
                arguments += StatementArguments(codes)
            }
            sql += " ORDER BY id LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                Summary(id: row["id"], instanceID: row["instance_id"], formID: row["form_id"],
                        formVersion: row["form_version"], resourcePersonID: row["resource_person_id"],
                        receivedAt: row["received_at"], departementCode: row["departement_code"],
                        reviewState: row["review_state"], current: row["current"] as Bool,
                        deprecatedID: row["deprecated_id"], issuesJSON: row["issues"],
                        attachmentsExpected: row["attachments_expected"],
                        attachmentsReceived: row["attachments_received"], xml: row["xml"],
                        encrypted: row["encrypted"] as Bool)
            }
        }
    }

    public func count(formID: String? = nil) throws -> Int {
        try database.readNow { db in
            if let formID {
                return try Int.fetchOne(db, sql: "SELECT count(*) FROM submissions WHERE form_id = ?", arguments: [formID]) ?? 0
            }
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM submissions") ?? 0
        }
    }

    public func count(reviewState: String) throws -> Int {
        try database.readNow { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM submissions WHERE review_state = ?", arguments: [reviewState]) ?? 0
        }
    }
}
