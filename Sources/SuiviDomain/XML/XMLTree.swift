import CLibXML2
import Foundation

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
        children.first { $0.hasLocalName(localName) }
    }

    public func children(_ localName: String) -> [XMLTree] {
        children.filter { $0.hasLocalName(localName) }
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
        switch lastColon(in: name) {
        case .none: return name
        case .at(let colon): return String(name.utf8[name.utf8.index(after: colon)...])!
        case .notASCII:
            guard let colon = name.lastIndex(of: ":") else { return name }
            return String(name[name.index(after: colon)...])
        }
    }

    /// `localName == wanted` without building the local name.
    func hasLocalName(_ wanted: String) -> Bool {
        guard wanted.utf8.allSatisfy({ $0 < 0x80 }) else { return localName == wanted }
        switch Self.lastColon(in: name) {
        case .none: return name.utf8.elementsEqual(wanted.utf8)
        case .at(let colon): return name.utf8[name.utf8.index(after: colon)...].elementsEqual(wanted.utf8)
        case .notASCII: return localName == wanted
        }
    }

    private enum ColonSearch {
        case none
        case at(String.UTF8View.Index)
        /// Not ASCII: the colon must be found by characters, since a
        /// combining mark after ":" makes it part of another character.
        case notASCII
    }

    /// Names are matched for every element of every record; for the usual
    /// ASCII names a byte scan finds the prefix without walking characters.
    private static func lastColon(in name: String) -> ColonSearch {
        var found = ColonSearch.none
        var position = name.utf8.startIndex
        for byte in name.utf8 {
            if byte >= 0x80 { return .notASCII }
            if byte == UInt8(ascii: ":") { found = .at(position) }
            name.utf8.formIndex(after: &position)
        }
        return found
    }
}

/// Parses XML from untrusted clients: no DTD, no entities (XXE and billion
/// laughs are refused before the parser sees them), a cap on nesting depth and
/// on element count, valid UTF-8 only.
///
/// libxml2's SAX2 push parser is driven directly, exactly as Foundation's
/// `XMLParser` drives it on Linux (same options, same callbacks, same error
/// reporting), so documents are read and refused as before; Foundation's
/// layer of per-callback bridging cost several times the parse itself.
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
        let outcome = data.withUnsafeBytes { builder.run($0) }
        if let problem = builder.limitProblem(field: field) { throw problem }
        guard outcome.succeeded, let root = builder.root else {
            // Worded as Foundation's XMLParser error was, so log lines and
            // problem details read as before.
            let reason = outcome.errorCode.map { "The operation could not be completed. (NSXMLParserErrorDomain error \($0).)" }
                ?? "no root element"
            throw .malformedXML("line \(outcome.line): \(reason)", field: field)
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
}

/// Builds the tree from libxml2's SAX2 callbacks. One builder per parse, used
/// on the parsing thread only; it owns the parser context for the duration
/// of `run` and frees it there.
private final class TreeBuilder {
    struct Outcome {
        let succeeded: Bool
        /// libxml2's code of the last error or warning reported, if any.
        let errorCode: Int?
        let line: Int
    }

    let limits: SafeXMLParser.Limits
    var stack: [XMLTree] = []
    var root: XMLTree?
    var elementCount = 0
    var tooDeep = false
    var tooMany = false
    var sawDeclaration = false
    var lastErrorCode: Int?
    private var context: xmlParserCtxtPtr?

    init(limits: SafeXMLParser.Limits) {
        self.limits = limits
    }

    func limitProblem(field: String) -> Problem? {
        if sawDeclaration { return .xmlDeclarationsRefused(field: field) }
        if tooDeep { return .xmlTooDeep(limit: limits.maximumDepth, field: field) }
        if tooMany { return .xmlTooLarge(limit: limits.maximumElements, field: field) }
        return nil
    }

    /// Feeds the bytes as Foundation does: a push parser created with the
    /// first four bytes (so libxml2 detects the encoding), then the rest as
    /// the last chunk. Fewer than four bytes are never parsed.
    func run(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        guard bytes.count >= 4, let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self) else {
            return Outcome(succeeded: true, errorCode: nil, line: 0)
        }
        _ = Self.libraryReady
        var handler = Self.handler
        let userData = Unmanaged.passUnretained(self).toOpaque()
        // Errors come to this builder, not to standard error. The handler
        // is libxml2's per-thread setting, set for this parse only.
        xmlSetStructuredErrorFunc(userData, Self.structuredError)
        defer { xmlSetStructuredErrorFunc(nil, nil) }
        guard let context = xmlCreatePushParserCtxt(&handler, userData, base, 4, nil) else {
            return Outcome(succeeded: false, errorCode: lastErrorCode ?? Int(XML_ERR_NO_MEMORY.rawValue), line: 0)
        }
        self.context = context
        defer {
            self.context = nil
            if let document = context.pointee.myDoc { xmlFreeDoc(document) }
            xmlFreeParserCtxt(context)
        }
        // Foundation's options (recover, substitute entities), plus no network.
        _ = xmlCtxtUseOptions(context, Int32(XML_PARSE_RECOVER.rawValue | XML_PARSE_NOENT.rawValue | XML_PARSE_NONET.rawValue))
        var result = xmlParseChunk(context, base + 4, Int32(bytes.count - 4), 1)
        // As Foundation: running out of input at the end is not a failure.
        if result == Int32(XML_ERR_DOCUMENT_END.rawValue) { result = 0 }
        let code = lastErrorCode ?? (result == 0 ? nil : Int(result))
        return Outcome(succeeded: result == 0, errorCode: code, line: Int(xmlSAX2GetLineNumber(context)))
    }

    func stop() {
        if let context { xmlStopParser(context) }
    }

    func startElement(_ name: String, attributes: [String: String]) {
        elementCount += 1 + attributes.count
        if stack.count >= limits.maximumDepth { tooDeep = true; stop(); return }
        if elementCount > limits.maximumElements { tooMany = true; stop(); return }
        stack.append(XMLTree(name: name, attributes: attributes))
    }

    func endElement() {
        guard let finished = stack.popLast() else { return }
        if stack.isEmpty {
            root = finished
        } else {
            stack[stack.count - 1].children.append(finished)
        }
    }

    func characters(_ text: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += text
    }

    // MARK: - libxml2 entry points

    private static func builder(_ userData: UnsafeMutableRawPointer?) -> TreeBuilder? {
        userData.map { Unmanaged<TreeBuilder>.fromOpaque($0).takeUnretainedValue() }
    }

    /// libxml2 wants `xmlInitParser` once, before parsing on several threads.
    private static let libraryReady: Void = xmlInitParser()

    /// The callbacks Foundation registers, minus those that only forward to
    /// delegate methods this builder does not implement.
    private static var handler: xmlSAXHandler {
        var handler = xmlSAXHandler()
        handler.initialized = XML_SAX2_MAGIC
        handler.startElementNs = { userData, localName, prefix, _, namespaceCount, namespaces, attributeCount, _, attributes in
            guard let builder = TreeBuilder.builder(userData), let localName else { return }
            var dictionary: [String: String] = [:]
            if let namespaces {
                for index in stride(from: 0, to: Int(namespaceCount) * 2, by: 2) {
                    let key = namespaces[index].map { "xmlns:" + string($0) } ?? "xmlns"
                    dictionary[key] = namespaces[index + 1].map(string) ?? ""
                }
            }
            if let attributes {
                for index in stride(from: 0, to: Int(attributeCount) * 5, by: 5) {
                    guard let attributeName = attributes[index] else { continue }
                    var name = string(attributeName)
                    if let attributePrefix = attributes[index + 1] {
                        let prefixText = string(attributePrefix)
                        if !prefixText.isEmpty { name = prefixText + ":" + name }
                    }
                    guard let value = attributes[index + 3], let end = attributes[index + 4] else { continue }
                    let length = end - value
                    dictionary[name] = length > 0
                        ? String(decoding: UnsafeBufferPointer(start: value, count: length), as: UTF8.self) : ""
                }
            }
            var name = string(localName)
            if let prefix { name = string(prefix) + ":" + name }
            builder.startElement(name, attributes: dictionary)
        }
        handler.endElementNs = { userData, _, _, _ in
            TreeBuilder.builder(userData)?.endElement()
        }
        handler.characters = { userData, characters, length in
            guard let builder = TreeBuilder.builder(userData), let characters else { return }
            builder.characters(String(decoding: UnsafeBufferPointer(start: characters, count: Int(length)), as: UTF8.self))
        }
        handler.cdataBlock = { userData, block, length in
            guard let builder = TreeBuilder.builder(userData), let block else { return }
            let bytes = UnsafeBufferPointer(start: block, count: Int(length))
            guard let text = String(bytes: bytes, encoding: .utf8) else { return }
            builder.characters(text)
        }
        // Only predefined entities (&amp; and the like) exist here: any other
        // reference means a declaration got past the byte scan, so stop.
        handler.getEntity = { userData, name in
            if let predefined = xmlGetPredefinedEntity(name) { return predefined }
            guard let builder = TreeBuilder.builder(userData) else { return nil }
            builder.sawDeclaration = true
            builder.stop()
            return nil
        }
        return handler
    }

    private static let structuredError: xmlStructuredErrorFunc = { userData, error in
        guard let builder = TreeBuilder.builder(userData), let error else { return }
        builder.lastErrorCode = Int(error.pointee.code)
    }
}

private func string(_ text: UnsafePointer<xmlChar>) -> String {
    String(cString: text)
}
