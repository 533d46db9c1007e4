import Foundation
import SuiviBasics

/// The functions bind expressions may call (XPath 1.0 core plus the ODK XForms extensions),
/// looked up by name at evaluation time so an unknown function is reported, not a parse failure.
struct XPathFunctionLibrary: Sendable {
    /// A function's accepted argument counts and body; bodies receive unevaluated arguments so
    /// `if()` and `coalesce()` evaluate only what they need.
    struct Definition: Sendable {
        let arity: ClosedRange<Int>
        let body: @Sendable (XPathFunctionCall) throws -> XPathValue
    }

    let definitions: [String: Definition]

    /// Functions that read the context node when called without arguments.
    static let readsContextNodeWithoutArguments: Set<String> = ["string", "number", "string-length", "normalize-space"]

    /// Functions deliberately left out because Suivi evaluates binds outside any node list.
    private static let unsupported: Set<String> = ["position", "last", "instance", "current", "jr:choice-name", "jr:itext"]

    func call(_ name: String, arguments: [XPathExpression], in context: some XPathEvaluationContext) throws -> XPathValue {
        guard let definition = definitions[name] else {
            let reason = Self.unsupported.contains(name) ? "is not supported" : "is unknown"
            throw XPathEvaluationError(message: "Function \(name)() \(reason)")
        }
        guard definition.arity.contains(arguments.count) else {
            throw XPathEvaluationError(
                message: "Function \(name)() takes \(Self.describe(definition.arity)) argument(s), got \(arguments.count)"
            )
        }
        return try definition.body(XPathFunctionCall(name: name, arguments: arguments, context: context))
    }

    private static func describe(_ arity: ClosedRange<Int>) -> String {
        if arity.lowerBound == arity.upperBound { return "\(arity.lowerBound)" }
        if arity.upperBound == Int.max { return "at least \(arity.lowerBound)" }
        return "\(arity.lowerBound) to \(arity.upperBound)"
    }

    static let standard = XPathFunctionLibrary(
        definitions: XPathCoreFunctions.definitions
            .merging(XPathStringFunctions.definitions) { first, _ in first }
            .merging(XPathNumericFunctions.definitions) { first, _ in first }
            .merging(XPathODKFunctions.definitions) { first, _ in first }
    )
}

/// One invocation: arguments plus helpers converting them as XPath functions expect.
struct XPathFunctionCall {
    let name: String
    let arguments: [XPathExpression]
    let context: any XPathEvaluationContext

    /// The arity was checked before the body runs, so indices within it are valid; an out of range
    /// index (a programming error in a definition) still yields an error rather than a crash.
    func value(_ index: Int) throws -> XPathValue {
        guard arguments.indices.contains(index) else {
            throw XPathEvaluationError(message: "Function \(name)() is missing argument \(index + 1)")
        }
        return try arguments[index].evaluate(in: context)
    }

    func string(_ index: Int) throws -> String { try value(index).stringValue }
    func number(_ index: Int) throws -> Double { try value(index).numberValue }
    func boolean(_ index: Int) throws -> Bool { try value(index).booleanValue }

    /// The string of argument `index`, or of the context node when the argument is omitted.
    func stringOrContext(_ index: Int) throws -> String {
        arguments.indices.contains(index) ? try string(index) : contextNode.stringValue
    }

    func nodeSet(_ index: Int) throws -> [String] {
        guard case .nodeSet(let nodes) = try value(index) else {
            throw XPathEvaluationError(message: "Function \(name)() expects a path as argument \(index + 1)")
        }
        return nodes
    }

    /// All argument values flattened: node-sets contribute every node (how ODK's concat, min and max treat repeats).
    func flattenedArguments() throws -> [XPathValue] {
        try arguments.indices.flatMap { index -> [XPathValue] in
            let argument = try value(index)
            if case .nodeSet(let nodes) = argument { return nodes.map(XPathValue.string) }
            return [argument]
        }
    }

    var contextNode: XPathValue {
        .nodeSet(context.values(atPath: context.contextPath))
    }
}

private typealias Definition = XPathFunctionLibrary.Definition

// MARK: - XPath 1.0 core

/// Boolean and conversion functions of XPath 1.0.
private enum XPathCoreFunctions {
    static let definitions: [String: Definition] = [
        "true": Definition(arity: 0...0) { _ in .boolean(true) },
        "false": Definition(arity: 0...0) { _ in .boolean(false) },
        "not": Definition(arity: 1...1) { .boolean(!(try $0.boolean(0))) },
        "boolean": Definition(arity: 1...1) { .boolean(try $0.boolean(0)) },
        "string": Definition(arity: 0...1) { .string(try $0.stringOrContext(0)) },
        "number": Definition(arity: 0...1) { call in
            .number(call.arguments.isEmpty ? call.contextNode.numberValue : try call.number(0))
        },
        "count": Definition(arity: 1...1) { .number(Double(try $0.nodeSet(0).count)) },
        "sum": Definition(arity: 1...1) { call in
            .number(try call.nodeSet(0).reduce(0) { $0 + XPathValue.parseNumber($1) })
        },
    ]
}

/// String functions of XPath 1.0, counting characters as users see them.
private enum XPathStringFunctions {
    static let definitions: [String: Definition] = [
        "concat": Definition(arity: 0...Int.max) { call in
            .string(try call.flattenedArguments().map(\.stringValue).joined())
        },
        "contains": Definition(arity: 2...2) { .boolean(try $0.string(0).contains(try $0.string(1))) },
        "starts-with": Definition(arity: 2...2) { .boolean(try $0.string(0).hasPrefix(try $0.string(1))) },
        "ends-with": Definition(arity: 2...2) { .boolean(try $0.string(0).hasSuffix(try $0.string(1))) },
        "substring-before": Definition(arity: 2...2) { call in
            let (text, separator) = (try call.string(0), try call.string(1))
            guard !separator.isEmpty, let range = text.range(of: separator) else { return .string("") }
            return .string(String(text[..<range.lowerBound]))
        },
        "substring-after": Definition(arity: 2...2) { call in
            let (text, separator) = (try call.string(0), try call.string(1))
            guard !separator.isEmpty else { return .string(text) }
            guard let range = text.range(of: separator) else { return .string("") }
            return .string(String(text[range.upperBound...]))
        },
        "substring": Definition(arity: 2...3) { call in
            let length = call.arguments.count == 3 ? try call.number(2) : .infinity
            return .string(substring(try call.string(0), start: try call.number(1), length: length))
        },
        "string-length": Definition(arity: 0...1) { .number(Double(try $0.stringOrContext(0).count)) },
        "normalize-space": Definition(arity: 0...1) { call in
            .string(try call.stringOrContext(0).split(whereSeparator: \.isWhitespace).joined(separator: " "))
        },
        "translate": Definition(arity: 3...3) { call in
            .string(translate(try call.string(0), from: try call.string(1), to: try call.string(2)))
        },
        "lower-case": Definition(arity: 1...1) { .string(try $0.string(0).lowercased()) },
        "upper-case": Definition(arity: 1...1) { .string(try $0.string(0).uppercased()) },
    ]

    /// XPath 1.0 substring: 1-based, positions rounded, keeping characters p with
    /// round(start) <= p < round(start) + round(length); NaN selects nothing.
    static func substring(_ text: String, start: Double, length: Double) -> String {
        let first = XPathNumericFunctions.xpathRound(start)
        let end = first + XPathNumericFunctions.xpathRound(length)
        var result = ""
        for (offset, character) in text.enumerated() {
            let position = Double(offset + 1)
            if position >= first, position < end { result.append(character) }
        }
        return result
    }

    /// Replaces each character found in `from` with the one at the same position in `to`,
    /// deleting it when `to` is shorter; the first occurrence in `from` wins.
    static func translate(_ text: String, from: String, to: String) -> String {
        let replacements = Array(to)
        var replacementFor: [Character: Character] = [:]
        var deleted: Set<Character> = []
        for (offset, character) in from.enumerated() where replacementFor[character] == nil && !deleted.contains(character) {
            if replacements.indices.contains(offset) {
                replacementFor[character] = replacements[offset]
            } else {
                deleted.insert(character)
            }
        }
        return String(text.compactMap { deleted.contains($0) ? nil : replacementFor[$0] ?? $0 })
    }
}

// MARK: - Numbers

/// Numeric functions of XPath 1.0 and ODK (int, round with digits, min/max, pow).
private enum XPathNumericFunctions {
    static let definitions: [String: Definition] = [
        "floor": Definition(arity: 1...1) { .number(try $0.number(0).rounded(.down)) },
        "ceiling": Definition(arity: 1...1) { .number(try $0.number(0).rounded(.up)) },
        "abs": Definition(arity: 1...1) { .number(abs(try $0.number(0))) },
        "int": Definition(arity: 1...1) { .number(try $0.number(0).rounded(.towardZero)) },
        "round": Definition(arity: 1...2) { call in
            let value = try call.number(0)
            guard call.arguments.count == 2 else { return .number(xpathRound(value)) }
            return .number(round(value, digits: try call.number(1)))
        },
        "pow": Definition(arity: 2...2) { .number(Foundation.pow(try $0.number(0), try $0.number(1))) },
        "sqrt": Definition(arity: 1...1) { .number((try $0.number(0)).squareRoot()) },
        "min": Definition(arity: 1...Int.max) { call in
            .number(try extreme(of: call.flattenedArguments(), by: <))
        },
        "max": Definition(arity: 1...Int.max) { call in
            .number(try extreme(of: call.flattenedArguments(), by: >))
        },
    ]

    /// XPath round(): halves go towards positive infinity (round(-2.5) = -2).
    static func xpathRound(_ value: Double) -> Double {
        guard value.isFinite else { return value }
        return (value + 0.5).rounded(.down)
    }

    /// ODK round(x, digits): halves away from zero, as users expect from a calculator.
    private static func round(_ value: Double, digits: Double) -> Double {
        guard value.isFinite, digits.isFinite else { return .nan }
        let scale = Foundation.pow(10, digits.rounded(.towardZero))
        guard scale.isFinite, scale > 0 else { return value }
        return (value * scale).rounded(.toNearestOrAwayFromZero) / scale
    }

    /// Min or max of the values as numbers; NaN when there are none or one is not a number.
    private static func extreme(of values: [XPathValue], by isBetter: (Double, Double) -> Bool) -> Double {
        let numbers = values.map(\.numberValue)
        guard var best = numbers.first, !numbers.contains(where: \.isNaN) else { return .nan }
        for number in numbers where isBetter(number, best) { best = number }
        return best
    }
}

// MARK: - ODK XForms extensions

/// Functions the ODK XForms spec adds: multiple-choice lists, dates, regex, coalesce, if, once, uuid.
private enum XPathODKFunctions {
    static let definitions: [String: Definition] = [
        "selected": Definition(arity: 2...2) { call in
            let choice = try call.string(1).trimmingWhitespace()
            return .boolean(choices(in: try call.string(0)).contains(choice))
        },
        "count-selected": Definition(arity: 1...1) { .number(Double(choices(in: try $0.string(0)).count)) },
        "selected-at": Definition(arity: 2...2) { call in
            let list = choices(in: try call.string(0))
            let position = try call.number(1)
            // Out of range gives "" rather than an error so a short list does not fail the whole bind.
            guard position.isFinite, position >= 0, position < Double(list.count) else { return .string("") }
            return .string(list[Int(position)])
        },
        "boolean-from-string": Definition(arity: 1...1) { call in
            let text = try call.string(0)
            return .boolean(text == "true" || text == "1")
        },
        "regex": Definition(arity: 2...2) { .boolean(try matches(try $0.string(0), pattern: try $0.string(1))) },
        "coalesce": Definition(arity: 2...2) { call in
            let first = try call.value(0)
            return first.stringValue.isEmpty ? try call.value(1) : first
        },
        "if": Definition(arity: 3...3) { call in
            try call.boolean(0) ? try call.value(1) : try call.value(2)
        },
        "once": Definition(arity: 1...1) { try $0.value(0) },
        "uuid": Definition(arity: 0...0) { _ in .string(UUID().uuidString.lowercased()) },
        "today": Definition(arity: 0...0) { .date(days: $0.context.today) },
        // XPathValue has no time of day, so now() is the UTC day of the context's instant.
        "now": Definition(arity: 0...0) { call in
            let days = (call.context.now.timeIntervalSince1970 / XPathCalendar.secondsPerDay).rounded(.down)
            return XPathCalendar.date(fromDayNumber: days)
        },
        "date": Definition(arity: 1...1) { XPathCalendar.date(from: try $0.value(0)) },
        "date-time": Definition(arity: 1...1) { XPathCalendar.date(from: try $0.value(0)) },
        "decimal-date-time": Definition(arity: 1...1) { call in
            let value = try call.value(0)
            if case .date(let days) = value { return .number(Double(days)) }
            if case .number(let days) = value { return .number(days) }
            return .number(XPathCalendar.fractionalDays(fromDateTimeString: value.stringValue) ?? .nan)
        },
        "format-date": Definition(arity: 2...2) { call in
            guard case .date(let days) = XPathCalendar.date(from: try call.value(0)) else { return .string("") }
            return .string(XPathCalendar.format(days: days, pattern: try call.string(1)))
        },
    ]

    /// Answers of select_multiple questions are space-separated choice names.
    private static func choices(in list: String) -> [String] {
        list.split(whereSeparator: \.isWhitespace).map(String.init)
    }

    /// ODK regex(): true when the pattern matches anywhere in the value (patterns are usually anchored).
    private static func matches(_ value: String, pattern: String) throws -> Bool {
        let expression: NSRegularExpression
        do {
            expression = try NSRegularExpression(pattern: pattern)
        } catch {
            throw XPathEvaluationError(message: "Invalid regular expression '\(pattern)'")
        }
        let range = NSRange(value.startIndex..<value.endIndex, in: value)
        return expression.firstMatch(in: value, range: range) != nil
    }
}

// MARK: - Dates

/// Proleptic Gregorian calendar arithmetic on day numbers, done by hand so results never depend on
/// the server's time zone or locale.
enum XPathCalendar {
    static let secondsPerDay = 86_400.0
    private static let monthAbbreviations = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let weekdayAbbreviations = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    /// ODK date(): strings "YYYY-MM-DD[T...]" and day numbers become dates; "" stays "" and anything
    /// else is NaN, so comparisons with it are false instead of failing the whole evaluation.
    static func date(from value: XPathValue) -> XPathValue {
        switch value {
        case .date:
            return value
        case .number(let days):
            return date(fromDayNumber: days)
        case .boolean:
            return .number(.nan)
        case .string, .nodeSet:
            let text = value.stringValue.trimmingWhitespace()
            if text.isEmpty { return .string("") }
            if let days = days(fromDateString: text) { return .date(days: days) }
            return date(fromDayNumber: XPathValue.parseNumber(text))
        }
    }

    /// Days beyond ±100 million (about 270,000 years) are not dates; the bound keeps the arithmetic overflow-free.
    static func isSupported(days: Int) -> Bool {
        abs(days) < 100_000_000
    }

    static func date(fromDayNumber days: Double) -> XPathValue {
        guard days.isFinite, abs(days) < 100_000_000 else { return .number(.nan) }
        return .date(days: Int(days.rounded(.down)))
    }

    /// Reads "YYYY-MM-DD", optionally followed by a time ("T10:00:00.000+00:00"), whose date part is kept as written.
    static func days(fromDateString text: String) -> Int? {
        let scalars = Array(text.trimmingWhitespace().unicodeScalars)
        guard scalars.count == 10 || (scalars.count > 10 && scalars[10] == "T"),
              scalars[4] == "-", scalars[7] == "-",
              let year = integer(scalars[0..<4]), let month = integer(scalars[5..<7]), let day = integer(scalars[8..<10]),
              (1...12).contains(month), (1...daysInMonth(month, year: year)).contains(day)
        else { return nil }
        return daysSinceEpoch(year: year, month: month, day: day)
    }

    /// decimal-date-time(): days since 1970 in UTC with the time as a fraction; nil when unreadable.
    static func fractionalDays(fromDateTimeString text: String) -> Double? {
        let trimmed = text.trimmingWhitespace()
        guard let days = days(fromDateString: trimmed) else { return nil }
        let scalars = Array(trimmed.unicodeScalars)
        guard scalars.count > 10 else { return Double(days) }
        guard let seconds = secondsIntoDay(Array(scalars[11...])) else { return nil }
        return Double(days) + seconds / secondsPerDay
    }

    /// Parses "HH:MM[:SS[.fff]][Z|±HH:MM]" and returns seconds since midnight UTC.
    private static func secondsIntoDay(_ time: [Unicode.Scalar]) -> Double? {
        guard time.count >= 5, time[2] == ":", let hours = integer(time[0..<2]), let minutes = integer(time[3..<5]) else {
            return nil
        }
        var index = 5
        var seconds = 0.0
        if index < time.count, time[index] == ":" {
            let start = index + 1
            index = start
            while index < time.count, time[index] == "." || ("0"..."9").contains(time[index]) { index += 1 }
            guard let parsed = Double(String(String.UnicodeScalarView(time[start..<index]))) else { return nil }
            seconds = parsed
        }
        let zone = Array(time[index...])
        var offsetMinutes = 0
        if zone.count == 6, zone[0] == "+" || zone[0] == "-", zone[3] == ":",
           let zoneHours = integer(zone[1..<3]), let zoneMinutes = integer(zone[4..<6]) {
            offsetMinutes = (zoneHours * 60 + zoneMinutes) * (zone[0] == "-" ? -1 : 1)
        } else if !(zone.isEmpty || zone == ["Z"]) {
            return nil
        }
        return Double((hours * 60 + minutes - offsetMinutes) * 60) + seconds
    }

    static func isoDate(days: Int) -> String {
        guard isSupported(days: days) else { return "" }
        let (year, month, day) = civilDate(days: days)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// format-date(): %Y %y %m %n %d %e %b %a; time fields are zero because dates carry no time.
    static func format(days: Int, pattern: String) -> String {
        guard isSupported(days: days) else { return "" }
        let (year, month, day) = civilDate(days: days)
        var result = ""
        var pendingPercent = false
        for character in pattern {
            guard pendingPercent else {
                if character == "%" { pendingPercent = true } else { result.append(character) }
                continue
            }
            pendingPercent = false
            switch character {
            case "Y": result += pad(year, 4)
            case "y": result += pad(((year % 100) + 100) % 100, 2)
            case "m": result += pad(month, 2)
            case "n": result += String(month)
            case "d": result += pad(day, 2)
            case "e": result += String(day)
            case "b": result += monthAbbreviations[month - 1]
            case "a": result += weekdayAbbreviations[((days % 7) + 7 + 4) % 7]  // 1970-01-01 was a Thursday
            case "H", "M", "S": result += "00"
            case "h": result += "0"
            case "3": result += "000"
            default: result += "%" + String(character)
            }
        }
        return pendingPercent ? result + "%" : result
    }

    /// Days from 1970-01-01 to a Gregorian date (Howard Hinnant's days_from_civil).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The inverse of `daysSinceEpoch` (Howard Hinnant's civil_from_days).
    static func civilDate(days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// A run of ASCII digits as an integer; nil if anything else is in it.
    private static func integer(_ digits: ArraySlice<Unicode.Scalar>) -> Int? {
        // Digit by digit: no String made for two or four digits of every date compared.
        guard !digits.isEmpty, digits.count <= 18 else { return nil }
        var value = 0
        for digit in digits {
            guard ("0"..."9").contains(digit) else { return nil }
            value = value * 10 + Int(digit.value - 0x30)
        }
        return value
    }

    private static func pad(_ number: Int, _ width: Int) -> String {
        let digits = String(abs(number))
        return (number < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
