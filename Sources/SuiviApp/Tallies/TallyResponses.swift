import SuiviBasics
import SuiviDomain
import SuiviStore

// What the tally routes answer (no personal data). `/api/v1/tallies` and
// `/api/v1/targets/progress` are written by hand (`TallyRowFragments`,
// `TargetProgress.write`); the others are these types.

/// `GET /api/v1/tallies/summary`: totals per indicator for each group.
struct TallySummaryResponse: Encodable {
    struct Row: Encodable {
        let key: String
        let name: String
        let region: String
        let indicator: String
        let value: Double
        let records: Int
    }

    let from: String
    let to: String
    let by: String
    let rows: [Row]
}

/// Reporting completeness of one département on one of its campaign days.
struct CompletenessLineResponse: Encodable {
    let departement: String
    let departementName: String
    let region: String
    let date: String
    let expected: Int
    let reported: Int
    let missing: Int
    let percentage: Double?
    let hasData: Bool
    let status: String
    let labelFrench: String
    let labelEnglish: String

    enum CodingKeys: String, CodingKey {
        case departement, departementName = "departement_name", region, date, expected, reported, missing, percentage,
             hasData = "has_data", status, labelFrench = "label_fr", labelEnglish = "label_en"
    }

    init(_ line: CompletenessLine) {
        departement = line.departement.code
        departementName = line.departement.name
        region = line.departement.region
        date = line.day
        expected = line.expected
        reported = line.reported
        missing = max(0, line.expected - line.reported)
        percentage = line.percentage
        hasData = line.hasData
        status = line.status
        labelFrench = line.labelFrench
        labelEnglish = line.labelEnglish
    }
}

/// `GET /api/v1/completeness`.
struct CompletenessResponse: Encodable {
    let from: String
    let to: String
    let rows: [CompletenessLineResponse]
}

/// An indicator's names, for menus and report headers.
struct IndicatorNamesResponse: Encodable {
    let id: String
    let nameFrench: String
    let nameEnglish: String

    enum CodingKeys: String, CodingKey {
        case id, nameFrench = "name_fr", nameEnglish = "name_en"
    }

    init(_ indicator: Indicator) {
        id = indicator.id
        nameFrench = indicator.nameFrench
        nameEnglish = indicator.nameEnglish
    }
}

/// `GET /api/v1/dashboard/places`: the regions and départements the caller
/// may drill into, the active indicators, and the day to open on.
struct DashboardPlacesResponse: Encodable {
    struct Region: Encodable {
        let code: String
        let name: String
    }

    let regions: [Region]
    let departements: [DepartementResponse]
    let indicators: [IndicatorNamesResponse]
    /// The caller sees every département.
    let national: Bool
    let today: String
    let defaultDay: String

    enum CodingKeys: String, CodingKey {
        case regions, departements, indicators, national, today, defaultDay = "default_day"
    }
}
