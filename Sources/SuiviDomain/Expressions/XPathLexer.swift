import Foundation

/// Thrown when a bind expression cannot be parsed, so a form author can be told what is wrong and where.
public struct XPathSyntaxError: Error, Sendable, Equatable {
    public let message: String
    /// Position of the problem, counted in Unicode scalars from the start of the expression.
    public let offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }
}

/// One lexical unit of an expression, with where it starts (for error messages).
struct XPathToken: Equatable {
    enum Kind: Equatable {
        case number(Double)
        case literal(String)
        case name(String)
        case binaryOperator(XPathBinaryOperator)
        case slash, doubleSlash, dot, dotDot, at, dollar, star, doubleColon
        case leftParen, rightParen, leftBracket, rightBracket, comma
        case endOfInput
    }

    let kind: Kind
    let offset: Int
}

/// Splits an expression into tokens, applying XPath 1.0's rule that decides whether
/// `*`, `and`, `or`, `div`, `mod` are operators or names from the preceding token.
struct XPathLexer {
    private let scalars: [Unicode.Scalar]
    private var position = 0
    private var tokens: [XPathToken] = []

    static func tokenize(_ text: String) throws(XPathSyntaxError) -> [XPathToken] {
        var lexer = XPathLexer(scalars: Array(text.unicodeScalars))
        return try lexer.run()
    }

    private init(scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    private mutating func run() throws(XPathSyntaxError) -> [XPathToken] {
        while true {
            skipWhitespace()
            guard let current = peek() else { break }
            let start = position
            let kind = try lexToken(startingWith: current)
            tokens.append(XPathToken(kind: kind, offset: start))
        }
        tokens.append(XPathToken(kind: .endOfInput, offset: scalars.count))
        return tokens
    }

    private mutating func lexToken(startingWith current: Unicode.Scalar) throws(XPathSyntaxError) -> XPathToken.Kind {
        if let simple = simplePunctuation(current) {
            position += 1
            return simple
        }
        switch current {
        case "/":
            return advanceMatching("/") ? .doubleSlash : .slash
        case ".":
            if peek(at: 1).map(Self.isDigit) == true { return lexNumber() }
            return advanceMatching(".") ? .dotDot : .dot
        case "!":
            guard advanceMatching("=") else { throw XPathSyntaxError(message: "Expected '=' after '!'", offset: position - 1) }
            return .binaryOperator(.notEqual)
        case "<":
            return .binaryOperator(advanceMatching("=") ? .lessOrEqual : .less)
        case ">":
            return .binaryOperator(advanceMatching("=") ? .greaterOrEqual : .greater)
        case "*":
            position += 1
            return operatorIsExpected ? .binaryOperator(.multiply) : .star
        case "\"", "'":
            return try lexLiteral(quote: current)
        case ":":
            guard advanceMatching(":") else { throw XPathSyntaxError(message: "Unexpected character ':'", offset: position - 1) }
            return .doubleColon
        default:
            if Self.isDigit(current) { return lexNumber() }
            if Self.isNameStart(current) { return lexName() }
            throw XPathSyntaxError(message: "Unexpected character '\(current)'", offset: position)
        }
    }

    /// Single-character tokens whose meaning never depends on context.
    private func simplePunctuation(_ scalar: Unicode.Scalar) -> XPathToken.Kind? {
        switch scalar {
        case "(": .leftParen
        case ")": .rightParen
        case "[": .leftBracket
        case "]": .rightBracket
        case ",": .comma
        case "@": .at
        case "$": .dollar
        case "|": .binaryOperator(.union)
        case "+": .binaryOperator(.add)
        case "-": .binaryOperator(.subtract)
        case "=": .binaryOperator(.equal)
        default: nil
        }
    }

    private mutating func lexNumber() -> XPathToken.Kind {
        let start = position
        while let scalar = peek(), Self.isDigit(scalar) { position += 1 }
        if peek() == ".", peek(at: 1) != "." {
            position += 1
            while let scalar = peek(), Self.isDigit(scalar) { position += 1 }
        }
        let text = String(String.UnicodeScalarView(scalars[start..<position]))
        // Only ASCII digits and at most one dot reach here, so the conversion cannot fail.
        return .number(Double(text) ?? .nan)
    }

    private mutating func lexLiteral(quote: Unicode.Scalar) throws(XPathSyntaxError) -> XPathToken.Kind {
        let start = position
        position += 1
        guard let end = scalars[position...].firstIndex(of: quote) else {
            throw XPathSyntaxError(message: "Unterminated string literal", offset: start)
        }
        let value = String(String.UnicodeScalarView(scalars[position..<end]))
        position = end + 1
        return .literal(value)
    }

    /// Reads an NCName or a prefixed QName (`jr:choice-name`); `and`/`or`/`div`/`mod` become
    /// operators only where an operator can appear, so `/data/div` remains a path.
    private mutating func lexName() -> XPathToken.Kind {
        let name = readNCName()
        if operatorIsExpected, let op = Self.namedOperators[name] {
            return .binaryOperator(op)
        }
        if peek() == ":", let next = peek(at: 1), Self.isNameStart(next) {
            position += 1
            return .name(name + ":" + readNCName())
        }
        // `prefix:*`: every name in a namespace, one name test.
        if peek() == ":", peek(at: 1) == "*" {
            position += 2
            return .name(name + ":*")
        }
        return .name(name)
    }

    private mutating func readNCName() -> String {
        let start = position
        position += 1
        while let scalar = peek(), Self.isNameCharacter(scalar) { position += 1 }
        return String(String.UnicodeScalarView(scalars[start..<position]))
    }

    /// XPath 1.0 §3.7: an operator is expected unless there is no previous token or it is
    /// `@`, `::`, `(`, `[`, `,` or an operator.
    private var operatorIsExpected: Bool {
        guard let previous = tokens.last else { return false }
        switch previous.kind {
        case .number, .literal, .name, .dot, .dotDot, .star, .rightParen, .rightBracket:
            return true
        case .binaryOperator, .slash, .doubleSlash, .at, .dollar, .doubleColon, .leftParen, .leftBracket, .comma, .endOfInput:
            return false
        }
    }

    private static let namedOperators: [String: XPathBinaryOperator] = [
        "and": .and, "or": .or, "div": .divide, "mod": .modulo,
    ]

    private mutating func skipWhitespace() {
        while let scalar = peek(), [" ", "\t", "\n", "\r"].contains(scalar) { position += 1 }
    }

    /// Moves past the current scalar, then also past `expected` if it comes next; reports whether it did.
    private mutating func advanceMatching(_ expected: Unicode.Scalar) -> Bool {
        position += 1
        guard peek() == expected else { return false }
        position += 1
        return true
    }

    private func peek(at distance: Int = 0) -> Unicode.Scalar? {
        let index = position + distance
        return scalars.indices.contains(index) ? scalars[index] : nil
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        ("0"..."9").contains(scalar)
    }

    private static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar.properties.isAlphabetic
    }

    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        isNameStart(scalar) || isDigit(scalar) || scalar == "-" || scalar == "." || scalar.properties.numericType != nil
    }
}
