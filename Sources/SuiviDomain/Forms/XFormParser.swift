import Foundation
import SuiviBasics

/// Reads an XForm into a `FormDefinition`. A form Suivi cannot use is refused
/// with the reason, so the server never starts with a form it would
/// misjudge.
public enum XFormParser {
    public struct FormError: Error, Sendable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// `externalFiles`: the version's CSV and XML media files by name, for
    /// the secondary instances the form takes from them
    /// (`select_one_from_file`, `jr://file-csv/x.csv`, `jr://file/x.xml`):
    /// their items become the question's choices, checked like inline ones.
    public static func parse(_ data: Data, externalFiles: [String: Data] = [:]) throws -> FormDefinition {
        let tree: XMLTree
        do {
            tree = try SafeXMLParser.parse(data, limits: .init(maximumDepth: 64, maximumElements: 500_000), field: "form")
        } catch {
            throw FormError(reason: "not readable XML: \(error.englishMessage) \(error.detail ?? "")")
        }
        guard tree.localName == "html", let head = tree.child("head"), let model = head.child("model") else {
            throw FormError(reason: "not an XForm (expected h:html > h:head > model)")
        }
        // The first instance is the primary one, whether or not it has an id
        // (ODK XForms spec); the others are secondary instances.
        guard let primary = model.children("instance").first,
              let root = primary.children.first
        else { throw FormError(reason: "the model has no primary instance") }
        guard let formID = root.attribute("id"), !formID.isEmpty else {
            throw FormError(reason: "the primary instance root has no id attribute")
        }
        let version = root.attribute("version") ?? ""
        let title = head.child("title")?.text.trimmingCharacters(in: .whitespacesAndNewlines) ?? formID

        let rootPath = "/" + root.localName
        let translations = Translations(model: model)
        let secondary = SecondaryInstances(model: model, externalFiles: externalFiles)
        let controls = BodyControls(body: tree.child("body"), rootPath: rootPath, translations: translations, secondary: secondary)
        // A bind's nodeset may be relative to the primary instance's root
        // (`nodeset="age"`), as JavaRosa reads it.
        var binds: [String: XMLTree] = [:]
        for bind in model.children("bind") {
            guard let reference = bind.attribute("nodeset") ?? bind.attribute("ref") else { continue }
            let path = resolvePath(reference, context: rootPath)
            if binds[path] == nil { binds[path] = bind }
        }
        var fields: [FormField] = []
        var seen = Set<String>()
        for (path, isGroup, defaultValue) in instancePaths(root, prefix: "") {
            guard !seen.contains(path) else { continue }
            seen.insert(path)
            fields.append(try makeField(path: path, isGroup: isGroup, defaultValue: defaultValue, bind: binds[path],
                                        control: controls.byPath[path], translations: translations))
        }
        // Attributes of the primary instance (entities' `meta/entity/@id`,
        // `@create`, `@update`) may be bound too; they are kept in the
        // record's XML, not answers of their own.
        // A bind on a node that does not exist binds nothing: JavaRosa and
        // Collect load such a form with a warning, so Suivi does too.
        let attributes = Set(attributePaths(root, prefix: ""))
        let warnings = binds.keys.sorted().filter { !$0.isEmpty && !seen.contains($0) && !attributes.contains($0) }
            .map { "a bind targets \($0), which is not in the primary instance: it applies to nothing" }
        return FormDefinition(
            formID: formID, version: version, title: title, rootName: root.localName,
            languages: translations.languages, defaultLanguage: translations.defaultLanguage, fields: fields,
            warnings: warnings)
    }

    /// Every node below the root: its path, whether it is a group, and the
    /// default answer its text holds (a leaf with text in the primary instance).
    private static func instancePaths(_ element: XMLTree, prefix: String) -> [(String, Bool, String?)] {
        let path = prefix + "/" + element.localName
        var result: [(String, Bool, String?)] = []
        if !prefix.isEmpty {
            let text = element.children.isEmpty ? element.text.trimmingCharacters(in: .whitespacesAndNewlines) : ""
            result.append((path, !element.children.isEmpty, text.isEmpty ? nil : text))
        }
        for child in element.children {
            result.append(contentsOf: instancePaths(child, prefix: path))
        }
        return result
    }

    /// Attributes of primary-instance elements as paths (`/data/meta/entity/@id`),
    /// namespace declarations aside.
    private static func attributePaths(_ element: XMLTree, prefix: String) -> [String] {
        let path = prefix + "/" + element.localName
        var result = element.attributes.keys
            .filter { $0 != "xmlns" && !$0.hasPrefix("xmlns:") }
            .map { path + "/@" + XMLTree.localPart(of: $0) }
        for child in element.children {
            result.append(contentsOf: attributePaths(child, prefix: path))
        }
        return result
    }

    /// An absolute instance path from a `ref` or `nodeset`, relative ones read
    /// against `context` (the root for binds, the enclosing group in the body);
    /// namespace prefixes dropped, `.` and `..` followed.
    static func resolvePath(_ raw: String, context: String) -> String {
        let trimmed = raw.trimmingWhitespace()
        guard !trimmed.hasPrefix("/") else { return normalisePath(trimmed) }
        var components = context.split(separator: "/").map(String.init)
        for component in trimmed.split(separator: "/") {
            switch component {
            case ".": continue
            case "..": _ = components.popLast()
            default: components.append(XMLTree.localPart(of: String(component)))
            }
        }
        return components.reduce("") { $0 + "/" + $1 }
    }

    static func normalisePath(_ raw: String) -> String {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        return trimmed.split(separator: "/").map { XMLTree.localPart(of: String($0)) }
            .reduce("") { $0 + "/" + $1 }
    }

    private static func makeField(path: String, isGroup: Bool, defaultValue: String?, bind: XMLTree?,
                                  control: BodyControls.Control?, translations: Translations) throws -> FormField {
        func expression(_ name: String, _ raw: String? = nil) throws -> FormField.Expression? {
            guard let text = (raw ?? bind?.attribute(name))?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
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
            path: path, dataType: type, isGroup: isGroup, isRepeat: control?.kind == "repeat",
            required: try expression("required"), relevant: try expression("relevant"),
            constraint: try expression("constraint"), calculate: try expression("calculate"),
            readonly: bind?.attribute("readonly").map { $0.hasPrefix("true") } ?? false,
            preload: bind?.attribute("preload"),
            control: control?.kind, appearance: control?.appearance,
            labels: control?.labels ?? [:], images: control?.images ?? [:], hints: control?.hints ?? [:],
            guidance: control?.guidance ?? [:],
            constraintMessages: translations.resolve(bind?.attribute("constraintMsg")),
            requiredMessages: translations.resolve(bind?.attribute("requiredMsg")),
            choices: control?.choices, choiceFilter: control?.choiceFilter,
            repeatCount: try expression("jr:count", control?.repeatCount),
            mediaType: control?.mediaType, maxPixels: control?.maxPixels, defaultValue: defaultValue)
    }
}

/// The itext block: text ids in each language.
struct Translations {
    private(set) var languages: [String] = []
    private(set) var defaultLanguage: String?
    private var texts: [String: [String: String]] = [:]  // language -> id -> text
    private var images: [String: [String: String]] = [:]  // language -> id -> media file name
    private var guidance: [String: [String: String]] = [:]  // language -> id -> guidance hint

    init(model: XMLTree) {
        for translation in model.child("itext")?.children("translation") ?? [] {
            let language = translation.attribute("lang") ?? ""
            languages.append(language)
            if translation.attribute("default") != nil { defaultLanguage = language }
            for text in translation.children("text") {
                guard let id = text.attribute("id") else { continue }
                let values = text.children("value")
                // The text itself; "long"/"short" forms when it has no plain one (never an image's URL).
                let plain = values.first { $0.attribute("form") == nil }
                    ?? values.first { ["long", "short"].contains($0.attribute("form") ?? "") }
                if let plain { texts[language, default: [:]][id] = plain.text.trimmingCharacters(in: .whitespacesAndNewlines) }
                if let image = values.first(where: { $0.attribute("form") == "image" })?.text, let name = Self.mediaName(image) {
                    images[language, default: [:]][id] = name
                }
                if let text = values.first(where: { $0.attribute("form") == "guidance" })?.text {
                    guidance[language, default: [:]][id] = text.trimmingCharacters(in: .whitespacesAndNewlines)
                }
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
        perLanguage(texts, id)
    }

    /// The image shown with a label, in every language that has one (the
    /// version's media file name).
    func images(_ reference: String?) -> [String: String] {
        guard let reference, let id = Self.itextID(reference) else { return [:] }
        return images(id: id)
    }

    func images(id: String) -> [String: String] {
        perLanguage(images, id)
    }

    /// A hint's guidance (`form="guidance"`: the longer help Collect shows on
    /// demand), in every language that has one.
    func guidance(_ reference: String?) -> [String: String] {
        guard let reference, let id = Self.itextID(reference) else { return [:] }
        return perLanguage(guidance, id)
    }

    /// One itext id's entry in every language that has it.
    private func perLanguage(_ table: [String: [String: String]], _ id: String) -> [String: String] {
        var result: [String: String] = [:]
        for language in languages {
            if let entry = table[language]?[id] { result[language] = entry }
        }
        return result
    }

    /// `jr://images/logo.png` → `logo.png`: media are served by file name.
    static func mediaName(_ reference: String) -> String? {
        let trimmed = reference.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed.isEmpty ? nil : trimmed }
        let name = String(trimmed[trimmed.index(after: slash)...])
        return name.isEmpty ? nil : name
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

    init(model: XMLTree, externalFiles: [String: Data] = [:]) {
        for instance in model.children("instance") {
            guard let id = instance.attribute("id") else { continue }
            if let root = instance.children.first {
                instances[id] = root
            } else if let source = instance.attribute("src"), let root = Self.external(source, externalFiles) {
                instances[id] = root
            }
        }
    }

    /// An external instance read from the version's media file: a CSV as
    /// Collect reads one (`root/item`, a child per column), an XML file as
    /// it is. Nil when the file is missing or unreadable: the answers are
    /// then not checked, never flagged.
    private static func external(_ source: String, _ files: [String: Data]) -> XMLTree? {
        for (scheme, isCSV) in [("jr://file-csv/", true), ("jr://file/", false)] where source.hasPrefix(scheme) {
            guard let data = files[String(source.dropFirst(scheme.count))] else { return nil }
            if isCSV || source.lowercased().hasSuffix(".csv") {
                guard let rows = try? CSVTable.rows(data), let header = rows.first else { return nil }
                let names = header.map { $0.trimmingCharacters(in: .whitespaces) }
                return XMLTree(name: "root", children: rows.dropFirst().map { row in
                    XMLTree(name: "item", children: zip(names, row).map { XMLTree(name: $0, text: $1) })
                })
            }
            return try? SafeXMLParser.parse(data, limits: .init(maximumDepth: 32, maximumElements: 200_000), field: "media")
        }
        return nil
    }

    /// Every item an itemset nodeset like `instance('x')/root/item[filter]`
    /// can offer, and the predicates of its last step (the `choice_filter`).
    /// Predicates on an earlier step are not followed: every item stays a
    /// possible answer, so checking against them never flags a good answer.
    /// Nil when the list is not in the form (an external file).
    func items(nodeset: String) -> (items: [XMLTree], filter: [XPathExpression])? {
        guard case .location(let location)? = try? XPathExpression.parse(nodeset),
              case .functionCall("instance", let arguments)? = location.start, location.startPredicates.isEmpty,
              case .literal(let id)? = arguments.first, let root = instances[id],
              let first = location.steps.first, first.axis == "child",
              first.test == root.name || XMLTree.localPart(of: first.test) == root.localName
        else { return nil }
        var nodes = [root]
        for step in location.steps.dropFirst() {
            guard step.axis == "child", !step.test.contains("*") else { return nil }
            nodes = nodes.flatMap { $0.children(XMLTree.localPart(of: step.test)) }
        }
        let filter = location.steps.count > 1 && location.steps.dropLast().allSatisfy(\.predicates.isEmpty)
            ? location.steps.last?.predicates ?? [] : []
        return (nodes, filter)
    }
}

/// Controls in the body, keyed by the instance path they edit.
struct BodyControls {
    struct Control {
        let kind: String
        let appearance: String?
        let labels: [String: String]
        /// The label's image per language (media file names).
        let images: [String: String]
        let hints: [String: String]
        let guidance: [String: String]
        let choices: [FormField.Choice]?
        let choiceFilter: ChoiceFilter?
        /// A repeat's `jr:count`: how many instances, as an expression.
        let repeatCount: String?
        /// An upload's `mediatype` (`image/*`) and `orx:max-pixels`.
        let mediaType: String?
        let maxPixels: Int?
    }

    private(set) var byPath: [String: Control] = [:]

    init(body: XMLTree?, rootPath: String, translations: Translations, secondary: SecondaryInstances) {
        guard let body else { return }
        collect(body, context: rootPath, translations: translations, secondary: secondary)
    }

    /// `context`: the path a relative `ref` is read against, the enclosing
    /// group's or repeat's (XForms 1.0 §7.2), else the instance root.
    private mutating func collect(_ element: XMLTree, context: String, translations: Translations,
                                  secondary: SecondaryInstances) {
        for child in element.children {
            let kind = child.localName
            var childContext = context
            if let reference = child.attribute("ref") ?? child.attribute("nodeset"),
               ["input", "select1", "select", "upload", "trigger", "range", "rank", "group", "repeat", "odk:rank"].contains(kind) {
                let path = XFormParser.resolvePath(reference, context: context)
                childContext = path
                let labelElement = child.child("label")
                let hintElement = child.child("hint")
                // pyxform labels the group around a repeat, not the repeat.
                let outerLabels = byPath[path]?.labels ?? [:]
                let list = choices(of: child, translations, secondary)
                byPath[path] = Control(
                    kind: kind, appearance: child.attribute("appearance"),
                    labels: labelElement.map { label(of: $0, translations) } ?? outerLabels,
                    images: translations.images(labelElement?.attribute("ref")),
                    hints: hintElement.map { label(of: $0, translations) } ?? [:],
                    guidance: translations.guidance(hintElement?.attribute("ref")),
                    choices: list?.choices,
                    choiceFilter: list.flatMap { ChoiceFilter(predicates: $0.filter, questionPath: path) },
                    repeatCount: kind == "repeat" ? child.attribute("count") : nil,
                    mediaType: child.attribute("mediatype"),
                    maxPixels: child.attribute("max-pixels").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) })
            }
            collect(child, context: childContext, translations: translations, secondary: secondary)
        }
    }

    private func label(of element: XMLTree, _ translations: Translations) -> [String: String] {
        if let reference = element.attribute("ref") { return translations.resolve(reference) }
        let text = element.text.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? [:] : ["": text]
    }

    private func choices(of control: XMLTree, _ translations: Translations,
                         _ secondary: SecondaryInstances) -> (choices: [FormField.Choice], filter: [XPathExpression])? {
        let inline = control.children("item")
        if !inline.isEmpty {
            let choices = inline.compactMap { item -> FormField.Choice? in
                guard let value = item.child("value")?.text.trimmingCharacters(in: .whitespacesAndNewlines) else { return nil }
                let labelElement = item.child("label")
                return FormField.Choice(value: value, labels: labelElement.map { label(of: $0, translations) } ?? [:],
                                        images: translations.images(labelElement?.attribute("ref")))
            }
            return (choices, [])
        }
        guard let itemset = control.child("itemset"), let nodeset = itemset.attribute("nodeset"),
              let list = secondary.items(nodeset: nodeset) else { return nil }
        let valueName = itemset.child("value")?.attribute("ref") ?? "name"
        let labelReference = itemset.child("label")?.attribute("ref") ?? "label"
        let choices = list.items.compactMap { item -> FormField.Choice? in
            guard let value = item.child(valueName)?.text.trimmingCharacters(in: .whitespacesAndNewlines) else { return nil }
            var labels: [String: String] = [:]
            var images: [String: String] = [:]
            if labelReference.hasPrefix("jr:itext("), let id = item.child("itextId")?.text {
                labels = translations.resolve(id: id.trimmingCharacters(in: .whitespacesAndNewlines))
                images = translations.images(id: id.trimmingCharacters(in: .whitespacesAndNewlines))
            } else if let text = item.child(labelReference)?.text {
                labels = ["": text]
            }
            // What a filter reads: kept only for a filtered list.
            let fields = list.filter.isEmpty ? [:] : Dictionary(
                item.children.map { ($0.localName, $0.text.trimmingCharacters(in: .whitespacesAndNewlines)) },
                uniquingKeysWith: { first, _ in first })
            return FormField.Choice(value: value, labels: labels, images: images, fields: fields)
        }
        return (choices, list.filter)
    }
}
