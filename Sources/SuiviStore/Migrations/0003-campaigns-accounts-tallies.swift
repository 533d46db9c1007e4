/// 0003: what the campaign is (phases, campaign days, neighbourhoods,
/// targets and their history), who may sign in (users, sessions), what was
/// done (audit log), indicators as data with their tallies, and each
/// record's answers as JSON so tallies, leads and exports read columns
/// without parsing XML. Never edit once merged: add a migration.
enum Migration0003CampaignsAccountsTallies {
    static let identifier = "0003-campaigns-accounts-tallies"
    static let sql = """
        -- Answers by field name (names are unique within a form), the day the
        -- activity took place (the form's first date answer, else the day it
        -- was received), and the coordinator's review.
        ALTER TABLE submissions ADD COLUMN answers TEXT NOT NULL DEFAULT '{}';
        ALTER TABLE submissions ADD COLUMN activity_date TEXT;
        ALTER TABLE submissions ADD COLUMN review_comment TEXT;
        ALTER TABLE submissions ADD COLUMN reviewed_at TEXT;
        ALTER TABLE submissions ADD COLUMN reviewed_by INTEGER REFERENCES users(id);
        CREATE INDEX submissions_by_departement_day ON submissions(departement_code, activity_date);
        CREATE INDEX submissions_by_review ON submissions(review_state, id);

        CREATE TABLE campaigns (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            starts_on TEXT NOT NULL,
            ends_on TEXT NOT NULL CHECK (ends_on >= starts_on),
            created_at TEXT NOT NULL
        );

        -- E.g. "Dakar" then "Autres régions".
        CREATE TABLE campaign_phases (
            id INTEGER PRIMARY KEY,
            campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            position INTEGER NOT NULL DEFAULT 0,
            starts_on TEXT NOT NULL,
            ends_on TEXT NOT NULL CHECK (ends_on >= starts_on),
            UNIQUE (campaign_id, name)
        );

        -- The day(s) a département is visited in a phase: resource persons of
        -- that département are expected to report on those days.
        CREATE TABLE campaign_days (
            phase_id INTEGER NOT NULL REFERENCES campaign_phases(id) ON DELETE CASCADE,
            departement_code TEXT NOT NULL REFERENCES departements(code),
            day TEXT NOT NULL,
            PRIMARY KEY (phase_id, departement_code, day)
        ) WITHOUT ROWID;
        CREATE INDEX campaign_days_by_day ON campaign_days(day, departement_code);

        CREATE TABLE neighbourhoods (
            id INTEGER PRIMARY KEY,
            phase_id INTEGER NOT NULL REFERENCES campaign_phases(id) ON DELETE CASCADE,
            departement_code TEXT NOT NULL REFERENCES departements(code),
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            UNIQUE (phase_id, departement_code, name)
        );

        -- Indicators are data. Each adds up one or more sources; a source is
        -- a form, an optional filter on one answer, and an aggregate (count
        -- of records, or sum of a numeric answer). "People reached" adds
        -- visits, radio audience and group talk participants.
        CREATE TABLE indicators (
            id TEXT PRIMARY KEY NOT NULL CHECK (id GLOB '[a-z]*' AND id NOT GLOB '*[^a-z0-9_]*'),
            name_fr TEXT NOT NULL CHECK (length(trim(name_fr)) > 0),
            name_en TEXT NOT NULL CHECK (length(trim(name_en)) > 0),
            position INTEGER NOT NULL DEFAULT 0,
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            created_at TEXT NOT NULL
        );
        CREATE TABLE indicator_sources (
            id INTEGER PRIMARY KEY,
            indicator_id TEXT NOT NULL REFERENCES indicators(id) ON DELETE CASCADE,
            form_id TEXT NOT NULL,
            filter_field TEXT,
            filter_value TEXT,
            aggregate TEXT NOT NULL CHECK (aggregate IN ('count', 'sum')),
            sum_field TEXT,
            CHECK ((aggregate = 'sum') = (sum_field IS NOT NULL)),
            CHECK ((filter_field IS NULL) = (filter_value IS NULL))
        );
        CREATE INDEX indicator_sources_by_form ON indicator_sources(form_id);

        -- Monitoring-table targets per phase, indicator and département.
        CREATE TABLE targets (
            id INTEGER PRIMARY KEY,
            phase_id INTEGER NOT NULL REFERENCES campaign_phases(id) ON DELETE CASCADE,
            indicator_id TEXT NOT NULL REFERENCES indicators(id),
            departement_code TEXT NOT NULL REFERENCES departements(code),
            baseline REAL NOT NULL DEFAULT 0,
            milestone REAL,
            target REAL NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by INTEGER REFERENCES users(id),
            UNIQUE (phase_id, indicator_id, departement_code)
        );
        CREATE TABLE target_changes (
            id INTEGER PRIMARY KEY,
            target_id INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
            changed_at TEXT NOT NULL,
            changed_by INTEGER REFERENCES users(id),
            baseline REAL NOT NULL,
            milestone REAL,
            target REAL NOT NULL
        );

        -- Running totals per indicator, département and day, changed in the
        -- transaction of the record that changes them.
        CREATE TABLE tallies (
            indicator_id TEXT NOT NULL,
            departement_code TEXT NOT NULL,
            day TEXT NOT NULL,
            value REAL NOT NULL DEFAULT 0,
            records INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (indicator_id, departement_code, day)
        ) WITHOUT ROWID;
        CREATE INDEX tallies_by_day ON tallies(day, departement_code);
        -- What each counted record added, so an edit or a rejection takes
        -- back exactly that.
        CREATE TABLE tally_contributions (
            submission_id INTEGER NOT NULL REFERENCES submissions(id),
            indicator_id TEXT NOT NULL,
            departement_code TEXT NOT NULL,
            day TEXT NOT NULL,
            value REAL NOT NULL,
            PRIMARY KEY (submission_id, indicator_id)
        ) WITHOUT ROWID;

        -- Coordinator accounts. Only Argon2id hashes of passwords are kept.
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            login TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(login)) > 0),
            display_name TEXT NOT NULL DEFAULT '',
            role TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'viewer')),
            region_code TEXT,
            password_hash TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            created_at TEXT NOT NULL,
            password_changed_at TEXT NOT NULL
        );

        -- Sessions: only the SHA-256 of the cookie value is kept.
        CREATE TABLE sessions (
            id_hash TEXT PRIMARY KEY NOT NULL,
            user_id INTEGER NOT NULL REFERENCES users(id),
            csrf_token TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            ended_at TEXT
        ) WITHOUT ROWID;
        CREATE INDEX sessions_by_user ON sessions(user_id);

        -- Who did what, when. Never personal data in `details`.
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor_kind TEXT NOT NULL CHECK (actor_kind IN ('user', 'api_key', 'command_line', 'system', 'anonymous')),
            actor_id INTEGER,
            actor_label TEXT NOT NULL DEFAULT '',
            action TEXT NOT NULL,
            target_kind TEXT,
            target_id TEXT,
            details TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX audit_log_by_action ON audit_log(action, id);

        INSERT INTO indicators (id, name_fr, name_en, position, created_at) VALUES
            ('visits', 'Visites', 'Visits', 1, '2026-11-23T00:00:00Z'),
            ('pre_registrations', 'Pré-inscriptions', 'Pre-registrations', 2, '2026-11-23T00:00:00Z'),
            ('radio_programmes', 'Émissions radio', 'Radio programmes', 3, '2026-11-23T00:00:00Z'),
            ('radio_audience', 'Auditeurs estimés', 'Estimated radio audience', 4, '2026-11-23T00:00:00Z'),
            ('group_talks', 'Causeries', 'Group talks', 5, '2026-11-23T00:00:00Z'),
            ('group_talk_participants_men', 'Participants aux causeries (hommes)', 'Group talk participants (men)', 6, '2026-11-23T00:00:00Z'),
            ('group_talk_participants_women', 'Participantes aux causeries (femmes)', 'Group talk participants (women)', 7, '2026-11-23T00:00:00Z'),
            ('people_reached', 'Personnes touchées', 'People reached', 8, '2026-11-23T00:00:00Z');
        INSERT INTO indicator_sources (indicator_id, form_id, filter_field, filter_value, aggregate, sum_field) VALUES
            ('visits', 'visite', NULL, NULL, 'count', NULL),
            ('pre_registrations', 'visite', 'wants_to_join', 'yes', 'count', NULL),
            ('radio_programmes', 'emission_radio', NULL, NULL, 'count', NULL),
            ('radio_audience', 'emission_radio', NULL, NULL, 'sum', 'estimated_audience'),
            ('group_talks', 'causerie', NULL, NULL, 'count', NULL),
            ('group_talk_participants_men', 'causerie', NULL, NULL, 'sum', 'participants_men'),
            ('group_talk_participants_women', 'causerie', NULL, NULL, 'sum', 'participants_women'),
            ('people_reached', 'visite', NULL, NULL, 'count', NULL),
            ('people_reached', 'emission_radio', NULL, NULL, 'sum', 'estimated_audience'),
            ('people_reached', 'causerie', NULL, NULL, 'sum', 'participants_men'),
            ('people_reached', 'causerie', NULL, NULL, 'sum', 'participants_women');
        """
}
