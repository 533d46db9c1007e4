/// 0006: indexes the tallies' reads need so that they never scan records.
/// Reporting completeness asks, for each expected resource person, whether
/// they sent a record for the day: one index probe per person, whatever
/// the number of records. Never edit once merged: add a migration.
enum Migration0006Tallies {
    static let identifier = "0006-tallies"
    static let sql = """
        CREATE INDEX submissions_by_person_day ON submissions(resource_person_id, activity_date);
        CREATE INDEX resource_persons_by_departement ON resource_persons(departement_code, active);
        """
}
