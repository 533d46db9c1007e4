/// 0006: indexes the tallies' reads need so that they never scan records.
/// Reporting completeness asks, for each expected resource person, whether
/// they sent a record for the day: one index probe per person, whatever
/// the number of records. Tallies of a period are read from one covering
/// index (no lookup into the table per row): it replaces `tallies_by_day`.
/// Never edit once merged: add a migration.
enum Migration0006Tallies {
    static let identifier = "0006-tallies"
    static let sql = """
        CREATE INDEX submissions_by_person_day ON submissions(resource_person_id, activity_date);
        CREATE INDEX resource_persons_by_departement ON resource_persons(departement_code, active);
        CREATE INDEX tallies_by_day_covering ON tallies(day, departement_code, indicator_id, value, records);
        DROP INDEX tallies_by_day;
        """
}
