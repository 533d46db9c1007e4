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

    // MARK: - Operands

    private mutating func parsePathOrPrimary() throws(XPathSyntaxError) -> Parsed {
        let token = current
        switch token.kind {
        case .number(let value):
            index += 1
            return Parsed(expression: .number(value), depth: 1)
        case .literal(let value):
            index += 1
            return Parsed(expression: .literal(value), depth: 1)
        case .leftParen:
            index += 1
            let inner = try parseExpression()
            try expect(.rightParen, "Expected ')'")
            return inner
        case .name where next.kind == .leftParen:
            return try parseFunctionCall()
        case .slash, .dot, .dotDot, .name, .at:
            return Parsed(expression: .path(try parseLocationPath()), depth: 1)
        case .doubleSlash:
            throw XPathSyntaxError(message: "'//' (descendant paths) is not supported", offset: token.offset)
        case .dollar:
            throw XPathSyntaxError(message: "Variables are not supported", offset: token.offset)
        case .star:
            throw XPathSyntaxError(message: "Wildcard '*' is not supported", offset: token.offset)
        case .endOfInput:
            throw XPathSyntaxError(message: "Expected an expression", offset: token.offset)
        default:
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
        try rejectTrailingPathOrPredicate()
        return try node(.functionCall(name: name, arguments: arguments), childDepth: deepestArgument)
    }

    private mutating func parseLocationPath() throws(XPathSyntaxError) -> XPathPath {
        var steps: [XPathPathStep] = []
        let isAbsolute = take(.slash)
        if isAbsolute, !startsStep {
            return XPathPath(isAbsolute: true, steps: [])  // "/" alone is the root
        }
        repeat {
            steps.append(try parseStep())
        } while take(.slash)
        if current.kind == .doubleSlash {
            throw XPathSyntaxError(message: "'//' (descendant paths) is not supported", offset: current.offset)
        }
        try rejectTrailingPathOrPredicate()
        return XPathPath(isAbsolute: isAbsolute, steps: steps)
    }

    private mutating func parseStep() throws(XPathSyntaxError) -> XPathPathStep {
        let token = current
        index += 1
        switch token.kind {
        case .dot: return .current
        case .dotDot: return .parent
        case .name(let name) where current.kind != .leftParen: return .child(name)
        case .at:
            guard case .name(let name) = current.kind else { throw unexpectedToken() }
            index += 1
            return .attribute(name)
        case .star:
            throw XPathSyntaxError(message: "Wildcard '*' is not supported", offset: token.offset)
        case .endOfInput:
            index -= 1
            throw XPathSyntaxError(message: "Expected a path step", offset: token.offset)
        default:
            index -= 1
            throw unexpectedToken()
        }
    }

    /// Predicates and paths after a function call (`instance('x')/root`) are outside the supported subset.
    private func rejectTrailingPathOrPredicate() throws(XPathSyntaxError) {
        switch current.kind {
        case .leftBracket:
            throw XPathSyntaxError(message: "Predicates '[...]' are not supported", offset: current.offset)
        case .slash, .doubleSlash:
            throw XPathSyntaxError(message: "A path cannot follow this expression", offset: current.offset)
        default:
            return
        }
    }

    // MARK: - Helpers

    private var startsStep: Bool {
        switch current.kind {
        case .dot, .dotDot, .name, .at, .star: true
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
        case .leftParen: "'('"
        case .rightParen: "')'"
        case .leftBracket: "'['"
        case .rightBracket: "']'"
        case .comma: "','"
        case .endOfInput: "end of expression"
        }
    }
}
