import Foundation
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// Tallies, roll-ups, targets and reporting completeness: no personal data,
/// readable by every signed-in role with `.readTallies`, within its scope.
struct TallyHandlers: Sendable {
    let context: AppContext
    let authentication: Authentication
    let reports: DailyReportBuilder

    /// Each département's row opening, `{"departement":"…","region":"…","date":`,
    /// escaped once: the départements are fixed for the server's life.
    let rowOpenings: [String: [UInt8]]

    init(context: AppContext, authentication: Authentication) {
        self.context = context
        self.authentication = authentication
        self.reports = DailyReportBuilder(context: context)
        rowOpenings = Dictionary(uniqueKeysWithValues: context.departements.map { departement in
            (departement.code, TallyRowsWriter.opening(name: departement.name, region: departement.region))
        })
    }

    private var departementsByCode: [String: Departement] {
        Dictionary(uniqueKeysWithValues: context.departements.map { ($0.code, $0) })
    }

    /// `GET /api/v1/tallies?from=&to=[&departement=]`: rows
    /// `{departement, region, date, indicator, value}` (see docs/tallies.md).
    func tallies(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.readTallies)
        let parameters = try TallyParameters(request, principal: principal, departements: context.departements,
                                             requirePeriod: true)
        let days = TallyParameters.days(from: parameters.from, to: parameters.to)
        let places = parameters.departementCodes?.count ?? rowOpenings.count
        let writer = try await context.tallies.visitTallies(
            from: parameters.from, to: parameters.to, departementCodes: parameters.departementCodes,
            TallyRowsWriter(openings: rowOpenings, expectedRows: days * places * 4))
        return Response(status: 200, contentType: "application/json; charset=utf-8", body: writer.finish(),
                        headers: [("Cache-Control", "no-cache")])
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
        let rows: [[String: Any]] = order.sorted { ($0.key, $0.indicator) < ($1.key, $1.indicator) }.map { group in
            let total = totals[group]!
            return ["key": group.key, "name": labels[group.key]?.name ?? group.key,
                    "region": labels[group.key]?.region ?? "", "indicator": group.indicator,
                    "value": total.0, "records": total.1]
        }
        return JSONWriter.response(["from": parameters.from, "to": parameters.to, "by": by, "rows": rows])
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
        return Response(status: 200, contentType: "application/json; charset=utf-8", body: json.data,
                        headers: [("Cache-Control", "no-cache")])
    }

    /// `GET /api/v1/completeness?date=D | from=&to= [&region=][&departement=]`.
    func completeness(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.readTallies)
        let parameters = try TallyParameters(request, principal: principal, departements: context.departements)
        let rows = try await reports.completeness(from: parameters.from, to: parameters.to,
                                                  departementCodes: parameters.departementCodes)
        return JSONWriter.response(["from": parameters.from, "to": parameters.to, "rows": rows.map(\.json)])
    }

    /// `GET /api/v1/dashboard/places`: the regions and départements the
    /// caller may drill into, for the dashboard's menus.
    func places(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.readTallies)
        let visible = context.departements.filter { principal.scope.includes($0.code) }
        let today = RecordSummary.day(of: Date())
        var regions: [String: [String: String]] = [:]
        for departement in visible { regions[departement.regionCode] = ["code": departement.regionCode, "name": departement.region] }
        let indicators = try await context.indicators.all().filter(\.active).map { indicator -> [String: Any] in
            ["id": indicator.id, "name_fr": indicator.nameFrench, "name_en": indicator.nameEnglish]
        }
        return JSONWriter.response([
            "regions": regions.values.sorted { $0["name"]! < $1["name"]! },
            "departements": visible.map { ["code": $0.code, "name": $0.name, "region_code": $0.regionCode, "region": $0.region] },
            "indicators": indicators,
            "national": principal.scope.departementCodes == nil,
            "today": today,
            "default_day": try await context.tallies.defaultDay(
                today: today, departementCodes: principal.scope.departementCodes),
        ])
    }
}

/// Writes the rows of `GET /api/v1/tallies` straight from the database
/// cursor: `{"departement":…,"region":…,"date":…,"indicator":…,"value":…}`,
/// the same bytes JSONWriter gave from a row array, without the array.
struct TallyRowsWriter: TallyVisitor {
    let openings: [String: [UInt8]]
    private var json: JSONWriter
    private var rows = 0
    /// The previous row's département code and opening: rows come grouped
    /// by day and département, so most rows reuse them.
    private var lastCode: [UInt8] = []
    private var lastOpening: [UInt8] = []

    init(openings: [String: [UInt8]], expectedRows: Int) {
        self.openings = openings
        // Untouched capacity costs no page: reserving generously avoids
        // copying the answer as it grows.
        json = JSONWriter(capacity: 64 + min(expectedRows, 200_000) * 120)
        json.raw("[")
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

    mutating func visit(_ tally: TallyCell) {
        if rows > 0 { json.raw(",") }
        rows += 1
        if !(tally.departementCode == lastCode) {
            lastCode = Array(tally.departementCode.bytes)
            let code = tally.departementCode.string
            lastOpening = openings[code] ?? Self.opening(name: code, region: "")
        }
        json.raw(lastOpening)
        json.string(tally.day.bytes)
        json.raw(",\"indicator\":")
        json.string(tally.indicatorID.bytes)
        json.raw(",\"value\":")
        json.number(tally.value)
        json.raw("}")
    }

    consuming func finish() -> Data {
        json.raw("]")
        return json.data
    }
}
