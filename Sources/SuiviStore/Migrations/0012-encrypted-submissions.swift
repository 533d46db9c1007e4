/// 0012: records from encrypted forms. The phone sends a plaintext envelope
/// (kept as the record's XML) and encrypted files (kept as its attachments);
/// the server cannot read the answers, so such a record is marked and never
/// tallied nor turned into a lead. Never edit once merged: add a migration.
enum Migration0012EncryptedSubmissions {
    static let identifier = "0012-encrypted-submissions"
    static let sql = """
        ALTER TABLE submissions ADD COLUMN encrypted INTEGER NOT NULL DEFAULT 0 CHECK (encrypted IN (0, 1));
        """
}
