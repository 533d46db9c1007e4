/// An indicator coordinators follow (visits, pre-registrations, people
/// reached...): data, not code. It adds up one or more sources; each source
/// is a form, an optional filter on one answer, and an aggregate.
public struct Indicator: Sendable, Equatable {
    public let id: String
    public let nameFrench: String
    public let nameEnglish: String
    public let position: Int
    public let active: Bool
    public let sources: [IndicatorSource]

    public init(id: String, nameFrench: String, nameEnglish: String, position: Int, active: Bool = true,
                sources: [IndicatorSource]) {
        self.id = id
        self.nameFrench = nameFrench
        self.nameEnglish = nameEnglish
        self.position = position
        self.active = active
        self.sources = sources
    }

    /// Stable ids: lower-case ASCII letters, digits and underscores, starting
    /// with a letter (the schema checks the same).
    public static func isValidID(_ id: String) -> Bool {
        guard let first = id.unicodeScalars.first, ("a"..."z").contains(first), id.count <= 60 else { return false }
        return id.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}

public struct IndicatorSource: Sendable, Equatable {
    public enum Aggregate: String, Sendable {
        /// One per record.
        case count
        /// The record's numeric answer `sumField`.
        case sum
    }

    public let formID: String
    public let filterField: String?
    public let filterValue: String?
    public let aggregate: Aggregate
    public let sumField: String?

    public init(formID: String, filterField: String?, filterValue: String?, aggregate: Aggregate, sumField: String?) {
        self.formID = formID
        self.filterField = filterField
        self.filterValue = filterValue
        self.aggregate = aggregate
        self.sumField = sumField
    }

    /// Checks the source against the form it reads: the fields must exist,
    /// a summed field must be numeric, a filter value one of the field's
    /// choices when it has any. Returns the Problem to answer with.
    public func problem(against form: FormDefinition?, index: Int) -> Problem? {
        let prefix = "sources[\(index)]"
        // A body field naming an unknown form is a bad request (400), not a
        // missing resource: the URL exists (found by schemathesis).
        guard let form else { return .invalidParameter("\(prefix).form", "unknown form: \(formID.prefix(60))") }
        let fields = form.fields.filter { !$0.isGroup }
        if let filterField {
            guard let field = fields.first(where: { $0.name == filterField }) else {
                return .unknownFormField(form: formID, field: filterField, at: "\(prefix).filter_field")
            }
            guard let value = filterValue, !value.isEmpty, !value.contains(" ") else {
                return .invalidParameter("\(prefix).filter_value", "required with filter_field: one answer value, without spaces")
            }
            if let choices = field.choices, !choices.isEmpty, !choices.contains(where: { $0.value == value }) {
                return .invalidParameter("\(prefix).filter_value",
                                         "not a choice of \(filterField): \(choices.map(\.value).joined(separator: ", "))")
            }
        } else if filterValue != nil {
            return .invalidParameter("\(prefix).filter_field", "required with filter_value")
        }
        switch aggregate {
        case .count:
            if sumField != nil { return .invalidParameter("\(prefix).sum_field", "only with aggregate sum") }
        case .sum:
            guard let sumField else { return .invalidParameter("\(prefix).sum_field", "required with aggregate sum") }
            guard let field = fields.first(where: { $0.name == sumField }) else {
                return .unknownFormField(form: formID, field: sumField, at: "\(prefix).sum_field")
            }
            guard field.dataType == .int || field.dataType == .decimal else {
                return .invalidParameter("\(prefix).sum_field", "\(sumField) is not a number field (int or decimal)")
            }
        }
        return nil
    }
}
