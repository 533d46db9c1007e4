import Foundation
import SuiviDomain
import SuiviStore

/// Who is calling the coordinators' API: a signed-in user (session cookie)
/// or another system (API key). Both answer to the same role rules.
struct Principal: Sendable {
    enum Actor: Sendable, Equatable {
        case user(id: Int64, login: String)
        case apiKey(id: Int64, name: String)
    }

    let actor: Actor
    let role: Role
    /// Set for a regional coordinator: only this region's départements.
    let regionCode: String?
    /// The session's anti-CSRF token; nil for API keys, which browsers never
    /// send on their own.
    let csrfToken: String?
    let scope: AccessScope

    init(actor: Actor, role: Role, regionCode: String?, csrfToken: String?, departements: [Departement]) {
        self.actor = actor
        self.role = role
        self.regionCode = regionCode
        self.csrfToken = csrfToken
        self.scope = AccessScope(role: role, regionCode: regionCode, departements: departements)
    }

    /// Throws 403.2 unless the role allows `capability`.
    func require(_ capability: Capability) throws {
        guard role.allows(capability) else { throw Problem.forbidden() }
    }

    /// Throws 403.2 unless `departementCode` is within the caller's scope.
    func requireDepartement(_ departementCode: String) throws {
        guard scope.includes(departementCode) else { throw Problem.forbidden() }
    }

    /// For one record named by its id (a person, a neighbourhood, a target):
    /// outside the caller's scope it answers as an unknown id does (404), as
    /// leads do, so ids tell nothing about other regions.
    func requireVisible(_ departementCode: String, otherwise notFound: @autoclosure () -> Problem) throws {
        guard scope.includes(departementCode) else { throw notFound() }
    }

    /// For the audit log: who, without personal data.
    var auditActor: AuditActor {
        switch actor {
        case .user(let id, let login): AuditActor(kind: .user, id: id, label: login)
        case .apiKey(let id, let name): AuditActor(kind: .apiKey, id: id, label: name)
        }
    }
}

/// What a role may do. Regional coordinators have a coordinator's
/// capabilities, limited to their region by `AccessScope`.
enum Capability: Sendable {
    /// Users, API keys, indicators, the audit log.
    case administer
    /// Campaigns, phases, campaign days, targets, neighbourhoods.
    case editCampaign
    /// Add, edit, import and deactivate resource persons; issue and revoke links.
    case managePeople
    /// Records with names, phones and ID numbers; exports.
    case readPersonalData
    /// Approve, flag or reject records.
    case review
    /// Tallies, targets, completeness: no personal data.
    case readTallies
    /// The leads feed.
    case readLeads
    /// Report memberships back.
    case writeMemberships
}

extension Role {
    func allows(_ capability: Capability) -> Bool {
        switch self {
        case .admin:
            return true
        case .coordinator:
            switch capability {
            case .administer: return false
            case .editCampaign, .managePeople, .readPersonalData, .review, .readTallies, .readLeads: return true
            case .writeMemberships: return false
            }
        case .viewer:
            return capability == .readTallies
        case .membership:
            return capability == .readLeads || capability == .writeMemberships
        }
    }
}

/// Which départements a caller may read. Nil codes mean every département.
struct AccessScope: Sendable {
    let seesPersonalData: Bool
    /// Nil means every département.
    let departementCodes: [String]?

    init(role: Role, regionCode: String?, departements: [Departement]) {
        seesPersonalData = role.allows(.readPersonalData)
        if let region = regionCode, role != .admin {
            departementCodes = departements.filter { $0.regionCode == region }.map(\.code)
        } else {
            departementCodes = nil
        }
    }

    init(key: APIKey, departements: [Departement]) {
        self.init(role: key.role, regionCode: key.regionCode, departements: departements)
    }

    func includes(_ departementCode: String) -> Bool {
        departementCodes?.contains(departementCode) ?? true
    }

    /// The same scope as the store applies it (`DepartementScope`).
    var departements: DepartementScope {
        DepartementScope(departementCodes: departementCodes)
    }
}
