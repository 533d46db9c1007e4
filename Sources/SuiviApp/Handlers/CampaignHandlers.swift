import Foundation
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// `/api/v1/campaigns`, `/api/v1/phases`, `/api/v1/targets`: campaigns,
/// their phases, campaign days, neighbourhoods and targets. No personal
/// data. Campaigns and phases are national (a regional coordinator may not
/// change them); days, neighbourhoods and targets are per département,
/// within the caller's scope.
struct CampaignHandlers: Sendable {
    let context: AppContext
    let authentication: Authentication

    // MARK: Campaigns

    func list(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.readTallies)
        let campaigns = try await context.campaigns.campaigns()
        return Self.ok(CampaignListResponse(campaigns: campaigns.map(CampaignResponse.init)))
    }

    func show(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.readTallies)
        return Self.ok(OneCampaignResponse(campaign: CampaignResponse(try await context.campaigns.campaign(id: try Self.id(request, .campaignNotFound())))))
    }

    /// {name, starts_on, ends_on, phases?: [{name, starts_on, ends_on, position?}]}
    func create(_ request: Request) async throws -> Response {
        let principal = try await nationalEditor(request)
        let body = try JSONBody(request)
        let name = try body.string("name", maximumLength: 200)!
        let startsOn = try body.date("starts_on")!
        let endsOn = try body.date("ends_on")!
        var phases: [PhaseDraft] = []
        if let list = body.object["phases"], !(list is NSNull) {
            guard let items = list as? [[String: Any]], items.count <= 20 else {
                throw Problem.invalidParameter("phases", "expected a list of at most 20 objects")
            }
            phases = try items.enumerated().map { index, item in try Self.phaseDraft(JSONBody(object: item), position: index + 1) }
        }
        let campaign = try await context.campaigns.createCampaign(name: name, startsOn: startsOn, endsOn: endsOn, phases: phases,
                                                      by: principal.auditActor)
        return Self.ok(OneCampaignResponse(campaign: CampaignResponse(campaign)), status: 201)
    }

    func update(_ request: Request) async throws -> Response {
        let principal = try await nationalEditor(request)
        let body = try JSONBody(request)
        let campaign = try await context.campaigns.updateCampaign(
            id: try Self.id(request, .campaignNotFound()), name: body.string("name", required: false, maximumLength: 200),
            startsOn: body.date("starts_on", required: false), endsOn: body.date("ends_on", required: false),
            by: principal.auditActor)
        return Self.ok(OneCampaignResponse(campaign: CampaignResponse(campaign)))
    }

    func delete(_ request: Request) async throws -> Response {
        let principal = try await nationalEditor(request)
        try await context.campaigns.deleteCampaign(id: try Self.id(request, .campaignNotFound()), by: principal.auditActor)
        return Self.ok(DeletedResponse())
    }

    // MARK: Phases

    /// `POST /api/v1/campaigns/:id/phases` {name, starts_on, ends_on, position?}
    func addPhase(_ request: Request) async throws -> Response {
        let principal = try await nationalEditor(request)
        let draft = try Self.phaseDraft(JSONBody(request), position: 0)
        let phase = try await context.campaigns.addPhase(campaignID: try Self.id(request, .campaignNotFound()), draft, by: principal.auditActor)
        return Self.ok(OnePhaseResponse(phase: PhaseResponse(phase)), status: 201)
    }

    func updatePhase(_ request: Request) async throws -> Response {
        let principal = try await nationalEditor(request)
        let body = try JSONBody(request)
        let phase = try await context.campaigns.updatePhase(
            id: try Self.id(request, .phaseNotFound()), name: body.string("name", required: false, maximumLength: 200),
            position: body.integer("position", required: false), startsOn: body.date("starts_on", required: false),
            endsOn: body.date("ends_on", required: false), by: principal.auditActor)
        return Self.ok(OnePhaseResponse(phase: PhaseResponse(phase)))
    }

    func deletePhase(_ request: Request) async throws -> Response {
        let principal = try await nationalEditor(request)
        try await context.campaigns.deletePhase(id: try Self.id(request, .phaseNotFound()), by: principal.auditActor)
        return Self.ok(DeletedResponse())
    }

    /// `PUT /api/v1/phases/:id/days/:departement` {days: ["2023-03-07", …]}
    func setDays(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.editCampaign)
        let departement = request.parameter("departement")
        try principal.requireDepartement(departement)
        let body = try JSONBody(request)
        guard let list = body.object["days"] as? [Any], list.count <= 60 else {
            throw Problem.invalidParameter("days", "expected a list of at most 60 dates YYYY-MM-DD")
        }
        let days = try list.map { item -> String in
            guard let text = item as? String, CalendarDay.isValid(text) else {
                throw Problem.invalidParameter("days", "expected dates YYYY-MM-DD")
            }
            return text
        }
        let phase = try await context.campaigns.setDays(phaseID: try Self.id(request, .phaseNotFound()), departementCode: departement,
                                            days: days, by: principal.auditActor)
        return Self.ok(OnePhaseResponse(phase: PhaseResponse(phase)))
    }

    /// `POST /api/v1/phases/:id/neighbourhoods` {departement, name}
    func addNeighbourhood(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.editCampaign)
        let body = try JSONBody(request)
        let departement = try body.string("departement", maximumLength: 60)!
        try principal.requireDepartement(departement)
        let neighbourhood = try await context.campaigns.addNeighbourhood(
            phaseID: try Self.id(request, .phaseNotFound()), departementCode: departement,
            name: try body.string("name", maximumLength: 200)!, by: principal.auditActor)
        return Self.ok(OneNeighbourhoodResponse(neighbourhood: NeighbourhoodResponse(neighbourhood)), status: 201)
    }

    func deleteNeighbourhood(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.editCampaign)
        let id = try Self.id(request, .neighbourhoodNotFound())
        try principal.requireVisible(try await context.campaigns.neighbourhood(id: id).departementCode, otherwise: .neighbourhoodNotFound())
        try await context.campaigns.deleteNeighbourhood(id: id, by: principal.auditActor)
        return Self.ok(DeletedResponse())
    }

    // MARK: Targets

    /// `GET /api/v1/phases/:id/targets`: the phase's targets within the
    /// caller's scope, with the indicators they can be set for.
    func targets(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.readTallies)
        let targets = try await context.campaigns.targets(phaseID: try Self.id(request, .phaseNotFound()),
                                              departementCodes: principal.scope.departementCodes)
        let indicators = try await context.indicators.all().filter(\.active)
        return Self.ok(PhaseTargetsResponse(targets: targets, indicators: indicators))
    }

    /// `PUT /api/v1/phases/:id/targets` {indicator, departement, baseline?, milestone?, target}
    func setTarget(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.editCampaign)
        let body = try JSONBody(request)
        let departement = try body.string("departement", maximumLength: 60)!
        try principal.requireDepartement(departement)
        let values = try ["baseline", "milestone", "target"].map { name -> Double? in
            let value = try body.number(name, required: name == "target")
            if let value, value < 0 || value > 1e12 { throw Problem.invalidParameter(name, "expected a number from 0 to 10^12") }
            return value
        }
        let target = try await context.campaigns.setTarget(
            phaseID: try Self.id(request, .phaseNotFound()), indicatorID: try body.string("indicator", maximumLength: 60)!,
            departementCode: departement, baseline: values[0] ?? 0, milestone: values[1], target: values[2]!,
            by: principal.auditActor)
        return Self.ok(OneTargetResponse(target: TargetResponse(target)))
    }

    /// `GET /api/v1/targets/:id/history`
    func targetHistory(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.readTallies)
        let id = try Self.id(request, .targetNotFound())
        try principal.requireVisible(try await context.campaigns.target(id: id).departementCode, otherwise: .targetNotFound())
        let changes = try await context.campaigns.targetHistory(id: id)
        return Self.ok(TargetHistoryResponse(changes))
    }

    // MARK: Helpers

    /// Campaigns and phases are national: editors whose scope is limited to
    /// a region may not change them.
    private func nationalEditor(_ request: Request) async throws -> Principal {
        let principal = try await authentication.principal(request)
        try principal.require(.editCampaign)
        guard principal.scope.departementCodes == nil else {
            throw Problem.forbidden().with(detail: "campaigns and phases are national; regional coordinators edit their départements' days, neighbourhoods and targets")
        }
        return principal
    }

    private static func ok(_ value: some Encodable, status: Int = 200) -> Response {
        JSONResponses.ok(value, status: status, personalData: false)
    }

    static func phaseDraft(_ body: JSONBody, position: Int) throws -> PhaseDraft {
        PhaseDraft(name: try body.string("name", maximumLength: 200)!, position: try body.integer("position", required: false) ?? position,
                   startsOn: try body.date("starts_on")!, endsOn: try body.date("ends_on")!)
    }

    static func id(_ request: Request, _ missing: Problem) throws -> Int64 {
        guard let id = Int64(request.parameter("id")), id > 0 else { throw missing }
        return id
    }
}
