/// Something wrong with one answer of a well-formed record. The record is
/// kept and flagged for review: the phone cannot fix it after sending.
public struct AnswerIssue: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case wrongType = "wrong_type"
        case missingRequired = "required"
        case unknownChoice = "unknown_choice"
        case constraint
        case unknownField = "unknown_field"
        case advisory
    }

    /// Absolute path of the answer (`/data/household_size`).
    public let field: String
    public let kind: Kind
    /// French, for coordinators.
    public let message: String
    /// English, for developers and the English interface.
    public let englishMessage: String

    private enum CodingKeys: String, CodingKey {
        case field, kind, message
        case englishMessage = "message_en"
    }

    public init(field: String, kind: Kind, message: String, englishMessage: String) {
        self.field = field
        self.kind = kind
        self.message = message
        self.englishMessage = englishMessage
    }
}
