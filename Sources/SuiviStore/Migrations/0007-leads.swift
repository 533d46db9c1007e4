/// 0007: leads (one per artisan who asked to join), the visits each came
/// from, the identity keys that decide "same person", the merge log (so a
/// merge can be undone), pairs a coordinator kept apart, and the
/// `memberships` indicator (tallied by the membership write-back, not by a
/// form, hence no source). Never edit once merged: add a migration.
enum Migration0007Leads {
    static let identifier = "0007-leads"
    static let sql = """
        -- A lead's fields are recomputed from its visits (latest non-empty
        -- answer wins); membership fields come from the membership system.
        -- change_seq is set from one counter on every change: the feed is
        -- ordered by it, so a changed lead comes again under the same id.
        CREATE TABLE leads (
            id INTEGER PRIMARY KEY,
            status TEXT NOT NULL DEFAULT 'lead'
                CHECK (status IN ('lead', 'member', 'merged', 'withdrawn', 'erased')),
            merged_into INTEGER REFERENCES leads(id),
            name TEXT NOT NULL DEFAULT '',
            -- Folded name (lower case, no accents, words sorted) for likely duplicates.
            name_key TEXT NOT NULL DEFAULT '',
            sex TEXT,
            -- +221XXXXXXXXX, or the text as written when it cannot be read
            -- (then phone_valid = 0).
            phone TEXT,
            phone_valid INTEGER NOT NULL DEFAULT 1 CHECK (phone_valid IN (0, 1)),
            national_id TEXT,
            trade TEXT,
            organisation TEXT,
            departement_code TEXT REFERENCES departements(code),
            neighbourhood TEXT,
            household_size INTEGER,
            consent_contact TEXT,
            member_number TEXT,
            member_since TEXT,
            -- Where the memberships tally was counted, to take it back exactly.
            membership_tally_departement TEXT,
            membership_tally_day TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            change_seq INTEGER NOT NULL UNIQUE,
            CHECK ((status = 'merged') = (merged_into IS NOT NULL))
        );
        CREATE INDEX leads_by_name ON leads(departement_code, name_key) WHERE status IN ('lead', 'member');
        CREATE INDEX leads_by_merged_into ON leads(merged_into) WHERE merged_into IS NOT NULL;

        -- The visits a lead came from. A visit belongs to at most one lead.
        CREATE TABLE lead_visits (
            submission_id INTEGER PRIMARY KEY REFERENCES submissions(id),
            lead_id INTEGER NOT NULL REFERENCES leads(id)
        );
        CREATE INDEX lead_visits_by_lead ON lead_visits(lead_id, submission_id);

        -- Normalised phones and ID numbers of live leads: one owner each, so
        -- "same phone or same ID number" is one indexed lookup.
        CREATE TABLE lead_keys (
            kind TEXT NOT NULL CHECK (kind IN ('phone', 'national_id')),
            value TEXT NOT NULL,
            lead_id INTEGER NOT NULL REFERENCES leads(id),
            PRIMARY KEY (kind, value)
        ) WITHOUT ROWID;
        CREATE INDEX lead_keys_by_lead ON lead_keys(lead_id);

        -- Every merge, by rule or by a coordinator, with the visits it moved.
        CREATE TABLE lead_merges (
            id INTEGER PRIMARY KEY,
            kept_id INTEGER NOT NULL REFERENCES leads(id),
            merged_id INTEGER NOT NULL REFERENCES leads(id),
            reason TEXT NOT NULL CHECK (reason IN ('phone', 'national_id', 'coordinator')),
            visit_ids TEXT NOT NULL DEFAULT '[]',
            merged_at TEXT NOT NULL,
            merged_by TEXT NOT NULL DEFAULT '',
            undone_at TEXT,
            undone_by TEXT
        );
        CREATE INDEX lead_merges_by_kept ON lead_merges(kept_id);
        CREATE INDEX lead_merges_by_merged ON lead_merges(merged_id);

        -- Pairs a coordinator decided are different people (lower id first).
        CREATE TABLE lead_kept_apart (
            first_id INTEGER NOT NULL REFERENCES leads(id),
            second_id INTEGER NOT NULL REFERENCES leads(id),
            decided_at TEXT NOT NULL,
            decided_by TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (first_id, second_id),
            CHECK (first_id < second_id)
        ) WITHOUT ROWID;

        INSERT INTO indicators (id, name_fr, name_en, position, created_at) VALUES
            ('memberships', 'Adhésions', 'Memberships', 9, '2026-11-23T00:00:00Z');
        """
}
