import Foundation
import SuiviBasics
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// `GET /api/v1/reports/daily?date=D[&region=][&departement=]&format=json|csv|xlsx`:
/// the daily report. It holds no personal data (tallies, targets,
/// completeness, radio stations), so viewers may download it too.
struct ReportHandlers: Sendable {
    let context: AppContext
    let authentication: Authentication

    func daily(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.readTallies)
        let day = try TallyParameters.day(request)
        let parameters = try TallyParameters(request, principal: principal, departements: context.departements)
        let scopeName = parameters.departement?.name ?? parameters.region
            ?? (principal.scope.departementCodes == nil ? "Sénégal" : (principal.regionName(in: context.departements) ?? "Sénégal"))
        let report = try await DailyReportBuilder(context: context)
            .daily(day: day, departementCodes: parameters.departementCodes, scopeName: scopeName)
        let format = request.query["format"] ?? "json"
        let fileName = "suivi-rapport-\(day)"
        switch format {
        case "json":
            return JSONResponses.tallies(DailyReportResponse(report))
        case "csv":
            return Response(status: 200, contentType: "text/csv; charset=utf-8", body: DailyReportFiles.csv(report),
                            headers: [("Content-Disposition", "attachment; filename=\"\(fileName).csv\""),
                                      ("Cache-Control", "no-cache")])
        case "xlsx":
            let data = try await BlockingWork.run { try DailyReportFiles.xlsx(report) }
            return Response(status: 200, contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            body: data,
                            headers: [("Content-Disposition", "attachment; filename=\"\(fileName).xlsx\""),
                                      ("Cache-Control", "no-cache")])
        default:
            throw Problem.invalidParameter("format", "one of json, csv, xlsx")
        }
    }
}

/// The daily report as JSON: the day's tallies per département and their
/// totals, the monitoring table (as `/api/v1/targets/progress` writes it),
/// the completeness lines and the radio programmes.
struct DailyReportResponse: Encodable {
    struct Tally: Encodable {
        let departement: String
        let departementName: String
        let region: String
        /// By indicator id; indicators without a value are left out.
        let values: [String: Double]

        enum CodingKeys: String, CodingKey {
            case departement, departementName = "departement_name", region, values
        }
    }

    /// A programme's answers as the form's text (the hosts are left out).
    struct RadioProgramme: Encodable {
        let departement: String
        let departementName: String
        let station: String
        let durationMinutes: String
        let language: String
        let estimatedAudience: String

        enum CodingKeys: String, CodingKey {
            case departement, departementName = "departement_name", station, durationMinutes = "duration_minutes",
                 language, estimatedAudience = "estimated_audience"
        }
    }

    let date: String
    let scope: String
    let indicators: [IndicatorNamesResponse]
    let tallies: [Tally]
    let totals: [String: Double]
    let targets: JSONFragment
    let completeness: [CompletenessLineResponse]
    let radioProgrammes: [RadioProgramme]

    enum CodingKeys: String, CodingKey {
        case date, scope, indicators, tallies, totals, targets, completeness, radioProgrammes = "radio_programmes"
    }

    init(_ report: DailyReport) {
        date = report.day
        scope = report.scopeName
        indicators = report.indicators.map(IndicatorNamesResponse.init)
        tallies = report.departements.map {
            Tally(departement: $0.departement.code, departementName: $0.departement.name, region: $0.departement.region,
                  values: $0.values)
        }
        totals = report.totals
        targets = report.progress.fragment
        completeness = report.completeness.map(CompletenessLineResponse.init)
        radioProgrammes = report.radio.map {
            RadioProgramme(departement: $0.programme.departementCode, departementName: $0.departement?.name ?? "",
                           station: $0.programme.station, durationMinutes: $0.programme.durationMinutes,
                           language: $0.programme.language, estimatedAudience: $0.programme.estimatedAudience)
        }
    }
}

extension Principal {
    /// The name of a regional caller's region.
    func regionName(in departements: [Departement]) -> String? {
        regionCode.flatMap { code in departements.first { $0.regionCode == code }?.region }
    }
}

/// The daily report's tables as files.
enum DailyReportFiles {
    /// UTF-8 with a byte order mark (so Excel reads the accents right), comma
    /// separated, the tables one after the other under their titles.
    static func csv(_ report: DailyReport) -> Data {
        var lines: [String] = ["Rapport journalier Suivi,\(SpreadsheetCell.csvField(report.scopeName)),\(report.day)", ""]
        for table in report.tables {
            lines.append(SpreadsheetCell.csvField(table.title))
            lines.append(table.header.map(SpreadsheetCell.csvField).joined(separator: ","))
            for row in table.rows {
                lines.append(row.map { cell in
                    switch cell {
                    case .text(let text): SpreadsheetCell.csvField(text)
                    case .number(let value): TallyDifference.text(value)
                    case .empty: ""
                    }
                }.joined(separator: ","))
            }
            lines.append("")
        }
        return Data([0xEF, 0xBB, 0xBF]) + Data(lines.joined(separator: "\r\n").utf8)
    }

    /// One sheet per table, bold headers, readable column widths.
    static func xlsx(_ report: DailyReport) throws -> Data {
        let path = NSTemporaryDirectory() + "suivi-report-\(UUID().uuidString).xlsx"
        defer { unlink(path) }
        let workbook = try XLSXWorkbook(path: path)
        let names = ["Bilan", "Objectifs", "Complétude", "Radio"]
        for (index, table) in report.tables.enumerated() {
            // The workbook neutralises formula-like text itself.
            let sheet = try workbook.addSheet(named: index < names.count ? names[index] : table.title)
            try workbook.write(sheet, row: 0, column: 0, string: table.title, format: .header)
            for (column, title) in table.header.enumerated() {
                try workbook.write(sheet, row: 2, column: column, string: title, format: .header)
            }
            for (rowIndex, row) in table.rows.enumerated() {
                for (column, cell) in row.enumerated() {
                    switch cell {
                    case .text(let text): try workbook.write(sheet, row: 3 + rowIndex, column: column, string: text)
                    case .number(let value): try workbook.write(sheet, row: 3 + rowIndex, column: column, number: value)
                    case .empty: break
                    }
                }
            }
            for column in table.header.indices {
                let widest = ([table.header[column]] + table.rows.compactMap { row -> String? in
                    guard column < row.count, case .text(let text) = row[column] else { return nil }
                    return text
                }).map(\.count).max() ?? 10
                try workbook.setColumnWidth(sheet, column: column, width: Double(min(45, max(10, widest + 2))))
            }
        }
        try workbook.close()
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }
}
