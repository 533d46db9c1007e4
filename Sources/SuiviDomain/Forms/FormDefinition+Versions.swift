/// A form's versions seen together: records of every version are exported
/// in one file, so no answer of an older version may lose its column.
extension FormDefinition {
    /// This version's fields in its order, then the fields only `others`
    /// have (in the order given: newest first), as ODK Central's export
    /// takes the union of every version's fields. Everything else (title,
    /// languages) is this version's.
    public func withFields(of others: [FormDefinition]) -> FormDefinition {
        var known = Set(fields.map(\.path))
        var merged = fields
        for other in others {
            for field in other.fields where !known.contains(field.path) {
                merged.append(field)
                known.insert(field.path)
            }
        }
        guard merged.count > fields.count else { return self }
        return FormDefinition(formID: formID, version: version, title: title, rootName: rootName, languages: languages,
                              defaultLanguage: defaultLanguage, fields: merged, warnings: warnings)
    }
}
