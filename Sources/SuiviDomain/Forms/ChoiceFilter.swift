import Foundation

/// The `choice_filter` of a select whose list is a secondary instance:
/// `instance('communes')/root/item[departement = /data/departement]`. An
/// answer is offered only when one of its items passes the filter, read
/// against the record's own answers.
///
/// The predicate is prepared once, when the form is read, so that the
/// ordinary evaluator can run it: the item's own fields (`departement`)
/// become paths under `itemRoot`, and `current()/..`-paths become absolute
/// paths from the question (inside a repeat, the evaluator reads them in
/// the question's own instance). A predicate using anything else (other
/// axes, `..` from the item, a position) cannot be prepared: the select is
/// then checked against its whole list, which never flags a good answer.
public struct ChoiceFilter: Sendable {
    /// Where the prepared predicate reads an item's fields: `departement`
    /// becomes `/__choice_item__/departement`. Not a name a form's root
    /// takes.
    public static let itemRoot = "/__choice_item__"

    /// The predicates, every path absolute.
    public let predicates: [XPathExpression]

    /// Nil when a predicate reads what the server does not follow.
    init?(predicates raw: [XPathExpression], questionPath: String) {
        guard !raw.isEmpty else { return nil }
        var prepared: [XPathExpression] = []
        for predicate in raw {
            guard let expression = Self.prepare(predicate, questionPath: questionPath) else { return nil }
            prepared.append(expression)
        }
        predicates = prepared
    }

    /// Whether the item with these fields is offered, given the record's
    /// answers as `answers` reads them (bound to the question's instance).
    /// Nil when a predicate cannot be evaluated: the caller does not judge.
    public func admits(_ item: [String: String], answers: some XPathEvaluationContext) -> Bool? {
        let context = ItemContext(item: item, answers: answers)
        for predicate in predicates {
            guard let value = try? predicate.evaluate(in: context) else { return nil }
            // A number in a predicate selects by position, which a filter on
            // one item cannot tell.
            if case .number = value { return nil }
            if !value.booleanValue { return false }
        }
        return true
    }

    /// The predicates as one expression text, for the web form's evaluator.
    public var preparedText: String {
        predicates.map { "(\(XPathWriter.text(of: $0)))" }.joined(separator: " and ")
    }

    private static func prepare(_ expression: XPathExpression, questionPath: String) -> XPathExpression? {
        switch expression {
        case .literal, .number:
            return expression
        case .path(let path):
            if path.isAbsolute { return expression }
            // From the item: its own fields only.
            guard path.steps.count == 1, case .child(let name) = path.steps[0] else { return nil }
            return .path(XPathPath(isAbsolute: true, steps: [.child(String(itemRoot.dropFirst())), .child(name)]))
        case .negation(let operand):
            return prepare(operand, questionPath: questionPath).map(XPathExpression.negation)
        case .binary(let op, let left, let right):
            guard let left = prepare(left, questionPath: questionPath),
                  let right = prepare(right, questionPath: questionPath) else { return nil }
            return .binary(op, left, right)
        case .functionCall("current", let arguments) where arguments.isEmpty:
            return fromQuestion([], questionPath)
        case .functionCall(let name, let arguments):
            var prepared: [XPathExpression] = []
            for argument in arguments {
                guard let argument = prepare(argument, questionPath: questionPath) else { return nil }
                prepared.append(argument)
            }
            return .functionCall(name: name, arguments: prepared)
        case .location(let location):
            // `current()/../departement`: a path from the question.
            guard case .functionCall("current", let arguments)? = location.start, arguments.isEmpty,
                  location.startPredicates.isEmpty, !location.isAbsolute else { return nil }
            var steps: [XPathPathStep] = []
            for step in location.steps {
                guard let simple = step.simple else { return nil }
                steps.append(simple)
            }
            return fromQuestion(steps, questionPath)
        case .variable:
            return nil
        }
    }

    private static func fromQuestion(_ steps: [XPathPathStep], _ questionPath: String) -> XPathExpression? {
        guard let absolute = XPathPath(isAbsolute: false, steps: steps).resolved(against: questionPath) else { return nil }
        return .path(XPathPath(isAbsolute: true, steps: absolute.split(separator: "/").map { XPathPathStep(component: String($0)) }))
    }

    /// The item's fields under `itemRoot`, everything else from the record.
    private struct ItemContext<Answers: XPathEvaluationContext>: XPathEvaluationContext {
        let item: [String: String]
        let answers: Answers

        var contextPath: String { ChoiceFilter.itemRoot }
        var today: Int { answers.today }
        var now: Date { answers.now }

        func values(atPath path: String) -> [String] {
            let root = ChoiceFilter.itemRoot
            if path.hasPrefix(root), path.utf8.dropFirst(root.utf8.count).first == UInt8(ascii: "/") {
                return item[String(path.dropFirst(root.count + 1))].map { [$0] } ?? []
            }
            return answers.values(atPath: path)
        }
    }
}

/// Writes an expression the evaluator follows back as XPath text (the
/// web form parses it with its own evaluator).
enum XPathWriter {
    static func text(of expression: XPathExpression) -> String {
        switch expression {
        case .literal(let text):
            return text.contains("'") ? "\"\(text)\"" : "'\(text)'"
        case .number(let value):
            return XPathValue.format(value)
        case .path(let path):
            let steps = path.steps.map { step -> String in
                switch step {
                case .current: "."
                case .parent: ".."
                case .child(let name): name
                case .attribute(let name): "@" + name
                }
            }.joined(separator: "/")
            return path.isAbsolute ? "/" + steps : steps
        case .negation(let operand):
            return "-(\(text(of: operand)))"
        case .binary(let op, let left, let right):
            return "(\(text(of: left)) \(op.rawValue) \(text(of: right)))"
        case .functionCall(let name, let arguments):
            return "\(name)(\(arguments.map(text(of:)).joined(separator: ", ")))"
        case .location, .variable:
            // Never prepared (see ChoiceFilter.prepare).
            return "false()"
        }
    }
}
