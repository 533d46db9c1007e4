/// Trimming with exactly Foundation's `CharacterSet.whitespaces`, scalar by
/// scalar: on Linux `trimmingCharacters(in:)` bridges through NSString and
/// UTF-16, a measurable cost on every upload's part headers. (SuiviDomain
/// has the same helper; this module may not import it.)
extension StringProtocol {
    /// Same result as `trimmingCharacters(in: .whitespaces)`.
    func trimmingWhitespace() -> String {
        let scalars = Substring(self).unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, isWhitespace(scalars[start]) {
            start = scalars.index(after: start)
        }
        while start < end {
            let last = scalars.index(before: end)
            guard isWhitespace(scalars[last]) else { break }
            end = last
        }
        return String(scalars[start..<end])
    }
}

/// Foundation's `.whitespaces`: tab, space and the Unicode spaces (U+00A0,
/// U+1680, U+2000–U+200B, U+202F, U+205F, U+3000).
private func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x09, 0x20: true
    case 0..<0xA0: false
    case 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: true
    default: false
    }
}
