/// 0013: when each resource person was active, and in which département.
/// Reporting completeness for a day counts those active on that day, so
/// adding, moving or deactivating people today never rewrites a past day's
/// report (issue 18). Triggers keep the periods, so no write path can forget.
/// People already on file get one open period from the beginning of time:
/// their history is unknown, and past reports stay as they were shown.
/// Never edit once merged: add a migration.
enum Migration0013ResourcePersonActivity {
    static let identifier = "0013-resource-person-activity"
    static let sql = """
        -- One row per period of activity; until_day is the first day no
        -- longer active (NULL while active).
        CREATE TABLE resource_person_activity (
            id INTEGER PRIMARY KEY,
            resource_person_id INTEGER NOT NULL REFERENCES resource_persons(id),
            departement_code TEXT NOT NULL REFERENCES departements(code),
            from_day TEXT NOT NULL,
            until_day TEXT,
            CHECK (until_day IS NULL OR until_day >= from_day)
        );
        CREATE INDEX resource_person_activity_by_departement
            ON resource_person_activity(departement_code, from_day);
        CREATE INDEX resource_person_activity_by_person
            ON resource_person_activity(resource_person_id, until_day);

        INSERT INTO resource_person_activity (resource_person_id, departement_code, from_day)
            SELECT id, departement_code, '0001-01-01' FROM resource_persons WHERE active = 1;

        CREATE TRIGGER resource_person_activity_on_insert AFTER INSERT ON resource_persons
        WHEN NEW.active = 1
        BEGIN
            INSERT INTO resource_person_activity (resource_person_id, departement_code, from_day)
            VALUES (NEW.id, NEW.departement_code, substr(NEW.created_at, 1, 10));
        END;

        -- Senegal is on UTC all year, so date('now') is the local day.
        CREATE TRIGGER resource_person_activity_on_update AFTER UPDATE OF active, departement_code ON resource_persons
        WHEN OLD.active IS NOT NEW.active OR OLD.departement_code IS NOT NEW.departement_code
        BEGIN
            UPDATE resource_person_activity SET until_day = max(from_day, date('now'))
            WHERE resource_person_id = NEW.id AND until_day IS NULL;
            INSERT INTO resource_person_activity (resource_person_id, departement_code, from_day)
            SELECT NEW.id, NEW.departement_code, date('now') WHERE NEW.active = 1;
        END;
        """
}
