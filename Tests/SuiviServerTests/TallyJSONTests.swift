import Foundation
import SuiviBasics
@testable import SuiviApp
import SuiviDomain
@testable import SuiviStore
import Testing

/// The hot tally routes write their JSON by hand; these answers must stay
/// byte for byte what `JSONResponseEncoder` writes for the same table
/// declared as a response type here, for every shape of value: missing
/// targets, no département, fractions, text to escape.
@Suite struct TallyJSONTests {
    /// `TargetProgress` as a response type: the keys the hand-written bytes
    /// must have, declared a second time.
    struct ProgressMirror: Encodable {
        struct Phase: Encodable {
            let id: Int64
            let campaign: String
            let name: String
            let startsOn: String
            let endsOn: String

            enum CodingKeys: String, CodingKey {
                case id, campaign, name, startsOn = "starts_on", endsOn = "ends_on"
            }
        }

        struct Line: Encodable {
            let line: TargetProgress.Line

            enum CodingKeys: String, CodingKey {
                case indicator, nameFrench = "name_fr", nameEnglish = "name_en", baseline, milestone, target, actual
                case percentage, milestonePercentage = "milestone_percentage"
                case departement, departementName = "departement_name", region
            }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(line.indicator.id, forKey: .indicator)
                try container.encode(line.indicator.nameFrench, forKey: .nameFrench)
                try container.encode(line.indicator.nameEnglish, forKey: .nameEnglish)
                try container.encode(line.baseline, forKey: .baseline)
                try container.encode(line.milestone, forKey: .milestone)
                try container.encode(line.target, forKey: .target)
                try container.encode(line.actual, forKey: .actual)
                try container.encode(line.percentage, forKey: .percentage)
                try container.encode(line.milestonePercentage, forKey: .milestonePercentage)
                // Only per-département lines name their département.
                if let departement = line.departement {
                    try container.encode(departement.code, forKey: .departement)
                    try container.encode(departement.name, forKey: .departementName)
                    try container.encode(departement.region, forKey: .region)
                }
            }
        }

        let phase: Phase?
        let from: String?
        let to: String?
        let rows: [Line]
        let departements: [Line]

        init(_ progress: TargetProgress) {
            phase = progress.phase.map {
                Phase(id: $0.id, campaign: $0.campaignName, name: $0.name, startsOn: $0.startsOn, endsOn: $0.endsOn)
            }
            from = progress.from
            to = progress.to
            rows = progress.lines.map(Line.init)
            departements = progress.byDepartement.map(Line.init)
        }
    }

    @Test func monitoringTableIsWrittenAsTheEncoderWritesIt() throws {
        let visits = Indicator(id: "visits", nameFrench: "Visites \"à domicile\"", nameEnglish: "Visits\\home\u{01}",
                               position: 0, sources: [])
        let radio = Indicator(id: "radio_audience", nameFrench: "Auditeurs", nameEnglish: "Audience", position: 1, sources: [])
        let guediawaye = Departement(code: "guediawaye", name: "Guédiawaye", regionCode: "dakar", region: "Dakar")
        let lines: [TargetProgress.Line] = [
            .init(indicator: visits, departement: nil, baseline: 0, milestone: 80, target: 160, actual: 1),
            .init(indicator: radio, departement: nil, baseline: nil, milestone: nil, target: nil, actual: 2.5),
            .init(indicator: visits, departement: nil, baseline: 3, milestone: 0, target: 7, actual: -4),
        ]
        let byDepartement: [TargetProgress.Line] = [
            .init(indicator: visits, departement: guediawaye, baseline: 0.25, milestone: nil, target: 3, actual: 1),
            .init(indicator: visits, departement: nil, baseline: 0, milestone: 1e16, target: 0, actual: 123_456_789),
        ]
        let phases: [TallyStore.Phase?] = [
            TallyStore.Phase(id: 12, campaignName: "Campagne \"mars\"", name: "Phase 1", startsOn: "2023-03-01", endsOn: "2023-03-30"),
            nil,
        ]
        for phase in phases {
            for (from, to) in [("2023-03-01", "2023-03-11"), (nil, nil)] as [(String?, String?)] {
                let progress = TargetProgress(phase: phase, from: from, to: to, lines: lines, byDepartement: byDepartement)
                var json = JSONWriter()
                progress.write(to: &json)
                #expect(json.bytes == (try JSONResponseEncoder.encode(ProgressMirror(progress))))
                // The daily report places the same bytes.
                struct Report: Encodable { let targets: JSONFragment }
                #expect(try JSONResponseEncoder.encode(Report(targets: progress.fragment))
                        == Array(#"{"targets":"#.utf8) + json.bytes + Array("}".utf8))
            }
        }
    }

    @Test func stringsAndNumbersAreEscapedAndFormattedAsBefore() {
        var json = JSONWriter()
        json.string("a\"b\\c\u{01}\u{1f}é\n")
        json.raw(",")
        for value in [0, -0.0, 7, -12, 2.5, 0.1, 999_999_999_999_999, 1e15, .infinity, .nan] as [Double] {
            json.number(value)
            json.raw(",")
        }
        json.integer(Int64.min)
        // One writer for every response since issue 14: a newline is `\n`, as
        // JSONSerialization writes it (the tallies' own writer said `\u000a`).
        #expect(String(decoding: json.bytes, as: UTF8.self)
                == #""a\"b\\c\u0001\u001fé\n",0,0,7,-12,2.5,0.1,999999999999999,1000000000000000.0,null,null,-9223372036854775808"#)
    }

    /// The dashboard's other calls and the daily report, byte for byte.
    @Test func dashboardAnswersAndTheDailyReportKeepTheirKeysAndFormats() async throws {
        try await withTestServer { (server: TestServer) async throws in
            try TallyFixtures.dakarPhase(server.databasePath)
            _ = try server.addPerson(name: "Moussa Fall", departement: "Guédiawaye")
            // Both picked before the campaign (people added today are expected from today).
            try TallyFixtures.peopleActiveSince(server.databasePath, "2023-03-01")
            let path = "\(server.linkPath)/submission"
            #expect(try await server.client.submit(path, xml: Records.visit()).status == 201)
            #expect(try await server.client.submit(path, xml: TallyFixtures.radio(station: "Radio \"Sud\" FM", audience: "3500")).status == 201)
            #expect(try await server.client.submit(path, xml: TallyFixtures.groupTalk(men: "3", women: "4")).status == 201)
            let auth = ["Authorization": "Bearer \(server.adminKey)"]
            func get(_ path: String) async throws -> HTTPReply {
                let reply = try await server.client.get(path, headers: auth)
                // No personal data, but new numbers with every record.
                #expect(reply.header("Cache-Control") == "no-cache", "\(path)")
                return reply
            }
            let today = CalendarDay.string(of: Date())
            expectJSON(try await get("/api/v1/tallies?from=2023-03-09&to=2023-03-10&departement=guediawaye"),
                       #"[{"departement":"Guédiawaye","region":"Dakar","date":"2023-03-09","indicator":"group_talk_participants_men","value":3},{"departement":"Guédiawaye","region":"Dakar","date":"2023-03-09","indicator":"group_talk_participants_women","value":4},{"departement":"Guédiawaye","region":"Dakar","date":"2023-03-09","indicator":"group_talks","value":1},{"departement":"Guédiawaye","region":"Dakar","date":"2023-03-09","indicator":"people_reached","value":3508},{"departement":"Guédiawaye","region":"Dakar","date":"2023-03-09","indicator":"pre_registrations","value":1},{"departement":"Guédiawaye","region":"Dakar","date":"2023-03-09","indicator":"radio_audience","value":3500},{"departement":"Guédiawaye","region":"Dakar","date":"2023-03-09","indicator":"radio_programmes","value":1},{"departement":"Guédiawaye","region":"Dakar","date":"2023-03-09","indicator":"visits","value":1}]"#)
            expectJSON(try await get("/api/v1/tallies/summary?date=2023-03-09&by=nation"), #"{"by":"nation","from":"2023-03-09","rows":[{"indicator":"group_talk_participants_men","key":"senegal","name":"Sénégal","records":1,"region":"","value":3},{"indicator":"group_talk_participants_women","key":"senegal","name":"Sénégal","records":1,"region":"","value":4},{"indicator":"group_talks","key":"senegal","name":"Sénégal","records":1,"region":"","value":1},{"indicator":"people_reached","key":"senegal","name":"Sénégal","records":3,"region":"","value":3508},{"indicator":"pre_registrations","key":"senegal","name":"Sénégal","records":1,"region":"","value":1},{"indicator":"radio_audience","key":"senegal","name":"Sénégal","records":1,"region":"","value":3500},{"indicator":"radio_programmes","key":"senegal","name":"Sénégal","records":1,"region":"","value":1},{"indicator":"visits","key":"senegal","name":"Sénégal","records":1,"region":"","value":1}],"to":"2023-03-09"}"#)
            expectJSON(try await get("/api/v1/tallies/summary?from=2023-03-08&to=2023-03-10&by=region"), #"{"by":"region","from":"2023-03-08","rows":[{"indicator":"group_talk_participants_men","key":"dakar","name":"Dakar","records":1,"region":"Dakar","value":3},{"indicator":"group_talk_participants_women","key":"dakar","name":"Dakar","records":1,"region":"Dakar","value":4},{"indicator":"group_talks","key":"dakar","name":"Dakar","records":1,"region":"Dakar","value":1},{"indicator":"people_reached","key":"dakar","name":"Dakar","records":3,"region":"Dakar","value":3508},{"indicator":"pre_registrations","key":"dakar","name":"Dakar","records":1,"region":"Dakar","value":1},{"indicator":"radio_audience","key":"dakar","name":"Dakar","records":1,"region":"Dakar","value":3500},{"indicator":"radio_programmes","key":"dakar","name":"Dakar","records":1,"region":"Dakar","value":1},{"indicator":"visits","key":"dakar","name":"Dakar","records":1,"region":"Dakar","value":1}],"to":"2023-03-10"}"#)
            expectJSON(try await get("/api/v1/tallies/summary?from=2023-03-08&to=2023-03-10&by=departement&region=dakar"), #"{"by":"departement","from":"2023-03-08","rows":[{"indicator":"group_talk_participants_men","key":"guediawaye","name":"Guédiawaye","records":1,"region":"Dakar","value":3},{"indicator":"group_talk_participants_women","key":"guediawaye","name":"Guédiawaye","records":1,"region":"Dakar","value":4},{"indicator":"group_talks","key":"guediawaye","name":"Guédiawaye","records":1,"region":"Dakar","value":1},{"indicator":"people_reached","key":"guediawaye","name":"Guédiawaye","records":3,"region":"Dakar","value":3508},{"indicator":"pre_registrations","key":"guediawaye","name":"Guédiawaye","records":1,"region":"Dakar","value":1},{"indicator":"radio_audience","key":"guediawaye","name":"Guédiawaye","records":1,"region":"Dakar","value":3500},{"indicator":"radio_programmes","key":"guediawaye","name":"Guédiawaye","records":1,"region":"Dakar","value":1},{"indicator":"visits","key":"guediawaye","name":"Guédiawaye","records":1,"region":"Dakar","value":1}],"to":"2023-03-10"}"#)
            expectJSON(try await get("/api/v1/tallies/summary?from=2023-03-08&to=2023-03-10&by=day"), #"{"by":"day","from":"2023-03-08","rows":[{"indicator":"group_talk_participants_men","key":"2023-03-09","name":"2023-03-09","records":1,"region":"","value":3},{"indicator":"group_talk_participants_women","key":"2023-03-09","name":"2023-03-09","records":1,"region":"","value":4},{"indicator":"group_talks","key":"2023-03-09","name":"2023-03-09","records":1,"region":"","value":1},{"indicator":"people_reached","key":"2023-03-09","name":"2023-03-09","records":3,"region":"","value":3508},{"indicator":"pre_registrations","key":"2023-03-09","name":"2023-03-09","records":1,"region":"","value":1},{"indicator":"radio_audience","key":"2023-03-09","name":"2023-03-09","records":1,"region":"","value":3500},{"indicator":"radio_programmes","key":"2023-03-09","name":"2023-03-09","records":1,"region":"","value":1},{"indicator":"visits","key":"2023-03-09","name":"2023-03-09","records":1,"region":"","value":1}],"to":"2023-03-10"}"#)
            expectJSON(try await get("/api/v1/completeness?from=2023-03-09&to=2023-03-10"), #"{"from":"2023-03-09","rows":[{"date":"2023-03-09","departement":"guediawaye","departement_name":"Guédiawaye","expected":2,"has_data":true,"label_en":"1 resource person(s) without a record","label_fr":"1 personne(s) ressource(s) sans fiche","missing":1,"percentage":50,"region":"Dakar","reported":1,"status":"partial"},{"date":"2023-03-10","departement":"pikine","departement_name":"Pikine","expected":0,"has_data":false,"label_en":"did not provide statistics","label_fr":"n'a pas fourni de statistiques","missing":0,"percentage":null,"region":"Dakar","reported":0,"status":"no_data"}],"to":"2023-03-10"}"#)
            expectJSON(try await get("/api/v1/targets/progress?date=2023-03-10&region=dakar"), #"{"departements":[{"actual":1,"baseline":0,"departement":"guediawaye","departement_name":"Guédiawaye","indicator":"visits","milestone":80,"milestone_percentage":1.3,"name_en":"Visits","name_fr":"Visites","percentage":0.6,"region":"Dakar","target":160},{"actual":0,"baseline":0,"departement":"pikine","departement_name":"Pikine","indicator":"visits","milestone":80,"milestone_percentage":0,"name_en":"Visits","name_fr":"Visites","percentage":0,"region":"Dakar","target":160},{"actual":3508,"baseline":0,"departement":"guediawaye","departement_name":"Guédiawaye","indicator":"people_reached","milestone":2000,"milestone_percentage":175.4,"name_en":"People reached","name_fr":"Personnes touchées","percentage":87.7,"region":"Dakar","target":4000}],"from":"2023-03-07","phase":{"campaign":"Campagne 2023","ends_on":"2023-03-11","id":1,"name":"Dakar","starts_on":"2023-03-07"},"rows":[{"actual":1,"baseline":0,"indicator":"visits","milestone":160,"milestone_percentage":0.6,"name_en":"Visits","name_fr":"Visites","percentage":0.3,"target":320},{"actual":1,"baseline":null,"indicator":"pre_registrations","milestone":null,"milestone_percentage":null,"name_en":"Pre-registrations","name_fr":"Pré-inscriptions","percentage":null,"target":null},{"actual":1,"baseline":null,"indicator":"radio_programmes","milestone":null,"milestone_percentage":null,"name_en":"Radio programmes","name_fr":"Émissions radio","percentage":null,"target":null},{"actual":3500,"baseline":null,"indicator":"radio_audience","milestone":null,"milestone_percentage":null,"name_en":"Estimated radio audience","name_fr":"Auditeurs estimés","percentage":null,"target":null},{"actual":1,"baseline":null,"indicator":"group_talks","milestone":null,"milestone_percentage":null,"name_en":"Group talks","name_fr":"Causeries","percentage":null,"target":null},{"actual":3,"baseline":null,"indicator":"group_talk_participants_men","milestone":null,"milestone_percentage":null,"name_en":"Group talk participants (men)","name_fr":"Participants aux causeries (hommes)","percentage":null,"target":null},{"actual":4,"baseline":null,"indicator":"group_talk_participants_women","milestone":null,"milestone_percentage":null,"name_en":"Group talk participants (women)","name_fr":"Participantes aux causeries (femmes)","percentage":null,"target":null},{"actual":3508,"baseline":0,"indicator":"people_reached","milestone":2000,"milestone_percentage":175.4,"name_en":"People reached","name_fr":"Personnes touchées","percentage":87.7,"target":4000},{"actual":0,"baseline":null,"indicator":"memberships","milestone":null,"milestone_percentage":null,"name_en":"Memberships","name_fr":"Adhésions","percentage":null,"target":null}],"to":"2023-03-10"}"#)
            expectJSON(try await get("/api/v1/dashboard/places"), #"{"default_day":"2023-03-09","departements":[{"code":"dakar","name":"Dakar","region":"Dakar","region_code":"dakar"},{"code":"guediawaye","name":"Guédiawaye","region":"Dakar","region_code":"dakar"},{"code":"keur-massar","name":"Keur Massar","region":"Dakar","region_code":"dakar"},{"code":"pikine","name":"Pikine","region":"Dakar","region_code":"dakar"},{"code":"rufisque","name":"Rufisque","region":"Dakar","region_code":"dakar"},{"code":"bambey","name":"Bambey","region":"Diourbel","region_code":"diourbel"},{"code":"diourbel","name":"Diourbel","region":"Diourbel","region_code":"diourbel"},{"code":"mbacke","name":"Mbacké","region":"Diourbel","region_code":"diourbel"},{"code":"fatick","name":"Fatick","region":"Fatick","region_code":"fatick"},{"code":"foundiougne","name":"Foundiougne","region":"Fatick","region_code":"fatick"},{"code":"gossas","name":"Gossas","region":"Fatick","region_code":"fatick"},{"code":"birkelane","name":"Birkelane","region":"Kaffrine","region_code":"kaffrine"},{"code":"kaffrine","name":"Kaffrine","region":"Kaffrine","region_code":"kaffrine"},{"code":"koungheul","name":"Koungheul","region":"Kaffrine","region_code":"kaffrine"},{"code":"malem-hodar","name":"Malem-Hodar","region":"Kaffrine","region_code":"kaffrine"},{"code":"guinguineo","name":"Guinguinéo","region":"Kaolack","region_code":"kaolack"},{"code":"kaolack","name":"Kaolack","region":"Kaolack","region_code":"kaolack"},{"code":"nioro-du-rip","name":"Nioro du Rip","region":"Kaolack","region_code":"kaolack"},{"code":"kolda","name":"Kolda","region":"Kolda","region_code":"kolda"},{"code":"medina-yoro-foulah","name":"Médina Yoro Foulah","region":"Kolda","region_code":"kolda"},{"code":"velingara","name":"Vélingara","region":"Kolda","region_code":"kolda"},{"code":"kedougou","name":"Kédougou","region":"Kédougou","region_code":"kedougou"},{"code":"salemata","name":"Salémata","region":"Kédougou","region_code":"kedougou"},{"code":"saraya","name":"Saraya","region":"Kédougou","region_code":"kedougou"},{"code":"kebemer","name":"Kébémer","region":"Louga","region_code":"louga"},{"code":"linguere","name":"Linguère","region":"Louga","region_code":"louga"},{"code":"louga","name":"Louga","region":"Louga","region_code":"louga"},{"code":"kanel","name":"Kanel","region":"Matam","region_code":"matam"},{"code":"matam","name":"Matam","region":"Matam","region_code":"matam"},{"code":"ranerou-ferlo","name":"Ranérou-Ferlo","region":"Matam","region_code":"matam"},{"code":"dagana","name":"Dagana","region":"Saint-Louis","region_code":"saint-louis"},{"code":"podor","name":"Podor","region":"Saint-Louis","region_code":"saint-louis"},{"code":"saint-louis","name":"Saint-Louis","region":"Saint-Louis","region_code":"saint-louis"},{"code":"bounkiling","name":"Bounkiling","region":"Sédhiou","region_code":"sedhiou"},{"code":"goudomp","name":"Goudomp","region":"Sédhiou","region_code":"sedhiou"},{"code":"sedhiou","name":"Sédhiou","region":"Sédhiou","region_code":"sedhiou"},{"code":"bakel","name":"Bakel","region":"Tambacounda","region_code":"tambacounda"},{"code":"goudiry","name":"Goudiry","region":"Tambacounda","region_code":"tambacounda"},{"code":"koumpentoum","name":"Koumpentoum","region":"Tambacounda","region_code":"tambacounda"},{"code":"tambacounda","name":"Tambacounda","region":"Tambacounda","region_code":"tambacounda"},{"code":"mbour","name":"Mbour","region":"Thiès","region_code":"thies"},{"code":"thies","name":"Thiès","region":"Thiès","region_code":"thies"},{"code":"tivaouane","name":"Tivaouane","region":"Thiès","region_code":"thies"},{"code":"bignona","name":"Bignona","region":"Ziguinchor","region_code":"ziguinchor"},{"code":"oussouye","name":"Oussouye","region":"Ziguinchor","region_code":"ziguinchor"},{"code":"ziguinchor","name":"Ziguinchor","region":"Ziguinchor","region_code":"ziguinchor"}],"indicators":[{"id":"visits","name_en":"Visits","name_fr":"Visites"},{"id":"pre_registrations","name_en":"Pre-registrations","name_fr":"Pré-inscriptions"},{"id":"radio_programmes","name_en":"Radio programmes","name_fr":"Émissions radio"},{"id":"radio_audience","name_en":"Estimated radio audience","name_fr":"Auditeurs estimés"},{"id":"group_talks","name_en":"Group talks","name_fr":"Causeries"},{"id":"group_talk_participants_men","name_en":"Group talk participants (men)","name_fr":"Participants aux causeries (hommes)"},{"id":"group_talk_participants_women","name_en":"Group talk participants (women)","name_fr":"Participantes aux causeries (femmes)"},{"id":"people_reached","name_en":"People reached","name_fr":"Personnes touchées"},{"id":"memberships","name_en":"Memberships","name_fr":"Adhésions"}],"national":true,"regions":[{"code":"dakar","name":"Dakar"},{"code":"diourbel","name":"Diourbel"},{"code":"fatick","name":"Fatick"},{"code":"kaffrine","name":"Kaffrine"},{"code":"kaolack","name":"Kaolack"},{"code":"kolda","name":"Kolda"},{"code":"kedougou","name":"Kédougou"},{"code":"louga","name":"Louga"},{"code":"matam","name":"Matam"},{"code":"saint-louis","name":"Saint-Louis"},{"code":"sedhiou","name":"Sédhiou"},{"code":"tambacounda","name":"Tambacounda"},{"code":"thies","name":"Thiès"},{"code":"ziguinchor","name":"Ziguinchor"}],"today":"<today>"}"#, today: today)
            expectJSON(try await get("/api/v1/reports/daily?date=2023-03-09&format=json"), #"{"completeness":[{"date":"2023-03-09","departement":"guediawaye","departement_name":"Guédiawaye","expected":2,"has_data":true,"label_en":"1 resource person(s) without a record","label_fr":"1 personne(s) ressource(s) sans fiche","missing":1,"percentage":50,"region":"Dakar","reported":1,"status":"partial"}],"date":"2023-03-09","indicators":[{"id":"visits","name_en":"Visits","name_fr":"Visites"},{"id":"pre_registrations","name_en":"Pre-registrations","name_fr":"Pré-inscriptions"},{"id":"radio_programmes","name_en":"Radio programmes","name_fr":"Émissions radio"},{"id":"radio_audience","name_en":"Estimated radio audience","name_fr":"Auditeurs estimés"},{"id":"group_talks","name_en":"Group talks","name_fr":"Causeries"},{"id":"group_talk_participants_men","name_en":"Group talk participants (men)","name_fr":"Participants aux causeries (hommes)"},{"id":"group_talk_participants_women","name_en":"Group talk participants (women)","name_fr":"Participantes aux causeries (femmes)"},{"id":"people_reached","name_en":"People reached","name_fr":"Personnes touchées"},{"id":"memberships","name_en":"Memberships","name_fr":"Adhésions"}],"radio_programmes":[{"departement":"guediawaye","departement_name":"Guédiawaye","duration_minutes":"45","estimated_audience":"3500","language":"wolof","station":"Radio \"Sud\" FM"}],"scope":"Sénégal","tallies":[{"departement":"guediawaye","departement_name":"Guédiawaye","region":"Dakar","values":{"group_talk_participants_men":3,"group_talk_participants_women":4,"group_talks":1,"people_reached":3508,"pre_registrations":1,"radio_audience":3500,"radio_programmes":1,"visits":1}}],"targets":{"departements":[{"actual":1,"baseline":0,"departement":"guediawaye","departement_name":"Guédiawaye","indicator":"visits","milestone":80,"milestone_percentage":1.3,"name_en":"Visits","name_fr":"Visites","percentage":0.6,"region":"Dakar","target":160},{"actual":0,"baseline":0,"departement":"pikine","departement_name":"Pikine","indicator":"visits","milestone":80,"milestone_percentage":0,"name_en":"Visits","name_fr":"Visites","percentage":0,"region":"Dakar","target":160},{"actual":3508,"baseline":0,"departement":"guediawaye","departement_name":"Guédiawaye","indicator":"people_reached","milestone":2000,"milestone_percentage":175.4,"name_en":"People reached","name_fr":"Personnes touchées","percentage":87.7,"region":"Dakar","target":4000}],"from":"2023-03-07","phase":{"campaign":"Campagne 2023","ends_on":"2023-03-11","id":1,"name":"Dakar","starts_on":"2023-03-07"},"rows":[{"actual":1,"baseline":0,"indicator":"visits","milestone":160,"milestone_percentage":0.6,"name_en":"Visits","name_fr":"Visites","percentage":0.3,"target":320},{"actual":1,"baseline":null,"indicator":"pre_registrations","milestone":null,"milestone_percentage":null,"name_en":"Pre-registrations","name_fr":"Pré-inscriptions","percentage":null,"target":null},{"actual":1,"baseline":null,"indicator":"radio_programmes","milestone":null,"milestone_percentage":null,"name_en":"Radio programmes","name_fr":"Émissions radio","percentage":null,"target":null},{"actual":3500,"baseline":null,"indicator":"radio_audience","milestone":null,"milestone_percentage":null,"name_en":"Estimated radio audience","name_fr":"Auditeurs estimés","percentage":null,"target":null},{"actual":1,"baseline":null,"indicator":"group_talks","milestone":null,"milestone_percentage":null,"name_en":"Group talks","name_fr":"Causeries","percentage":null,"target":null},{"actual":3,"baseline":null,"indicator":"group_talk_participants_men","milestone":null,"milestone_percentage":null,"name_en":"Group talk participants (men)","name_fr":"Participants aux causeries (hommes)","percentage":null,"target":null},{"actual":4,"baseline":null,"indicator":"group_talk_participants_women","milestone":null,"milestone_percentage":null,"name_en":"Group talk participants (women)","name_fr":"Participantes aux causeries (femmes)","percentage":null,"target":null},{"actual":3508,"baseline":0,"indicator":"people_reached","milestone":2000,"milestone_percentage":175.4,"name_en":"People reached","name_fr":"Personnes touchées","percentage":87.7,"target":4000},{"actual":0,"baseline":null,"indicator":"memberships","milestone":null,"milestone_percentage":null,"name_en":"Memberships","name_fr":"Adhésions","percentage":null,"target":null}],"to":"2023-03-09"},"totals":{"group_talk_participants_men":3,"group_talk_participants_women":4,"group_talks":1,"people_reached":3508,"pre_registrations":1,"radio_audience":3500,"radio_programmes":1,"visits":1}}"#)
            expectJSON(try await get("/api/v1/reports/daily?date=2023-03-09&departement=pikine&format=json"), #"{"completeness":[],"date":"2023-03-09","indicators":[{"id":"visits","name_en":"Visits","name_fr":"Visites"},{"id":"pre_registrations","name_en":"Pre-registrations","name_fr":"Pré-inscriptions"},{"id":"radio_programmes","name_en":"Radio programmes","name_fr":"Émissions radio"},{"id":"radio_audience","name_en":"Estimated radio audience","name_fr":"Auditeurs estimés"},{"id":"group_talks","name_en":"Group talks","name_fr":"Causeries"},{"id":"group_talk_participants_men","name_en":"Group talk participants (men)","name_fr":"Participants aux causeries (hommes)"},{"id":"group_talk_participants_women","name_en":"Group talk participants (women)","name_fr":"Participantes aux causeries (femmes)"},{"id":"people_reached","name_en":"People reached","name_fr":"Personnes touchées"},{"id":"memberships","name_en":"Memberships","name_fr":"Adhésions"}],"radio_programmes":[],"scope":"Pikine","tallies":[{"departement":"pikine","departement_name":"Pikine","region":"Dakar","values":{}}],"targets":{"departements":[{"actual":0,"baseline":0,"departement":"pikine","departement_name":"Pikine","indicator":"visits","milestone":80,"milestone_percentage":0,"name_en":"Visits","name_fr":"Visites","percentage":0,"region":"Dakar","target":160}],"from":"2023-03-07","phase":{"campaign":"Campagne 2023","ends_on":"2023-03-11","id":1,"name":"Dakar","starts_on":"2023-03-07"},"rows":[{"actual":0,"baseline":0,"indicator":"visits","milestone":80,"milestone_percentage":0,"name_en":"Visits","name_fr":"Visites","percentage":0,"target":160},{"actual":0,"baseline":null,"indicator":"pre_registrations","milestone":null,"milestone_percentage":null,"name_en":"Pre-registrations","name_fr":"Pré-inscriptions","percentage":null,"target":null},{"actual":0,"baseline":null,"indicator":"radio_programmes","milestone":null,"milestone_percentage":null,"name_en":"Radio programmes","name_fr":"Émissions radio","percentage":null,"target":null},{"actual":0,"baseline":null,"indicator":"radio_audience","milestone":null,"milestone_percentage":null,"name_en":"Estimated radio audience","name_fr":"Auditeurs estimés","percentage":null,"target":null},{"actual":0,"baseline":null,"indicator":"group_talks","milestone":null,"milestone_percentage":null,"name_en":"Group talks","name_fr":"Causeries","percentage":null,"target":null},{"actual":0,"baseline":null,"indicator":"group_talk_participants_men","milestone":null,"milestone_percentage":null,"name_en":"Group talk participants (men)","name_fr":"Participants aux causeries (hommes)","percentage":null,"target":null},{"actual":0,"baseline":null,"indicator":"group_talk_participants_women","milestone":null,"milestone_percentage":null,"name_en":"Group talk participants (women)","name_fr":"Participantes aux causeries (femmes)","percentage":null,"target":null},{"actual":0,"baseline":null,"indicator":"people_reached","milestone":null,"milestone_percentage":null,"name_en":"People reached","name_fr":"Personnes touchées","percentage":null,"target":null},{"actual":0,"baseline":null,"indicator":"memberships","milestone":null,"milestone_percentage":null,"name_en":"Memberships","name_fr":"Adhésions","percentage":null,"target":null}],"to":"2023-03-09"},"totals":{}}"#)
            expectJSON(try await get("/api/v1/reports/daily?date=2023-01-09&format=json"), #"{"completeness":[],"date":"2023-01-09","indicators":[{"id":"visits","name_en":"Visits","name_fr":"Visites"},{"id":"pre_registrations","name_en":"Pre-registrations","name_fr":"Pré-inscriptions"},{"id":"radio_programmes","name_en":"Radio programmes","name_fr":"Émissions radio"},{"id":"radio_audience","name_en":"Estimated radio audience","name_fr":"Auditeurs estimés"},{"id":"group_talks","name_en":"Group talks","name_fr":"Causeries"},{"id":"group_talk_participants_men","name_en":"Group talk participants (men)","name_fr":"Participants aux causeries (hommes)"},{"id":"group_talk_participants_women","name_en":"Group talk participants (women)","name_fr":"Participantes aux causeries (femmes)"},{"id":"people_reached","name_en":"People reached","name_fr":"Personnes touchées"},{"id":"memberships","name_en":"Memberships","name_fr":"Adhésions"}],"radio_programmes":[],"scope":"Sénégal","tallies":[],"targets":{"departements":[],"from":null,"phase":null,"rows":[],"to":null},"totals":{}}"#)
        }
    }
}
