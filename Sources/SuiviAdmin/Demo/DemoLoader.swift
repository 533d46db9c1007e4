import Foundation
import SuiviApp
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import SuiviDomain
import SuiviStore

/// `suivi demo`: fills an empty database with the Dakar phase as it
/// happened, so every page shows real-looking data on first start. Records
/// go through the real path: a Suivi is started on a loopback port and each
/// record is posted over OpenRosa with its resource person's personal link,
/// exactly as a phone would.
public struct DemoLoader {
    public struct Summary: Sendable {
        public var people = 0
        public var records: [String: Int] = [:]
        public var flagged = 0
        /// Accounts created, with their passwords (printed once by the command).
        public var accounts: [(login: String, role: String, password: String)] = []
        public var adminKey = ""
        /// One resource person's personal link, to try the phone form or ODK Collect.
        public var sampleLink = ""
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    let configuration: AppConfiguration
    let logger: Logger

    /// `configuration.baseURL` is the address the printed link uses; the
    /// records themselves go to a private loopback port.
    public init(configuration: AppConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws -> Summary {
        let administration = try Administration(databasePath: configuration.databasePath)
        let existing = try SubmissionStore(database: administration.database).count()
        guard existing == 0 else {
            throw Failure(description: "La base contient déjà \(existing) fiches : la démonstration ne s'installe que sur une base vide / the database already holds \(existing) records: the demo only loads into an empty one")
        }
        let data = DemoData()
        var summary = Summary()

        // Accounts to look around with; passwords are random and shown once.
        for (login, role, region, name) in [("admin", Role.admin, nil as String?, "Administratrice"),
                                            ("coordination", .coordinator, nil, "Coordination nationale"),
                                            ("dakar", .coordinator, "dakar", "Point focal de Dakar"),
                                            ("lecture", .viewer, nil, "Partenaire (lecture)")] {
            // Printed for people to type: never starting with "-" or "_",
            // which read as an option or get lost when copied.
            var password = Secrets.newToken().prefix(16).description
            while let first = password.first, !(first.isLetter || first.isNumber) {
                password = Secrets.newToken().prefix(16).description
            }
            _ = try await administration.addUser(login: login, password: password, role: role, region: region,
                                                 displayName: name)
            summary.accounts.append((login, role.rawValue, password))
        }
        summary.adminKey = try administration.addAPIKey(name: "démonstration", role: .admin, region: nil).secret
        try await setUpCampaign(CampaignStore(database: administration.database))

        // Start a server on the same database to send the records through.
        var serving = configuration
        serving.server.host = "127.0.0.1"
        serving.server.port = 0
        serving.baseURL = nil
        let application = try SuiviApplication(configuration: serving, logger: logger)
        try application.start()
        let base = application.baseURL
        var tokens: [String] = []
        var personIDs: [Int64] = []
        for person in data.people {
            let (added, link) = try administration.addPerson(name: person.name, phone: person.phone,
                                                             departement: person.departementCode,
                                                             organisation: person.organisation, baseURL: base)
            tokens.append(String(link.split(separator: "/").last ?? ""))
            personIDs.append(added.id)
        }
        // Picked before the 2023 campaign: expected reporters on its days.
        try PeopleStore(database: administration.database).markActive(personIDs: personIDs, since: "2023-03-01")
        summary.people = data.people.count
        let publicBase = configuration.baseURL ?? "http://127.0.0.1:8080"
        summary.sampleLink = "\(publicBase.hasSuffix("/") ? String(publicBase.dropLast()) : publicBase)/key/\(tokens[30])"

        do {
            let outcomes = try await send(data.records, tokens: tokens, base: base)
            for (record, status) in zip(data.records, outcomes) {
                guard status == 201 else {
                    throw Failure(description: "un enregistrement de démonstration a été refusé / a demo record was refused (HTTP \(status), \(record.formID))")
                }
                summary.records[record.formID, default: 0] += 1
            }
        } catch {
            await application.stop()
            throw error
        }
        await application.stop()
        summary.flagged = try SubmissionStore(database: administration.database).count(reviewState: "flagged")
        return summary
    }

    /// The campaign, its two phases, each Dakar département's campaign day and
    /// neighbourhoods, and the phase's targets: the programme's "persons
    /// better informed" (milestone 800 visits and 20,000 by radio, target
    /// 50,000) shared among the five départements.
    private func setUpCampaign(_ campaigns: CampaignStore) async throws {
        let actor = AuditActor.commandLine
        let campaign = try await campaigns.createCampaign(
            name: DemoData.campaignName, startsOn: "2023-03-07", endsOn: "2023-06-30",
            phases: [PhaseDraft(name: DemoData.phaseName, position: 1, startsOn: "2023-03-07", endsOn: "2023-03-11"),
                     PhaseDraft(name: "Autres régions", position: 2, startsOn: "2023-04-01", endsOn: "2023-06-30")],
            by: actor)
        guard let dakar = campaign.phases.first(where: { $0.name == DemoData.phaseName }) else {
            throw Failure(description: "phase Dakar absente / Dakar phase missing")
        }
        let targets: [(indicator: String, milestone: Double, target: Double)] = [
            ("visits", 160, 200), ("pre_registrations", 80, 100), ("radio_programmes", 1, 1),
            ("radio_audience", 4_000, 5_000), ("group_talks", 1, 2), ("people_reached", 4_160, 10_000),
        ]
        for departement in DemoData.departements {
            _ = try await campaigns.setDays(phaseID: dakar.id, departementCode: departement.code,
                                            days: [departement.day], by: actor)
            for name in departement.neighbourhoods {
                _ = try await campaigns.addNeighbourhood(phaseID: dakar.id, departementCode: departement.code,
                                                         name: name, by: actor)
            }
            for row in targets {
                _ = try await campaigns.setTarget(phaseID: dakar.id, indicatorID: row.indicator,
                                                  departementCode: departement.code, baseline: 0,
                                                  milestone: row.milestone, target: row.target, by: actor)
            }
        }
    }

    /// Posts every record, eight at a time, and returns each HTTP status in order.
    private func send(_ records: [DemoData.Record], tokens: [String], base: String) async throws -> [Int] {
        let session = URLSession(configuration: .ephemeral)
        return try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            var statuses = [Int](repeating: 0, count: records.count)
            var next = 0
            func submit(_ index: Int) {
                let record = records[index]
                let url = URL(string: "\(base)/key/\(tokens[record.personIndex])/submission")!
                group.addTask {
                    (index, try await Self.post(record.xml, to: url, session: session))
                }
            }
            while next < min(8, records.count) { submit(next); next += 1 }
            while let (index, status) = try await group.next() {
                statuses[index] = status
                if next < records.count { submit(next); next += 1 }
            }
            return statuses
        }
    }

    private static func post(_ xml: String, to url: URL, session: URLSession) async throws -> Int {
        let boundary = "suivi-demo-\(UUID().uuidString)"
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"xml_submission_file\"; filename=\"submission.xml\"\r\nContent-Type: text/xml\r\n\r\n".utf8)
        body.append(Data(xml.utf8))
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("multipart/form-data; boundary=\(boundary)", forHTTPHeaderField: "Content-Type")
        request.setValue("1.0", forHTTPHeaderField: "X-OpenRosa-Version")
        request.httpBody = body
        let (_, response) = try await session.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }
}
