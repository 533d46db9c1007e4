import SuiviDomain

// What the campaign routes answer (no personal data). Each type lists the
// fields that leave the server, with their JSON names.

/// A campaign with its phases, days and neighbourhoods.
struct CampaignResponse: Encodable {
    let id: Int64
    let name: String
    let startsOn: String
    let endsOn: String
    let createdAt: String
    let phases: [PhaseResponse]

    enum CodingKeys: String, CodingKey {
        case id, name, startsOn = "starts_on", endsOn = "ends_on", createdAt = "created_at", phases
    }

    init(_ campaign: Campaign) {
        id = campaign.id
        name = campaign.name
        startsOn = campaign.startsOn
        endsOn = campaign.endsOn
        createdAt = campaign.createdAt
        phases = campaign.phases.map(PhaseResponse.init)
    }
}

struct PhaseResponse: Encodable {
    struct Day: Encodable {
        let departement: String
        let day: String
    }

    let id: Int64
    let campaignID: Int64
    let name: String
    let position: Int
    let startsOn: String
    let endsOn: String
    let days: [Day]
    let neighbourhoods: [NeighbourhoodResponse]

    enum CodingKeys: String, CodingKey {
        case id, campaignID = "campaign_id", name, position, startsOn = "starts_on", endsOn = "ends_on", days, neighbourhoods
    }

    init(_ phase: CampaignPhase) {
        id = phase.id
        campaignID = phase.campaignID
        name = phase.name
        position = phase.position
        startsOn = phase.startsOn
        endsOn = phase.endsOn
        days = phase.days.map { Day(departement: $0.departementCode, day: $0.day) }
        neighbourhoods = phase.neighbourhoods.map(NeighbourhoodResponse.init)
    }
}

struct NeighbourhoodResponse: Encodable {
    let id: Int64
    let phaseID: Int64
    let departement: String
    let name: String

    enum CodingKeys: String, CodingKey {
        case id, phaseID = "phase_id", departement, name
    }

    init(_ neighbourhood: Neighbourhood) {
        id = neighbourhood.id
        phaseID = neighbourhood.phaseID
        departement = neighbourhood.departementCode
        name = neighbourhood.name
    }
}

/// A phase's target for one indicator in one département.
struct TargetResponse: Encodable {
    let id: Int64
    let phaseID: Int64
    let indicator: String
    let departement: String
    let baseline: Double
    let milestone: Double?
    let target: Double
    let updatedAt: String

    enum CodingKeys: String, CodingKey {
        case id, phaseID = "phase_id", indicator, departement, baseline, milestone, target, updatedAt = "updated_at"
    }

    init(_ target: Target) {
        id = target.id
        phaseID = target.phaseID
        indicator = target.indicatorID
        departement = target.departementCode
        baseline = target.baseline
        milestone = target.milestone
        self.target = target.target
        updatedAt = target.updatedAt
    }
}

/// `GET /api/v1/phases/:id/targets`: the targets and the indicators they
/// can be set for.
struct PhaseTargetsResponse: Encodable {
    struct IndicatorName: Encodable {
        let id: String
        let name: String
        let nameEnglish: String

        enum CodingKeys: String, CodingKey {
            case id, name, nameEnglish = "name_en"
        }
    }

    let targets: [TargetResponse]
    let indicators: [IndicatorName]

    init(targets: [Target], indicators: [Indicator]) {
        self.targets = targets.map(TargetResponse.init)
        self.indicators = indicators.map { IndicatorName(id: $0.id, name: $0.nameFrench, nameEnglish: $0.nameEnglish) }
    }
}

/// `GET /api/v1/targets/:id/history`: every value a target had, newest first.
struct TargetHistoryResponse: Encodable {
    struct Change: Encodable {
        let id: Int64
        let changedAt: String
        let changedBy: String?
        let baseline: Double
        let milestone: Double?
        let target: Double

        enum CodingKeys: String, CodingKey {
            case id, changedAt = "changed_at", changedBy = "changed_by", baseline, milestone, target
        }
    }

    let changes: [Change]

    init(_ changes: [TargetChange]) {
        self.changes = changes.map {
            Change(id: $0.id, changedAt: $0.changedAt, changedBy: $0.changedBy, baseline: $0.baseline,
                   milestone: $0.milestone, target: $0.target)
        }
    }
}

// The envelopes: `{"campaigns": […]}`, `{"campaign": {…}}`…
struct CampaignListResponse: Encodable {
    let campaigns: [CampaignResponse]
}

struct OneCampaignResponse: Encodable {
    let campaign: CampaignResponse
}

struct OnePhaseResponse: Encodable {
    let phase: PhaseResponse
}

struct OneNeighbourhoodResponse: Encodable {
    let neighbourhood: NeighbourhoodResponse
}

struct OneTargetResponse: Encodable {
    let target: TargetResponse
}

/// `{"deleted": true}`, the answer to a DELETE.
struct DeletedResponse: Encodable {
    let deleted = true
}
