import Foundation
import SuiviApp

/// The Dakar phase of the first campaign (March 2023) as plausible data:
/// five départements, each with its campaign day, fifteen resource persons
/// each, about 800 workplace visits (some artisans visited twice, their phone
/// written differently the second time), one radio programme per
/// département and a few group talks. Deterministic: the same seed gives the
/// same campaign, so screenshots and tests can rely on it.
struct DemoData {
    struct Departement {
        let code: String
        let day: String
        let neighbourhoods: [String]
        let station: String
    }

    struct Person {
        let name: String
        let phone: String
        let departementCode: String
        let organisation: String
    }

    /// A record ready to send: which person sends it and its XML.
    struct Record {
        let personIndex: Int
        let formID: String
        let xml: String
    }

    static let version = "2026112301"
    static let campaignName = "Campagne d'adhésion des artisans 2023"
    static let phaseName = "Dakar"

    /// Campaign days from the field: Rufisque 7 March, Keur Massar 8,
    /// Guédiawaye 9, Pikine 10, Dakar 11.
    static let departements: [Departement] = [
        Departement(code: "rufisque", day: "2023-03-07",
                    neighbourhoods: ["Rufisque Est", "Rufisque Ouest", "Bargny", "Diamniadio", "Sangalkam"],
                    station: "Rufisque FM"),
        Departement(code: "keur-massar", day: "2023-03-08",
                    neighbourhoods: ["Malika", "Yeumbeul Nord", "Jaxaay", "Keur Massar Nord", "Tivaouane Peulh"],
                    station: "Radio Jokko FM"),
        Departement(code: "guediawaye", day: "2023-03-09",
                    neighbourhoods: ["Wakhinane Nimzatt", "Golf Sud", "Sam Notaire", "Ndiarème Limamoulaye", "Médina Gounass"],
                    station: "Radio Guédiawaye FM"),
        Departement(code: "pikine", day: "2023-03-10",
                    neighbourhoods: ["Thiaroye sur Mer", "Guinaw Rails Nord", "Pikine Est", "Dalifort", "Mbao"],
                    station: "Oxy-Jeunes FM"),
        Departement(code: "dakar", day: "2023-03-11",
                    neighbourhoods: ["Médina", "Grand Dakar", "HLM", "Parcelles Assainies", "Grand Yoff"],
                    station: "Manooré FM"),
    ]

    static let organisations = [
        "OPA Couture", "Union des menuisiers", "Association des mécaniciens", "Coiffeuses solidaires",
        "Cordonniers unis", "Bijoutiers du Cap-Vert", "Soudeurs associés", "Chambre des métiers",
    ]

    static let firstNamesFemale = ["Awa", "Fatou", "Aminata", "Mariama", "Khady", "Ndeye", "Coumba", "Aïssatou",
                                   "Sokhna", "Astou", "Binta", "Rokhaya", "Dieynaba", "Yacine", "Adama"]
    static let firstNamesMale = ["Moussa", "Mamadou", "Ibrahima", "Cheikh", "Ousmane", "Abdoulaye", "Modou",
                                 "Serigne", "Babacar", "Alioune", "Pape", "Lamine", "Saliou", "Aliou", "Malick"]
    static let lastNames = ["Diop", "Ndiaye", "Fall", "Sow", "Gueye", "Faye", "Sarr", "Ba", "Diallo", "Cissé",
                            "Mbaye", "Thiam", "Ndour", "Sy", "Kane", "Diouf", "Seck", "Niang", "Camara", "Touré"]
    static let trades = ["tailoring", "carpentry", "mechanics", "hairdressing", "shoemaking", "jewellery",
                         "welding", "masonry", "electrical", "dyeing", "leatherwork", "pottery", "basketry"]

    private(set) var people: [Person] = []
    private(set) var records: [Record] = []
    private var random: SeededRandom

    init(seed: UInt64 = 20230307) {
        random = SeededRandom(seed: seed)
        for departement in Self.departements {
            for _ in 0..<15 {
                let female = random.chance(0.45)
                people.append(Person(name: name(female: female), phone: phone(style: 0),
                                     departementCode: departement.code,
                                     organisation: random.pick(Self.organisations)))
            }
        }
        for (index, departement) in Self.departements.enumerated() {
            makeVisits(departement, people: Array((index * 15)..<(index * 15 + 15)))
            makeRadioProgramme(departement, host: index * 15)
            makeGroupTalks(departement, people: Array((index * 15)..<(index * 15 + 15)))
        }
    }

    // MARK: - Records

    private struct Artisan {
        let name: String
        let female: Bool
        let digits: String
        let nationalID: String
        let trade: String
        let organisation: String
        let neighbourhood: String
    }

    private mutating func makeVisits(_ departement: Departement, people: [Int]) {
        var seen: [Artisan] = []
        // 155 to 170 visits per département: 800+ over the phase.
        let count = random.int(in: 155...170)
        for visit in 0..<count {
            let person = people[visit % people.count]
            let revisit = !seen.isEmpty && random.chance(0.06)
            let artisan: Artisan
            if revisit {
                artisan = random.pick(seen)
            } else {
                let female = random.chance(0.5)
                artisan = Artisan(
                    name: name(female: female), female: female, digits: mobileDigits(),
                    // A third give no ID number; a few give one with a digit missing.
                    nationalID: random.chance(0.33) ? "" : nationalID(valid: !random.chance(0.04)),
                    trade: random.pick(Self.trades), organisation: random.chance(0.7) ? random.pick(Self.organisations) : "",
                    neighbourhood: random.pick(departement.neighbourhoods))
                seen.append(artisan)
            }
            let join = random.chance(0.55) ? "yes" : (random.chance(0.55) ? "later" : "no")
            let minute = 8 * 60 + visit * 3 % 540
            let start = String(format: "%@T%02d:%02d:00.000+00:00", departement.day, minute / 60, minute % 60)
            let end = String(format: "%@T%02d:%02d:00.000+00:00", departement.day, (minute + 12) / 60, (minute + 12) % 60)
            var answers: [(String, String)] = [
                ("start", start), ("end", end), ("visit_date", departement.day), ("departement", departement.code),
                ("neighbourhood", artisan.neighbourhood), ("artisan_name", artisan.name),
                ("sex", artisan.female ? "female" : "male"),
                // The same number, written another way on a second visit.
                ("phone", format(artisan.digits, style: revisit ? random.int(in: 1...3) : 0)),
                ("national_id", artisan.nationalID), ("trade", artisan.trade), ("trade_other", ""),
                ("organisation", artisan.organisation),
                ("materials", random.chance(0.9) ? "flyer poster" : "flyer"),
                ("informed_terms", "yes"), ("wants_to_join", join),
            ]
            answers.append(("household_size", join == "yes" ? String(random.int(in: 3...16)) : ""))
            answers.append(("consent_contact", join == "no" ? "" : (random.chance(0.92) ? "yes" : "no")))
            answers.append(("location", String(format: "%.5f %.5f 0 %d", 14.70 + random.unit() * 0.1,
                                               -17.45 + random.unit() * 0.25, random.int(in: 4...25))))
            answers.append(("notes", ""))
            records.append(Record(personIndex: person, formID: "visite", xml: Self.xml(formID: "visite", answers: answers)))
        }
    }

    private mutating func makeRadioProgramme(_ departement: Departement, host: Int) {
        let answers: [(String, String)] = [
            ("start", "\(departement.day)T18:00:00.000+00:00"), ("end", "\(departement.day)T19:00:00.000+00:00"),
            ("departement", departement.code), ("station", departement.station),
            ("broadcast_date", departement.day), ("duration_minutes", String(random.int(in: 45...90))),
            ("language", random.chance(0.8) ? "wolof" : "french"),
            ("hosts", "Animateur de la station et délégué local de la mutuelle"),
            ("estimated_audience", String(random.int(in: 35...45) * 100)),
            ("calls_received", String(random.int(in: 6...30))),
        ]
        records.append(Record(personIndex: host, formID: "emission_radio",
                              xml: Self.xml(formID: "emission_radio", answers: answers)))
    }

    private mutating func makeGroupTalks(_ departement: Departement, people: [Int]) {
        for _ in 0..<random.int(in: 1...2) {
            let answers: [(String, String)] = [
                ("start", "\(departement.day)T16:00:00.000+00:00"), ("end", "\(departement.day)T17:00:00.000+00:00"),
                ("departement", departement.code),
                ("place", "Siège de l'OPA, \(random.pick(departement.neighbourhoods))"),
                ("talk_date", departement.day), ("participants_men", String(random.int(in: 8...25))),
                ("participants_women", String(random.int(in: 10...35))),
                ("pre_registrations", String(random.int(in: 3...15))),
            ]
            records.append(Record(personIndex: random.pick(people), formID: "causerie",
                                  xml: Self.xml(formID: "causerie", answers: answers)))
        }
    }

    // MARK: - Pieces

    private mutating func name(female: Bool) -> String {
        "\(random.pick(female ? Self.firstNamesFemale : Self.firstNamesMale)) \(random.pick(Self.lastNames))"
    }

    private mutating func mobileDigits() -> String {
        random.pick(["77", "78", "76", "70", "75"]) + (0..<7).map { _ in String(random.int(in: 0...9)) }.joined()
    }

    private mutating func phone(style: Int) -> String {
        format(mobileDigits(), style: style)
    }

    /// Nine digits written as people write them.
    private func format(_ digits: String, style: Int) -> String {
        let d = Array(digits)
        let grouped = "\(String(d[0..<2])) \(String(d[2..<5])) \(String(d[5..<7])) \(String(d[7..<9]))"
        switch style {
        case 1: return "+221 " + grouped
        case 2: return "00221" + digits
        case 3: return digits
        default: return grouped
        }
    }

    private mutating func nationalID(valid: Bool) -> String {
        let first = random.pick(["1", "2"])
        let length = valid ? 12 : 11
        return first + (0..<length).map { _ in String(random.int(in: 0...9)) }.joined()
    }

    static func xml(formID: String, answers: [(String, String)]) -> String {
        let body = answers.map { name, value in
            value.isEmpty ? "<\(name)/>" : "<\(name)>\(escape(value))</\(name)>"
        }.joined()
        return """
            <?xml version="1.0"?>
            <data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" id="\(formID)" version="\(version)">\(body)<meta><instanceID>uuid:\(UUID().uuidString.lowercased())</instanceID></meta></data>
            """
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}

/// SplitMix64: small, fast and the same on every machine, unlike the
/// system generator.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func unit() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }

    mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func pick<T>(_ items: [T]) -> T {
        items[Int(next() % UInt64(items.count))]
    }
}
