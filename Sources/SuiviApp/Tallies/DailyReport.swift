import Foundation
import SuiviBasics
import SuiviDomain
import SuiviStore

/// The monitoring table of a phase: per indicator, baseline / milestone /
/// target against the actual count so far.
struct TargetProgress {
    struct Line {
        let indicator: Indicator
        let departement: Departement?
        let baseline: Double?
        let milestone: Double?
        let target: Double?
        let actual: Double

        var percentage: Double? {
            guard let target, target > 0 else { return nil }
            return (actual / target * 1000).rounded() / 10
        }

        var milestonePercentage: Double? {
            guard let milestone, milestone > 0 else { return nil }
            return (actual / milestone * 1000).rounded() / 10
        }

        /// Keys in sorted order, as `JSONResponseEncoder` would write them
        /// (`TallyJSONTests` holds the two together).
        func write(to json: inout JSONWriter) {
            json.raw("{\"actual\":")
            json.number(actual)
            json.raw(",\"baseline\":")
            json.number(baseline)
            if let departement {
                json.raw(",\"departement\":")
                json.string(departement.code)
                json.raw(",\"departement_name\":")
                json.string(departement.name)
            }
            json.raw(",\"indicator\":")
            json.string(indicator.id)
            json.raw(",\"milestone\":")
            json.number(milestone)
            json.raw(",\"milestone_percentage\":")
            json.number(milestonePercentage)
            json.raw(",\"name_en\":")
            json.string(indicator.nameEnglish)
            json.raw(",\"name_fr\":")
            json.string(indicator.nameFrench)
            json.raw(",\"percentage\":")
            json.number(percentage)
            if let departement {
                json.raw(",\"region\":")
                json.string(departement.region)
            }
            json.raw(",\"target\":")
            json.number(target)
            json.raw("}")
        }
    }

    let phase: TallyStore.Phase?
    /// Actuals are counted over these days (the phase up to the chosen day).
    let from: String?
    let to: String?
    let lines: [Line]
    let byDepartement: [Line]

    /// Written by hand, keys sorted, as `JSONResponseEncoder` would write
    /// it: the dashboard asks for it often (Scripts/bench-tallies). The one
    /// encoding of the monitoring table, for `/api/v1/targets/progress` and
    /// inside the daily report.
    func write(to json: inout JSONWriter) {
        json.raw("{\"departements\":[")
        for (index, line) in byDepartement.enumerated() {
            if index > 0 { json.raw(",") }
            line.write(to: &json)
        }
        json.raw("],\"from\":")
        json.string(from)
        json.raw(",\"phase\":")
        if let phase {
            json.raw("{\"campaign\":")
            json.string(phase.campaignName)
            json.raw(",\"ends_on\":")
            json.string(phase.endsOn)
            json.raw(",\"id\":")
            json.integer(phase.id)
            json.raw(",\"name\":")
            json.string(phase.name)
            json.raw(",\"starts_on\":")
            json.string(phase.startsOn)
            json.raw("}")
        } else {
            json.raw("null")
        }
        json.raw(",\"rows\":[")
        for (index, line) in lines.enumerated() {
            if index > 0 { json.raw(",") }
            line.write(to: &json)
        }
        json.raw("],\"to\":")
        json.string(to)
        json.raw("}")
    }

    /// For a response type that holds the table.
    var fragment: JSONFragment {
        JSONFragment { json in write(to: &json) }
    }
}

/// Reporting completeness of one département on one of its campaign days.
struct CompletenessLine {
    let departement: Departement
    let day: String
    let expected: Int
    let reported: Int
    let hasData: Bool

    var percentage: Double? { expected > 0 ? (Double(reported) / Double(expected) * 1000).rounded() / 10 : nil }

    /// What the report says, plainly.
    var status: String {
        if !hasData { return "no_data" }
        return reported >= expected ? "complete" : "partial"
    }

    var labelFrench: String {
        switch status {
        case "no_data": "n'a pas fourni de statistiques"
        case "complete": "complet"
        default: "\(expected - reported) personne(s) ressource(s) sans fiche"
        }
    }

    var labelEnglish: String {
        switch status {
        case "no_data": "did not provide statistics"
        case "complete": "complete"
        default: "\(expected - reported) resource person(s) without a record"
        }
    }
}

/// The daily report: the day's tallies per département, the targets, the
/// completeness and the radio programmes. No personal data in any of it.
struct DailyReport {
    let day: String
    let scopeName: String
    let indicators: [Indicator]
    /// Département rows with a value per indicator id.
    let departements: [(departement: Departement, values: [String: Double])]
    let totals: [String: Double]
    let progress: TargetProgress
    let completeness: [CompletenessLine]
    let radio: [(departement: Departement?, programme: TallyStore.RadioProgramme)]

    /// The report's tables, each a title, a header row and rows of cells:
    /// what CSV and XLSX both write.
    struct Table {
        let title: String
        let header: [String]
        let rows: [[Cell]]
    }

    enum Cell: Equatable {
        case text(String)
        case number(Double)
        case empty
    }

    var tables: [Table] {
        let talliesTable = Table(
            title: "Bilan du \(day)",
            header: ["Région", "Département"] + indicators.map(\.nameFrench),
            rows: departements.map { line in
                [.text(line.departement.region), .text(line.departement.name)]
                    + indicators.map { .number(line.values[$0.id] ?? 0) }
            } + [[.text("Total"), .text(scopeName)] + indicators.map { .number(totals[$0.id] ?? 0) }])
        let number: (Double?) -> Cell = { $0.map(Cell.number) ?? .empty }
        let targetsTable = Table(
            title: "Objectifs" + (progress.phase.map { " — \($0.campaignName), \($0.name)" } ?? ""),
            header: ["Indicateur", "Référence", "Jalon", "Cible", "Réalisé", "% de la cible"],
            rows: progress.lines.map { line in
                [.text(line.indicator.nameFrench), number(line.baseline), number(line.milestone), number(line.target),
                 .number(line.actual), number(line.percentage)]
            })
        let completenessTable = Table(
            title: "Complétude des rapports",
            header: ["Région", "Département", "Attendus", "Ont envoyé", "%", "Observation"],
            rows: completeness.map { line in
                [.text(line.departement.region), .text(line.departement.name), .number(Double(line.expected)),
                 .number(Double(line.reported)), number(line.percentage), .text(line.labelFrench)]
            })
        let radioTable = Table(
            title: "Émissions radio",
            header: ["Département", "Station", "Durée (min)", "Langue", "Auditeurs estimés"],
            rows: radio.map { line in
                [.text(line.departement?.name ?? line.programme.departementCode), .text(line.programme.station),
                 Self.numeric(line.programme.durationMinutes), .text(line.programme.language),
                 Self.numeric(line.programme.estimatedAudience)]
            })
        return [talliesTable, targetsTable, completenessTable, radioTable]
    }

    private static func numeric(_ text: String) -> Cell {
        if let value = Double(text), value.isFinite { return .number(value) }
        return text.isEmpty ? .empty : .text(text)
    }
}

/// Builds progress, completeness and the daily report from the stores.
struct DailyReportBuilder: Sendable {
    let context: AppContext

    func progress(phaseID: Int64?, day: String, departementCodes: [String]?) async throws -> TargetProgress {
        let inputs = try await context.tallies.progressInputs(phaseID: phaseID, day: day, departementCodes: departementCodes)
        let indicators = inputs.indicators
        guard let phase = inputs.phase, let to = inputs.to else {
            if phaseID != nil { throw Problem.phaseNotFound() }
            return TargetProgress(phase: nil, from: nil, to: nil, lines: [], byDepartement: [])
        }
        let targets = inputs.targets
        let actuals = inputs.actuals
        var actualBy: [String: [String: Double]] = [:]
        for row in actuals { actualBy[row.indicatorID, default: [:]][row.departementCode, default: 0] += row.value }
        let departements = Dictionary(uniqueKeysWithValues: context.departements.map { ($0.code, $0) })
        var lines: [TargetProgress.Line] = []
        var byDepartement: [TargetProgress.Line] = []
        for indicator in indicators {
            let own = targets.filter { $0.indicatorID == indicator.id }
            let actual = actualBy[indicator.id]?.values.reduce(0, +) ?? 0
            guard !own.isEmpty else {
                lines.append(.init(indicator: indicator, departement: nil, baseline: nil, milestone: nil, target: nil, actual: actual))
                continue
            }
            let milestones = own.compactMap(\.milestone)
            lines.append(.init(indicator: indicator, departement: nil, baseline: own.map(\.baseline).reduce(0, +),
                               milestone: milestones.isEmpty ? nil : milestones.reduce(0, +),
                               target: own.map(\.target).reduce(0, +), actual: actual))
            for target in own.sorted(by: { $0.departementCode < $1.departementCode }) {
                byDepartement.append(.init(indicator: indicator, departement: departements[target.departementCode],
                                           baseline: target.baseline, milestone: target.milestone, target: target.target,
                                           actual: actualBy[indicator.id]?[target.departementCode] ?? 0))
            }
        }
        return TargetProgress(phase: phase, from: phase.startsOn, to: to, lines: lines, byDepartement: byDepartement)
    }

    func completeness(from: String, to: String, departementCodes: [String]?) async throws -> [CompletenessLine] {
        let departements = Dictionary(uniqueKeysWithValues: context.departements.map { ($0.code, $0) })
        return try await context.tallies.completeness(from: from, to: to, departementCodes: departementCodes)
            .compactMap { row in
                departements[row.departementCode].map {
                    CompletenessLine(departement: $0, day: row.day, expected: row.expected, reported: row.reported,
                                     hasData: row.hasData)
                }
            }
    }

    func daily(day: String, departementCodes: [String]?, scopeName: String) async throws -> DailyReport {
        let indicators = try await context.indicators.all().filter(\.active)
        let rows = try await context.tallies.tallies(from: day, to: day, departementCodes: departementCodes)
        let departements = Dictionary(uniqueKeysWithValues: context.departements.map { ($0.code, $0) })
        var values: [String: [String: Double]] = [:]
        var totals: [String: Double] = [:]
        for row in rows {
            values[row.departementCode, default: [:]][row.indicatorID, default: 0] += row.value
            totals[row.indicatorID, default: 0] += row.value
        }
        // Every département in scope appears, with zeros when it sent nothing.
        let inScope = context.departements.filter { departement in departementCodes?.contains(departement.code) ?? true }
        let lines = inScope.filter { values[$0.code] != nil || departementCodes != nil }
            .map { (departement: $0, values: values[$0.code] ?? [:]) }
        let radio = try await context.tallies.radioProgrammes(day: day, departementCodes: departementCodes)
            .map { (departement: departements[$0.departementCode], programme: $0) }
        return DailyReport(
            day: day, scopeName: scopeName, indicators: indicators, departements: lines, totals: totals,
            progress: try await progress(phaseID: nil, day: day, departementCodes: departementCodes),
            completeness: try await completeness(from: day, to: day, departementCodes: departementCodes),
            radio: radio)
    }
}
