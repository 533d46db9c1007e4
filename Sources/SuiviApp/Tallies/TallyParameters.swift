import Foundation
import SuiviBasics
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// The query parameters the tally routes share: a period and a place
/// (`region` or `departement`, by name or code, within the caller's scope).
struct TallyParameters {
    let from: String
    let to: String
    /// Nil: every département (the caller sees them all).
    let departementCodes: [String]?
    /// What the place parameters named, for titles.
    let region: String?
    let departement: Departement?

    static let longestPeriodDays = 366

    /// `requirePeriod`: `from` and `to` are mandatory (the tallies API);
    /// otherwise `date` (default today) stands for both.
    init(_ request: Request, principal: Principal, departements: [Departement], requirePeriod: Bool = false) throws {
        if requirePeriod || request.query["from"] != nil || request.query["to"] != nil {
            guard let from = request.query["from"], CalendarDay.isValid(from) else {
                throw Problem.invalidParameter("from", "required: a date YYYY-MM-DD")
            }
            guard let to = request.query["to"], CalendarDay.isValid(to) else {
                throw Problem.invalidParameter("to", "required: a date YYYY-MM-DD")
            }
            guard from <= to else { throw Problem.invalidDateRange("from \(from) is after to \(to)") }
            guard Self.days(from: from, to: to) <= Self.longestPeriodDays else {
                throw Problem.invalidDateRange("longer than \(Self.longestPeriodDays) days")
            }
            self.from = from
            self.to = to
        } else {
            let day = try Self.day(request)
            from = day
            to = day
        }

        var codes = principal.scope.departementCodes
        if let text = request.query["departement"], !text.isEmpty {
            guard let found = Self.departement(text, in: departements) else { throw Problem.unknownDepartementFilter(text) }
            try principal.requireDepartement(found.code)
            departement = found
            region = found.region
            codes = [found.code]
        } else if let text = request.query["region"], !text.isEmpty {
            let wanted = Self.fold(text)
            let inRegion = departements.filter { $0.regionCode == wanted || Self.fold($0.region) == wanted }
            guard let first = inRegion.first else { throw Problem.unknownRegion(text) }
            let allowed = inRegion.map(\.code).filter { principal.scope.includes($0) }
            guard !allowed.isEmpty else { throw Problem.forbidden() }
            departement = nil
            region = first.region
            codes = allowed
        } else {
            departement = nil
            region = nil
        }
        departementCodes = codes
    }

    /// `date`, default today (Senegal is on UTC all year).
    static func day(_ request: Request, name: String = "date") throws -> String {
        guard let text = request.query[name], !text.isEmpty else { return CalendarDay.string(of: Date()) }
        guard CalendarDay.isValid(text) else { throw Problem.invalidParameter(name, "expected a date YYYY-MM-DD") }
        return text
    }

    static func departement(_ text: String, in departements: [Departement]) -> Departement? {
        let wanted = fold(text)
        return departements.first { $0.code == wanted || fold($0.name) == wanted || $0.code == wanted.replacingOccurrences(of: " ", with: "-") }
    }

    static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .trimmingCharacters(in: .whitespaces).lowercased()
    }

    static func days(from: String, to: String) -> Int {
        let format = Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day()
        guard let start = try? format.parse(from), let end = try? format.parse(to) else { return .max }
        return Int(end.timeIntervalSince(start) / 86_400) + 1
    }
}
