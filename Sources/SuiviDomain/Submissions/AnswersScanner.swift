import Foundation

/// Reads chosen fields out of a record's stored answers (the flat JSON
/// object of field name to text that `Answers.encode` writes) in one pass
/// over the bytes SQLite lends, without Foundation, strings or a dictionary
/// per record. Exports read a million records: this replaces one SQLite
/// `json_extract` call per field and record, which cost most of their time.
///
/// A value is what `json_extract(answers, '$."field"')` gives: strings
/// unescaped (UTF-8), numbers as written, `true` 1, `false` 0, nested
/// objects and arrays as their JSON text; `null` and missing fields are
/// empty. The first of two equal keys wins, as in SQLite.
///
/// One scanner per export (it keeps its buffers between records); not
/// shared between threads.
public struct AnswersScanner {
    /// The answers are not a JSON object: `offset` is where reading stopped.
    public struct Malformed: Error, Equatable {
        public let offset: Int
    }

    private enum Source: UInt8 {
        case absent, input, scratch
    }

    private struct Span {
        var source: Source = .absent
        var start = 0
        var count = 0
    }

    /// The field names, back to back (one buffer, not an array per name:
    /// no reference counting per comparison).
    private let fieldBytes: [UInt8]
    private let fieldRanges: [Range<Int>]
    private var spans: [Span]
    /// Unescaped values live here until the next `scan`.
    private var scratch: [UInt8] = []
    private var keyScratch: [UInt8] = []
    /// Keys come in the same (sorted) order in every record: the keys seen
    /// at each position last time and the field each named (-1: none), so
    /// most lookups are one comparison.
    private var seenKeyBytes: [UInt8] = []
    private var seenKeyRanges: [Range<Int>] = []
    private var seenFields: [Int] = []

    /// `fields`: the names to read, in the order `value(_:in:_:)` indexes them.
    public init(fields: [String]) {
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        for field in fields {
            let start = bytes.count
            bytes.append(contentsOf: field.utf8)
            ranges.append(start..<bytes.count)
        }
        fieldBytes = bytes
        fieldRanges = ranges
        spans = Array(repeating: Span(), count: fields.count)
        scratch.reserveCapacity(1024)
    }

    public var fieldCount: Int { fieldRanges.count }

    /// Reads one record's answers. Afterwards `value(_:in:_:)` lends each
    /// field's bytes; `input` must be the same buffer, still valid.
    public mutating func scan(_ input: UnsafeRawBufferPointer) throws {
        for index in spans.indices { spans[index] = Span() }
        scratch.removeAll(keepingCapacity: true)
        let end = input.count
        var position = skipSpace(input, 0)
        guard position < end, input[position] == UInt8(ascii: "{") else { throw Malformed(offset: position) }
        position = skipSpace(input, position + 1)
        if position < end, input[position] == UInt8(ascii: "}") {
            return try finish(input, position + 1)
        }
        var keyIndex = 0
        while true {
            guard position < end, input[position] == UInt8(ascii: "\"") else { throw Malformed(offset: position) }
            let (keyEnd, keyEscaped) = try stringEnd(input, position + 1)
            let field = try lookup(input, from: position + 1, to: keyEnd, escaped: keyEscaped, at: keyIndex)
            keyIndex += 1
            position = skipSpace(input, keyEnd + 1)
            guard position < end, input[position] == UInt8(ascii: ":") else { throw Malformed(offset: position) }
            position = skipSpace(input, position + 1)
            position = try value(input, at: position, field: field >= 0 && spans[field].source == .absent ? field : -1)
            position = skipSpace(input, position)
            guard position < end else { throw Malformed(offset: position) }
            if input[position] == UInt8(ascii: ",") {
                position = skipSpace(input, position + 1)
            } else if input[position] == UInt8(ascii: "}") {
                return try finish(input, position + 1)
            } else {
                throw Malformed(offset: position)
            }
        }
    }

    /// Lends the bytes of field `index` from the last `scan` (empty when the
    /// record has no answer to it).
    public func value<T>(_ index: Int, in input: UnsafeRawBufferPointer,
                         _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let span = spans[index]
        switch span.source {
        case .absent:
            return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        case .input:
            return try body(UnsafeRawBufferPointer(rebasing: input[span.start..<(span.start + span.count)]))
        case .scratch:
            return try scratch.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[span.start..<(span.start + span.count)])) }
        }
    }

    /// Field `index` from the last `scan` as a string (nil when absent).
    public func string(_ index: Int, in input: UnsafeRawBufferPointer) -> String? {
        guard spans[index].source != .absent else { return nil }
        return value(index, in: input) { String(decoding: $0, as: UTF8.self) }
    }

    // MARK: Reading

    private func finish(_ input: UnsafeRawBufferPointer, _ position: Int) throws {
        let after = skipSpace(input, position)
        guard after == input.count else { throw Malformed(offset: after) }
    }

    private func skipSpace(_ input: UnsafeRawBufferPointer, _ start: Int) -> Int {
        var position = start
        while position < input.count {
            switch input[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return position
            }
        }
        return position
    }

    /// The index of the closing quote of a string whose content starts at
    /// `start`, and whether the content has escapes.
    private func stringEnd(_ input: UnsafeRawBufferPointer, _ start: Int) throws -> (Int, Bool) {
        var position = start
        var escaped = false
        let end = input.count
        while position < end {
            let byte = input[position]
            if byte == UInt8(ascii: "\"") { return (position, escaped) }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                position += 2
            } else {
                position += 1
            }
        }
        throw Malformed(offset: end)
    }

    /// The field a key names, or -1.
    private mutating func lookup(_ input: UnsafeRawBufferPointer, from start: Int, to end: Int, escaped: Bool,
                                 at keyIndex: Int) throws -> Int {
        if escaped {
            keyScratch.removeAll(keepingCapacity: true)
            try unescape(input, from: start, to: end, into: &keyScratch)
            let key = keyScratch
            return key.withUnsafeBytes { find($0, at: keyIndex) }
        }
        return find(UnsafeRawBufferPointer(rebasing: input[start..<end]), at: keyIndex)
    }

    private mutating func find(_ key: UnsafeRawBufferPointer, at keyIndex: Int) -> Int {
        if keyIndex < seenFields.count {
            let range = seenKeyRanges[keyIndex]
            if seenKeyBytes.withUnsafeBytes({ Self.equal($0, range, key) }) { return seenFields[keyIndex] }
            // Another set of keys from here on: learn them again.
            seenKeyBytes.removeSubrange(range.lowerBound...)
            seenKeyRanges.removeSubrange(keyIndex...)
            seenFields.removeSubrange(keyIndex...)
        }
        let ranges = fieldRanges
        let found = fieldBytes.withUnsafeBytes { names in
            ranges.firstIndex { Self.equal(names, $0, key) } ?? -1
        }
        if keyIndex == seenFields.count {
            let start = seenKeyBytes.count
            seenKeyBytes.append(contentsOf: key)
            seenKeyRanges.append(start..<seenKeyBytes.count)
            seenFields.append(found)
        }
        return found
    }

    private static func equal(_ names: UnsafeRawBufferPointer, _ range: Range<Int>, _ key: UnsafeRawBufferPointer) -> Bool {
        guard range.count == key.count else { return false }
        return range.isEmpty || memcmp(names.baseAddress! + range.lowerBound, key.baseAddress!, range.count) == 0
    }

    /// Reads the value at `start`, recording it for `field` (-1: skip it);
    /// returns the position after it.
    private mutating func value(_ input: UnsafeRawBufferPointer, at start: Int, field: Int) throws -> Int {
        guard start < input.count else { throw Malformed(offset: start) }
        switch input[start] {
        case UInt8(ascii: "\""):
            let (end, escaped) = try stringEnd(input, start + 1)
            if field >= 0 {
                if escaped {
                    let from = scratch.count
                    try unescape(input, from: start + 1, to: end, into: &scratch)
                    spans[field] = Span(source: .scratch, start: from, count: scratch.count - from)
                } else {
                    spans[field] = Span(source: .input, start: start + 1, count: end - start - 1)
                }
            }
            return end + 1
        case UInt8(ascii: "n"):
            return try literal(input, at: start, "null")
        case UInt8(ascii: "t"):
            let end = try literal(input, at: start, "true")
            if field >= 0 { setScratch(field, UInt8(ascii: "1")) }
            return end
        case UInt8(ascii: "f"):
            let end = try literal(input, at: start, "false")
            if field >= 0 { setScratch(field, UInt8(ascii: "0")) }
            return end
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            var end = start + 1
            while end < input.count {
                switch input[end] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"),
                     UInt8(ascii: "+"), UInt8(ascii: "-"):
                    end += 1
                    continue
                default:
                    break
                }
                break
            }
            if field >= 0 { spans[field] = Span(source: .input, start: start, count: end - start) }
            return end
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let end = try nestedEnd(input, start)
            if field >= 0 { spans[field] = Span(source: .input, start: start, count: end - start) }
            return end
        default:
            throw Malformed(offset: start)
        }
    }

    private mutating func setScratch(_ field: Int, _ byte: UInt8) {
        spans[field] = Span(source: .scratch, start: scratch.count, count: 1)
        scratch.append(byte)
    }

    private func literal(_ input: UnsafeRawBufferPointer, at start: Int, _ word: StaticString) throws -> Int {
        let count = word.utf8CodeUnitCount
        guard start + count <= input.count else { throw Malformed(offset: start) }
        for offset in 0..<count where input[start + offset] != word.utf8Start[offset] {
            throw Malformed(offset: start + offset)
        }
        return start + count
    }

    /// The position after a nested object or array starting at `start`.
    private func nestedEnd(_ input: UnsafeRawBufferPointer, _ start: Int) throws -> Int {
        var depth = 0
        var position = start
        while position < input.count {
            switch input[position] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { return position + 1 }
            case UInt8(ascii: "\""):
                position = try stringEnd(input, position + 1).0
            default:
                break
            }
            position += 1
        }
        throw Malformed(offset: input.count)
    }

    /// Appends the unescaped content of a string to `output`.
    private func unescape(_ input: UnsafeRawBufferPointer, from start: Int, to end: Int, into output: inout [UInt8]) throws {
        var position = start
        while position < end {
            let byte = input[position]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                position += 1
                continue
            }
            guard position + 1 < end else { throw Malformed(offset: position) }
            let escape = input[position + 1]
            position += 2
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escape)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(input, position, end)
                position += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    // A high surrogate takes the low one that follows.
                    if position + 6 <= end, input[position] == UInt8(ascii: "\\"), input[position + 1] == UInt8(ascii: "u"),
                       let low = try? hex4(input, position + 2, end), (0xDC00...0xDFFF).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        position += 6
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    scalar = 0xFFFD
                }
                Self.appendUTF8(scalar, to: &output)
            default:
                throw Malformed(offset: position - 1)
            }
        }
    }

    private func hex4(_ input: UnsafeRawBufferPointer, _ start: Int, _ end: Int) throws -> UInt32 {
        guard start + 4 <= end else { throw Malformed(offset: start) }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = input[start + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Malformed(offset: start + offset)
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private static func appendUTF8(_ scalar: UInt32, to output: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            output.append(UInt8(scalar))
        case 0x80..<0x800:
            output.append(UInt8(0xC0 | scalar >> 6))
            output.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            output.append(UInt8(0xE0 | scalar >> 12))
            output.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        default:
            output.append(UInt8(0xF0 | scalar >> 18))
            output.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            output.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}
