import Foundation
import SuiviBasics
@testable import SuiviApp
import SuiviDomain
@testable import SuiviStore
import Testing

/// The hot tally routes write their JSON by hand; these answers must stay
/// byte for byte what the generic writer (sorted keys) gives, for every
/// shape of value: missing targets, no département, fractions, text to
/// escape.
@Suite struct TallyJSONTests {
    static func generic(_ object: Any) -> String {
        var json = JSONWriter()
        json.value(object)
        return String(decoding: json.bytes, as: UTF8.self)
    }

    @Test func monitoringTableIsWrittenAsTheGenericWriterWritesIt() {
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
                #expect(String(decoding: json.bytes, as: UTF8.self) == Self.generic(progress.json))
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
}
