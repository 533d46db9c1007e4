import Foundation
import SuiviBasics

/// Checks a record's answers against its form: types, required answers,
/// allowed choices, constraints, plus the campaign's own lenient checks
/// (phone and national ID number). It never refuses a record; it lists what
/// a coordinator should look at.
public struct SubmissionChecker: Sendable {
    public let form: FormDefinition

    public init(form: FormDefinition) {
        self.form = form
    }

    public func issues(in document: SubmissionDocument, receivedAt: Date) -> [AnswerIssue] {
        let context = AnswerContext(values: document.values, contextPath: "/", receivedAt: receivedAt)
        var issues: [AnswerIssue] = []
        var irrelevant = Set<String>()
        for field in form.fields {
            // Most records have every group relevant: no parent to look up.
            if !irrelevant.isEmpty, let parent = parentPath(field.path), irrelevant.contains(parent) {
                irrelevant.insert(field.path)
                continue
            }
            let here = context.at(field.path)
            if let relevant = field.relevant, !evaluate(relevant, here, default: true) {
                irrelevant.insert(field.path)
                continue
            }
            guard !field.isGroup, field.calculate == nil, field.preload == nil else { continue }
            let answer = document.value(at: field.path) ?? ""
            if answer.isEmpty {
                if let required = field.required, evaluate(required, here, default: false) {
                    issues.append(AnswerIssue(
                        field: field.path, kind: .missingRequired,
                        message: "Réponse obligatoire manquante : \(label(field, "fr")).",
                        englishMessage: "Required answer missing: \(label(field, "en"))."))
                }
                continue
            }
            if let typeIssue = typeIssue(field, answer) {
                issues.append(typeIssue)
                continue
            }
            if let constraint = field.constraint, !evaluate(constraint, here, default: true) {
                issues.append(AnswerIssue(
                    field: field.path, kind: .constraint,
                    message: "Réponse hors des limites pour « \(label(field, "fr")) » (\(constraint.text)).",
                    englishMessage: "Answer to '\(label(field, "en"))' breaks its constraint (\(constraint.text))."))
            }
        }
        issues.append(contentsOf: CampaignAdvisories.issues(in: document))
        return issues
    }

    private func parentPath(_ path: String) -> String? {
        // On the UTF-8 view: a Character search walks grapheme clusters, and
        // after a slash an XML name cannot start with a combining mark.
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")), slash != path.startIndex else { return nil }
        return String(path[..<slash])
    }

    /// An expression that cannot be evaluated (a function the server lacks)
    /// must not flag a good record, so it falls back to a neutral default.
    private func evaluate(_ expression: FormField.Expression, _ context: AnswerContext, default fallback: Bool) -> Bool {
        (try? expression.parsed.evaluateBoolean(in: context)) ?? fallback
    }

    private func label(_ field: FormField, _ language: String) -> String {
        let preferred = form.languages.first { $0.lowercased().contains("(\(language))") }
        return preferred.flatMap { field.labels[$0] } ?? field.labels.values.first ?? field.name
    }

    private func typeIssue(_ field: FormField, _ answer: String) -> AnswerIssue? {
        let valid: Bool
        let trimmed = answer.trimmingWhitespace()
        switch field.dataType {
        case .int: valid = Int(trimmed) != nil
        case .decimal: valid = Double(trimmed).map { $0.isFinite } ?? false
        case .date: valid = AnswerFormats.isDate(trimmed)
        case .dateTime: valid = AnswerFormats.isDateTime(trimmed)
        case .time: valid = AnswerFormats.isTime(trimmed)
        case .geopoint: valid = AnswerFormats.isGeopoint(trimmed)
        case .boolean: valid = ["true", "false", "1", "0"].contains(trimmed)
        case .select1:
            if let choices = field.choices, !choices.contains(where: { $0.value == trimmed }) {
                return AnswerIssue(
                    field: field.path, kind: .unknownChoice,
                    message: "Choix inconnu « \(trimmed) » pour « \(label(field, "fr")) ».",
                    englishMessage: "Unknown choice '\(trimmed)' for '\(label(field, "en"))'.")
            }
            valid = true
        case .select:
            if let choices = field.choices {
                let allowed = Set(choices.map(\.value))
                if let unknown = trimmed.split(separator: " ").first(where: { !allowed.contains(String($0)) }) {
                    return AnswerIssue(
                        field: field.path, kind: .unknownChoice,
                        message: "Choix inconnu « \(unknown) » pour « \(label(field, "fr")) ».",
                        englishMessage: "Unknown choice '\(unknown)' for '\(label(field, "en"))'.")
                }
            }
            valid = true
        default: valid = true
        }
        guard !valid else { return nil }
        return AnswerIssue(
            field: field.path, kind: .wrongType,
            message: "Réponse de type incorrect pour « \(label(field, "fr")) » (\(field.dataType.rawValue) attendu).",
            englishMessage: "Answer to '\(label(field, "en"))' is not a valid \(field.dataType.rawValue).")
    }
}

/// The answers of one record as the expression evaluator sees them.
struct AnswerContext: XPathEvaluationContext {
    let values: [String: [String]]
    let contextPath: String
    let receivedAt: Date

    var today: Int { Int((receivedAt.timeIntervalSince1970 / 86_400).rounded(.down)) }
    var now: Date { receivedAt }

    func values(atPath path: String) -> [String] {
        values[path] ?? []
    }

    func at(_ path: String) -> AnswerContext {
        AnswerContext(values: values, contextPath: path, receivedAt: receivedAt)
    }
}

/// Checks of answer formats as ODK writes them.
enum AnswerFormats {
    /// ODK's date type takes any year (a building's date, a deed's): flag
    /// only what is not a day at all.
    static func isDate(_ text: String) -> Bool {
        CalendarDay.isValid(text, years: 1...9999)
    }

    static func isTime(_ text: String) -> Bool {
        let clock = text.prefix(8)
        let parts = clock.split(separator: ":")
        guard parts.count == 3, let hour = Int(parts[0]), let minute = Int(parts[1]),
              let second = Int(parts[2]) else { return false }
        return (0...23).contains(hour) && (0...59).contains(minute) && (0...60).contains(second)
    }

    static func isDateTime(_ text: String) -> Bool {
        guard let separator = text.firstIndex(of: "T") else { return false }
        return isDate(String(text[..<separator])) && isTime(String(text[text.index(after: separator)...]))
    }

    /// "lat lon [altitude [accuracy]]".
    static func isGeopoint(_ text: String) -> Bool {
        let numbers = text.split(separator: " ").map { Double($0) }
        guard (2...4).contains(numbers.count), !numbers.contains(where: { $0 == nil }),
              let latitude = numbers[0], let longitude = numbers[1] else { return false }
        return abs(latitude) <= 90 && abs(longitude) <= 180
    }
}
