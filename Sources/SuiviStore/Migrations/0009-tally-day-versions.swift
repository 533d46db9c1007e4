/// 0009: a version per day of tallies, moved by triggers on every change
/// to `tallies`, whoever makes it (the intake, a review, an indicator's
/// back-fill, another process). Readers keep each day's tallies in memory
/// and read them again only when the day's version differs from the one
/// they hold (see TallyDays.swift): a dashboard's period read no longer
/// steps every tally of the period through SQLite.
///
/// Versions are random, not counters: only "different" matters, and a
/// random value cannot come back after a restore or a rebuilt day.
/// Never edit once merged: add a migration.
enum Migration0009TallyDayVersions {
    static let identifier = "0009-tally-day-versions"
    static let sql = """
        CREATE TABLE tally_day_versions (
            day TEXT PRIMARY KEY,
            version INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO tally_day_versions (day, version) SELECT day, random() FROM (SELECT DISTINCT day FROM tallies);

        CREATE TRIGGER tallies_insert_moves_day AFTER INSERT ON tallies BEGIN
            INSERT INTO tally_day_versions (day, version) VALUES (NEW.day, random())
            ON CONFLICT (day) DO UPDATE SET version = random();
        END;
        CREATE TRIGGER tallies_update_moves_day AFTER UPDATE ON tallies BEGIN
            INSERT INTO tally_day_versions (day, version) VALUES (NEW.day, random())
            ON CONFLICT (day) DO UPDATE SET version = random();
            INSERT INTO tally_day_versions (day, version) SELECT OLD.day, random() WHERE OLD.day <> NEW.day
            ON CONFLICT (day) DO UPDATE SET version = random();
        END;
        CREATE TRIGGER tallies_delete_moves_day AFTER DELETE ON tallies BEGIN
            INSERT INTO tally_day_versions (day, version) VALUES (OLD.day, random())
            ON CONFLICT (day) DO UPDATE SET version = random();
        END;
        """
}
