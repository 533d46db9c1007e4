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
        // Paths (with repeat positions inside repeats) of nodes not relevant.
        var irrelevant = Set<String>()
        // Most forms have no repeat: nothing more to read from the record.
        let repeats = form.repeatPaths.isEmpty ? nil : RepeatInstances(tree: document.tree, repeatPaths: form.repeatPaths)
        for field in form.fields {
            guard let repeats, let repeatPath = form.enclosingRepeat(of: field.path) else {
                check(field, answer: document.value(at: field.path) ?? "", at: field.path,
                      in: context.at(field.path), irrelevant: &irrelevant, issues: &issues)
                continue
            }
            // Once per instance, in the record's order; none when it has none.
            let suffix = field.path.dropFirst(repeatPath.count)
            for index in repeats.byRepeat[repeatPath] ?? [] {
                let instance = repeats.all[index]
                let here = InstanceAnswerContext(record: document.values, instances: repeats.all, chain: instance.chain,
                                                 contextPath: field.path, receivedAt: receivedAt)
                check(field, answer: instance.values[field.path]?.first ?? "", at: instance.key + suffix,
                      in: here, irrelevant: &irrelevant, issues: &issues)
            }
        }
        issues.append(contentsOf: CampaignAdvisories.issues(in: document))
        return issues
    }

    /// Checks one answer (one instance's, inside a repeat). `key` is where
    /// it is in the record: its path, with repeat positions inside repeats.
    private func check(_ field: FormField, answer: String, at key: String, in here: some XPathEvaluationContext,
                       irrelevant: inout Set<String>, issues: inout [AnswerIssue]) {
        // Most records have every group relevant: no parent to look up.
        if !irrelevant.isEmpty, let parent = parentPath(key), irrelevant.contains(parent) {
            irrelevant.insert(key)
            return
        }
        if let relevant = field.relevant, !evaluate(relevant, here, default: true) {
            irrelevant.insert(key)
            return
        }
        guard !field.isGroup, field.calculate == nil, field.preload == nil else { return }
        if answer.isEmpty {
            if let required = field.required, evaluate(required, here, default: false) {
                issues.append(AnswerIssue(
                    field: key, kind: .missingRequired,
                    message: "Réponse obligatoire manquante : \(label(field, "fr")).",
                    englishMessage: "Required answer missing: \(label(field, "en"))."))
            }
            return
        }
        if let typeIssue = typeIssue(field, answer, at: key, in: here) {
            issues.append(typeIssue)
            return
        }
        if let constraint = field.constraint, !evaluate(constraint, here, default: true) {
            issues.append(AnswerIssue(
                field: key, kind: .constraint,
                message: "Réponse hors des limites pour « \(label(field, "fr")) » (\(constraint.text)).",
                englishMessage: "Answer to '\(label(field, "en"))' breaks its constraint (\(constraint.text))."))
        }
    }

    private func parentPath(_ path: String) -> String? {
        // On the UTF-8 view: a Character search walks grapheme clusters, and
        // after a slash an XML name cannot start with a combining mark.
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")), slash != path.startIndex else { return nil }
        return String(path[..<slash])
    }

    /// An expression that cannot be evaluated (a function the server lacks)
    /// must not flag a good record, so it falls back to a neutral default.
    private func evaluate(_ expression: FormField.Expression, _ context: some XPathEvaluationContext,
                          default fallback: Bool) -> Bool {
        (try? expression.parsed.evaluateBoolean(in: context)) ?? fallback
    }

    private func label(_ field: FormField, _ language: String) -> String {
        let preferred = form.languages.first { $0.lowercased().contains("(\(language))") }
        return preferred.flatMap { field.labels[$0] } ?? field.labels.values.first ?? field.name
    }

    /// An answer not in the select's list, or in it but not offered given
    /// the record's other answers (`choice_filter`). A filter the server
    /// cannot evaluate does not judge.
    private func choiceIssue(_ field: FormField, _ value: String, at key: String,
                             in here: some XPathEvaluationContext) -> AnswerIssue? {
        guard let choices = field.choices else { return nil }
        guard let filter = field.choiceFilter else {
            if choices.contains(where: { $0.value == value }) { return nil }
            return unknownChoice(field, value, at: key)
        }
        // A value may stand on several items (the same commune name in two
        // départements): offered when one of them passes.
        var listed = false
        for choice in choices where choice.value == value {
            listed = true
            if filter.admits(choice.fields, answers: here) != false { return nil }
        }
        guard listed else { return unknownChoice(field, value, at: key) }
        return AnswerIssue(
            field: key, kind: .unknownChoice,
            message: "Choix « \(value) » non proposé pour « \(label(field, "fr")) » avec les réponses précédentes.",
            englishMessage: "Choice '\(value)' is not offered for '\(label(field, "en"))' given the earlier answers.")
    }

    private func unknownChoice(_ field: FormField, _ value: String, at key: String) -> AnswerIssue {
        AnswerIssue(
            field: key, kind: .unknownChoice,
            message: "Choix inconnu « \(value) » pour « \(label(field, "fr")) ».",
            englishMessage: "Unknown choice '\(value)' for '\(label(field, "en"))'.")
    }

    private func typeIssue(_ field: FormField, _ answer: String, at key: String,
                           in here: some XPathEvaluationContext) -> AnswerIssue? {
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
            if let issue = choiceIssue(field, trimmed, at: key, in: here) { return issue }
            valid = true
        case .select:
            for value in trimmed.split(separator: " ") {
                if let issue = choiceIssue(field, String(value), at: key, in: here) { return issue }
            }
            valid = true
        default: valid = true
        }
        guard !valid else { return nil }
        return AnswerIssue(
            field: key, kind: .wrongType,
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
