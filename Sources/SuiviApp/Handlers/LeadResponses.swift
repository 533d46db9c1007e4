import SuiviBasics
import SuiviStore

// What the lead routes answer. Names, phones and ID numbers are personal
// data: never cached (`JSONResponses.ok`'s default), except the merge log,
// which holds none.

/// A lead as every lead route gives it, in JSON and in the feed's CSV: its
/// fields are declared once, in `fields`.
///
/// Two writers read that one declaration: `encode(to:)`, for answers that
/// put a lead inside another type, and `write(_:to:)`, which the feed uses
/// for its pages of up to 1,000 leads (the generic encoder builds a tree
/// node per value; a page through `JSONSerialization` once took most of the
/// request's time). Both write keys in sorted order; `LeadTests` holds the
/// feed's bytes and those of the other routes to the same text.
struct LeadResponse: Encodable, Sendable {
    let lead: LeadRecord

    init(_ lead: LeadRecord) {
        self.lead = lead
    }

    enum Value {
        case text(String?), integer(Int64?), flag(Bool)
    }

    typealias Field = (name: StaticString, value: @Sendable (LeadRecord) -> Value)

    /// Every field, in the feed's order (the CSV's columns).
    static let fields: [Field] = [
        ("id", { .integer($0.id) }), ("status", { .text($0.status) }), ("merged_into", { .integer($0.mergedInto) }),
        ("name", { .text($0.name) }), ("sex", { .text($0.sex) }), ("phone", { .text($0.phone) }),
        ("phone_valid", { .flag($0.phoneValid) }), ("national_id", { .text($0.nationalID) }),
        ("trade", { .text($0.trade) }), ("organisation", { .text($0.organisation) }),
        ("departement", { .text($0.departementCode) }), ("neighbourhood", { .text($0.neighbourhood) }),
        ("household_size", { .integer($0.householdSize.map(Int64.init)) }), ("consent_contact", { .text($0.consentContact) }),
        ("member_number", { .text($0.memberNumber) }), ("member_since", { .text($0.memberSince) }),
        ("visit_count", { .integer(Int64($0.visitCount)) }), ("created_at", { .text($0.createdAt) }),
        ("updated_at", { .text($0.updatedAt) }), ("change_seq", { .integer($0.changeSeq) }),
    ]

    /// The same, in JSON key order.
    private static let sortedFields = fields.sorted { $0.name.description < $1.name.description }

    private struct Key: CodingKey {
        let stringValue: String
        init(_ name: StaticString) { stringValue = name.description }
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for field in Self.fields {
            let key = Key(field.name)
            switch field.value(lead) {
            case .text(let text): try container.encode(text, forKey: key)
            case .integer(let number): try container.encode(number, forKey: key)
            case .flag(let flag): try container.encode(flag, forKey: key)
            }
        }
    }

    /// One lead, keys in sorted order, as `encode(to:)` gives it.
    static func write(_ lead: LeadRecord, to json: inout JSONWriter) {
        json.raw("{")
        for (index, field) in sortedFields.enumerated() {
            if index > 0 { json.raw(",") }
            json.key(field.name)
            switch field.value(lead) {
            case .text(let text): json.string(text)
            case .integer(let number): json.integer(number)
            case .flag(let flag): json.bool(flag)
            }
        }
        json.raw("}")
    }

    /// The CSV header and one row per lead, in `fields` order.
    static var csvHeader: [String] { fields.map(\.name.description) }

    static func csvRow(_ lead: LeadRecord) -> [String] {
        fields.map { field in
            switch field.value(lead) {
            case .text(let text): text ?? ""
            case .integer(let number): number.map(String.init) ?? ""
            case .flag(let flag): flag ? "true" : "false"
            }
        }
    }
}

/// `GET /api/v1/leads`: `{"leads":[...],"next":"CURSOR"}`, written straight
/// into one buffer (see `LeadResponse`).
struct LeadFeedResponse {
    let leads: [LeadRecord]
    let next: String

    var bytes: [UInt8] {
        var json = JSONWriter(capacity: 512 + leads.count * 420)
        json.raw("{\"leads\":[")
        for (index, lead) in leads.enumerated() {
            if index > 0 { json.raw(",") }
            LeadResponse.write(lead, to: &json)
        }
        json.raw("],\"next\":")
        json.string(next)
        json.raw("}")
        return json.bytes
    }
}

/// `GET /api/v1/leads/:id`: the lead's fields and, in the same object, the
/// visits it came from that the caller may see.
struct LeadVisitsResponse: Encodable {
    struct Visit: Encodable {
        let submissionID: Int64
        let instanceID: String
        let activityDate: String?

        enum CodingKeys: String, CodingKey {
            case submissionID = "submission_id", instanceID = "instance_id", activityDate = "activity_date"
        }
    }

    let visits: [Visit]

    static func lead(_ found: LeadWithVisits) -> MergedResponse<LeadResponse, LeadVisitsResponse> {
        MergedResponse(first: LeadResponse(found.lead), second: LeadVisitsResponse(visits: found.visits.map {
            Visit(submissionID: $0.id, instanceID: $0.instanceID, activityDate: $0.activityDate)
        }))
    }
}

/// `POST /api/v1/memberships`: what each row matched, and the counts.
struct MembershipImportResponse: Encodable {
    struct Row: Encodable {
        let row: Int
        let outcome: String
        let leadID: Int64?
        let matchedBy: String?
        let detail: String?

        enum CodingKeys: String, CodingKey {
            case row, outcome, leadID = "lead_id", matchedBy = "matched_by", detail
        }
    }

    let rows: [Row]
    let matched: Int
    let notFound: Int
    let ambiguous: Int
    let invalid: Int

    enum CodingKeys: String, CodingKey {
        case rows, matched, notFound = "not_found", ambiguous, invalid
    }

    init(_ results: [MembershipRowResult]) {
        rows = results.map {
            Row(row: $0.row, outcome: $0.outcome.rawValue, leadID: $0.leadID, matchedBy: $0.matchedBy, detail: $0.detail)
        }
        func count(_ outcome: MembershipRowResult.Outcome) -> Int { results.filter { $0.outcome == outcome }.count }
        matched = count(.matched)
        notFound = count(.notFound)
        ambiguous = count(.ambiguous)
        invalid = count(.invalid)
    }
}

/// `GET /api/v1/leads/duplicates`: pairs of leads a coordinator should look at.
struct LeadPairsResponse: Encodable {
    struct Pair: Encodable {
        let leads: [LeadResponse]
        let reason: String
    }

    let pairs: [Pair]

    init(_ pairs: [LeadPair]) {
        self.pairs = pairs.map { Pair(leads: [LeadResponse($0.first), LeadResponse($0.second)], reason: $0.reason) }
    }
}

/// A merge from the log (no personal data).
struct LeadMergeResponse: Encodable {
    let id: Int64
    let keptID: Int64
    let mergedID: Int64
    let reason: String
    let mergedAt: String
    let mergedBy: String
    let undoneAt: String?

    enum CodingKeys: String, CodingKey {
        case id, keptID = "kept_id", mergedID = "merged_id", reason, mergedAt = "merged_at", mergedBy = "merged_by",
             undoneAt = "undone_at"
    }

    init(_ merge: LeadMerge) {
        id = merge.id
        keptID = merge.keptID
        mergedID = merge.mergedID
        reason = merge.reason
        mergedAt = merge.mergedAt
        mergedBy = merge.mergedBy
        undoneAt = merge.undoneAt
    }
}

struct LeadMergeLogResponse: Encodable {
    let merges: [LeadMergeResponse]
}

/// `POST /api/v1/leads/merges`: the merge and the lead kept, as it now is.
struct LeadMergedResponse: Encodable {
    let mergeID: Int64
    let lead: LeadResponse

    enum CodingKeys: String, CodingKey {
        case mergeID = "merge_id", lead
    }
}

/// `POST /api/v1/leads/merges/:id/undo`: both leads as they now are.
struct LeadMergeUndoneResponse: Encodable {
    let kept: LeadResponse
    let restored: LeadResponse
}

/// `POST /api/v1/leads/keep-apart`: the pair, lower id first.
struct LeadsKeptApartResponse: Encodable {
    let leadIDs: [Int64]

    enum CodingKeys: String, CodingKey {
        case leadIDs = "lead_ids"
    }
}

/// `DELETE /api/v1/leads/:id/personal-data`: what the erasure reached.
struct LeadErasedResponse: Encodable {
    let leadID: Int64
    let leadsErased: Int
    let visitsErased: Int

    enum CodingKeys: String, CodingKey {
        case leadID = "lead_id", leadsErased = "leads_erased", visitsErased = "visits_erased"
    }
}
