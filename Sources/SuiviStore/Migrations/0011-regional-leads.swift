/// 0011: leads are kept per region. A phone or ID number names at most one
/// lead in each region, not one nationally: a visit never attaches to,
/// changes or shows another region's lead (security issue, item 1). The
/// same key in two regions makes two leads and a pair in
/// `lead_cross_region_pairs`, which only national coordinators review.
/// Never edit once merged: add a migration.
enum Migration0011RegionalLeads {
    static let identifier = "0011-regional-leads"
    static let sql = """
        -- lead_keys again, with the owning lead's region in the key
        -- ('' for a lead without a département).
        CREATE TABLE lead_keys_by_region (
            kind TEXT NOT NULL CHECK (kind IN ('phone', 'national_id')),
            value TEXT NOT NULL,
            region_code TEXT NOT NULL DEFAULT '',
            lead_id INTEGER NOT NULL REFERENCES leads(id),
            PRIMARY KEY (kind, value, region_code)
        ) WITHOUT ROWID;
        INSERT INTO lead_keys_by_region (kind, value, region_code, lead_id)
            SELECT k.kind, k.value, coalesce(d.region_code, ''), k.lead_id
            FROM lead_keys k JOIN leads l ON l.id = k.lead_id
            LEFT JOIN departements d ON d.code = l.departement_code;
        DROP TABLE lead_keys;
        ALTER TABLE lead_keys_by_region RENAME TO lead_keys;
        CREATE INDEX lead_keys_by_lead ON lead_keys(lead_id);

        -- Leads of two regions that share a phone or an ID number: likely
        -- the same person, left to a national coordinator (merge, or keep
        -- apart in lead_kept_apart). Lower id first.
        CREATE TABLE lead_cross_region_pairs (
            first_id INTEGER NOT NULL REFERENCES leads(id),
            second_id INTEGER NOT NULL REFERENCES leads(id),
            reason TEXT NOT NULL CHECK (reason IN ('phone', 'national_id')),
            found_at TEXT NOT NULL,
            PRIMARY KEY (first_id, second_id),
            CHECK (first_id < second_id)
        ) WITHOUT ROWID;
        CREATE INDEX lead_cross_region_pairs_by_second ON lead_cross_region_pairs(second_id);
        """
}
