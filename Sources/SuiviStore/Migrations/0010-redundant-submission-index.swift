/// 0010: `submissions_by_person (resource_person_id)` is the leading column
/// of `submissions_by_person_day (resource_person_id, activity_date)` from
/// 0006, which serves every query and foreign-key check it served. Each
/// record received paid for both; it now pays for one.
/// Never edit once merged: add a migration.
enum Migration0010RedundantSubmissionIndex {
    static let identifier = "0010-redundant-submission-index"
    static let sql = """
        DROP INDEX submissions_by_person;
        """
}
