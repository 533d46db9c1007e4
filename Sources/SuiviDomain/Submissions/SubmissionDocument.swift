import Foundation
import SuiviBasics

/// A record as sent by a phone: the instance XML, read safely, with the
/// identifiers OpenRosa puts in it and every answer by absolute path.
public struct SubmissionDocument: Sendable {
    public let formID: String
    public let version: String
    public let instanceID: String
    /// Set when this record is an edit of an earlier one.
    public let deprecatedID: String?
    public let rootName: String
    /// Answers by absolute path (`/data/phone`); repeats give several values.
    public let values: [String: [String]]
    /// The whole record: repeat instances are told apart here only.
    let tree: XMLTree

    public static let maximumIdentifierLength = 200

    public init(xml: Data) throws(Problem) {
        let tree = try SafeXMLParser.parse(xml)
        guard let formID = tree.attribute("id")?.trimmingWhitespace(), !formID.isEmpty else {
            throw .missingFormID()
        }
        let meta = tree.child("meta")
        guard let instanceID = meta?.child("instanceID")?.text.trimmingWhitespaceAndNewlines(),
              !instanceID.isEmpty
        else { throw .missingInstanceID() }
        guard instanceID.count <= Self.maximumIdentifierLength else {
            throw Problem.missingInstanceID().with(detail: "instanceID longer than \(Self.maximumIdentifierLength) characters")
        }
        let deprecated = meta?.child("deprecatedID")?.text.trimmingWhitespaceAndNewlines()
        self.formID = formID
        self.version = tree.attribute("version")?.trimmingWhitespace() ?? ""
        self.instanceID = instanceID
        self.deprecatedID = (deprecated?.isEmpty ?? true) ? nil : deprecated
        self.rootName = tree.localName
        var values: [String: [String]] = [:]
        Self.collect(tree, prefix: "", into: &values)
        self.values = values
        self.tree = tree
    }

    public func value(at path: String) -> String? {
        values[path]?.first
    }

    /// The answer to a top-level question by name (`phone` → `/data/phone`).
    public func answer(_ name: String) -> String? {
        value(at: "/\(rootName)/\(name)")
    }

    private static func collect(_ element: XMLTree, prefix: String, into values: inout [String: [String]]) {
        let path = prefix + "/" + element.localName
        if element.children.isEmpty {
            values[path, default: []].append(element.text)
            return
        }
        for child in element.children {
            collect(child, prefix: path, into: &values)
        }
    }
}
