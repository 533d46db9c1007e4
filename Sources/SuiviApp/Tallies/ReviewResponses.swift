import SuiviBasics
import SuiviDomain
import SuiviStore

// What the review and indicator routes answer. Review items carry answers:
// personal data, never cached (`JSONResponses.ok`'s default).

/// `PATCH /api/v1/submissions/:id/review`.
struct ReviewOutcomeResponse: Encodable, Sendable {
    let id: Int64
    let reviewState: String
    let previousState: String
    let reviewComment: String?

    init(_ outcome: ReviewStore.Outcome, comment: String?) {
        id = outcome.id
        reviewState = outcome.state
        previousState = outcome.previousState
        reviewComment = comment
    }

    enum CodingKeys: String, CodingKey {
        case id, reviewState = "review_state", previousState = "previous_state", reviewComment = "review_comment"
    }
}

/// `GET /api/v1/review`: a page of records, flagged first.
struct ReviewQueueResponse: Encodable, Sendable {
    let submissions: [Item]
    let nextOffset: Int?

    enum CodingKeys: String, CodingKey {
        case submissions, nextOffset = "next_offset"
    }

    struct Item: Encodable, Sendable {
        let item: ReviewStore.Item
        /// Every instance of each repeat, by the repeat's name (the stored
        /// answers hold a repeat's first instance only); empty for a form
        /// without repeats.
        let repeats: [String: RecordAnswers.Value]

        enum CodingKeys: String, CodingKey {
            case id, instanceID = "instance_id", formID = "form_id", departement, activityDate = "activity_date"
            case receivedAt = "received_at", reviewState = "review_state", reviewComment = "review_comment"
            case resourcePersonID = "resource_person_id", issues, answers, encrypted, repeats
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(item.id, forKey: .id)
            try container.encode(item.instanceID, forKey: .instanceID)
            try container.encode(item.formID, forKey: .formID)
            try container.encode(item.departementCode, forKey: .departement)
            try container.encode(item.activityDate, forKey: .activityDate)
            try container.encode(item.receivedAt, forKey: .receivedAt)
            try container.encode(item.reviewState, forKey: .reviewState)
            try container.encode(item.reviewComment, forKey: .reviewComment)
            try container.encode(item.resourcePersonID, forKey: .resourcePersonID)
            // Both columns hold JSON the server wrote itself: placed as stored.
            try container.encode(JSONFragment(Array(item.issuesJSON.utf8)), forKey: .issues)
            try container.encode(JSONFragment(Array(item.answersJSON.utf8)), forKey: .answers)
            try container.encode(item.encrypted, forKey: .encrypted)
            try container.encode(repeats, forKey: .repeats)
        }
    }
}

/// An indicator as `GET /api/v1/indicators` lists it; after a change, with
/// the number of stored records it was filled from (`records_counted`).
struct IndicatorResponse: Encodable, Sendable {
    let indicator: Indicator
    let recordsCounted: Int?

    init(_ indicator: Indicator, recordsCounted: Int? = nil) {
        self.indicator = indicator
        self.recordsCounted = recordsCounted
    }

    enum CodingKeys: String, CodingKey {
        case id, nameFrench = "name_fr", nameEnglish = "name_en", position, active, sources
        case recordsCounted = "records_counted"
    }

    struct Source: Encodable, Sendable {
        let form: String
        let filterField: String?
        let filterValue: String?
        let aggregate: String
        let sumField: String?

        enum CodingKeys: String, CodingKey {
            case form, filterField = "filter_field", filterValue = "filter_value", aggregate, sumField = "sum_field"
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(indicator.id, forKey: .id)
        try container.encode(indicator.nameFrench, forKey: .nameFrench)
        try container.encode(indicator.nameEnglish, forKey: .nameEnglish)
        try container.encode(indicator.position, forKey: .position)
        try container.encode(indicator.active, forKey: .active)
        try container.encode(indicator.sources.map {
            Source(form: $0.formID, filterField: $0.filterField, filterValue: $0.filterValue,
                   aggregate: $0.aggregate.rawValue, sumField: $0.sumField)
        }, forKey: .sources)
        // Only answers to a change say how many records filled it.
        if let recordsCounted { try container.encode(recordsCounted, forKey: .recordsCounted) }
    }
}

struct IndicatorListResponse: Encodable, Sendable {
    let indicators: [IndicatorResponse]
}
