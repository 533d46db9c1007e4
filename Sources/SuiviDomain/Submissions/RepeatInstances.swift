import Foundation

/// The instances of a record's repeats, each with the answers inside it, so
/// a question in a repeat is checked once per instance with `.` and
/// `current()` bound to that instance (as Collect checks it), not against
/// the answers of every instance at once.
struct RepeatInstances: Sendable {
    struct Instance: Sendable {
        let repeatPath: String
        /// The instance's absolute path with each repeat's 1-based position
        /// (`/data/membre[2]/dossier/piece[1]`): where its issues point.
        let key: String
        /// Indices in `all` of the instances holding this one, outer first, then its own.
        let chain: [Int]
        /// Answers inside the instance (nested instances' included), by absolute path.
        var values: [String: [String]] = [:]
    }

    private(set) var all: [Instance] = []
    /// Indices in `all` per repeat path, in document order.
    private(set) var byRepeat: [String: [Int]] = [:]

    init(tree: XMLTree, repeatPaths: [String]) {
        let root = "/" + tree.localName
        walk(tree, path: root, key: root, chain: [], repeats: Set(repeatPaths))
    }

    private mutating func walk(_ element: XMLTree, path: String, key: String, chain: [Int], repeats: Set<String>) {
        var positions: [String: Int] = [:]
        for child in element.children {
            let name = child.localName
            let childPath = path + "/" + name
            if repeats.contains(childPath) {
                let position = (positions[name] ?? 0) + 1
                positions[name] = position
                let index = all.count
                let childKey = "\(key)/\(name)[\(position)]"
                all.append(Instance(repeatPath: childPath, key: childKey, chain: chain + [index]))
                byRepeat[childPath, default: []].append(index)
                walk(child, path: childPath, key: childKey, chain: chain + [index], repeats: repeats)
            } else if child.children.isEmpty {
                for index in chain { all[index].values[childPath, default: []].append(child.text) }
            } else {
                walk(child, path: childPath, key: key + "/" + name, chain: chain, repeats: repeats)
            }
        }
    }
}

/// A record's answers seen from inside repeat instances: a path within one
/// of `chain`'s instances reads that instance's answers only (the innermost
/// holding it); any other path reads the whole record, as XPath does.
struct InstanceAnswerContext: XPathEvaluationContext {
    let record: [String: [String]]
    let instances: [RepeatInstances.Instance]
    let chain: [Int]
    let contextPath: String
    let receivedAt: Date

    var today: Int { Int((receivedAt.timeIntervalSince1970 / 86_400).rounded(.down)) }
    var now: Date { receivedAt }

    func values(atPath path: String) -> [String] {
        for index in chain.reversed() {
            let instance = instances[index]
            if path.hasPrefix(instance.repeatPath),
               path.utf8.count == instance.repeatPath.utf8.count
                || path.utf8.dropFirst(instance.repeatPath.utf8.count).first == UInt8(ascii: "/") {
                return instance.values[path] ?? []
            }
        }
        return record[path] ?? []
    }
}
