import Foundation
import SuiviBasics
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// Tallies, roll-ups, targets and reporting completeness: no personal data,
/// readable by every signed-in role with `.readTallies`, within its scope.
struct TallyHandlers: Sendable {
    let context: AppContext
    let authentication: Authentication
    let reports: DailyReportBuilder

    /// The rows of `GET /api/v1/tallies`, written once per day version.
    let rowFragments: TallyRowFragments
    /// Fixed for the server's life, like the départements.
    let departementsByCode: [String: Departement]

    init(context: AppContext, authentication: Authentication) {
        self.context = context
        self.authentication = authentication
        self.reports = DailyReportBuilder(context: context)
        rowFragments = TallyRowFragments(departements: context.departements)
        departementsByCode = Dictionary(uniqueKeysWithValues: context.departements.map { ($0.code, $0) })
    }

    /// `GET /api/v1/tallies?from=&to=[&departement=]`: rows
    /// `{departement, region, date, indicator, value}` (see docs/tallies.md).
    func tallies(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.readTallies)
        let parameters = try TallyParameters(request, principal: principal, departements: context.departements,
                                             requirePeriod: true)
        let days = try await context.tallies.days(from: parameters.from, to: parameters.to)
        let wanted = parameters.departementCodes.map(Set.init)
        let fragments = days.map { rowFragments.fragments(of: $0) }
        var size = 2
        for day in fragments {
            for fragment in day where wanted?.contains(fragment.departementCode) ?? true { size += fragment.json.count + 1 }
        }
        var json = JSONWriter(capacity: size)
        json.raw("[")
        var first = true
        for day in fragments {
            for fragment in day where wanted?.contains(fragment.departementCode) ?? true {
                if !first { json.raw(",") }
                first = false
                json.raw(fragment.json)
            }
        }
        json.raw("]")
        return JSONResponses.tallies(bytes: json.bytes)
    }

    /// `GET /api/v1/tallies/summary?from=&to=&by=nation|region|departement|day[&region=][&departement=]`:
    /// totals per indicator for each group, rows `{key, name, region, indicator, value, records}`.
    func summary(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.readTallies)
        let parameters = try TallyParameters(request, principal: principal, departements: context.departements)
        let by = request.query["by"] ?? "nation"
        struct Group: Hashable { let key: String, indicator: String }
        var totals: [Group: (Double, Int)] = [:]
        var order: [Group] = []
        func add(_ key: String, _ row: TallyStore.Row) {
            let group = Group(key: key, indicator: row.indicatorID)
            if totals[group] == nil { order.append(group) }
            totals[group, default: (0, 0)].0 += row.value
            totals[group, default: (0, 0)].1 += row.records
        }
        let names = departementsByCode
        var labels: [String: (name: String, region: String)] = [:]
        switch by {
        case "day":
            for row in try await context.tallies.totalsByDay(from: parameters.from, to: parameters.to,
                                                           departementCodes: parameters.departementCodes) {
                add(row.day, row)
                labels[row.day] = (row.day, "")
            }
        case "nation", "region", "departement":
            for row in try await context.tallies.totalsByDepartement(from: parameters.from, to: parameters.to,
                                                                   departementCodes: parameters.departementCodes) {
                let departement = names[row.departementCode]
                switch by {
                case "nation":
                    add("senegal", row)
                    labels["senegal"] = ("Sénégal", "")
                case "region":
                    let code = departement?.regionCode ?? ""
                    add(code, row)
                    labels[code] = (departement?.region ?? code, departement?.region ?? code)
                default:
                    add(row.departementCode, row)
                    labels[row.departementCode] = (departement?.name ?? row.departementCode, departement?.region ?? "")
                }
            }
        default:
            throw Problem.invalidParameter("by", "one of nation, region, departement, day")
        }
        let rows = order.sorted { ($0.key, $0.indicator) < ($1.key, $1.indicator) }.map { group in
            let total = totals[group]!
            return TallySummaryResponse.Row(key: group.key, name: labels[group.key]?.name ?? group.key,
                                            region: labels[group.key]?.region ?? "", indicator: group.indicator,
                                            value: total.0, records: total.1)
        }
        return JSONResponses.tallies(TallySummaryResponse(from: parameters.from, to: parameters.to, by: by, rows: rows))
    }

    /// `GET /api/v1/targets/progress?[phase=ID|date=D][&region=][&departement=]`:
    /// the monitoring table (indicator / baseline / milestone / target /
    /// actual) for the phase, and the same per département.
    func targets(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.readTallies)
        let parameters = try TallyParameters(request, principal: principal, departements: context.departements)
        let phaseID = try request.query["phase"].map { text -> Int64 in
            guard let id = Int64(text), id > 0 else { throw Problem.invalidParameter("phase", "expected a phase id") }
            return id
        }
        let progress = try await reports.progress(phaseID: phaseID, day: parameters.to,
                                                  departementCodes: parameters.departementCodes)
        var json = JSONWriter(capacity: 1024 + (progress.lines.count + progress.byDepartement.count) * 320)
        progress.write(to: &json)
        return JSONResponses.tallies(bytes: json.bytes)
    }

    /// `GET /api/v1/completeness?date=D | from=&to= [&region=][&departement=]`.
    func completeness(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.readTallies)
        let parameters = try TallyParameters(request, principal: principal, departements: context.departements)
        let rows = try await reports.completeness(from: parameters.from, to: parameters.to,
                                                  departementCodes: parameters.departementCodes)
        return JSONResponses.tallies(CompletenessResponse(from: parameters.from, to: parameters.to,
                                                          rows: rows.map(CompletenessLineResponse.init)))
    }

    /// `GET /api/v1/dashboard/places`: the regions and départements the
    /// caller may drill into, for the dashboard's menus.
    func places(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.readTallies)
        let visible = context.departements.filter { principal.scope.includes($0.code) }
        let today = CalendarDay.string(of: Date())
        var regions: [String: DashboardPlacesResponse.Region] = [:]
        for departement in visible { regions[departement.regionCode] = .init(code: departement.regionCode, name: departement.region) }
        let indicators = try await context.indicators.all().filter(\.active)
        return JSONResponses.tallies(DashboardPlacesResponse(
            regions: regions.values.sorted { $0.name < $1.name },
            departements: visible.map(DepartementResponse.init),
            indicators: indicators.map(IndicatorNamesResponse.init),
            national: principal.scope.departementCodes == nil,
            today: today,
            defaultDay: try await context.tallies.defaultDay(today: today, departementCodes: principal.scope.departementCodes)))
    }
}

/// The rows of `GET /api/v1/tallies`,
/// `{"departement":…,"region":…,"date":…,"indicator":…,"value":…}`, written
/// once per département and day version and then only copied: a month's
/// answer is a few hundred kilobytes, and only today's day changes during a
/// campaign.
final class TallyRowFragments: @unchecked Sendable {
    /// One département's rows of one day, comma-separated, without brackets.
    struct Fragment: Sendable {
        let departementCode: String
        let json: [UInt8]
    }

    /// Each département's row opening, `{"departement":"…","region":"…","date":`,
    /// escaped once: the départements are fixed for the server's life.
    private let openings: [String: [UInt8]]
    // `days` is only touched under `lock`.
    private let lock = NSLock()
    private var days: [String: (version: Int64, fragments: [Fragment])] = [:]
    private let capacity = 2_000

    init(departements: [Departement]) {
        openings = Dictionary(uniqueKeysWithValues: departements.map { departement in
            (departement.code, Self.opening(name: departement.name, region: departement.region))
        })
    }

    /// The day's fragments in the order of its cells (département code).
    func fragments(of day: TallyDay) -> [Fragment] {
        if let held = lock.withLock({ days[day.day] }), held.version == day.version { return held.fragments }
        let fragments = write(day)
        lock.withLock {
            if days.count >= capacity { days.removeAll() }
            days[day.day] = (day.version, fragments)
        }
        return fragments
    }

    private func write(_ day: TallyDay) -> [Fragment] {
        var date = JSONWriter(capacity: 16)
        date.string(day.day)
        return day.departements.sorted { $0.value.lowerBound < $1.value.lowerBound }.map { code, range in
            let opening = openings[code] ?? Self.opening(name: code, region: "")
            var json = JSONWriter(capacity: range.count * 120)
            for (index, cell) in day.cells[range].enumerated() {
                if index > 0 { json.raw(",") }
                json.raw(opening)
                json.raw(date.bytes)
                json.raw(",\"indicator\":")
                json.string(cell.indicatorID)
                json.raw(",\"value\":")
                json.number(cell.value)
                json.raw("}")
            }
            return Fragment(departementCode: code, json: json.bytes)
        }
    }

    static func opening(name: String, region: String) -> [UInt8] {
        var json = JSONWriter(capacity: 96)
        json.raw("{\"departement\":")
        json.string(name)
        json.raw(",\"region\":")
        json.string(region)
        json.raw(",\"date\":")
        return json.bytes
    }
}
