import Foundation
import SuiviDomain
import SuiviStore

// What `GET /api/v1/submissions` answers: answers are personal data, never
// cached (`JSONResponses.ok`'s default). `SubmissionAPITests` holds a flat
// record's bytes to a fixed text.

/// One page of records.
struct SubmissionPageResponse: Encodable, Sendable {
    let submissions: [SubmissionResponse]
    /// The `after` of the next page, nil on the last.
    let next: String?
}

struct SubmissionResponse: Encodable, Sendable {
    let id: Int64
    let instanceID: String
    let formID: String
    let formVersion: String
    let receivedAt: String
    let resourcePersonID: Int64?
    let departement: String?
    let reviewState: String
    let current: Bool
    let deprecatedID: String?
    let issues: [IssueResponse]
    let attachments: AttachmentsResponse
    let answers: RecordAnswers
    let encrypted: Bool

    enum CodingKeys: String, CodingKey {
        case id, departement, current, issues, attachments, answers, encrypted
        case instanceID = "instance_id", formID = "form_id", formVersion = "form_version"
        case receivedAt = "received_at", resourcePersonID = "resource_person_id", reviewState = "review_state"
        case deprecatedID = "deprecated_id"
    }
}

/// An issue as stored with the record; read leniently, so an issue of a
/// kind since retired still shows.
struct IssueResponse: Codable, Sendable {
    let field: String
    let kind: String
    let message: String
    let messageEnglish: String

    enum CodingKeys: String, CodingKey {
        case field, kind, message
        case messageEnglish = "message_en"
    }

    static func decode(_ json: String) -> [IssueResponse] {
        (try? JSONDecoder().decode([IssueResponse].self, from: Data(json.utf8))) ?? []
    }
}

struct AttachmentsResponse: Encodable, Sendable {
    let expected: Int
    let received: Int
    let files: [AttachmentResponse]
}

/// A file a record names: where (`field`, with each repeat's position;
/// nil for an encrypted record's files), and once received, how to fetch it.
struct AttachmentResponse: Encodable, Sendable {
    let name: String
    let field: String?
    let received: Bool
    let size: Int?
    let contentType: String?
    let url: String?

    enum CodingKeys: String, CodingKey {
        case name, field, received, size, url
        case contentType = "content_type"
    }

    /// The files in the order the record names them; files stored but not
    /// found in the XML (an encrypted record's) after, by name.
    static func list(stored: [StoredAttachment], named: [RecordAnswers.NamedFile], submissionID: Int64)
        -> [AttachmentResponse] {
        var byName: [String: StoredAttachment] = [:]
        for file in stored { byName[file.name] = file }
        var listed = Set<String>()
        var result: [AttachmentResponse] = []
        func add(_ file: StoredAttachment, field: String?) {
            guard listed.insert(file.name).inserted else { return }
            let received = file.sha256 != nil
            result.append(AttachmentResponse(
                name: file.name, field: field, received: received, size: file.size, contentType: file.contentType,
                url: received ? "/api/v1/submissions/\(submissionID)/attachments/\(file.name.percentEncodedPathSegment)" : nil))
        }
        for named in named {
            // A name with no row: a record stored before files in later repeat
            // instances were awaited. Listed as not received rather than hidden.
            add(byName[named.name] ?? StoredAttachment(name: named.name, sha256: nil, size: nil, contentType: nil),
                field: named.path)
        }
        for file in stored { add(file, field: nil) }
        return result
    }
}
