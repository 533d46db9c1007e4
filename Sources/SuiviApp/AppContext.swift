import Foundation
import Logging
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// What handlers share: the stores, the forms, the writer. Built once at start.
///
/// Every store a handler uses is here, made in `init` from the one database:
/// handlers write `context.leads`, never `LeadStore(database:)`, so what a
/// route can reach is listed in one place.
struct AppContext: Sendable {
    let configuration: AppConfiguration
    let database: SuiviDatabase
    // The stores (the SQL API): thin values over `database`.
    let people: PeopleStore
    /// Coordinators' changes to resource persons and their links.
    let directory: PeopleDirectory
    let apiKeys: APIKeyStore
    let accounts: AccountStore
    let audit: AuditStore
    let submissions: SubmissionStore
    let campaigns: CampaignStore
    let leads: LeadStore
    let tallies: TallyStore
    let indicators: IndicatorStore
    let reviews: ReviewStore
    let exports: ExportStore
    /// Drafts tried on phones: test links and test records.
    let draftTests: DraftTestStore
    let forms: FormRegistry
    /// Senegal's départements, fixed by migration: read once at start.
    let departements: [Departement]
    let writer: SubmissionWriter
    let attachments: AttachmentStore
    let metrics: Metrics
    /// Failed link and key lookups per client address, for the whole application.
    let guessing: GuessingLimiter
    let logger: Logger
    /// Resolved once the port is known.
    let baseURL: @Sendable () -> String
    /// Moves when tallies may have changed; live dashboards wait on it.
    let changes: ChangeFeed

    init(configuration: AppConfiguration, database: SuiviDatabase, forms: FormRegistry, writer: SubmissionWriter,
         attachments: AttachmentStore, metrics: Metrics, guessing: GuessingLimiter, logger: Logger,
         baseURL: @escaping @Sendable () -> String, changes: ChangeFeed) throws {
        self.configuration = configuration
        self.database = database
        people = PeopleStore(database: database)
        directory = PeopleDirectory(database: database)
        apiKeys = APIKeyStore(database: database)
        accounts = AccountStore(database: database)
        audit = AuditStore(database: database)
        submissions = SubmissionStore(database: database)
        campaigns = CampaignStore(database: database)
        leads = LeadStore(database: database)
        tallies = TallyStore(database: database)
        indicators = IndicatorStore(database: database)
        reviews = ReviewStore(database: database)
        exports = ExportStore(database: database)
        draftTests = DraftTestStore(database: database)
        self.forms = forms
        departements = try people.allDepartements()
        self.writer = writer
        self.attachments = attachments
        self.metrics = metrics
        self.guessing = guessing
        self.logger = logger
        self.baseURL = baseURL
        self.changes = changes
    }
}

extension AppContext {
    /// The region code of a département code; nil for a code Suivi does not know.
    /// A scan of 46 entries, cheaper than building a table per record.
    @Sendable func regionOf(_ departementCode: String) -> String? {
        departements.first { $0.code == departementCode }?.regionCode
    }
}
