import Foundation
import GRDB
import SuiviDomain

/// Keeps `leads` equal to what the visits say, inside the transaction of the
/// change (a visit, its edit, a review decision, a merge). Every lookup is by
/// an index: identity keys by primary key, a lead's visits by
/// `lead_visits_by_lead`, the next change number by `leads.change_seq`'s
/// unique index.
///
/// A lead belongs to the département (so the region) of the visit that
/// made it, and only visits of that region attach to it: the phone and ID
/// number keys are per region (migration 0011). A visit whose key names a
/// lead of another region makes or finds a lead in its own region and
/// records the pair in `lead_cross_region_pairs` for a national
/// coordinator; the other region's lead is neither read nor changed.
///
/// For the review code: a rejected visit stops naming its lead with
/// `LeadBook.detach(submissionID:in:)`; lifting the rejection puts it back
/// with `LeadBook.reattach(submissionID:in:)`. Both run in the caller's
/// transaction.
public enum LeadBook {
    /// Called by `SubmissionStore.apply` for each new record. An edit
    /// (`replacedSubmissionID`) takes over the lead of the visit it replaces,
    /// so a corrected phone number keeps the lead's id.
    static func record(submissionID: Int64, formID: String, departementCode: String?, answers: [String: String],
                       replacedSubmissionID: Int64?, in db: Database) throws {
        guard formID == LeadIdentity.visitFormID else { return }
        var preferred: Int64?
        if let replaced = replacedSubmissionID {
            preferred = try detach(submissionID: replaced, in: db)
        }
        guard LeadIdentity.wantsToJoin(answers) else { return }
        try attach(submissionID: submissionID, answers: answers, departementCode: departementCode,
                   preferredLeadID: preferred, in: db)
    }

    /// Takes a visit off its lead (review rejection, or replaced by an
    /// edit) and recomputes the lead. Returns the lead it belonged to.
    @discardableResult
    public static func detach(submissionID: Int64, in db: Database) throws -> Int64? {
        guard let leadID = try Int64.fetchOne(db.cachedStatement(sql: "SELECT lead_id FROM lead_visits WHERE submission_id = ?"),
                                              arguments: [submissionID]) else { return nil }
        try db.cachedStatement(sql: "DELETE FROM lead_visits WHERE submission_id = ?").execute(arguments: [submissionID])
        try refresh(leadID: leadID, in: db)
        return leadID
    }

    /// Takes a rejected visit off its lead, remembering which, so that
    /// `reattach` puts it back on the same lead.
    public static func detachRejected(submissionID: Int64, in db: Database) throws {
        guard let leadID = try detach(submissionID: submissionID, in: db) else { return }
        try db.execute(sql: "INSERT OR REPLACE INTO rejected_lead_visits (submission_id, lead_id) VALUES (?, ?)",
                       arguments: [submissionID, leadID])
    }

    /// Puts a stored visit back (a rejection lifted), on the lead it was
    /// taken off when that lead still stands. Does nothing if it is already
    /// attached or does not ask to join.
    public static func reattach(submissionID: Int64, in db: Database) throws {
        let previousLead = try Int64.fetchOne(db, sql: "SELECT lead_id FROM rejected_lead_visits WHERE submission_id = ?",
                                              arguments: [submissionID])
        try db.execute(sql: "DELETE FROM rejected_lead_visits WHERE submission_id = ?", arguments: [submissionID])
        guard try Int64.fetchOne(db, sql: "SELECT lead_id FROM lead_visits WHERE submission_id = ?",
                                 arguments: [submissionID]) == nil,
              let row = try Row.fetchOne(db, sql: """
                SELECT form_id, answers, current, departement_code FROM submissions WHERE id = ?
                """, arguments: [submissionID]),
              row["form_id"] as String == LeadIdentity.visitFormID, row["current"] as Bool
        else { return }
        let answers = Answers.decode(row["answers"])
        guard LeadIdentity.wantsToJoin(answers) else { return }
        try attach(submissionID: submissionID, answers: answers, departementCode: row["departement_code"],
                   preferredLeadID: previousLead, in: db)
    }

    private static func attach(submissionID: Int64, answers: [String: String], departementCode: String?,
                               preferredLeadID: Int64?, in db: Database) throws {
        let region = try Self.region(ofDepartement: departementCode, in: db)
        // Leads of this region this visit names, oldest reason first; the
        // kept lead is the edited visit's lead, else the oldest. A lead of
        // another region is never a candidate, even the edited visit's.
        var candidates: [(id: Int64, reason: String)] = []
        if let preferred = preferredLeadID, try isLive(preferred, in: db), try Self.region(ofLead: preferred, in: db) == region {
            candidates.append((preferred, "coordinator"))
        }
        var keys: [(kind: String, value: String, owner: Int64?)] = []
        // The same key on another region's lead: a likely duplicate only.
        var elsewhere: [(id: Int64, reason: String)] = []
        for key in LeadFields.keys(of: answers) {
            var owner: Int64?
            for row in try Row.fetchAll(
                db.cachedStatement(sql: "SELECT region_code, lead_id FROM lead_keys WHERE kind = ? AND value = ?"),
                arguments: [key.kind, key.value]) {
                let id: Int64 = row[1]
                if row[0] as String == region {
                    owner = id
                } else if !elsewhere.contains(where: { $0.id == id }) {
                    elsewhere.append((id, key.kind))
                }
            }
            keys.append((key.kind, key.value, owner))
            if let owner, !candidates.contains(where: { $0.id == owner }) {
                candidates.append((owner, key.kind))
            }
        }
        let target: Int64
        if let preferred = preferredLeadID, candidates.first?.id == preferred {
            target = preferred
        } else if let oldest = candidates.map(\.id).min() {
            target = oldest
        } else {
            let now = Timestamp.string(Date())
            try db.cachedStatement(sql: """
                INSERT INTO leads (status, departement_code, created_at, updated_at, change_seq) VALUES ('lead', ?, ?, ?, ?)
                """).execute(arguments: [departementCode, now, now, try nextChange(in: db)])
            target = db.lastInsertedRowID
        }
        // A lead takes the département of its first visit (a new lead, or one
        // whose only visit was edited or rejected); later visits of the
        // region leave it where it is.
        let hasVisits = try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM lead_visits WHERE lead_id = ?)"), arguments: [target]) ?? false
        if !hasVisits, let departementCode {
            try db.cachedStatement(sql: "UPDATE leads SET departement_code = ? WHERE id = ?")
                .execute(arguments: [departementCode, target])
        }
        for candidate in candidates where candidate.id != target {
            _ = try merge(candidate.id, into: target,
                          reason: candidate.reason == "coordinator" ? "phone" : candidate.reason, by: "", in: db)
        }
        try db.cachedStatement(sql: "INSERT INTO lead_visits (submission_id, lead_id) VALUES (?, ?)")
            .execute(arguments: [submissionID, target])
        if candidates.count > 1 {
            try refresh(leadID: target, in: db)
        } else {
            // The newest visit: laying it over the stored fields is what a full
            // refresh would give, without reading every visit of the lead (a
            // number many visits share must not slow ingest down).
            try overlay(leadID: target, answers: answers, region: region, keys: keys, in: db)
        }
        for other in elsewhere where other.id != target {
            try db.cachedStatement(sql: """
                INSERT INTO lead_cross_region_pairs (first_id, second_id, reason, found_at) VALUES (?, ?, ?, ?)
                ON CONFLICT DO NOTHING
                """).execute(arguments: [min(target, other.id), max(target, other.id), other.reason, Timestamp.string(Date())])
        }
    }

    /// The region of a département: the part of the country a lead, and
    /// its keys, belong to ('' when there is no département).
    static func region(ofDepartement code: String?, in db: Database) throws -> String {
        guard let code else { return "" }
        return try String.fetchOne(db.cachedStatement(sql: "SELECT region_code FROM departements WHERE code = ?"),
                                   arguments: [code]) ?? ""
    }

    static func region(ofLead id: Int64, in db: Database) throws -> String {
        try String.fetchOne(db.cachedStatement(sql: """
            SELECT coalesce(d.region_code, '') FROM leads l LEFT JOIN departements d ON d.code = l.departement_code
            WHERE l.id = ?
            """), arguments: [id]) ?? ""
    }

    /// `keys` are the visit's identity keys with the lead of `region` that
    /// owned each when `attach` looked them up.
    private static func overlay(leadID: Int64, answers: [String: String], region: String,
                                keys: [(kind: String, value: String, owner: Int64?)], in db: Database) throws {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT l.status, l.member_number, l.name, l.sex, l.phone, l.phone_valid, l.national_id, l.trade, l.organisation,
                   l.departement_code, l.neighbourhood, l.household_size, l.consent_contact
            FROM leads l WHERE l.id = ?
            """), arguments: [leadID]) else { return }
        var fields = LeadFields()
        fields.name = row[2]; fields.sex = row[3]; fields.phone = row[4]; fields.phoneValid = row[5]
        fields.nationalID = row[6]; fields.trade = row[7]; fields.organisation = row[8]
        fields.neighbourhood = row[10]; fields.householdSize = row[11]; fields.consentContact = row[12]
        fields.overlay(answers: answers, departementCode: nil)
        // The département stays the one the lead was made in.
        fields.departementCode = row[9]
        // A key this lead already owns needs no insert (it would do nothing):
        // a returning artisan's phone is the common case.
        for key in keys where key.owner != leadID {
            try db.cachedStatement(sql: """
                INSERT INTO lead_keys (kind, value, region_code, lead_id) VALUES (?, ?, ?, ?)
                ON CONFLICT (kind, value, region_code) DO NOTHING
                """).execute(arguments: [key.kind, key.value, region, leadID])
        }
        let isMember = (row[1] as String?) != nil
        try db.cachedStatement(sql: """
            UPDATE leads SET status = ?, name = ?, name_key = ?, sex = ?, phone = ?, phone_valid = ?, national_id = ?,
                trade = ?, organisation = ?, departement_code = ?, neighbourhood = ?, household_size = ?,
                consent_contact = ?, updated_at = ?, change_seq = ?
            WHERE id = ?
            """).execute(arguments: [
                isMember ? "member" : "lead", fields.name, LeadIdentity.nameKey(fields.name), fields.sex, fields.phone,
                fields.phoneValid, fields.nationalID, fields.trade, fields.organisation, fields.departementCode,
                fields.neighbourhood, fields.householdSize, fields.consentContact, Timestamp.string(Date()),
                try nextChange(in: db), leadID,
            ])
    }

    static func isLive(_ leadID: Int64, in db: Database) throws -> Bool {
        let status = try String.fetchOne(db.cachedStatement(sql: "SELECT status FROM leads WHERE id = ?"), arguments: [leadID])
        return status == "lead" || status == "member" || status == "withdrawn"
    }

    /// The next number of the change sequence (one writer: no two alike).
    static func nextChange(in db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(change_seq), 0) + 1 FROM leads")) ?? 1
    }

    /// Recomputes a lead from its visits, oldest first (latest non-empty
    /// answer wins), and its identity keys; marks the change. Only the
    /// visits of the lead's own region count: a national coordinator's
    /// merge across regions moves the other region's visits here, and a
    /// regional coordinator sees a lead's data only through visits in their
    /// scope. The lead keeps the département it was made in.
    static func refresh(leadID: Int64, in db: Database) throws {
        guard let lead = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT status, member_number, departement_code FROM leads WHERE id = ?
            """), arguments: [leadID]) else { return }
        let status: String = lead["status"]
        guard status != "merged" && status != "erased" else { return }
        let departementCode: String? = lead["departement_code"]
        let region = try Self.region(ofDepartement: departementCode, in: db)
        let visits = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT s.answers, coalesce(d.region_code, '') FROM lead_visits v JOIN submissions s ON s.id = v.submission_id
            LEFT JOIN departements d ON d.code = s.departement_code
            WHERE v.lead_id = ? ORDER BY v.submission_id
            """), arguments: [leadID])
        var fields = LeadFields()
        var keys: [(kind: String, value: String)] = []
        for visit in visits where visit[1] as String == region {
            let answers = Answers.decode(visit[0])
            fields.overlay(answers: answers, departementCode: nil)
            keys += LeadFields.keys(of: answers)
        }
        fields.departementCode = departementCode
        try db.cachedStatement(sql: "DELETE FROM lead_keys WHERE lead_id = ?").execute(arguments: [leadID])
        for key in keys {
            // A key another lead of the region owns stays with it (a pair a
            // coordinator kept apart).
            try db.cachedStatement(sql: """
                INSERT INTO lead_keys (kind, value, region_code, lead_id) VALUES (?, ?, ?, ?)
                ON CONFLICT (kind, value, region_code) DO NOTHING
                """).execute(arguments: [key.kind, key.value, region, leadID])
        }
        let isMember = (lead["member_number"] as String?) != nil
        let newStatus = isMember ? "member" : (visits.isEmpty ? "withdrawn" : "lead")
        try db.cachedStatement(sql: """
            UPDATE leads SET status = ?, name = ?, name_key = ?, sex = ?, phone = ?, phone_valid = ?, national_id = ?,
                trade = ?, organisation = ?, departement_code = ?, neighbourhood = ?, household_size = ?,
                consent_contact = ?, updated_at = ?, change_seq = ?
            WHERE id = ?
            """).execute(arguments: [
                newStatus, fields.name, LeadIdentity.nameKey(fields.name), fields.sex, fields.phone, fields.phoneValid,
                fields.nationalID, fields.trade, fields.organisation, fields.departementCode, fields.neighbourhood,
                fields.householdSize, fields.consentContact, Timestamp.string(Date()), try nextChange(in: db), leadID,
            ])
    }

    /// Merges `mergedID` into `keptID`: its visits and membership move,
    /// it stays as a `merged` lead pointing at the kept one, and the merge is
    /// logged with the visits it moved so it can be undone. The caller
    /// refreshes the kept lead.
    static func merge(_ mergedID: Int64, into keptID: Int64, reason: String, by actor: String,
                      in db: Database) throws -> Int64 {
        let visitIDs = try Int64.fetchAll(db.cachedStatement(sql: "SELECT submission_id FROM lead_visits WHERE lead_id = ?"),
                                          arguments: [mergedID])
        try db.cachedStatement(sql: "UPDATE lead_visits SET lead_id = ? WHERE lead_id = ?").execute(arguments: [keptID, mergedID])
        // The caller's refresh of the kept lead gives it the keys of the
        // visits of its region, the moved ones included.
        try db.cachedStatement(sql: "DELETE FROM lead_keys WHERE lead_id = ?").execute(arguments: [mergedID])
        // A cross-region pair naming the merged lead now names the kept one.
        try db.execute(sql: """
            INSERT INTO lead_cross_region_pairs (first_id, second_id, reason, found_at)
                SELECT min(?1, other), max(?1, other), reason, found_at FROM (
                    SELECT CASE WHEN first_id = ?2 THEN second_id ELSE first_id END AS other, reason, found_at
                    FROM lead_cross_region_pairs WHERE first_id = ?2 OR second_id = ?2)
                WHERE other != ?1
            ON CONFLICT DO NOTHING
            """, arguments: [keptID, mergedID])
        try db.execute(sql: "DELETE FROM lead_cross_region_pairs WHERE first_id = ?1 OR second_id = ?1", arguments: [mergedID])
        // One person is one membership: the kept lead takes the merged one's
        // if it has none; a second one stops counting.
        if let merged = try Row.fetchOne(db, sql: "SELECT member_number, member_since FROM leads WHERE id = ?", arguments: [mergedID]),
           let number = merged["member_number"] as String? {
            let keptIsMember = try String.fetchOne(db, sql: "SELECT member_number FROM leads WHERE id = ?", arguments: [keptID]) != nil
            if keptIsMember {
                try uncountMembership(leadID: mergedID, in: db)
            } else {
                try db.execute(sql: """
                    UPDATE leads SET (member_number, member_since, membership_tally_departement, membership_tally_day) =
                        (SELECT member_number, member_since, membership_tally_departement, membership_tally_day FROM leads WHERE id = ?)
                    WHERE id = ?
                    """, arguments: [mergedID, keptID])
                _ = number
            }
            try db.execute(sql: """
                UPDATE leads SET member_number = NULL, member_since = NULL, membership_tally_departement = NULL,
                    membership_tally_day = NULL WHERE id = ?
                """, arguments: [mergedID])
        }
        let now = Timestamp.string(Date())
        try db.cachedStatement(sql: """
            UPDATE leads SET status = 'merged', merged_into = ?, updated_at = ?, change_seq = ? WHERE id = ?
            """).execute(arguments: [keptID, now, try nextChange(in: db), mergedID])
        let visitsJSON = "[" + visitIDs.map(String.init).joined(separator: ",") + "]"
        try db.cachedStatement(sql: """
            INSERT INTO lead_merges (kept_id, merged_id, reason, visit_ids, merged_at, merged_by) VALUES (?, ?, ?, ?, ?, ?)
            """).execute(arguments: [keptID, mergedID, reason, visitsJSON, now, actor])
        return db.lastInsertedRowID
    }

    /// Undoes a merge: the visits it moved go back, both leads are
    /// recomputed, and the pair is kept apart from then on (it is not
    /// proposed as a likely duplicate again). Memberships stay where they are.
    static func undo(mergeID: Int64, by actor: String, in db: Database) throws -> (kept: Int64, restored: Int64) {
        guard let merge = try Row.fetchOne(db, sql: "SELECT kept_id, merged_id, visit_ids, undone_at FROM lead_merges WHERE id = ?",
                                           arguments: [mergeID]) else { throw Problem.unknownMerge() }
        guard (merge["undone_at"] as String?) == nil else { throw Problem.mergeAlreadyUndone() }
        let keptID: Int64 = merge["kept_id"]
        let mergedID: Int64 = merge["merged_id"]
        guard try isLive(keptID, in: db) else { throw Problem.mergeNotUndoable() }
        let visits = (try? JSONSerialization.jsonObject(with: Data((merge["visit_ids"] as String).utf8)) as? [Int64]) ?? []
        for visit in visits {
            try db.execute(sql: "UPDATE lead_visits SET lead_id = ? WHERE submission_id = ? AND lead_id = ?",
                           arguments: [mergedID, visit, keptID])
        }
        try db.execute(sql: "UPDATE leads SET status = 'lead', merged_into = NULL WHERE id = ?", arguments: [mergedID])
        // The kept lead refreshes first so it keeps any key both share.
        try refresh(leadID: keptID, in: db)
        try refresh(leadID: mergedID, in: db)
        let now = Timestamp.string(Date())
        try db.execute(sql: "UPDATE lead_merges SET undone_at = ?, undone_by = ? WHERE id = ?", arguments: [now, actor, mergeID])
        try keepApart(keptID, mergedID, by: actor, in: db)
        return (keptID, mergedID)
    }

    static func keepApart(_ first: Int64, _ second: Int64, by actor: String, in db: Database) throws {
        try db.execute(sql: """
            INSERT INTO lead_kept_apart (first_id, second_id, decided_at, decided_by) VALUES (?, ?, ?, ?)
            ON CONFLICT DO NOTHING
            """, arguments: [min(first, second), max(first, second), Timestamp.string(Date()), actor])
    }

    // MARK: - Memberships

    /// The indicator the write-back counts (migration 0007, no form source).
    static let membershipsIndicatorID = "memberships"

    /// Counts one membership in the `memberships` indicator on the lead's
    /// département and the membership day, and remembers where.
    static func countMembership(leadID: Int64, departementCode: String?, day: String, in db: Database) throws {
        guard let departementCode else { return }
        try db.execute(sql: """
            INSERT INTO tallies (indicator_id, departement_code, day, value, records) VALUES ('memberships', ?, ?, 1, 1)
            ON CONFLICT (indicator_id, departement_code, day) DO UPDATE SET value = value + 1, records = records + 1
            """, arguments: [departementCode, day])
        try db.execute(sql: "UPDATE leads SET membership_tally_departement = ?, membership_tally_day = ? WHERE id = ?",
                       arguments: [departementCode, day, leadID])
    }

    static func uncountMembership(leadID: Int64, in db: Database) throws {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT membership_tally_departement, membership_tally_day FROM leads WHERE id = ?
            """, arguments: [leadID]),
              let departement = row[0] as String?, let day = row[1] as String? else { return }
        try db.execute(sql: """
            UPDATE tallies SET value = value - 1, records = records - 1
            WHERE indicator_id = 'memberships' AND departement_code = ? AND day = ?
            """, arguments: [departement, day])
        try db.execute(sql: """
            DELETE FROM tallies WHERE indicator_id = 'memberships' AND departement_code = ? AND day = ? AND records <= 0
            """, arguments: [departement, day])
        try db.execute(sql: "UPDATE leads SET membership_tally_departement = NULL, membership_tally_day = NULL WHERE id = ?",
                       arguments: [leadID])
    }
}
