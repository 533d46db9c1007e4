import Foundation
import GRDB
import SuiviDomain

/// One lead as the API shows it.
public struct LeadRecord: Sendable {
    public let id: Int64
    public let status: String
    public let mergedInto: Int64?
    public let name: String
    public let sex: String?
    public let phone: String?
    public let phoneValid: Bool
    public let nationalID: String?
    public let trade: String?
    public let organisation: String?
    public let departementCode: String?
    public let neighbourhood: String?
    public let householdSize: Int?
    public let consentContact: String?
    public let memberNumber: String?
    public let memberSince: String?
    public let createdAt: String
    public let updatedAt: String
    public let changeSeq: Int64
    public let visitCount: Int

    static let columns = """
        l.id, l.status, l.merged_into, l.name, l.sex, l.phone, l.phone_valid, l.national_id, l.trade, l.organisation,
        l.departement_code, l.neighbourhood, l.household_size, l.consent_contact, l.member_number, l.member_since,
        l.created_at, l.updated_at, l.change_seq,
        (SELECT count(*) FROM lead_visits v WHERE v.lead_id = l.id) AS visit_count
        """

    /// By position in `columns`: a feed page reads 1,000 rows, and a lookup
    /// by name searches the row's columns each time.
    init(row: Row) {
        id = row[0]; status = row[1]; mergedInto = row[2]; name = row[3]
        sex = row[4]; phone = row[5]; phoneValid = row[6] as Bool; nationalID = row[7]
        trade = row[8]; organisation = row[9]; departementCode = row[10]
        neighbourhood = row[11]; householdSize = row[12]; consentContact = row[13]
        memberNumber = row[14]; memberSince = row[15]; createdAt = row[16]
        updatedAt = row[17]; changeSeq = row[18]; visitCount = row[19]
    }
}

/// A merge from the log.
public struct LeadMerge: Sendable {
    public let id: Int64
    public let keptID: Int64
    public let mergedID: Int64
    public let reason: String
    public let mergedAt: String
    public let mergedBy: String
    public let undoneAt: String?
}

/// Two leads a coordinator should look at: the same folded name in one
/// département (`name`), or the same phone or ID number in two regions
/// (`phone`, `national_id`: for national coordinators only).
public struct LeadPair: Sendable {
    public let first: LeadRecord
    public let second: LeadRecord
    public let reason: String
}

/// A lead and the visits it came from that the caller may see.
public struct LeadWithVisits: Sendable {
    public struct Visit: Sendable {
        public let id: Int64
        public let instanceID: String
        public let activityDate: String?
    }

    public let lead: LeadRecord
    public let visits: [Visit]
}

/// What one row of a memberships upload matched.
public struct MembershipRowResult: Sendable {
    public enum Outcome: String, Sendable { case matched, notFound = "not_found", ambiguous, invalid }
    public let row: Int
    public let outcome: Outcome
    public let leadID: Int64?
    public let matchedBy: String?
    public let detail: String?
}

/// Leads: the feed, likely duplicates, merges, memberships and erasure.
/// Writes go through `LeadBook` in one transaction with their audit line.
///
/// Every function takes the caller's `DepartementScope`. A lead is within it
/// when its département is; every route that names a lead goes through
/// `lead(_:within:in:)`, so a lead out of scope answers the same 404.30 as
/// one that does not exist, whatever the route.
public struct LeadStore: Sendable {
    let database: SuiviDatabase

    public init(database: SuiviDatabase) {
        self.database = database
    }

    // MARK: Reading

    /// Leads changed after `after` in change order, within `scope`.
    public func feed(after: Int64, limit: Int, scope: DepartementScope) async throws -> [LeadRecord] {
        try await database.read { db in try Self.feed(after: after, limit: limit, scope: scope, in: db) }
    }

    static func feed(after: Int64, limit: Int, scope: DepartementScope, in db: Database) throws -> [LeadRecord] {
        let filter = scope.filter("l.departement_code")
        return try Row.fetchAll(db, sql: """
            SELECT \(LeadRecord.columns) FROM leads l WHERE l.change_seq > ?\(filter.sql) ORDER BY l.change_seq LIMIT ?
            """, arguments: [after] + filter.arguments + [limit]).map(LeadRecord.init(row:))
    }

    /// A lead within `scope` and those of its visits within `scope` (a
    /// lead merged by a national coordinator may have visits elsewhere).
    /// 404.30 when there is no such lead or it is out of scope.
    public func lead(_ id: Int64, within scope: DepartementScope) async throws -> LeadWithVisits {
        try await database.read { db in
            let lead = try Self.lead(id, within: scope, in: db)
            let filter = scope.filter("s.departement_code")
            let visits = try Row.fetchAll(db, sql: """
                SELECT s.id, s.instance_id, s.activity_date FROM lead_visits v JOIN submissions s ON s.id = v.submission_id
                WHERE v.lead_id = ?\(filter.sql) ORDER BY s.id
                """, arguments: [id] + filter.arguments).map {
                LeadWithVisits.Visit(id: $0[0], instanceID: $0[1], activityDate: $0[2])
            }
            return LeadWithVisits(lead: lead, visits: visits)
        }
    }

    /// The one scope check of every route that names a lead: the lead when
    /// it exists and its département is within `scope`; otherwise 404.30,
    /// the same answer either way, so an id out of scope tells nothing.
    static func lead(_ id: Int64, within scope: DepartementScope, in db: Database) throws -> LeadRecord {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(LeadRecord.columns) FROM leads l WHERE l.id = ?"),
                                         arguments: [id]) else { throw Problem.unknownLead() }
        let lead = LeadRecord(row: row)
        guard scope.includes(lead.departementCode) else { throw Problem.unknownLead() }
        return lead
    }

    /// Likely duplicates no one kept apart: live leads with the same folded
    /// name in the same département and not the same phone, within
    /// `scope`; and, for national scope only, the leads of two regions that
    /// share a phone or an ID number (first, oldest found first).
    public func duplicates(scope: DepartementScope, limit: Int) async throws -> [LeadPair] {
        try await database.read { db in
            var pairs: [(Int64, Int64, String)] = []
            if scope.isNational {
                pairs = try Row.fetchAll(db, sql: """
                    SELECT p.first_id, p.second_id, p.reason FROM lead_cross_region_pairs p
                    JOIN leads a ON a.id = p.first_id JOIN leads b ON b.id = p.second_id
                    WHERE a.status IN ('lead', 'member') AND b.status IN ('lead', 'member')
                      AND NOT EXISTS (SELECT 1 FROM lead_kept_apart k WHERE k.first_id = p.first_id AND k.second_id = p.second_id)
                    ORDER BY p.found_at, p.first_id, p.second_id LIMIT ?
                    """, arguments: [limit]).map { ($0[0], $0[1], $0[2]) }
            }
            let filter = scope.filter("a.departement_code")
            pairs += try Row.fetchAll(db, sql: """
                SELECT a.id, b.id FROM leads a JOIN leads b
                  ON b.departement_code = a.departement_code AND b.name_key = a.name_key AND b.id > a.id
                 AND b.status IN ('lead', 'member')
                WHERE a.status IN ('lead', 'member') AND a.name_key != ''
                  AND coalesce(a.phone, '') != coalesce(b.phone, '')
                  AND NOT EXISTS (SELECT 1 FROM lead_kept_apart k WHERE k.first_id = a.id AND k.second_id = b.id)
                  \(filter.sql)
                ORDER BY a.departement_code, a.name_key, a.id, b.id LIMIT ?
                """, arguments: filter.arguments + [limit - pairs.count]).map { ($0[0], $0[1], "name") }
            return try pairs.map { first, second, reason in
                LeadPair(first: try Self.record(first, in: db), second: try Self.record(second, in: db), reason: reason)
            }
        }
    }

    static func record(_ id: Int64, in db: Database) throws -> LeadRecord {
        guard let row = try Row.fetchOne(db, sql: "SELECT \(LeadRecord.columns) FROM leads l WHERE l.id = ?", arguments: [id])
        else { throw Problem.unknownLead() }
        return LeadRecord(row: row)
    }

    /// The merge log within `scope`: merges whose two leads are both in it.
    public func merges(scope: DepartementScope, limit: Int) async throws -> [LeadMerge] {
        try await database.read { db in
            let kept = scope.filter("k.departement_code")
            let merged = scope.filter("d.departement_code")
            var sql = """
                SELECT m.id, m.kept_id, m.merged_id, m.reason, m.merged_at, m.merged_by, m.undone_at
                FROM lead_merges m JOIN leads k ON k.id = m.kept_id JOIN leads d ON d.id = m.merged_id
                WHERE 1\(kept.sql)\(merged.sql)
                """
            var arguments = kept.arguments + merged.arguments
            sql += " ORDER BY m.id DESC LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                LeadMerge(id: row[0], keptID: row[1], mergedID: row[2], reason: row[3], mergedAt: row[4],
                          mergedBy: row[5], undoneAt: row[6])
            }
        }
    }

    // MARK: Coordinator decisions

    /// Merges two live leads by a coordinator's decision; both must be
    /// within `scope` (a national coordinator may merge across regions).
    public func merge(keptID: Int64, mergedID: Int64, actor: AuditActor,
                      scope: DepartementScope) async throws -> (mergeID: Int64, lead: LeadRecord) {
        guard keptID != mergedID else { throw Problem.mergeWithItself() }
        return try await database.write { db in
            for id in [keptID, mergedID] {
                let lead = try Self.lead(id, within: scope, in: db)
                guard lead.status == "lead" || lead.status == "member" || lead.status == "withdrawn" else {
                    throw Problem.leadNotLive()
                }
            }
            let mergeID = try LeadBook.merge(mergedID, into: keptID, reason: "coordinator", by: actor.label, in: db)
            try LeadBook.refresh(leadID: keptID, in: db)
            try AuditStore.record(actor, "lead.merge", targetKind: "lead", targetID: String(keptID),
                                  details: ["merged_id": String(mergedID), "merge_id": String(mergeID)], in: db)
            return (mergeID, try Self.record(keptID, in: db))
        }
    }

    /// Undoes a merge whose two leads are both within `scope`; any other
    /// merge answers 404.31, as the merge log does not show it either.
    public func undoMerge(_ mergeID: Int64, actor: AuditActor,
                          scope: DepartementScope) async throws -> (LeadRecord, LeadRecord) {
        try await database.write { db in
            guard let merge = try Row.fetchOne(db, sql: "SELECT kept_id, merged_id FROM lead_merges WHERE id = ?",
                                               arguments: [mergeID]) else { throw Problem.unknownMerge() }
            do {
                for id in [merge[0], merge[1]] as [Int64] { _ = try Self.lead(id, within: scope, in: db) }
            } catch let problem as Problem where problem == .unknownLead() {
                throw Problem.unknownMerge()
            }
            let (kept, restored) = try LeadBook.undo(mergeID: mergeID, by: actor.label, in: db)
            try AuditStore.record(actor, "lead.merge_undo", targetKind: "lead_merge", targetID: String(mergeID),
                                  details: ["kept_id": String(kept), "restored_id": String(restored)], in: db)
            return (try Self.record(kept, in: db), try Self.record(restored, in: db))
        }
    }

    public func keepApart(_ first: Int64, _ second: Int64, actor: AuditActor, scope: DepartementScope) async throws {
        guard first != second else { throw Problem.mergeWithItself() }
        try await database.write { db in
            for id in [first, second] { _ = try Self.lead(id, within: scope, in: db) }
            try LeadBook.keepApart(first, second, by: actor.label, in: db)
            try AuditStore.record(actor, "lead.keep_apart", targetKind: "lead", targetID: String(min(first, second)),
                                  details: ["other_id": String(max(first, second))], in: db)
        }
    }

    // MARK: Memberships

    /// Records that a lead within `scope` became a member (a merged lead's
    /// membership goes to the lead it was merged into, which must be within
    /// `scope` too). Idempotent for the same number and day. The
    /// `memberships` tally changes in the same transaction.
    public func setMembership(leadID: Int64, memberNumber: String, day: String, actor: AuditActor,
                              scope: DepartementScope) async throws -> LeadRecord {
        try await database.write { db in
            let live = try Self.setMembership(leadID: leadID, memberNumber: memberNumber, day: day, scope: scope, in: db)
            try AuditStore.record(actor, "lead.membership", targetKind: "lead", targetID: String(live),
                                  details: ["source": "api"], in: db)
            return try Self.record(live, in: db)
        }
    }

    static func setMembership(leadID: Int64, memberNumber: String, day: String, scope: DepartementScope,
                              in db: Database) throws -> Int64 {
        var id = leadID
        // Follow merges to the lead that stands for the person now.
        for _ in 0..<1000 {
            guard let next = try Self.lead(id, within: scope, in: db).mergedInto else { break }
            id = next
        }
        _ = try Self.lead(id, within: scope, in: db)
        guard let lead = try Row.fetchOne(db, sql: """
            SELECT status, member_number, member_since, departement_code FROM leads WHERE id = ?
            """, arguments: [id]) else { throw Problem.unknownLead() }
        if lead["member_number"] as String? == memberNumber && lead["member_since"] as String? == day { return id }
        try LeadBook.uncountMembership(leadID: id, in: db)
        let status: String = lead["status"]
        try db.execute(sql: """
            UPDATE leads SET member_number = ?, member_since = ?, status = ?, updated_at = ?, change_seq = ? WHERE id = ?
            """, arguments: [memberNumber, day, status == "erased" ? "erased" : "member", Timestamp.string(Date()),
                             try LeadBook.nextChange(in: db), id])
        try LeadBook.countMembership(leadID: id, departementCode: lead["departement_code"], day: day, in: db)
        return id
    }

    /// One row of an upload: any of lead id, phone, national ID number.
    public struct MembershipRow: Sendable {
        public let row: Int
        public let leadID: Int64?
        public let phone: String?
        public let nationalID: String?
        public let memberNumber: String
        public let day: String
        public let problem: String?

        public init(row: Int, leadID: Int64?, phone: String?, nationalID: String?, memberNumber: String, day: String,
                    problem: String?) {
            self.row = row; self.leadID = leadID; self.phone = phone; self.nationalID = nationalID
            self.memberNumber = memberNumber; self.day = day; self.problem = problem
        }
    }

    /// Matches each row by lead id, else normalised phone, else ID number
    /// (both given and naming two leads: ambiguous, left alone). One
    /// transaction for the whole file.
    ///
    /// Leads out of `scope` are never matched: a row naming only those is
    /// `not_found`, as for a lead that does not exist.
    public func importMemberships(_ rows: [MembershipRow], actor: AuditActor,
                                  scope: DepartementScope) async throws -> [MembershipRowResult] {
        try await database.write { db in
            var results: [MembershipRowResult] = []
            for row in rows {
                if let problem = row.problem {
                    results.append(.init(row: row.row, outcome: .invalid, leadID: nil, matchedBy: nil, detail: problem))
                    continue
                }
                var candidates: [(Int64, String)] = []
                if let id = row.leadID { candidates.append((id, "lead_id")) }
                // A phone or ID number may name one lead per region.
                for (kind, value) in [("phone", row.phone.flatMap(PhoneNumber.normalise)),
                                      ("national_id", LeadIdentity.nationalIDKey(row.nationalID))] {
                    guard let value else { continue }
                    for id in try Int64.fetchAll(db, sql: "SELECT lead_id FROM lead_keys WHERE kind = ? AND value = ? ORDER BY lead_id",
                                                 arguments: [kind, value]) {
                        candidates.append((id, kind))
                    }
                }
                let matches = try candidates.filter { id, _ in
                    do {
                        _ = try Self.lead(id, within: scope, in: db)
                        return true
                    } catch let problem as Problem where problem == .unknownLead() {
                        return false
                    }
                }
                let distinct = Set(matches.map(\.0))
                guard let first = matches.first else {
                    results.append(.init(row: row.row, outcome: .notFound, leadID: nil, matchedBy: nil, detail: nil))
                    continue
                }
                guard distinct.count == 1 else {
                    results.append(.init(row: row.row, outcome: .ambiguous, leadID: nil, matchedBy: nil,
                                         detail: "lead ids " + distinct.sorted().map(String.init).joined(separator: ", ")))
                    continue
                }
                let live: Int64
                do {
                    live = try Self.setMembership(leadID: first.0, memberNumber: row.memberNumber, day: row.day,
                                                  scope: scope, in: db)
                } catch let problem as Problem where problem == .unknownLead() {
                    // Merged into a lead out of scope.
                    results.append(.init(row: row.row, outcome: .notFound, leadID: nil, matchedBy: nil, detail: nil))
                    continue
                }
                results.append(.init(row: row.row, outcome: .matched, leadID: live,
                                     matchedBy: matches.map(\.1).joined(separator: "+"), detail: nil))
            }
            try AuditStore.record(actor, "lead.membership_import", targetKind: "memberships", targetID: nil, details: [
                "rows": String(rows.count),
                "matched": String(results.filter { $0.outcome == .matched }.count),
            ], in: db)
            return results
        }
    }

    // MARK: Erasure

    /// Removes a lead's personal fields, and the personal answers of the
    /// visits it came from (every version of them), everywhere: the lead,
    /// the leads merged into it, `submissions.answers` and `.xml`. Counts
    /// (tallies, visit rows) stay. `xml_sha256` stays too, so a phone
    /// resending the original record is still recognised as a duplicate.
    public func erase(leadID: Int64, actor: AuditActor, scope: DepartementScope) async throws -> (leads: Int, visits: Int) {
        try await database.write { db in
            _ = try Self.lead(leadID, within: scope, in: db)
            var leads: [Int64] = [leadID]
            var index = 0
            while index < leads.count {
                leads += try Int64.fetchAll(db, sql: "SELECT id FROM leads WHERE merged_into = ?", arguments: [leads[index]])
                index += 1
            }
            var visits: [Int64] = []
            for lead in leads {
                visits += try Int64.fetchAll(db, sql: "SELECT submission_id FROM lead_visits WHERE lead_id = ?", arguments: [lead])
            }
            // Merged-away leads' visits moved; merges logged their ids too.
            for lead in leads {
                for text in try String.fetchAll(db, sql: "SELECT visit_ids FROM lead_merges WHERE merged_id = ? OR kept_id = ?",
                                                arguments: [lead, lead]) {
                    visits += (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Int64]) ?? []
                }
            }
            // Earlier versions of edited visits.
            var versions: [Int64] = []
            var seen = Set<Int64>()
            var queue = visits
            while let id = queue.popLast() {
                guard seen.insert(id).inserted else { continue }
                versions.append(id)
                if let deprecated = try String.fetchOne(db, sql: "SELECT deprecated_id FROM submissions WHERE id = ?", arguments: [id]),
                   let older = try Int64.fetchOne(db, sql: "SELECT id FROM submissions WHERE instance_id = ?", arguments: [deprecated]) {
                    queue.append(older)
                }
            }
            for id in versions {
                guard let row = try Row.fetchOne(db, sql: "SELECT answers, xml FROM submissions WHERE id = ?", arguments: [id])
                else { continue }
                var answers = Answers.decode(row["answers"])
                for field in LeadFields.personalAnswerFields where answers[field] != nil { answers[field] = "" }
                let xml = PersonalDataEraser.erase(fields: LeadFields.personalAnswerFields, in: row["xml"])
                try db.execute(sql: "UPDATE submissions SET answers = ?, xml = ? WHERE id = ?",
                               arguments: [Answers.encode(answers), xml, id])
            }
            for lead in leads {
                try db.execute(sql: "DELETE FROM lead_keys WHERE lead_id = ?", arguments: [lead])
                try db.execute(sql: """
                    UPDATE leads SET status = CASE WHEN status = 'merged' THEN 'merged' ELSE 'erased' END,
                        name = '', name_key = '', phone = NULL, phone_valid = 1, national_id = NULL, neighbourhood = NULL,
                        organisation = NULL, consent_contact = NULL, updated_at = ?, change_seq = ?
                    WHERE id = ?
                    """, arguments: [Timestamp.string(Date()), try LeadBook.nextChange(in: db), lead])
            }
            try AuditStore.record(actor, "lead.erase", targetKind: "lead", targetID: String(leadID), details: [
                "leads": String(leads.count), "visits": String(versions.count)], in: db)
            return (leads.count, versions.count)
        }
    }
}

/// Blanks the text of named elements in a record's XML.
enum PersonalDataEraser {
    static func erase(fields: [String], in xml: Data) -> Data {
        var text = String(decoding: xml, as: UTF8.self)
        for field in fields {
            guard let expression = try? NSRegularExpression(
                pattern: "<\(field)(\\s[^>]*)?>[\\s\\S]*?</\(field)>", options: []) else { continue }
            text = expression.stringByReplacingMatches(
                in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "<\(field)/>")
        }
        return Data(text.utf8)
    }
}
