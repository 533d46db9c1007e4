import Foundation
import SuiviDomain

/// Everything the store needs to record one received submission. Attachment
/// files named here are already on disk and fsynced.
public struct SubmissionIntake: Sendable {
    public struct Attachment: Sendable, Equatable {
        public let name: String
        public let sha256: String
        public let size: Int
        public let contentType: String?

        public init(name: String, sha256: String, size: Int, contentType: String?) {
            self.name = name
            self.sha256 = sha256
            self.size = size
            self.contentType = contentType
        }
    }

    public let instanceID: String
    public let deprecatedID: String?
    public let formID: String
    public let formVersion: String
    public let resourcePersonID: Int64?
    public let receivedAt: Date
    public let xml: Data
    public let xmlSHA256: String
    public let departementCode: String?
    /// Answers by field name, for tallies, leads and exports.
    public let answers: [String: String]
    /// The day the activity took place (YYYY-MM-DD).
    public let activityDate: String?
    public let issues: [AnswerIssue]
    /// File names the record refers to (binary questions).
    public let expectedAttachments: [String]
    /// Files that came with this request.
    public let attachments: [Attachment]
    /// An encrypted record's envelope: its answers are unknown to the
    /// server, so it is stored and counted as received, never tallied.
    public let encrypted: Bool
    /// Prepared by the request's own task, so the single writer thread only
    /// runs SQL.
    let issuesJSON: String
    let receivedAtText: String
    let answersJSON: String

    /// True when recording this intake takes more than one statement, which
    /// then need a savepoint to stand or fall together.
    var needsSeveralStatements: Bool {
        deprecatedID != nil || !expectedAttachments.isEmpty || !attachments.isEmpty
            || formID == LeadIdentity.visitFormID  // leads are written with the visit
    }

    private static let issuesEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    public init(instanceID: String, deprecatedID: String?, formID: String, formVersion: String,
                resourcePersonID: Int64?, receivedAt: Date, xml: Data, xmlSHA256: String,
                departementCode: String?, answers: [String: String] = [:], activityDate: String? = nil,
                issues: [AnswerIssue], expectedAttachments: [String], attachments: [Attachment],
                encrypted: Bool = false) {
        self.instanceID = instanceID
        self.deprecatedID = deprecatedID
        self.formID = formID
        self.formVersion = formVersion
        self.resourcePersonID = resourcePersonID
        self.receivedAt = receivedAt
        self.xml = xml
        self.xmlSHA256 = xmlSHA256
        self.departementCode = departementCode
        self.answers = answers
        self.activityDate = activityDate
        self.answersJSON = Answers.encode(answers)
        self.issues = issues
        self.expectedAttachments = expectedAttachments
        self.attachments = attachments
        self.encrypted = encrypted
        // Most records have no issue; JSONEncoder writes an empty array as "[]".
        self.issuesJSON = issues.isEmpty
            ? "[]" : String(decoding: (try? Self.issuesEncoder.encode(issues)) ?? Data("[]".utf8), as: UTF8.self)
        self.receivedAtText = Timestamp.string(receivedAt)
    }
}

/// What happened to a submission, known only after COMMIT.
public enum IntakeOutcome: Sendable, Equatable {
    /// A new record.
    case created(id: Int64)
    /// The same instance with the same XML was already stored: a resend or
    /// the next part of a split upload. Any new attachments were added.
    case duplicate(id: Int64)
}
