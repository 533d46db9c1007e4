/// What a draft changes against the published version, question by
/// question, so a coordinator sees what publishing it will do.
public struct FormChanges: Sendable, Equatable, Encodable {
    public struct TypeChange: Sendable, Equatable, Encodable {
        public let path: String
        public let from: String
        public let to: String
    }

    public struct ChoiceChange: Sendable, Equatable, Encodable {
        public let path: String
        public let added: [String]
        public let removed: [String]
    }

    /// Question paths (groups and repeats included) only in the draft.
    public let added: [String]
    /// Question paths only in the published version: their answers stay in
    /// old records, new records will not have them.
    public let removed: [String]
    public let typeChanged: [TypeChange]
    public let choicesChanged: [ChoiceChange]

    enum CodingKeys: String, CodingKey {
        case added, removed, typeChanged = "type_changed", choicesChanged = "choices_changed"
    }

    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && typeChanged.isEmpty && choicesChanged.isEmpty }

    /// Every path whose meaning moves: what indicators reading it should be checked against.
    public var touchedPaths: Set<String> {
        Set(removed).union(typeChanged.map(\.path)).union(choicesChanged.filter { !$0.removed.isEmpty }.map(\.path))
    }

    public init(from published: FormDefinition?, to draft: FormDefinition) {
        let old = Dictionary((published?.fields ?? []).map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let new = Dictionary(draft.fields.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        added = draft.fields.map(\.path).filter { old[$0] == nil }
        removed = (published?.fields ?? []).map(\.path).filter { new[$0] == nil }
        var typeChanged: [TypeChange] = []
        var choicesChanged: [ChoiceChange] = []
        for field in draft.fields {
            guard let before = old[field.path] else { continue }
            if before.dataType != field.dataType || before.isRepeat != field.isRepeat {
                typeChanged.append(TypeChange(path: field.path, from: Self.kind(before), to: Self.kind(field)))
            }
            let oldChoices = (before.choices ?? []).map(\.value)
            let newChoices = (field.choices ?? []).map(\.value)
            let addedChoices = newChoices.filter { !oldChoices.contains($0) }
            let removedChoices = oldChoices.filter { !newChoices.contains($0) }
            if !addedChoices.isEmpty || !removedChoices.isEmpty {
                choicesChanged.append(ChoiceChange(path: field.path, added: addedChoices, removed: removedChoices))
            }
        }
        self.typeChanged = typeChanged
        self.choicesChanged = choicesChanged
    }

    private static func kind(_ field: FormField) -> String {
        field.isRepeat ? "repeat" : field.isGroup ? "group" : field.dataType.rawValue
    }
}
