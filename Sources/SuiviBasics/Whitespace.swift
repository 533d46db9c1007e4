/// Trimming with exactly Foundation's `CharacterSet.whitespaces` and
/// `.whitespacesAndNewlines`, scalar by scalar, without bridging to NSString:
/// on Linux `trimmingCharacters(in:)` converts the whole string to UTF-16
/// first, which made it the largest cost of checking a record (a 2 KB note
/// was copied to be trimmed of nothing), and on every upload's part headers.
extension StringProtocol {
    /// Same result as `trimmingCharacters(in: .whitespaces)`.
    public func trimmingWhitespace() -> String {
        Substring(self).trimmingScalars(where: Whitespace.isSpace)
    }

    /// Same result as `trimmingCharacters(in: .whitespacesAndNewlines)`.
    public func trimmingWhitespaceAndNewlines() -> String {
        Substring(self).trimmingScalars(where: Whitespace.isSpaceOrNewline)
    }
}

extension Substring {
    fileprivate func trimmingScalars(where isTrimmed: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, isTrimmed(scalars[start]) {
            start = scalars.index(after: start)
        }
        while start < end {
            let last = scalars.index(before: end)
            guard isTrimmed(scalars[last]) else { break }
            end = last
        }
        return String(scalars[start..<end])
    }
}

public enum Whitespace {
    /// Foundation's `.whitespaces`: tab, space and the Unicode spaces
    /// (U+00A0, U+1680, U+2000–U+200B, U+202F, U+205F, U+3000).
    public static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x20: true
        case 0..<0xA0: false
        case 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// Foundation's `.whitespacesAndNewlines`: the above plus U+000A–U+000D,
    /// U+0085, U+2028 and U+2029.
    public static func isSpaceOrNewline(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: true
        default: isSpace(scalar)
        }
    }
}
