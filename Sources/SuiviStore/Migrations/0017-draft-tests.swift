/// 0017: a draft is tried on phones before it is published (issue 16). Its
/// test link (only the SHA-256 of its token is kept) serves the draft over
/// OpenRosa; the records sent through it stay here, apart from
/// `submissions`: never tallied, never leads, never exported, and gone with
/// the draft (discarded, or published).
/// Never edit once merged: add a migration.
enum Migration0017DraftTests {
    static let identifier = "0017-draft-tests"
    static let sql = """
        ALTER TABLE form_versions ADD COLUMN test_token_hash TEXT;
        CREATE UNIQUE INDEX form_versions_test_token ON form_versions(test_token_hash)
            WHERE test_token_hash IS NOT NULL;

        CREATE TABLE draft_test_records (
            id INTEGER PRIMARY KEY,
            form_id TEXT NOT NULL,
            version TEXT NOT NULL,
            instance_id TEXT NOT NULL,
            received_at TEXT NOT NULL,
            xml BLOB NOT NULL,
            -- The same checks as a real record's, as JSON.
            issues TEXT NOT NULL,
            UNIQUE (form_id, version, instance_id),
            FOREIGN KEY (form_id, version) REFERENCES form_versions(form_id, version) ON DELETE CASCADE
        );
        CREATE TABLE draft_test_attachments (
            record_id INTEGER NOT NULL REFERENCES draft_test_records(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            content_type TEXT,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            bytes BLOB NOT NULL,
            PRIMARY KEY (record_id, name)
        ) WITHOUT ROWID;
        """
}
