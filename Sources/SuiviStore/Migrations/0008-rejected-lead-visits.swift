/// 0008: the lead a rejected visit was taken off, so lifting the rejection
/// puts it back on the same lead (a stable id for the membership system).
/// Never edit once merged: add a migration.
enum Migration0008RejectedLeadVisits {
    static let identifier = "0008-rejected-lead-visits"
    static let sql = """
        CREATE TABLE rejected_lead_visits (
            submission_id INTEGER PRIMARY KEY REFERENCES submissions(id),
            lead_id INTEGER NOT NULL REFERENCES leads(id)
        );
        """
}
