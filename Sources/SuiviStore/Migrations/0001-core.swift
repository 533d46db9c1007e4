/// 0001: geography, resource persons and their links, API keys, forms,
/// submissions and their attachments. Never edit once merged: add a migration.
enum Migration0001Core {
    static let identifier = "0001-core"
    static let sql = """
        CREATE TABLE departements (
            code TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL UNIQUE,
            region_code TEXT NOT NULL,
            region TEXT NOT NULL
        );

        CREATE TABLE resource_persons (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            phone TEXT NOT NULL,
            departement_code TEXT NOT NULL REFERENCES departements(code),
            organisation TEXT,
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            created_at TEXT NOT NULL
        );

        -- Personal links: only the SHA-256 of the token is kept.
        CREATE TABLE access_links (
            id INTEGER PRIMARY KEY,
            resource_person_id INTEGER NOT NULL REFERENCES resource_persons(id),
            token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            revoked_at TEXT
        );
        CREATE INDEX access_links_by_person ON access_links(resource_person_id);

        CREATE TABLE api_keys (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            role TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'viewer', 'membership')),
            region_code TEXT,
            key_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            revoked_at TEXT
        );

        -- Every form version ever served, so older records can still be read.
        CREATE TABLE form_versions (
            form_id TEXT NOT NULL,
            version TEXT NOT NULL,
            title TEXT NOT NULL,
            xml BLOB NOT NULL,
            md5 TEXT NOT NULL,
            first_loaded_at TEXT NOT NULL,
            PRIMARY KEY (form_id, version)
        );

        CREATE TABLE submissions (
            id INTEGER PRIMARY KEY,
            instance_id TEXT NOT NULL UNIQUE,
            form_id TEXT NOT NULL,
            form_version TEXT NOT NULL,
            resource_person_id INTEGER REFERENCES resource_persons(id),
            received_at TEXT NOT NULL,
            xml BLOB NOT NULL,
            xml_sha256 TEXT NOT NULL,
            -- The instance this record edits; one edit per version.
            deprecated_id TEXT UNIQUE,
            current INTEGER NOT NULL DEFAULT 1 CHECK (current IN (0, 1)),
            departement_code TEXT REFERENCES departements(code),
            review_state TEXT NOT NULL DEFAULT 'received'
                CHECK (review_state IN ('received', 'flagged', 'approved', 'has_issues', 'rejected')),
            issues TEXT NOT NULL DEFAULT '[]',
            attachments_expected INTEGER NOT NULL DEFAULT 0,
            attachments_received INTEGER NOT NULL DEFAULT 0,
            FOREIGN KEY (form_id, form_version) REFERENCES form_versions(form_id, version)
        );
        CREATE INDEX submissions_by_form ON submissions(form_id, id);
        CREATE INDEX submissions_by_person ON submissions(resource_person_id);

        CREATE TABLE submission_attachments (
            submission_id INTEGER NOT NULL REFERENCES submissions(id),
            name TEXT NOT NULL,
            sha256 TEXT,
            size INTEGER,
            content_type TEXT,
            received_at TEXT,
            PRIMARY KEY (submission_id, name)
        );

        CREATE TABLE settings (
            key TEXT PRIMARY KEY NOT NULL,
            value TEXT NOT NULL
        );
        """
}
