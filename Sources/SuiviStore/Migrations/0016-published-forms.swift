/// 0016: forms are published from the database, not from the forms folder
/// alone (issue 16). Each form has a state and a current version; each
/// version keeps its XForm, the XLSForm it came from, who published it and
/// when, and its media files. A draft is a version not yet published: at
/// most one per form.
/// Never edit once merged: add a migration.
enum Migration0016PublishedForms {
    static let identifier = "0016-published-forms"
    static let sql = """
        ALTER TABLE form_versions ADD COLUMN status TEXT NOT NULL DEFAULT 'published'
            CHECK (status IN ('draft', 'published'));
        -- The XLSForm the XForm was converted from, when there was one.
        ALTER TABLE form_versions ADD COLUMN source BLOB;
        ALTER TABLE form_versions ADD COLUMN source_name TEXT;
        ALTER TABLE form_versions ADD COLUMN published_at TEXT;
        -- Who published it ('server' for a shipped form).
        ALTER TABLE form_versions ADD COLUMN published_by TEXT;
        UPDATE form_versions SET published_at = first_loaded_at, published_by = 'server';
        CREATE UNIQUE INDEX form_versions_one_draft ON form_versions(form_id) WHERE status = 'draft';

        -- open: listed and accepting records; closing: no longer listed,
        -- records still accepted; closed: records refused (as ODK Central).
        CREATE TABLE forms (
            form_id TEXT PRIMARY KEY NOT NULL,
            state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closing', 'closed')),
            current_version TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            FOREIGN KEY (form_id, current_version) REFERENCES form_versions(form_id, version)
        );
        -- Until now the version served was the one in the forms folder,
        -- which was also the last one recorded.
        INSERT INTO forms (form_id, current_version, updated_at)
            SELECT form_id, version, first_loaded_at FROM form_versions v
            WHERE first_loaded_at = (SELECT max(first_loaded_at) FROM form_versions w WHERE w.form_id = v.form_id)
            GROUP BY form_id;

        -- Images, audio, CSV and XML files a version uses (manifest). Small
        -- files, kept in the database with the version they belong to.
        CREATE TABLE form_media (
            form_id TEXT NOT NULL,
            version TEXT NOT NULL,
            name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 255 AND instr(name, '/') = 0),
            content_type TEXT NOT NULL,
            md5 TEXT NOT NULL,
            size INTEGER NOT NULL,
            bytes BLOB NOT NULL,
            PRIMARY KEY (form_id, version, name),
            FOREIGN KEY (form_id, version) REFERENCES form_versions(form_id, version) ON DELETE CASCADE
        ) WITHOUT ROWID;
        """
}
