import Foundation
import GRDB
import SuiviDomain

/// Campaigns, phases, campaign days, neighbourhoods and targets. Every
/// change is written with its audit line in the same transaction; audit
/// details carry ids and counts only.
public struct CampaignStore: Sendable {
    let database: SuiviDatabase

    public init(database: SuiviDatabase) {
        self.database = database
    }

    // MARK: Campaigns

    public func campaigns() async throws -> [Campaign] {
        try await database.read { db in
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM campaigns ORDER BY starts_on DESC, id DESC")
            return try ids.compactMap { try Self.campaign($0, in: db) }
        }
    }

    public func campaign(id: Int64) async throws -> Campaign {
        try await database.read { db in
            guard let campaign = try Self.campaign(id, in: db) else { throw Problem.campaignNotFound() }
            return campaign
        }
    }

    /// Creates a campaign and, in the same transaction, its phases.
    public func createCampaign(name: String, startsOn: String, endsOn: String, phases: [PhaseDraft] = [],
                               by actor: AuditActor, at date: Date = Date()) async throws -> Campaign {
        guard endsOn >= startsOn else { throw Problem.datesInWrongOrder() }
        return try await database.write { db in
            try db.execute(sql: "INSERT INTO campaigns (name, starts_on, ends_on, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [name, startsOn, endsOn, Timestamp.string(date)])
            let id = db.lastInsertedRowID
            for phase in phases {
                _ = try Self.insertPhase(phase, campaignID: id, in: db)
            }
            try AuditStore.record(actor, "campaign.create", targetKind: "campaign", targetID: String(id),
                                  details: ["phases": String(phases.count)], at: date, in: db)
            return try Self.campaign(id, in: db)!
        }
    }

    public func updateCampaign(id: Int64, name: String?, startsOn: String?, endsOn: String?,
                               by actor: AuditActor, at date: Date = Date()) async throws -> Campaign {
        try await database.write { db in
            guard let current = try Self.campaign(id, in: db) else { throw Problem.campaignNotFound() }
            let starts = startsOn ?? current.startsOn, ends = endsOn ?? current.endsOn
            guard ends >= starts else { throw Problem.datesInWrongOrder() }
            try db.execute(sql: "UPDATE campaigns SET name = ?, starts_on = ?, ends_on = ? WHERE id = ?",
                           arguments: [name ?? current.name, starts, ends, id])
            try AuditStore.record(actor, "campaign.update", targetKind: "campaign", targetID: String(id), at: date, in: db)
            return try Self.campaign(id, in: db)!
        }
    }

    /// Deletes a campaign with its phases, days, neighbourhoods and targets.
    public func deleteCampaign(id: Int64, by actor: AuditActor, at date: Date = Date()) async throws {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM campaigns WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { throw Problem.campaignNotFound() }
            try AuditStore.record(actor, "campaign.delete", targetKind: "campaign", targetID: String(id), at: date, in: db)
        }
    }

    // MARK: Phases

    public func phase(id: Int64) async throws -> CampaignPhase {
        try await database.read { db in
            guard let phase = try Self.phase(id, in: db) else { throw Problem.phaseNotFound() }
            return phase
        }
    }

    public func addPhase(campaignID: Int64, _ draft: PhaseDraft, by actor: AuditActor,
                         at date: Date = Date()) async throws -> CampaignPhase {
        try await database.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM campaigns WHERE id = ?", arguments: [campaignID]) != nil else {
                throw Problem.campaignNotFound()
            }
            let id = try Self.insertPhase(draft, campaignID: campaignID, in: db)
            try AuditStore.record(actor, "phase.create", targetKind: "phase", targetID: String(id),
                                  details: ["campaign_id": String(campaignID)], at: date, in: db)
            return try Self.phase(id, in: db)!
        }
    }

    public func updatePhase(id: Int64, name: String?, position: Int?, startsOn: String?, endsOn: String?,
                            by actor: AuditActor, at date: Date = Date()) async throws -> CampaignPhase {
        try await database.write { db in
            guard let current = try Self.phase(id, in: db) else { throw Problem.phaseNotFound() }
            let starts = startsOn ?? current.startsOn, ends = endsOn ?? current.endsOn
            guard ends >= starts else { throw Problem.datesInWrongOrder() }
            if let outside = current.days.first(where: { $0.day < starts || $0.day > ends }) {
                throw Problem.dateOutsidePhase("starts_on", day: outside.day, startsOn: starts, endsOn: ends)
            }
            do {
                try db.execute(sql: "UPDATE campaign_phases SET name = ?, position = ?, starts_on = ?, ends_on = ? WHERE id = ?",
                               arguments: [name ?? current.name, position ?? current.position, starts, ends, id])
            } catch let error where StoreErrors.isUniqueViolation(error) {
                throw Problem.phaseNameTaken()
            }
            try AuditStore.record(actor, "phase.update", targetKind: "phase", targetID: String(id), at: date, in: db)
            return try Self.phase(id, in: db)!
        }
    }

    public func deletePhase(id: Int64, by actor: AuditActor, at date: Date = Date()) async throws {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM campaign_phases WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { throw Problem.phaseNotFound() }
            try AuditStore.record(actor, "phase.delete", targetKind: "phase", targetID: String(id), at: date, in: db)
        }
    }

    // MARK: Campaign days and neighbourhoods

    /// Replaces the campaign days of one département in a phase. Days must
    /// fall within the phase.
    public func setDays(phaseID: Int64, departementCode: String, days: [String], by actor: AuditActor,
                        at date: Date = Date()) async throws -> CampaignPhase {
        try await database.write { db in
            guard let phase = try Self.phase(phaseID, in: db) else { throw Problem.phaseNotFound() }
            let unique = Array(Set(days)).sorted()
            if let outside = unique.first(where: { $0 < phase.startsOn || $0 > phase.endsOn }) {
                throw Problem.dateOutsidePhase("days", day: outside, startsOn: phase.startsOn, endsOn: phase.endsOn)
            }
            try Self.requireDepartement(departementCode, in: db)
            try db.execute(sql: "DELETE FROM campaign_days WHERE phase_id = ? AND departement_code = ?",
                           arguments: [phaseID, departementCode])
            for day in unique {
                try db.execute(sql: "INSERT INTO campaign_days (phase_id, departement_code, day) VALUES (?, ?, ?)",
                               arguments: [phaseID, departementCode, day])
            }
            try AuditStore.record(actor, "campaign_days.set", targetKind: "phase", targetID: String(phaseID),
                                  details: ["departement": departementCode, "days": String(unique.count)], at: date, in: db)
            return try Self.phase(phaseID, in: db)!
        }
    }

    public func addNeighbourhood(phaseID: Int64, departementCode: String, name: String, by actor: AuditActor,
                                 at date: Date = Date()) async throws -> Neighbourhood {
        try await database.write { db in
            guard try Self.phase(phaseID, in: db) != nil else { throw Problem.phaseNotFound() }
            try Self.requireDepartement(departementCode, in: db)
            do {
                try db.execute(sql: "INSERT INTO neighbourhoods (phase_id, departement_code, name) VALUES (?, ?, ?)",
                               arguments: [phaseID, departementCode, name])
            } catch let error where StoreErrors.isUniqueViolation(error) {
                throw Problem.neighbourhoodTaken()
            }
            let id = db.lastInsertedRowID
            try AuditStore.record(actor, "neighbourhood.add", targetKind: "neighbourhood", targetID: String(id),
                                  details: ["phase_id": String(phaseID), "departement": departementCode], at: date, in: db)
            return Neighbourhood(id: id, phaseID: phaseID, departementCode: departementCode, name: name)
        }
    }

    public func neighbourhood(id: Int64) async throws -> Neighbourhood {
        try await database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, phase_id, departement_code, name FROM neighbourhoods WHERE id = ?",
                                             arguments: [id]) else { throw Problem.neighbourhoodNotFound() }
            return Self.neighbourhood(from: row)
        }
    }

    public func deleteNeighbourhood(id: Int64, by actor: AuditActor, at date: Date = Date()) async throws {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM neighbourhoods WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { throw Problem.neighbourhoodNotFound() }
            try AuditStore.record(actor, "neighbourhood.delete", targetKind: "neighbourhood", targetID: String(id), at: date, in: db)
        }
    }

    // MARK: Targets

    /// Targets of a phase, within `departementCodes` when given.
    public func targets(phaseID: Int64, departementCodes: [String]? = nil) async throws -> [Target] {
        try await database.read { db in
            guard try Self.phase(phaseID, in: db) != nil else { throw Problem.phaseNotFound() }
            return try Row.fetchAll(db, sql: """
                SELECT t.* FROM targets t JOIN indicators i ON i.id = t.indicator_id
                WHERE t.phase_id = ? ORDER BY i.position, t.departement_code
                """, arguments: [phaseID])
                .map(Self.target(from:))
                .filter { departementCodes?.contains($0.departementCode) ?? true }
        }
    }

    public func target(id: Int64) async throws -> Target {
        try await database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM targets WHERE id = ?", arguments: [id]) else {
                throw Problem.targetNotFound()
            }
            return Self.target(from: row)
        }
    }

    /// Sets (creates or changes) the target of one indicator in one
    /// département for a phase, and keeps the new values in its history.
    public func setTarget(phaseID: Int64, indicatorID: String, departementCode: String, baseline: Double,
                          milestone: Double?, target: Double, by actor: AuditActor,
                          at date: Date = Date()) async throws -> Target {
        try await database.write { db in
            guard try Self.phase(phaseID, in: db) != nil else { throw Problem.phaseNotFound() }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM indicators WHERE id = ?", arguments: [indicatorID]) != nil else {
                throw Problem.unknownIndicator(indicatorID)
            }
            try Self.requireDepartement(departementCode, in: db)
            let now = Timestamp.string(date)
            let userID = actor.kind == .user ? actor.id : nil
            try db.execute(sql: """
                INSERT INTO targets (phase_id, indicator_id, departement_code, baseline, milestone, target, updated_at, updated_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (phase_id, indicator_id, departement_code) DO UPDATE SET
                    baseline = excluded.baseline, milestone = excluded.milestone, target = excluded.target,
                    updated_at = excluded.updated_at, updated_by = excluded.updated_by
                """, arguments: [phaseID, indicatorID, departementCode, baseline, milestone, target, now, userID])
            let row = try Row.fetchOne(db, sql: """
                SELECT * FROM targets WHERE phase_id = ? AND indicator_id = ? AND departement_code = ?
                """, arguments: [phaseID, indicatorID, departementCode])!
            let saved = Self.target(from: row)
            try db.execute(sql: """
                INSERT INTO target_changes (target_id, changed_at, changed_by, baseline, milestone, target)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [saved.id, now, userID, baseline, milestone, target])
            try AuditStore.record(actor, "target.set", targetKind: "target", targetID: String(saved.id),
                                  details: ["phase_id": String(phaseID), "indicator": indicatorID, "departement": departementCode],
                                  at: date, in: db)
            return saved
        }
    }

    /// Every value the target had, newest first.
    public func targetHistory(id: Int64) async throws -> [TargetChange] {
        try await database.read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM targets WHERE id = ?", arguments: [id]) != nil else {
                throw Problem.targetNotFound()
            }
            return try Row.fetchAll(db, sql: """
                SELECT c.id, c.changed_at, u.login, c.baseline, c.milestone, c.target
                FROM target_changes c LEFT JOIN users u ON u.id = c.changed_by
                WHERE c.target_id = ? ORDER BY c.id DESC
                """, arguments: [id]).map {
                    TargetChange(id: $0["id"], changedAt: $0["changed_at"], changedBy: $0["login"],
                                 baseline: $0["baseline"], milestone: $0["milestone"], target: $0["target"])
                }
        }
    }

    // MARK: Reading rows

    static func campaign(_ id: Int64, in db: Database) throws -> Campaign? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM campaigns WHERE id = ?", arguments: [id]) else { return nil }
        let phaseIDs = try Int64.fetchAll(db, sql: "SELECT id FROM campaign_phases WHERE campaign_id = ? ORDER BY position, starts_on, id",
                                          arguments: [id])
        return Campaign(id: row["id"], name: row["name"], startsOn: row["starts_on"], endsOn: row["ends_on"],
                        createdAt: row["created_at"], phases: try phaseIDs.compactMap { try phase($0, in: db) })
    }

    static func phase(_ id: Int64, in db: Database) throws -> CampaignPhase? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM campaign_phases WHERE id = ?", arguments: [id]) else { return nil }
        let days = try Row.fetchAll(db, sql: "SELECT departement_code, day FROM campaign_days WHERE phase_id = ? ORDER BY day, departement_code",
                                    arguments: [id]).map { CampaignDay(departementCode: $0["departement_code"], day: $0["day"]) }
        let neighbourhoods = try Row.fetchAll(db, sql: """
            SELECT id, phase_id, departement_code, name FROM neighbourhoods WHERE phase_id = ? ORDER BY departement_code, name
            """, arguments: [id]).map(neighbourhood(from:))
        return CampaignPhase(id: row["id"], campaignID: row["campaign_id"], name: row["name"], position: row["position"],
                             startsOn: row["starts_on"], endsOn: row["ends_on"], days: days, neighbourhoods: neighbourhoods)
    }

    static func insertPhase(_ draft: PhaseDraft, campaignID: Int64, in db: Database) throws -> Int64 {
        guard draft.endsOn >= draft.startsOn else { throw Problem.datesInWrongOrder() }
        do {
            try db.execute(sql: """
                INSERT INTO campaign_phases (campaign_id, name, position, starts_on, ends_on) VALUES (?, ?, ?, ?, ?)
                """, arguments: [campaignID, draft.name, draft.position, draft.startsOn, draft.endsOn])
        } catch let error where StoreErrors.isUniqueViolation(error) {
            throw Problem.phaseNameTaken()
        }
        return db.lastInsertedRowID
    }

    static func requireDepartement(_ code: String, in db: Database) throws {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM departements WHERE code = ?", arguments: [code]) != nil else {
            throw Problem.unknownDepartement(code)
        }
    }

    static func neighbourhood(from row: Row) -> Neighbourhood {
        Neighbourhood(id: row["id"], phaseID: row["phase_id"], departementCode: row["departement_code"], name: row["name"])
    }

    static func target(from row: Row) -> Target {
        Target(id: row["id"], phaseID: row["phase_id"], indicatorID: row["indicator_id"], departementCode: row["departement_code"],
               baseline: row["baseline"], milestone: row["milestone"], target: row["target"], updatedAt: row["updated_at"])
    }
}
