import Foundation

public struct Campaign: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let startsOn: String
    public let endsOn: String
    public let createdAt: String
    public var phases: [CampaignPhase]

    public init(id: Int64, name: String, startsOn: String, endsOn: String, createdAt: String, phases: [CampaignPhase]) {
        self.id = id
        self.name = name
        self.startsOn = startsOn
        self.endsOn = endsOn
        self.createdAt = createdAt
        self.phases = phases
    }
}

/// A stage of a campaign, e.g. "Dakar" then "Autres régions".
public struct CampaignPhase: Sendable, Equatable {
    public let id: Int64
    public let campaignID: Int64
    public let name: String
    public let position: Int
    public let startsOn: String
    public let endsOn: String
    /// The campaign day(s) of each département in this phase.
    public var days: [CampaignDay]
    public var neighbourhoods: [Neighbourhood]

    public init(id: Int64, campaignID: Int64, name: String, position: Int, startsOn: String, endsOn: String, days: [CampaignDay], neighbourhoods: [Neighbourhood]) {
        self.id = id
        self.campaignID = campaignID
        self.name = name
        self.position = position
        self.startsOn = startsOn
        self.endsOn = endsOn
        self.days = days
        self.neighbourhoods = neighbourhoods
    }
}

public struct CampaignDay: Sendable, Equatable {
    public let departementCode: String
    public let day: String

    public init(departementCode: String, day: String) {
        self.departementCode = departementCode
        self.day = day
    }
}

public struct Neighbourhood: Sendable, Equatable {
    public let id: Int64
    public let phaseID: Int64
    public let departementCode: String
    public let name: String

    public init(id: Int64, phaseID: Int64, departementCode: String, name: String) {
        self.id = id
        self.phaseID = phaseID
        self.departementCode = departementCode
        self.name = name
    }
}

/// What a new phase or campaign is made of.
public struct PhaseDraft: Sendable {
    public var name: String
    public var position: Int
    public var startsOn: String
    public var endsOn: String

    public init(name: String, position: Int = 0, startsOn: String, endsOn: String) {
        self.name = name
        self.position = position
        self.startsOn = startsOn
        self.endsOn = endsOn
    }
}
