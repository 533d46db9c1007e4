import Foundation
import SuiviBasics

/// A form's records as tables, the way ODK Central exports them: one table
/// for the records and one per repeat (outer before inner, in form order),
/// each repeat row linked to its parent by `PARENT_KEY` and named by `KEY`
/// (`uuid:…/household/member[2]/vaccine[1]`: the record's instance id, then
/// every group and repeat below the root, repeats with their 1-based index
/// within their parent). Analysis scripts written for Central's
/// `submissions.csv.zip` join these files unchanged.
///
/// Values are read from the record's XML, the only place that keeps every
/// instance of every repeat and every question of a shared name.
public struct RecordTables: Sendable {
    public struct Column: Sendable {
        public let field: FormField
        /// Central's column name: the group path below the table's root,
        /// joined by `-` (`contact-name`; a question straight in the table:
        /// its name).
        public let pathedName: String
        /// Another question of the form has the same name.
        public let nameIsShared: Bool
        public var numeric: Bool { field.dataType == .int || field.dataType == .decimal }
    }

    public struct Table: Sendable {
        /// Nil for the records' table.
        public let repeatPath: String?
        /// The repeat's name (the form id for the records' table).
        public let name: String
        public let columns: [Column]
    }

    /// One repeat instance read from a record.
    public struct RepeatRow {
        public let table: Int
        public let parentKey: String
        public let key: String
        public let values: [String]
    }

    public let tables: [Table]
    /// Whether the stored flat answers can stand for the XML: not when the
    /// form has repeats (only their first instance is there) or two
    /// questions share a name (older records merged them).
    public let needsXML: Bool

    private enum Node: Sendable {
        case group
        case repeatTable(Int)
        case column(Int)
    }

    private let rootPath: String
    private let nodes: [String: Node]

    public init(form: FormDefinition) {
        rootPath = "/" + form.rootName
        let shared = form.sharedNames
        var nodes: [String: Node] = [:]
        var tableOf: [String: Int] = [:]
        var paths: [String?] = [nil]
        for (index, path) in form.repeatPaths.enumerated() {
            tableOf[path] = index + 1
            paths.append(path)
            nodes[path] = .repeatTable(index + 1)
        }
        var columns: [[Column]] = Array(repeating: [], count: paths.count)
        for field in form.fields where !field.isRepeat {
            guard !field.isGroup else {
                nodes[field.path] = .group
                continue
            }
            // Metadata (instanceID, entity…) is the export's fixed columns' business.
            if field.path.hasPrefix(rootPath + "/meta/") { continue }
            let repeatPath = form.enclosingRepeat(of: field.path)
            let table = repeatPath.flatMap { tableOf[$0] } ?? 0
            let base = repeatPath ?? rootPath
            let relative = field.path.dropFirst(base.count + 1).split(separator: "/").joined(separator: "-")
            nodes[field.path] = .column(columns[table].count)
            columns[table].append(Column(field: field, pathedName: relative, nameIsShared: shared.contains(field.name)))
        }
        tables = paths.enumerated().map { index, path in
            Table(repeatPath: path, name: path.map { String($0.split(separator: "/").last ?? "") } ?? form.formID,
                  columns: columns[index])
        }
        self.nodes = nodes
        needsXML = !form.repeatPaths.isEmpty || !shared.isEmpty
    }

    /// Reads one record: returns the records' table's values (one per
    /// column of `tables[0]`) and hands each repeat instance to `repeatRow`,
    /// inner instances before the instance holding them, each table's rows
    /// in document order. Answers are trimmed as the stored answers are.
    public func read(_ xml: Data, instanceID: String,
                     repeatRow: (RepeatRow) throws -> Void) throws -> [String] {
        let tree = try SafeXMLParser.parse(xml, limits: .init(maximumDepth: 64, maximumElements: 1_000_000))
        var values = Array(repeating: "", count: tables[0].columns.count)
        try walk(tree, path: rootPath, key: instanceID, rowKey: instanceID, values: &values, repeatRow: repeatRow)
        return values
    }

    private func walk(_ element: XMLTree, path: String, key: String, rowKey: String, values: inout [String],
                      repeatRow: (RepeatRow) throws -> Void) throws {
        var seen: [String: Int] = [:]
        for child in element.children {
            let name = child.localName
            let childPath = path + "/" + name
            switch nodes[childPath] {
            case .none:
                continue  // not in the form (Central skips such nodes too)
            case .column(let index):
                values[index] = child.text.trimmingWhitespaceAndNewlines()
            case .group:
                try walk(child, path: childPath, key: key + "/" + name, rowKey: rowKey, values: &values,
                         repeatRow: repeatRow)
            case .repeatTable(let table):
                let position = (seen[name] ?? 0) + 1
                seen[name] = position
                let childKey = "\(key)/\(name)[\(position)]"
                var row = Array(repeating: "", count: tables[table].columns.count)
                try walk(child, path: childPath, key: childKey, rowKey: childKey, values: &row, repeatRow: repeatRow)
                try repeatRow(RepeatRow(table: table, parentKey: rowKey, key: childKey, values: row))
            }
        }
    }
}
