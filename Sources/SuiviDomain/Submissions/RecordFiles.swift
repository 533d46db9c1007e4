import SuiviBasics

extension SubmissionDocument {
    /// Every file the record names, wherever its question is: in a group,
    /// or in any instance of repeats nested to any depth (`values` keeps
    /// every occurrence of a path, in document order). Each name once: a
    /// name counted twice would leave the record waiting forever for a file
    /// it already has.
    public func fileNames(for form: FormDefinition) -> [String] {
        var seen = Set<String>()
        var names: [String] = []
        for path in form.binaryFieldPaths {
            for value in values[path] ?? [] {
                let name = value.trimmingWhitespaceAndNewlines()
                if !name.isEmpty, seen.insert(name).inserted { names.append(name) }
            }
        }
        return names
    }
}
