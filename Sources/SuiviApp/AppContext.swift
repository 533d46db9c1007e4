import Foundation
import Logging
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// What handlers share: the stores, the forms, the writer. Built once at start.
struct AppContext: Sendable {
    let configuration: AppConfiguration
    let database: SuiviDatabase
    let people: PeopleStore
    let apiKeys: APIKeyStore
    let accounts: AccountStore
    let audit: AuditStore
    let submissions: SubmissionStore
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
}

extension AppContext {
    /// The region code of a département code; nil for a code Suivi does not know.
    /// A scan of 46 entries, cheaper than building a table per record.
    @Sendable func regionOf(_ departementCode: String) -> String? {
        departements.first { $0.code == departementCode }?.regionCode
    }
}
