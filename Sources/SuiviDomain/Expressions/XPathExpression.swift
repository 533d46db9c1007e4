import Foundation
import SuiviBasics

// MARK: - Syntax tree

/// A parsed bind expression (`relevant`, `constraint`, `required`, `calculate`), kept as a tree so it
/// can be evaluated against many submissions and inspected for the answers it depends on.
public indirect enum XPathExpression: Sendable, Equatable {
    case literal(String)
    case number(Double)
    case path(XPathPath)
    case negation(XPathExpression)
    case binary(XPathBinaryOperator, XPathExpression, XPathExpression)
    case functionCall(name: String, arguments: [XPathExpression])
    /// A path the server parses but does not follow: one with predicates, `//`, wildcards or
    /// axes, or one that starts from an expression (`instance('x')/root/item[name = ../q]/label`).
    /// Evaluating it throws, so a check that needs it is skipped, never a false flag.
    case location(XPathLocation)
    /// `$name`: XPath, though no ODK form uses it; not evaluated either.
    case variable(String)
}

/// The infix operators, named so the tree reads without knowing XPath's spelling of them.
public enum XPathBinaryOperator: String, Sendable, Equatable, Hashable {
    case or, and
    case equal = "=", notEqual = "!="
    case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case add = "+", subtract = "-", multiply = "*", divide = "div", modulo = "mod"
    case union = "|"
}

/// A location path such as `/data/a`, `../b` or `.`, kept unresolved because its meaning depends on
/// the node the bind applies to.
public struct XPathPath: Sendable, Equatable {
    public var isAbsolute: Bool
    public var steps: [XPathPathStep]

    public init(isAbsolute: Bool, steps: [XPathPathStep]) {
        self.isAbsolute = isAbsolute
        self.steps = steps
    }

    /// The absolute path this denotes from `contextPath`, or nil when `..` climbs above the root.
    public func resolved(against contextPath: String) -> String? {
        var components: [String] = []
        let start = isAbsolute ? [] : contextPath.split(separator: "/").map { XPathPathStep(component: String($0)) }
        for step in start + steps {
            switch step {
            case .current:
                continue
            case .parent:
                guard components.popLast() != nil else { return nil }
            case .child(let name):
                components.append(name)
            case .attribute(let name):
                components.append("@" + name)
            }
        }
        return "/" + components.joined(separator: "/")
    }
}

/// Any XPath 1.0 path (§3.3 PathExpr): an optional start expression with its predicates, then
/// steps. `//` is kept as the step `descendant-or-self::node()` it abbreviates.
public struct XPathLocation: Sendable, Equatable {
    /// The filter expression the path starts from (`instance('x')`, `current()`), or nil.
    public var start: XPathExpression?
    public var startPredicates: [XPathExpression]
    public var isAbsolute: Bool
    public var steps: [XPathStep]

    public init(start: XPathExpression?, startPredicates: [XPathExpression], isAbsolute: Bool, steps: [XPathStep]) {
        self.start = start
        self.startPredicates = startPredicates
        self.isAbsolute = isAbsolute
        self.steps = steps
    }
}

/// A step in full: axis, node test (a name, `*`, `prefix:*`, `node()`, `text()`…) and predicates.
public struct XPathStep: Sendable, Equatable {
    public var axis: String
    public var test: String
    public var predicates: [XPathExpression]

    public init(axis: String, test: String, predicates: [XPathExpression] = []) {
        self.axis = axis
        self.test = test
        self.predicates = predicates
    }

    /// The same step as the simple form the evaluator follows, when it has one.
    var simple: XPathPathStep? {
        guard predicates.isEmpty, !test.contains("*"), !test.hasSuffix("()") || test == "node()" else { return nil }
        switch (axis, test) {
        case ("self", "node()"): return .current
        case ("parent", "node()"): return .parent
        case ("child", let name) where name != "node()": return .child(name)
        case ("attribute", let name) where name != "node()": return .attribute(name)
        default: return nil
        }
    }
}

/// One step of a location path the evaluator follows: the abbreviated axes ODK forms use.
public enum XPathPathStep: Sendable, Equatable {
    case current
    case parent
    case child(String)
    case attribute(String)

    /// Reads one component of an already written absolute path such as a context path.
    init(component: String) {
        switch component {
        case ".": self = .current
        case "..": self = .parent
        default: self = component.hasPrefix("@") ? .attribute(String(component.dropFirst())) : .child(component)
        }
    }
}

// MARK: - Values, errors and context

/// The result of evaluating an expression; XPath 1.0 types plus ODK's date.
public enum XPathValue: Sendable, Equatable {
    case string(String)
    case number(Double)
    case boolean(Bool)
    /// Days since 1970-01-01.
    case date(days: Int)
    /// The string values of the matched nodes.
    case nodeSet([String])
}

/// Thrown when a well-formed expression cannot be evaluated (unknown function, wrong arity, bad regex...).
public struct XPathEvaluationError: Error, Sendable, Equatable {
    public let message: String

    public init(message: String) {
        self.message = message
    }
}

/// What an expression can read: the answers of one submission, and the clock, injected so
/// evaluation is deterministic in tests.
public protocol XPathEvaluationContext: Sendable {
    /// Absolute path of the node `.` refers to, e.g. "/data/household_size".
    var contextPath: String { get }
    /// String values of the nodes at an absolute path (e.g. "/data/trade"); empty when absent. Repeats may give several.
    func values(atPath path: String) -> [String]
    /// Today's date (days since 1970-01-01) and the current instant, so evaluation is deterministic in tests.
    var today: Int { get }
    var now: Date { get }
}

// MARK: - Public entry points

extension XPathExpression {
    /// Parses the text of a bind attribute.
    public static func parse(_ text: String) throws(XPathSyntaxError) -> XPathExpression {
        try XPathParser.parse(text)
    }

    /// Evaluates against one submission. Throws only `XPathEvaluationError`.
    public func evaluate(in context: some XPathEvaluationContext) throws -> XPathValue {
        switch self {
        case .literal(let text):
            return .string(text)
        case .number(let value):
            return .number(value)
        case .path(let path):
            guard let absolutePath = path.resolved(against: context.contextPath) else { return .nodeSet([]) }
            return .nodeSet(context.values(atPath: absolutePath))
        case .negation(let operand):
            return .number(-(try operand.evaluate(in: context).numberValue))
        case .binary(let op, let left, let right):
            return try XPathOperators.evaluate(op, left, right, in: context)
        case .functionCall(let name, let arguments):
            return try XPathFunctionLibrary.standard.call(name, arguments: arguments, in: context)
        case .location:
            throw XPathEvaluationError(message: "paths with predicates, axes or wildcards, or from a function call, are not evaluated on the server")
        case .variable(let name):
            throw XPathEvaluationError(message: "variable $\(name) is not evaluated on the server")
        }
    }

    /// Evaluates and converts with XPath's boolean(), as `relevant`, `constraint` and `required` need.
    public func evaluateBoolean(in context: some XPathEvaluationContext) throws -> Bool {
        try evaluate(in: context).booleanValue
    }

    /// Absolute paths this expression reads (resolving `.`, `..` and relative paths against contextPath):
    /// lets the server know dependencies.
    public func referencedPaths(contextPath: String) -> Set<String> {
        switch self {
        case .literal, .number:
            return []
        case .path(let path):
            return path.resolved(against: contextPath).map { [$0] } ?? []
        case .negation(let operand):
            return operand.referencedPaths(contextPath: contextPath)
        case .binary(_, let left, let right):
            return left.referencedPaths(contextPath: contextPath).union(right.referencedPaths(contextPath: contextPath))
        case .functionCall(let name, let arguments):
            // string(), number(), string-length() and normalize-space() without arguments read the context node.
            if arguments.isEmpty, XPathFunctionLibrary.readsContextNodeWithoutArguments.contains(name) {
                return [XPathPath(isAbsolute: false, steps: [.current]).resolved(against: contextPath) ?? "/"]
            }
            return arguments.reduce(into: []) { $0.formUnion($1.referencedPaths(contextPath: contextPath)) }
        case .location(let location):
            // Only the start is read in this context; predicates read the nodes they filter.
            return location.start?.referencedPaths(contextPath: contextPath) ?? []
        case .variable:
            return []
        }
    }
}

// MARK: - Conversions (XPath 1.0 §4, with ODK dates)

extension XPathValue {
    /// XPath string(): a node-set gives its first node, a date gives "YYYY-MM-DD".
    public var stringValue: String {
        switch self {
        case .string(let text): text
        case .number(let value): Self.format(value)
        case .boolean(let flag): flag ? "true" : "false"
        case .date(let days): XPathCalendar.isoDate(days: days)
        case .nodeSet(let values): values.first ?? ""
        }
    }

    /// XPath number(): NaN for empty or non-numeric strings; a date gives its day count.
    public var numberValue: Double {
        switch self {
        case .string(let text): Self.parseNumber(text)
        case .number(let value): value
        case .boolean(let flag): flag ? 1 : 0
        case .date(let days): Double(days)
        case .nodeSet(let values): values.first.map(Self.parseNumber) ?? .nan
        }
    }

    /// XPath boolean(): empty strings, 0, NaN and empty node-sets are false.
    public var booleanValue: Bool {
        switch self {
        case .string(let text): !text.isEmpty
        case .number(let value): value != 0 && !value.isNaN
        case .boolean(let flag): flag
        case .date: true
        case .nodeSet(let values): !values.isEmpty
        }
    }

    /// The value as days since 1970 for date comparisons: date strings (or dateTimes) are read as dates,
    /// anything else as a number, NaN when neither.
    var dayNumber: Double {
        switch self {
        case .date(let days): return Double(days)
        case .string, .nodeSet:
            let text = stringValue
            return XPathCalendar.days(fromDateString: text).map(Double.init) ?? Self.parseNumber(text)
        case .number, .boolean: return numberValue
        }
    }

    /// XPath's Number production: optional minus, digits with an optional fraction, surrounding whitespace.
    /// No exponent, no leading "+", so "1e3" and "" are NaN as in XPath 1.0.
    static func parseNumber(_ text: String) -> Double {
        let trimmed = text.trimmingWhitespaceAndNewlines()
        let unsigned = trimmed.hasPrefix("-") ? trimmed.dropFirst() : Substring(trimmed)
        let parts = unsigned.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let isDigits = { (part: Substring) in part.allSatisfy { $0.isASCII && $0.isNumber } }
        guard parts.allSatisfy(isDigits), parts.contains(where: { !$0.isEmpty }) else { return .nan }
        let normalized = (trimmed.hasPrefix("-") ? "-" : "") + "0" + unsigned + (unsigned.hasSuffix(".") ? "0" : "")
        return Double(normalized) ?? .nan
    }

    /// XPath number-to-string: integers without ".0", "NaN", "Infinity", otherwise plain decimals.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

// MARK: - Operators

/// Evaluation of infix operators: short-circuit logic, arithmetic, union and comparisons.
enum XPathOperators {
    static func evaluate(
        _ op: XPathBinaryOperator, _ left: XPathExpression, _ right: XPathExpression,
        in context: some XPathEvaluationContext
    ) throws -> XPathValue {
        switch op {
        case .or:
            return .boolean(try left.evaluateBoolean(in: context) || right.evaluateBoolean(in: context))
        case .and:
            return .boolean(try left.evaluateBoolean(in: context) && right.evaluateBoolean(in: context))
        default:
            break
        }
        let leftValue = try left.evaluate(in: context)
        let rightValue = try right.evaluate(in: context)
        switch op {
        case .add: return .number(leftValue.numberValue + rightValue.numberValue)
        case .subtract: return .number(leftValue.numberValue - rightValue.numberValue)
        case .multiply: return .number(leftValue.numberValue * rightValue.numberValue)
        case .divide: return .number(leftValue.numberValue / rightValue.numberValue)
        // XPath mod truncates like Java's %, which fmod matches (the sign follows the dividend).
        case .modulo: return .number(fmod(leftValue.numberValue, rightValue.numberValue))
        case .union: return try union(leftValue, rightValue)
        default: return .boolean(XPathComparison.compare(op, leftValue, rightValue))
        }
    }

    private static func union(_ left: XPathValue, _ right: XPathValue) throws -> XPathValue {
        guard case .nodeSet(let leftNodes) = left, case .nodeSet(let rightNodes) = right else {
            throw XPathEvaluationError(message: "The operands of '|' must be paths")
        }
        return .nodeSet(leftNodes + rightNodes)
    }
}

/// XPath 1.0 §3.4 comparisons, extended the way JavaRosa treats ODK dates.
enum XPathComparison {
    static func compare(_ op: XPathBinaryOperator, _ left: XPathValue, _ right: XPathValue) -> Bool {
        switch (left, right) {
        // A node-set against a boolean compares the node-set's boolean().
        case (.nodeSet(let nodes), .boolean):
            return compareAtoms(op, .boolean(!nodes.isEmpty), right)
        case (.boolean, .nodeSet(let nodes)):
            return compareAtoms(op, left, .boolean(!nodes.isEmpty))
        // Otherwise node-sets are existential: true when some node (pair) satisfies the comparison.
        case (.nodeSet(let leftNodes), .nodeSet(let rightNodes)):
            return leftNodes.contains { leftNode in
                rightNodes.contains { compareAtoms(op, .string(leftNode), .string($0)) }
            }
        case (.nodeSet(let nodes), _):
            return nodes.contains { compareAtoms(op, .string($0), right) }
        case (_, .nodeSet(let nodes)):
            return nodes.contains { compareAtoms(op, left, .string($0)) }
        default:
            return compareAtoms(op, left, right)
        }
    }

    private static func compareAtoms(_ op: XPathBinaryOperator, _ left: XPathValue, _ right: XPathValue) -> Bool {
        switch op {
        case .equal: return areEqual(left, right)
        case .notEqual: return !areEqual(left, right)
        default: return compareOrder(op, left, right)
        }
    }

    /// Booleans win, then dates (the other side read as a date), then numbers, then strings.
    private static func areEqual(_ left: XPathValue, _ right: XPathValue) -> Bool {
        switch (left, right) {
        case (.boolean, _), (_, .boolean):
            return left.booleanValue == right.booleanValue
        case (.date, _), (_, .date):
            return left.dayNumber == right.dayNumber
        case (.number, _), (_, .number):
            return left.numberValue == right.numberValue
        default:
            return left.stringValue == right.stringValue
        }
    }

    /// Numeric ordering, except that a date on either side, or two date-like strings, order as dates.
    private static func compareOrder(_ op: XPathBinaryOperator, _ left: XPathValue, _ right: XPathValue) -> Bool {
        let (a, b): (Double, Double)
        switch (left, right) {
        case (.date, _), (_, .date):
            (a, b) = (left.dayNumber, right.dayNumber)
        case (.string(let leftText), .string(let rightText)):
            if let leftDays = XPathCalendar.days(fromDateString: leftText),
               let rightDays = XPathCalendar.days(fromDateString: rightText) {
                (a, b) = (Double(leftDays), Double(rightDays))
            } else {
                (a, b) = (left.numberValue, right.numberValue)
            }
        default:
            (a, b) = (left.numberValue, right.numberValue)
        }
        switch op {
        case .less: return a < b
        case .lessOrEqual: return a <= b
        case .greater: return a > b
        case .greaterOrEqual: return a >= b
        default: return false
        }
    }
}
