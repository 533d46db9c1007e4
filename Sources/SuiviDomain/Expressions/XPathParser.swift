import Foundation

/// Recursive-descent parser for the ODK subset of XPath 1.0, one method per precedence level
/// (lowest first): `or`, `and`, equality, relational, additive, multiplicative, unary minus, union.
struct XPathParser {
    /// Deepest nesting of parentheses, function calls and unary minus: real bind expressions stay far
    /// below it, and the bound keeps the recursive parser from exhausting the stack on hostile input.
    static let maximumNestingDepth = 64
    /// Deepest syntax tree; larger than the nesting limit because long `or` chains (one per choice) are
    /// legitimately deep, yet bounded so the recursive evaluator cannot exhaust the stack either.
    static let maximumTreeDepth = 256

    /// A parsed subexpression with the depth of its tree, so the depth limit is checked as trees are built.
    private struct Parsed {
        let expression: XPathExpression
        let depth: Int
    }

    private let tokens: [XPathToken]
    private var index = 0
    private var nestingLevel = 0
    /// Inside `[...]`, where `current()` no longer means the node `.` means.
    private var predicateLevel = 0

    static func parse(_ text: String) throws(XPathSyntaxError) -> XPathExpression {
        var parser = XPathParser(tokens: try XPathLexer.tokenize(text))
        let parsed = try parser.parseExpression()
        guard case .endOfInput = parser.current.kind else {
            throw parser.unexpectedToken()
        }
        return parsed.expression
    }

    private init(tokens: [XPathToken]) {
        self.tokens = tokens
    }

    // MARK: - Binary precedence levels

    private mutating func parseExpression() throws(XPathSyntaxError) -> Parsed {
        try enterNesting()
        defer { nestingLevel -= 1 }
        return try parseOr()
    }

    private mutating func parseOr() throws(XPathSyntaxError) -> Parsed {
        var left = try parseAnd()
        while let op = takeOperator(in: [.or]) {
            left = try combine(op, left, try parseAnd())
        }
        return left
    }

    private mutating func parseAnd() throws(XPathSyntaxError) -> Parsed {
        var left = try parseEquality()
        while let op = takeOperator(in: [.and]) {
            left = try combine(op, left, try parseEquality())
        }
        return left
    }

    private mutating func parseEquality() throws(XPathSyntaxError) -> Parsed {
        var left = try parseRelational()
        while let op = takeOperator(in: [.equal, .notEqual]) {
            left = try combine(op, left, try parseRelational())
        }
        return left
    }

    private mutating func parseRelational() throws(XPathSyntaxError) -> Parsed {
        var left = try parseAdditive()
        while let op = takeOperator(in: [.less, .lessOrEqual, .greater, .greaterOrEqual]) {
            left = try combine(op, left, try parseAdditive())
        }
        return left
    }

    private mutating func parseAdditive() throws(XPathSyntaxError) -> Parsed {
        var left = try parseMultiplicative()
        while let op = takeOperator(in: [.add, .subtract]) {
            left = try combine(op, left, try parseMultiplicative())
        }
        return left
    }

    private mutating func parseMultiplicative() throws(XPathSyntaxError) -> Parsed {
        var left = try parseUnary()
        while let op = takeOperator(in: [.multiply, .divide, .modulo]) {
            left = try combine(op, left, try parseUnary())
        }
        return left
    }

    private mutating func parseUnary() throws(XPathSyntaxError) -> Parsed {
        guard takeOperator(in: [.subtract]) != nil else { return try parseUnion() }
        try enterNesting()
        defer { nestingLevel -= 1 }
        let operand = try parseUnary()
        return try node(.negation(operand.expression), childDepth: operand.depth)
    }

    private mutating func parseUnion() throws(XPathSyntaxError) -> Parsed {
        var left = try parsePathOrPrimary()
        while let op = takeOperator(in: [.union]) {
            left = try combine(op, left, try parsePathOrPrimary())
        }
        return left
    }

    // MARK: - Operands (XPath 1.0 §3.3: PathExpr, FilterExpr, LocationPath)

    private mutating func parsePathOrPrimary() throws(XPathSyntaxError) -> Parsed {
        let token = current
        switch token.kind {
        case .name(let name) where next.kind == .leftParen && !Self.nodeTypes.contains(name):
            return try parseFilterPath(try parseFunctionCall())
        case .number, .literal, .leftParen, .dollar:
            return try parseFilterPath(try parsePrimary())
        case .slash, .doubleSlash, .dot, .dotDot, .name, .at, .star:
            return try parseLocationPath()
        case .endOfInput:
            throw XPathSyntaxError(message: "Expected an expression", offset: token.offset)
        default:
            throw unexpectedToken()
        }
    }

    private mutating func parsePrimary() throws(XPathSyntaxError) -> Parsed {
        let token = current
        index += 1
        switch token.kind {
        case .number(let value):
            return Parsed(expression: .number(value), depth: 1)
        case .literal(let value):
            return Parsed(expression: .literal(value), depth: 1)
        case .leftParen:
            let inner = try parseExpression()
            try expect(.rightParen, "Expected ')'")
            return inner
        case .dollar:
            guard case .name(let name) = current.kind else { throw unexpectedToken() }
            index += 1
            return Parsed(expression: .variable(name), depth: 1)
        default:
            index -= 1
            throw unexpectedToken()
        }
    }

    private mutating func parseFunctionCall() throws(XPathSyntaxError) -> Parsed {
        guard case .name(let name) = current.kind else { throw unexpectedToken() }
        index += 2  // the name and "("
        var arguments: [XPathExpression] = []
        var deepestArgument = 0
        if current.kind != .rightParen {
            repeat {
                let argument = try parseExpression()
                arguments.append(argument.expression)
                deepestArgument = max(deepestArgument, argument.depth)
            } while take(.comma)
        }
        try expect(.rightParen, "Expected ',' or ')' in the arguments of \(name)()")
        return try node(.functionCall(name: name, arguments: arguments), childDepth: deepestArgument)
    }

    /// A primary expression, its predicates, then maybe `/` or `//` and a relative path:
    /// `instance('towns')/root/item[region = /data/region]/label`, `current()/../name`.
    private mutating func parseFilterPath(_ primary: Parsed) throws(XPathSyntaxError) -> Parsed {
        let predicates = try parsePredicates()
        guard !predicates.expressions.isEmpty || current.kind == .slash || current.kind == .doubleSlash else {
            return primary
        }
        var steps: [XPathStep] = []
        var depth = max(primary.depth, predicates.depth)
        if current.kind == .slash || current.kind == .doubleSlash {
            let relative = try parseSteps(afterSeparator: true)
            steps = relative.steps
            depth = max(depth, relative.depth)
        }
        // `current()` outside any predicate is the bind's own node: the path
        // is an ordinary relative one the evaluator follows.
        if predicateLevel == 0, predicates.expressions.isEmpty, case .functionCall("current", let arguments) = primary.expression,
           arguments.isEmpty, let simple = Self.simplePath(steps, isAbsolute: false) {
            return Parsed(expression: .path(XPathPath(isAbsolute: false, steps: [.current] + simple.steps)), depth: 1)
        }
        let location = XPathLocation(start: primary.expression, startPredicates: predicates.expressions,
                                     isAbsolute: false, steps: steps)
        return try node(.location(location), childDepth: depth)
    }

    private mutating func parseLocationPath() throws(XPathSyntaxError) -> Parsed {
        let isAbsolute = current.kind == .slash || current.kind == .doubleSlash
        if current.kind == .slash {
            index += 1
            if !startsStep {
                return Parsed(expression: .path(XPathPath(isAbsolute: true, steps: [])), depth: 1)  // "/" alone is the root
            }
        }
        let parsed = try parseSteps(afterSeparator: current.kind == .doubleSlash)
        if let simple = Self.simplePath(parsed.steps, isAbsolute: isAbsolute) {
            return Parsed(expression: .path(simple), depth: 1)
        }
        let location = XPathLocation(start: nil, startPredicates: [], isAbsolute: isAbsolute, steps: parsed.steps)
        return try node(.location(location), childDepth: parsed.depth)
    }

    /// Steps separated by `/` or `//`; when `afterSeparator`, the first separator is still to read.
    private mutating func parseSteps(afterSeparator: Bool) throws(XPathSyntaxError) -> (steps: [XPathStep], depth: Int) {
        var steps: [XPathStep] = []
        var depth = 0
        var separatorExpected = afterSeparator
        repeat {
            if separatorExpected {
                if take(.doubleSlash) {
                    steps.append(XPathStep(axis: "descendant-or-self", test: "node()"))
                } else {
                    try expect(.slash, "Expected '/'")
                }
            }
            separatorExpected = true
            let step = try parseStep()
            steps.append(step.step)
            depth = max(depth, step.depth)
        } while current.kind == .slash || current.kind == .doubleSlash
        return (steps, depth)
    }

    private mutating func parseStep() throws(XPathSyntaxError) -> (step: XPathStep, depth: Int) {
        let token = current
        switch token.kind {
        case .dot:
            index += 1
            return (XPathStep(axis: "self", test: "node()"), 0)
        case .dotDot:
            index += 1
            return (XPathStep(axis: "parent", test: "node()"), 0)
        case .endOfInput:
            throw XPathSyntaxError(message: "Expected a path step", offset: token.offset)
        default:
            break
        }
        var axis = "child"
        if take(.at) {
            axis = "attribute"
        } else if case .name(let name) = token.kind, next.kind == .doubleColon {
            guard Self.axes.contains(name) else {
                throw XPathSyntaxError(message: "Unknown axis '\(name)'", offset: token.offset)
            }
            axis = name
            index += 2
        }
        let test = try parseNodeTest()
        let predicates = try parsePredicates()
        return (XPathStep(axis: axis, test: test, predicates: predicates.expressions), predicates.depth)
    }

    private mutating func parseNodeTest() throws(XPathSyntaxError) -> String {
        let token = current
        switch token.kind {
        case .star:
            index += 1
            return "*"
        case .name(let name) where next.kind == .leftParen && Self.nodeTypes.contains(name):
            index += 2
            // processing-instruction('target') may name its target.
            if name == "processing-instruction", case .literal = current.kind { index += 1 }
            try expect(.rightParen, "Expected ')' after \(name)(")
            return name + "()"
        case .name(let name) where next.kind != .leftParen:
            index += 1
            return name
        default:
            throw token.kind == .endOfInput
                ? XPathSyntaxError(message: "Expected a path step", offset: token.offset) : unexpectedToken()
        }
    }

    private mutating func parsePredicates() throws(XPathSyntaxError) -> (expressions: [XPathExpression], depth: Int) {
        var expressions: [XPathExpression] = []
        var depth = 0
        while take(.leftBracket) {
            predicateLevel += 1
            defer { predicateLevel -= 1 }
            let predicate = try parseExpression()
            try expect(.rightBracket, "Expected ']'")
            expressions.append(predicate.expression)
            depth = max(depth, predicate.depth)
        }
        return (expressions, depth)
    }

    /// The path in the form the evaluator follows, when every step has one.
    private static func simplePath(_ steps: [XPathStep], isAbsolute: Bool) -> XPathPath? {
        var simple: [XPathPathStep] = []
        for step in steps {
            guard let plain = step.simple else { return nil }
            simple.append(plain)
        }
        return XPathPath(isAbsolute: isAbsolute, steps: simple)
    }

    /// XPath 1.0 §3.7 NodeType: followed by `(` these are node tests, not function calls.
    private static let nodeTypes: Set<String> = ["node", "text", "comment", "processing-instruction"]

    private static let axes: Set<String> = [
        "ancestor", "ancestor-or-self", "attribute", "child", "descendant", "descendant-or-self", "following",
        "following-sibling", "namespace", "parent", "preceding", "preceding-sibling", "self",
    ]

    // MARK: - Helpers

    private var startsStep: Bool {
        switch current.kind {
        case .dot, .dotDot, .name, .at, .star, .doubleSlash: true
        default: false
        }
    }

    private func node(_ expression: XPathExpression, childDepth: Int) throws(XPathSyntaxError) -> Parsed {
        let depth = childDepth + 1
        guard depth <= Self.maximumTreeDepth else {
            throw XPathSyntaxError(message: "Expression is more than \(Self.maximumTreeDepth) operations deep", offset: current.offset)
        }
        return Parsed(expression: expression, depth: depth)
    }

    private func combine(_ op: XPathBinaryOperator, _ left: Parsed, _ right: Parsed) throws(XPathSyntaxError) -> Parsed {
        try node(.binary(op, left.expression, right.expression), childDepth: max(left.depth, right.depth))
    }

    private mutating func enterNesting() throws(XPathSyntaxError) {
        nestingLevel += 1
        guard nestingLevel <= Self.maximumNestingDepth else {
            throw XPathSyntaxError(message: "Expression is nested more than \(Self.maximumNestingDepth) levels deep", offset: current.offset)
        }
    }

    private mutating func takeOperator(in accepted: Set<XPathBinaryOperator>) -> XPathBinaryOperator? {
        guard case .binaryOperator(let op) = current.kind, accepted.contains(op) else { return nil }
        index += 1
        return op
    }

    private mutating func take(_ kind: XPathToken.Kind) -> Bool {
        guard current.kind == kind else { return false }
        index += 1
        return true
    }

    private mutating func expect(_ kind: XPathToken.Kind, _ message: String) throws(XPathSyntaxError) {
        guard take(kind) else {
            throw XPathSyntaxError(message: current.kind == .endOfInput ? "\(message) before the end" : message, offset: current.offset)
        }
    }

    private func unexpectedToken() -> XPathSyntaxError {
        let description = current.kind == .endOfInput ? "Unexpected end of expression" : "Unexpected \(current.kind.displayText)"
        return XPathSyntaxError(message: description, offset: current.offset)
    }

    /// The lexer always ends with `.endOfInput` and the parser never moves past it, so these stay in range.
    private var current: XPathToken { tokens[min(index, tokens.count - 1)] }
    private var next: XPathToken { tokens[min(index + 1, tokens.count - 1)] }
}

extension XPathToken.Kind {
    /// How the token is shown in error messages.
    var displayText: String {
        switch self {
        case .number(let value): "number \(XPathValue.number(value).stringValue)"
        case .literal(let text): "string '\(text)'"
        case .name(let name): "name '\(name)'"
        case .binaryOperator(let op): "'\(op.rawValue)'"
        case .slash: "'/'"
        case .doubleSlash: "'//'"
        case .dot: "'.'"
        case .dotDot: "'..'"
        case .at: "'@'"
        case .dollar: "'$'"
        case .star: "'*'"
        case .doubleColon: "'::'"
        case .leftParen: "'('"
        case .rightParen: "')'"
        case .leftBracket: "'['"
        case .rightBracket: "']'"
        case .comma: "','"
        case .endOfInput: "end of expression"
        }
    }
}
