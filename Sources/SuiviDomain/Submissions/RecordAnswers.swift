import Foundation
import SuiviBasics

/// A record's answers as the API gives them: each answer under its path
/// below the record (or below its repeat instance), as flat forms always
/// had them (`meta/instanceID`), and each repeat as a list of its instances
/// in document order, each instance an object of the same kind (so nested
/// repeats nest). Read from the record's XML, the only place that keeps
/// every instance.
public struct RecordAnswers: Sendable, Encodable {
    public indirect enum Value: Sendable, Encodable, Equatable {
        case text(String)
        case instances([RecordAnswers])

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let text): try container.encode(text)
            case .instances(let instances): try container.encode(instances)
            }
        }
    }

    /// A file the record names, where it names it: the answer's absolute
    /// path with each repeat's 1-based position
    /// (`/data/membre[3]/dossier/piece[2]/piece_photo`).
    public struct NamedFile: Sendable, Equatable {
        public let name: String
        public let path: String
    }

    public private(set) var members: [String: Value] = [:]

    public init() {}

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(members)
    }

    /// Reads `xml` as a record of `form` (nil when the form version is
    /// unknown: every answer then flat, first occurrence kept). Returns the
    /// answers and the files named, in document order.
    public static func read(_ xml: Data, form: FormDefinition?) throws -> (answers: RecordAnswers, files: [NamedFile]) {
        let tree = try SafeXMLParser.parse(xml)
        let reader = Reader(repeats: Set(form?.repeatPaths ?? []), binaries: Set(form?.binaryFieldPaths ?? []))
        var answers = RecordAnswers()
        var files: [NamedFile] = []
        let root = "/" + tree.localName
        reader.walk(tree, path: root, indexedPath: root, prefix: "", into: &answers, files: &files)
        return (answers, files)
    }

    private struct Reader {
        let repeats: Set<String>
        let binaries: Set<String>

        /// `prefix`: the groups between the object being filled and `element`.
        func walk(_ element: XMLTree, path: String, indexedPath: String, prefix: String,
                  into answers: inout RecordAnswers, files: inout [NamedFile]) {
            var positions: [String: Int] = [:]
            for child in element.children {
                let name = child.localName
                let childPath = path + "/" + name
                let key = prefix + name
                if repeats.contains(childPath) {
                    let position = (positions[name] ?? 0) + 1
                    positions[name] = position
                    let childIndexed = "\(indexedPath)/\(name)[\(position)]"
                    var instance = RecordAnswers()
                    walk(child, path: childPath, indexedPath: childIndexed, prefix: "", into: &instance, files: &files)
                    if case .instances(var list) = answers.members[key] {
                        answers.members[key] = nil  // so `list` alone holds its storage
                        list.append(instance)
                        answers.members[key] = .instances(list)
                    } else {
                        answers.members[key] = .instances([instance])
                    }
                } else if child.children.isEmpty {
                    if answers.members[key] == nil { answers.members[key] = .text(child.text) }
                    if binaries.contains(childPath) {
                        let file = child.text.trimmingWhitespaceAndNewlines()
                        if !file.isEmpty { files.append(NamedFile(name: file, path: indexedPath + "/" + name)) }
                    }
                } else {
                    walk(child, path: childPath, indexedPath: indexedPath + "/" + name, prefix: key + "/",
                         into: &answers, files: &files)
                }
            }
        }
    }
}

extension RecordAnswers: Equatable {}
