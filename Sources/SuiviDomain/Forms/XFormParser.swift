import Foundation

/// Reads an XForm into a `FormDefinition`. A form Suivi cannot use is refused
/// with the reason, so the server never starts with a form it would
/// misjudge.
public enum XFormParser {
    public struct FormError: Error, Sendable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    public static func parse(_ data: Data) throws -> FormDefinition {
        let tree: XMLTree
        do {
            tree = try SafeXMLParser.parse(data, limits: .init(maximumDepth: 64, maximumElements: 500_000), field: "form")
        } catch {
            throw FormError(reason: "not readable XML: \(error.englishMessage) \(error.detail ?? "")")
        }
        guard tree.localName == "html", let head = tree.child("head"), let model = head.child("model") else {
            throw FormError(reason: "not an XForm (expected h:html > h:head > model)")
        }
        guard let primary = model.children("instance").first(where: { $0.attribute("id") == nil }),
              let root = primary.children.first
        else { throw FormError(reason: "the model has no primary instance") }
        guard let formID = root.attribute("id"), !formID.isEmpty else {
            throw FormError(reason: "the primary instance root has no id attribute")
        }
        let version = root.attribute("version") ?? ""
        let title = head.child("title")?.text.trimmingCharacters(in: .whitespacesAndNewlines) ?? formID

        let translations = Translations(model: model)
        let secondary = SecondaryInstances(model: model)
        let controls = BodyControls(body: tree.child("body"), translations: translations, secondary: secondary)
        var fields: [FormField] = []
        var seen = Set<String>()
        for (path, isGroup) in instancePaths(root, prefix: "") {
            guard !seen.contains(path) else { continue }
            seen.insert(path)
            let bind = model.children("bind").first { normalisePath($0.attribute("nodeset") ?? $0.attribute("ref") ?? "") == path }
            let control = controls.byPath[path]
            fields.append(try makeField(path: path, isGroup: isGroup, bind: bind, control: control, translations: translations))
        }
        for bind in model.children("bind") {
            let path = normalisePath(bind.attribute("nodeset") ?? "")
            if !path.isEmpty, !seen.contains(path) {
                throw FormError(reason: "a bind targets \(path), which is not in the primary instance")
            }
        }
        return FormDefinition(
            formID: formID, version: version, title: title, rootName: root.localName,
            languages: translations.languages, defaultLanguage: translations.defaultLanguage, fields: fields)
    }

    private static func instancePaths(_ element: XMLTree, prefix: String) -> [(String, Bool)] {
        let path = prefix + "/" + element.localName
        var result: [(String, Bool)] = []
        if !prefix.isEmpty { result.append((path, !element.children.isEmpty)) }
        for child in element.children {
            result.append(contentsOf: instancePaths(child, prefix: path))
        }
        return result
    }

    static func normalisePath(_ raw: String) -> String {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        return trimmed.split(separator: "/").map { XMLTree.localPart(of: String($0)) }
            .reduce("") { $0 + "/" + $1 }
    }

    private static func makeField(path: String, isGroup: Bool, bind: XMLTree?, control: BodyControls.Control?,
                                  translations: Translations) throws -> FormField {
        func expression(_ name: String) throws -> FormField.Expression? {
            guard let text = bind?.attribute(name)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
                return nil
            }
            do {
                return FormField.Expression(text: text, parsed: try XPathExpression.parse(text))
            } catch {
                throw FormError(reason: "\(path): cannot read its \(name) expression '\(text)': \(error)")
            }
        }
        var type = FieldType(bindType: bind?.attribute("type"))
        if type == .string, let kind = control?.kind {
            if kind == "select1" { type = .select1 }
            if kind == "select" { type = .select }
        }
        return FormField(
            path: path, dataType: type, isGroup: isGroup,
            required: try expression("required"), relevant: try expression("relevant"),
            constraint: try expression("constraint"), calculate: try expression("calculate"),
            readonly: bind?.attribute("readonly").map { $0.hasPrefix("true") } ?? false,
            preload: bind?.attribute("preload"),
            control: control?.kind, appearance: control?.appearance,
            labels: control?.labels ?? [:], hints: control?.hints ?? [:],
            constraintMessages: translations.resolve(bind?.attribute("constraintMsg")),
            requiredMessages: translations.resolve(bind?.attribute("requiredMsg")),
            choices: control?.choices)
    }
}

/// The itext block: text ids in each language.
struct Translations {
    private(set) var languages: [String] = []
    private(set) var defaultLanguage: String?
    private var texts: [String: [String: String]] = [:]  // language -> id -> text

    init(model: XMLTree) {
        for translation in model.child("itext")?.children("translation") ?? [] {
            let language = translation.attribute("lang") ?? ""
            languages.append(language)
            if translation.attribute("default") != nil { defaultLanguage = language }
            for text in translation.children("text") {
                guard let id = text.attribute("id") else { continue }
                let values = text.children("value")
                let plain = values.first { $0.attribute("form") == nil } ?? values.first
                texts[language, default: [:]][id] = plain?.text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        if defaultLanguage == nil { defaultLanguage = languages.first }
    }

    /// `jr:itext('/data/x:label')` → the text in every language; a plain
    /// string → that string under the default language key "".
    func resolve(_ reference: String?) -> [String: String] {
        guard let reference, !reference.isEmpty else { return [:] }
        guard let id = Self.itextID(reference) else { return ["": reference] }
        return resolve(id: id)
    }

    func resolve(id: String) -> [String: String] {
        var result: [String: String] = [:]
        for language in languages {
            if let text = texts[language]?[id] { result[language] = text }
        }
        return result
    }

    static func itextID(_ reference: String) -> String? {
        guard reference.hasPrefix("jr:itext(") else { return nil }
        let inner = reference.dropFirst("jr:itext(".count).dropLast()
        return inner.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
    }
}

/// Named secondary instances (`instance('departements')`), holding choice lists.
struct SecondaryInstances {
    private var instances: [String: XMLTree] = [:]

    init(model: XMLTree) {
        for instance in model.children("instance") {
            if let id = instance.attribute("id"), let root = instance.children.first {
                instances[id] = root
            }
        }
    }

    /// Items of an itemset nodeset like `instance('x')/root/item[...]`.
    func items(nodeset: String) -> [XMLTree]? {
        guard nodeset.hasPrefix("instance("),
              let close = nodeset.firstIndex(of: ")") else { return nil }
        let id = nodeset[nodeset.index(nodeset.startIndex, offsetBy: 9)..<close]
            .trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
        guard let root = instances[id] else { return nil }
        var steps = nodeset[nodeset.index(after: close)...].split(separator: "/").map(String.init)
        if let last = steps.last, let bracket = last.firstIndex(of: "[") {
            steps[steps.count - 1] = String(last[..<bracket])
        }
        guard steps.count >= 2 else { return nil }
        return root.children(steps[steps.count - 1])
    }
}

/// Controls in the body, keyed by the instance path they edit.
struct BodyControls {
    struct Control {
        let kind: String
        let appearance: String?
        let labels: [String: String]
        let hints: [String: String]
        let choices: [FormField.Choice]?
    }

    private(set) var byPath: [String: Control] = [:]

    init(body: XMLTree?, translations: Translations, secondary: SecondaryInstances) {
        guard let body else { return }
        collect(body, translations: translations, secondary: secondary)
    }

    private mutating func collect(_ element: XMLTree, translations: Translations, secondary: SecondaryInstances) {
        for child in element.children {
            let kind = child.localName
            if let reference = child.attribute("ref") ?? child.attribute("nodeset"),
               ["input", "select1", "select", "upload", "trigger", "range", "rank", "group", "repeat", "odk:rank"].contains(kind) {
                let path = XFormParser.normalisePath(reference)
                let labelElement = child.child("label")
                let hintElement = child.child("hint")
                byPath[path] = Control(
                    kind: kind, appearance: child.attribute("appearance"),
                    labels: labelElement.map { label(of: $0, translations) } ?? [:],
                    hints: hintElement.map { label(of: $0, translations) } ?? [:],
                    choices: choices(of: child, translations, secondary))
            }
            collect(child, translations: translations, secondary: secondary)
        }
    }

    private func label(of element: XMLTree, _ translations: Translations) -> [String: String] {
        if let reference = element.attribute("ref") { return translations.resolve(reference) }
        let text = element.text.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? [:] : ["": text]
    }

    private func choices(of control: XMLTree, _ translations: Translations,
                         _ secondary: SecondaryInstances) -> [FormField.Choice]? {
        let inline = control.children("item")
        if !inline.isEmpty {
            return inline.compactMap { item in
                guard let value = item.child("value")?.text.trimmingCharacters(in: .whitespacesAndNewlines) else { return nil }
                return FormField.Choice(value: value, labels: item.child("label").map { label(of: $0, translations) } ?? [:])
            }
        }
        guard let itemset = control.child("itemset"), let nodeset = itemset.attribute("nodeset"),
              let items = secondary.items(nodeset: nodeset) else { return nil }
        let valueName = itemset.child("value")?.attribute("ref") ?? "name"
        let labelReference = itemset.child("label")?.attribute("ref") ?? "label"
        return items.compactMap { item in
            guard let value = item.child(valueName)?.text.trimmingCharacters(in: .whitespacesAndNewlines) else { return nil }
            var labels: [String: String] = [:]
            if labelReference.hasPrefix("jr:itext("), let id = item.child("itextId")?.text {
                labels = translations.resolve(id: id.trimmingCharacters(in: .whitespacesAndNewlines))
            } else if let text = item.child(labelReference)?.text {
                labels = ["": text]
            }
            return FormField.Choice(value: value, labels: labels)
        }
    }
}
