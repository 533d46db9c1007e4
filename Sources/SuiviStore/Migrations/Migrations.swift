import GRDB

/// The ordered history of the schema. Each migration is raw SQL and is never
/// edited once merged.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(Migration0001Core.identifier) { db in
            try db.execute(sql: Migration0001Core.sql)
        }
        migrator.registerMigration(Migration0002Geography.identifier) { db in
            try db.execute(sql: Migration0002Geography.sql)
        }
        migrator.registerMigration(Migration0003CampaignsAccountsTallies.identifier) { db in
            try db.execute(sql: Migration0003CampaignsAccountsTallies.sql)
        }
        migrator.registerMigration(Migration0006Tallies.identifier) { db in
            try db.execute(sql: Migration0006Tallies.sql)
        }
        migrator.registerMigration(Migration0007Leads.identifier) { db in
            try db.execute(sql: Migration0007Leads.sql)
        }
        migrator.registerMigration(Migration0008RejectedLeadVisits.identifier) { db in
            try db.execute(sql: Migration0008RejectedLeadVisits.sql)
        }
        migrator.registerMigration(Migration0009TallyDayVersions.identifier) { db in
            try db.execute(sql: Migration0009TallyDayVersions.sql)
        }
        migrator.registerMigration(Migration0010RedundantSubmissionIndex.identifier) { db in
            try db.execute(sql: Migration0010RedundantSubmissionIndex.sql)
        }
        migrator.registerMigration(Migration0011RegionalLeads.identifier) { db in
            try db.execute(sql: Migration0011RegionalLeads.sql)
        }
        migrator.registerMigration(Migration0012EncryptedSubmissions.identifier) { db in
            try db.execute(sql: Migration0012EncryptedSubmissions.sql)
        }
        migrator.registerMigration(Migration0013ResourcePersonActivity.identifier) { db in
            try db.execute(sql: Migration0013ResourcePersonActivity.sql)
        }
        migrator.registerMigration(Migration0016PublishedForms.identifier) { db in
            try db.execute(sql: Migration0016PublishedForms.sql)
        }
        migrator.registerMigration(Migration0017DraftTests.identifier) { db in
            try db.execute(sql: Migration0017DraftTests.sql)
        }
        return migrator
    }
}
