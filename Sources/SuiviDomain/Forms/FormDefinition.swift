import Foundation

/// What Suivi understands of an XForm: enough to check a record against it
/// (types, required answers, choices, constraints) and to describe its
/// questions to the phone web form.
public struct FormDefinition: Sendable {
    public let formID: String
    public let version: String
    public let title: String
    /// The primary instance's root element (`data` for pyxform forms).
    public let rootName: String
    public let languages: [String]
    public let defaultLanguage: String?
    /// Every bound node in document order: questions, groups, metadata.
    public let fields: [FormField]
    /// Paths of the fields whose answers are files (photos, audio...). Made
    /// once: every submission received asks for them.
    public let binaryFieldPaths: [String]
    /// Paths of the repeats (`/data/household/member`), outer before inner:
    /// a record may hold any number of instances of each.
    public let repeatPaths: [String]
    /// Names given to two or more questions (in different groups): their
    /// answers are kept under their path (`answerKey(for:)`), never merged.
    public let sharedNames: Set<String>
    /// What a form author should know but ODK accepts (JavaRosa warns too):
    /// a bind on a node that does not exist, for example. English.
    public let warnings: [String]

    public init(formID: String, version: String, title: String, rootName: String,
                languages: [String], defaultLanguage: String?, fields: [FormField], warnings: [String] = []) {
        self.formID = formID
        self.version = version
        self.title = title
        self.rootName = rootName
        self.languages = languages
        self.defaultLanguage = defaultLanguage
        self.fields = fields
        self.binaryFieldPaths = fields.filter { $0.dataType == .binary }.map(\.path)
        self.repeatPaths = fields.filter(\.isRepeat).map(\.path)
        var counts: [String: Int] = [:]
        for field in fields where !field.isGroup { counts[field.name, default: 0] += 1 }
        self.sharedNames = Set(counts.filter { $0.value > 1 }.keys)
        self.warnings = warnings
    }

    public func field(at path: String) -> FormField? {
        fields.first { $0.path == path }
    }

    /// The key of a question's answer in a record's stored answers: its
    /// name, or for a name two questions share, its path below the root
    /// (`contact/name`; `/` never occurs in a name, so keys cannot clash). A
    /// question at the top level keeps its name either way: tallies, leads
    /// and reports read those by name.
    public func answerKey(for field: FormField) -> String {
        guard sharedNames.contains(field.name) else { return field.name }
        return String(field.path.dropFirst(rootName.count + 2))
    }

    /// The innermost repeat holding `path` (itself when it is a repeat), nil
    /// for a node outside every repeat.
    public func enclosingRepeat(of path: String) -> String? {
        repeatPaths.filter { path == $0 || path.hasPrefix($0 + "/") }.max { $0.count < $1.count }
    }
}

/// One node of the primary instance with its bind and body control.
public struct FormField: Sendable {
    public let path: String
    /// The last step of the path (`/data/phone` → `phone`), made once: it is
    /// read for every field of every record received.
    public let name: String
    public let dataType: FieldType
    public let isGroup: Bool
    /// A `<repeat>` in the body names this node: it may occur many times.
    public let isRepeat: Bool
    public let required: Expression?
    public let relevant: Expression?
    public let constraint: Expression?
    public let calculate: Expression?
    public let readonly: Bool
    public let preload: String?
    public let control: String?
    public let appearance: String?
    public let labels: [String: String]
    /// The image shown with the label, per language (media file names).
    public let images: [String: String]
    public let hints: [String: String]
    /// Longer help shown on demand (itext `form="guidance"`), per language.
    public let guidance: [String: String]
    public let constraintMessages: [String: String]
    public let requiredMessages: [String: String]
    /// Allowed values of a select, when the form lists them.
    public let choices: [Choice]?
    /// The list's `choice_filter`, when it has one the server evaluates.
    public let choiceFilter: ChoiceFilter?
    /// A repeat's `jr:count`: its number of instances, set by the form.
    public let repeatCount: Expression?
    /// An upload's accepted media (`image/*`, `audio/*`...) and the longest
    /// side, in pixels, its images are resized to (`orx:max-pixels`).
    public let mediaType: String?
    public let maxPixels: Int?
    /// The answer the form starts with (the text of its node in the primary instance).
    public let defaultValue: String?

    /// An expression kept with its source text (shown in messages, served to
    /// the web form).
    public struct Expression: Sendable {
        public let text: String
        public let parsed: XPathExpression
    }

    public struct Choice: Sendable, Equatable {
        public let value: String
        public let labels: [String: String]
        /// The choice's image per language (media file names).
        public let images: [String: String]
        /// The item's fields when the list is filtered: what the filter reads.
        public let fields: [String: String]

        public init(value: String, labels: [String: String], images: [String: String] = [:], fields: [String: String] = [:]) {
            self.value = value
            self.labels = labels
            self.images = images
            self.fields = fields
        }
    }

    public init(path: String, dataType: FieldType, isGroup: Bool = false, isRepeat: Bool = false, required: Expression? = nil,
                relevant: Expression? = nil, constraint: Expression? = nil, calculate: Expression? = nil,
                readonly: Bool = false, preload: String? = nil, control: String? = nil, appearance: String? = nil,
                labels: [String: String] = [:], images: [String: String] = [:], hints: [String: String] = [:],
                guidance: [String: String] = [:],
                constraintMessages: [String: String] = [:], requiredMessages: [String: String] = [:],
                choices: [Choice]? = nil, choiceFilter: ChoiceFilter? = nil, repeatCount: Expression? = nil,
                mediaType: String? = nil, maxPixels: Int? = nil, defaultValue: String? = nil) {
        self.path = path
        self.name = String(path.split(separator: "/").last ?? "")
        self.dataType = dataType
        self.isGroup = isGroup
        self.isRepeat = isRepeat
        self.required = required
        self.relevant = relevant
        self.constraint = constraint
        self.calculate = calculate
        self.readonly = readonly
        self.preload = preload
        self.control = control
        self.appearance = appearance
        self.labels = labels
        self.images = images
        self.hints = hints
        self.guidance = guidance
        self.constraintMessages = constraintMessages
        self.requiredMessages = requiredMessages
        self.choices = choices
        self.choiceFilter = choiceFilter
        self.repeatCount = repeatCount
        self.mediaType = mediaType
        self.maxPixels = maxPixels
        self.defaultValue = defaultValue
    }
}

/// XForms bind types Suivi checks. Anything else is kept as text.
public enum FieldType: String, Sendable {
    case string, int, decimal, date, time, dateTime, select1, select, geopoint, geotrace, geoshape
    case binary, barcode, boolean

    init(bindType: String?) {
        let local = bindType.map { XMLTree.localPart(of: $0) } ?? "string"
        switch local {
        case "int", "integer", "long", "short": self = .int
        case "decimal", "double", "float": self = .decimal
        case "date": self = .date
        case "time": self = .time
        case "dateTime": self = .dateTime
        case "select1": self = .select1
        case "select": self = .select
        case "geopoint": self = .geopoint
        case "geotrace": self = .geotrace
        case "geoshape": self = .geoshape
        case "binary": self = .binary
        case "barcode": self = .barcode
        case "boolean": self = .boolean
        default: self = .string
        }
    }
}
