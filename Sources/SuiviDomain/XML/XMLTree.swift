import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An element of a parsed XML document. Names keep their prefix as written
/// (`h:html`, `orx:instanceID`); `localName` drops it, which is how Suivi
/// matches OpenRosa and XForms elements whatever prefix a client chose.
public struct XMLTree: Sendable, Equatable {
    public let name: String
    public var attributes: [String: String]
    public var children: [XMLTree]
    /// Character data directly inside this element.
    public var text: String

    public init(name: String, attributes: [String: String] = [:], children: [XMLTree] = [], text: String = "") {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    public var localName: String {
        Self.localPart(of: name)
    }

    /// The first child whose local name matches.
    public func child(_ localName: String) -> XMLTree? {
        children.first { $0.localName == localName }
    }

    public func children(_ localName: String) -> [XMLTree] {
        children.filter { $0.localName == localName }
    }

    /// An attribute by local name, whatever its prefix (`version`, `orx:version`).
    public func attribute(_ localName: String) -> String? {
        if let exact = attributes[localName] { return exact }
        return attributes.first { Self.localPart(of: $0.key) == localName }?.value
    }

    /// Depth-first search for descendants with this local name.
    public func descendants(_ localName: String) -> [XMLTree] {
        var found: [XMLTree] = []
        for child in children {
            if child.localName == localName { found.append(child) }
            found.append(contentsOf: child.descendants(localName))
        }
        return found
    }

    static func localPart(of name: String) -> String {
        guard let colon = name.lastIndex(of: ":") else { return name }
        return String(name[name.index(after: colon)...])
    }
}

/// Parses XML from untrusted clients: no DTD, no entities (XXE and billion
/// laughs are refused before the parser sees them), a cap on nesting depth and
/// on element count, valid UTF-8 only.
public enum SafeXMLParser {
    public struct Limits: Sendable {
        public var maximumDepth: Int
        public var maximumElements: Int
        public init(maximumDepth: Int = 32, maximumElements: Int = 20_000) {
            self.maximumDepth = maximumDepth
            self.maximumElements = maximumElements
        }
    }

    public static func parse(_ data: Data, limits: Limits = Limits(), field: String = "xml_submission_file") throws(Problem) -> XMLTree {
        guard String(data: data, encoding: .utf8) != nil else { throw .invalidXMLEncoding(field: field) }
        if containsDeclaration(data) { throw .xmlDeclarationsRefused(field: field) }
        let builder = TreeBuilder(limits: limits)
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.shouldReportNamespacePrefixes = false
        parser.delegate = builder
        let succeeded = parser.parse()
        if let problem = builder.limitProblem(field: field) { throw problem }
        guard succeeded, let root = builder.root else {
            let reason = parser.parserError.map { "\($0.localizedDescription)" } ?? "no root element"
            throw .malformedXML("line \(parser.lineNumber): \(reason)", field: field)
        }
        return root
    }

    /// `<!DOCTYPE` or `<!ENTITY` anywhere (in any letter case) means a DTD.
    /// OpenRosa documents never carry one, so refusing is safe and simple.
    static func containsDeclaration(_ data: Data) -> Bool {
        let markers: [[UInt8]] = [Array("<!doctype".utf8), Array("<!entity".utf8)]
        return data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Bool in
            guard bytes.count >= 8 else { return false }
            var index = 0
            while index < bytes.count - 1 {
                if bytes[index] == UInt8(ascii: "<"), bytes[index + 1] == UInt8(ascii: "!") {
                    for marker in markers where index + marker.count <= bytes.count {
                        var matches = true
                        for offset in 2..<marker.count where (bytes[index + offset] | 0x20) != marker[offset] {
                            matches = false
                            break
                        }
                        if matches { return true }
                    }
                }
                index += 1
            }
            return false
        }
    }

    private final class TreeBuilder: NSObject, XMLParserDelegate {
        let limits: Limits
        var stack: [XMLTree] = []
        var root: XMLTree?
        var elementCount = 0
        var tooDeep = false
        var tooMany = false
        var sawDeclaration = false

        init(limits: Limits) {
            self.limits = limits
        }

        func limitProblem(field: String) -> Problem? {
            if sawDeclaration { return .xmlDeclarationsRefused(field: field) }
            if tooDeep { return .xmlTooDeep(limit: limits.maximumDepth, field: field) }
            if tooMany { return .xmlTooLarge(limit: limits.maximumElements, field: field) }
            return nil
        }

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            elementCount += 1 + attributes.count
            if stack.count >= limits.maximumDepth { tooDeep = true; parser.abortParsing(); return }
            if elementCount > limits.maximumElements { tooMany = true; parser.abortParsing(); return }
            stack.append(XMLTree(name: elementName, attributes: attributes))
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?) {
            guard let finished = stack.popLast() else { return }
            if stack.isEmpty {
                root = finished
            } else {
                stack[stack.count - 1].children.append(finished)
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, foundCDATA block: Data) {
            guard !stack.isEmpty, let string = String(data: block, encoding: .utf8) else { return }
            stack[stack.count - 1].text += string
        }

        // A declaration that slipped past the byte scan (it cannot, but the
        // parser is the last line of defence) stops everything.
        func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
            sawDeclaration = true
            parser.abortParsing()
        }

        func parser(_ parser: XMLParser, foundExternalEntityDeclarationWithName name: String,
                    publicID: String?, systemID: String?) {
            sawDeclaration = true
            parser.abortParsing()
        }

        func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
            sawDeclaration = true
            parser.abortParsing()
            return nil
        }
    }
}
