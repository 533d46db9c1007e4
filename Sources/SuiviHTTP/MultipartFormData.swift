import CMicroHTTPD
import Foundation
import SuiviBasics

/// A `multipart/form-data` body split into its parts (RFC 7578). Part bodies
/// are slices of the request body, so a spooled, memory-mapped upload is not
/// copied.
public struct MultipartFormData: Sendable {
    public struct Part: Sendable {
        public let name: String
        public let filename: String?
        public let contentType: String?
        public let body: Data
    }

    public enum ParseError: Error, Equatable, Sendable {
        case notMultipart
        case missingBoundary
        case missingOpeningBoundary
        case unterminatedPart(index: Int)
        case malformedPartHeaders(index: Int)
        case missingPartName(index: Int)
        case tooManyParts(limit: Int)
    }

    public let parts: [Part]

    public static let maximumParts = 500
    private static let maximumHeaderBytes = 8 << 10
    private static let lineBreak = Data("\r\n".utf8)
    private static let headerEnd = Data("\r\n\r\n".utf8)

    public func first(named name: String) -> Part? {
        parts.first { $0.name == name }
    }

    /// Extracts the boundary from a Content-Type header value.
    public static func boundary(fromContentType contentType: String?) throws(ParseError) -> String {
        guard let contentType else { throw .notMultipart }
        let pieces = contentType.split(separator: ";").map { $0.trimmingWhitespace() }
        guard let kind = pieces.first, kind.lowercased() == "multipart/form-data" else { throw .notMultipart }
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            guard piece[..<equals].trimmingWhitespace().lowercased() == "boundary" else { continue }
            var value = piece[piece.index(after: equals)...].trimmingWhitespace()
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast())
            }
            guard !value.isEmpty, value.utf8.count <= 70 else { throw .missingBoundary }
            return value
        }
        throw .missingBoundary
    }

    public init(body: Data, boundary: String) throws(ParseError) {
        let delimiter = Data(("--" + boundary).utf8)
        let body = Data(body)  // rebase indices at zero; cheap for mapped data
        let nextDelimiter = Self.lineBreak + delimiter
        guard let first = Self.find(delimiter, in: body, from: 0),
              first == 0 || Self.find(nextDelimiter, in: body, from: 0) == first - 2
        else { throw .missingOpeningBoundary }
        var cursor = first + delimiter.count
        var parts: [Part] = []
        while true {
            // After a delimiter: "--" closes the body, CRLF opens a part.
            if body.count >= cursor + 2, body[cursor] == UInt8(ascii: "-"), body[cursor + 1] == UInt8(ascii: "-") {
                break
            }
            guard let lineEnd = Self.find(Self.lineBreak, in: body, from: cursor) else {
                throw .unterminatedPart(index: parts.count)
            }
            let index = parts.count
            guard index < Self.maximumParts else { throw .tooManyParts(limit: Self.maximumParts) }
            let headerStart = lineEnd + 2
            guard let headerEnd = Self.find(Self.headerEnd, in: body, from: headerStart - 2),
                  headerEnd - headerStart <= Self.maximumHeaderBytes
            else { throw .malformedPartHeaders(index: index) }
            let headerBytes = headerEnd > headerStart ? body[headerStart..<headerEnd] : Data()
            let isASCII = headerBytes.withUnsafeBytes { bytes in !bytes.contains { $0 >= 0x80 } }
            var headerText: String?
            if !isASCII {
                headerText = String(data: headerBytes, encoding: .utf8)
                guard headerText != nil else { throw .malformedPartHeaders(index: index) }
            }
            let contentStart = headerEnd + 4
            guard let contentEnd = Self.find(nextDelimiter, in: body, from: contentStart - 2) else {
                throw .unterminatedPart(index: index)
            }
            let headers = if let headerText {
                try Self.parseHeaders(headerText, index: index)
            } else {
                try Self.parseASCIIHeaders(headerBytes, index: index)
            }
            let content = contentEnd >= contentStart ? body[contentStart..<contentEnd] : Data()
            parts.append(Part(name: headers.name, filename: headers.filename,
                              contentType: headers.contentType, body: content))
            cursor = contentEnd + nextDelimiter.count
        }
        self.parts = parts
    }

    private static func parseHeaders(_ text: String, index: Int) throws(ParseError)
        -> (name: String, filename: String?, contentType: String?)
    {
        var name: String?
        var filename: String?
        var contentType: String?
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { throw .malformedPartHeaders(index: index) }
            let field = line[..<colon].trimmingWhitespace().lowercased()
            let value = line[line.index(after: colon)...].trimmingWhitespace()
            switch field {
            case "content-disposition":
                let parameters = dispositionParameters(value)
                name = parameters["name"]
                filename = parameters["filename"]
            case "content-type":
                contentType = value
            default:
                continue
            }
        }
        guard let name, !name.isEmpty else { throw .missingPartName(index: index) }
        return (name, filename, contentType)
    }

    /// The same as `parseHeaders` for part headers that are plain ASCII (what
    /// phones send), read byte by byte: splitting a String into Characters
    /// and lowercasing each field name showed in profiles of every upload.
    /// For ASCII, Characters are bytes except CR LF, which is the separator.
    private static func parseASCIIHeaders(_ bytes: Data, index: Int) throws(ParseError)
        -> (name: String, filename: String?, contentType: String?)
    {
        let parsed = bytes.withUnsafeBytes { raw -> Result<(String?, String?, String?), ParseError> in
            let bytes = raw.bindMemory(to: UInt8.self)
            var name: String?
            var filename: String?
            var contentType: String?
            var lineStart = 0
            while lineStart < bytes.count {
                var lineEnd = lineStart
                while lineEnd < bytes.count,
                      !(bytes[lineEnd] == 0x0D && lineEnd + 1 < bytes.count && bytes[lineEnd + 1] == 0x0A) {
                    lineEnd += 1
                }
                defer { lineStart = lineEnd + 2 }
                guard lineEnd > lineStart else { continue }  // empty lines are skipped, as split does
                guard let colon = (lineStart..<lineEnd).first(where: { bytes[$0] == UInt8(ascii: ":") }) else {
                    return .failure(.malformedPartHeaders(index: index))
                }
                let field = trimmed(bytes, lineStart, colon)
                let value = trimmed(bytes, colon + 1, lineEnd)
                if equalsIgnoringCase(bytes, field, "content-disposition") {
                    let parameters = dispositionParameters(string(bytes, value))
                    name = parameters["name"]
                    filename = parameters["filename"]
                } else if equalsIgnoringCase(bytes, field, "content-type") {
                    contentType = string(bytes, value)
                }
            }
            return .success((name, filename, contentType))
        }
        switch parsed {
        case .failure(let error):
            throw error
        case .success(let (name, filename, contentType)):
            guard let name, !name.isEmpty else { throw .missingPartName(index: index) }
            return (name, filename, contentType)
        }
    }

    /// `start..<end` without leading and trailing spaces and tabs (for ASCII,
    /// exactly what `trimmingWhitespace()` removes).
    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Range<Int> {
        var start = start
        var end = end
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while start < end, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return start..<end
    }

    private static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
                                           _ lowercase: StaticString) -> Bool {
        guard range.count == lowercase.utf8CodeUnitCount else { return false }
        let wanted = lowercase.utf8Start
        for offset in 0..<range.count {
            var byte = bytes[range.lowerBound + offset]
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte += 0x20 }
            guard byte == wanted[offset] else { return false }
        }
        return true
    }

    private static func string(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// `form-data; name="a"; filename="b.jpg"` → ["name": "a", "filename": "b.jpg"].
    private static func dispositionParameters(_ value: String) -> [String: String] {
        var result: [String: String] = [:]
        var remaining = Substring(value)
        while let semicolon = remaining.firstIndex(of: ";") {
            remaining = remaining[remaining.index(after: semicolon)...]
            let trimmed = remaining.drop { $0 == " " }
            guard let equals = trimmed.firstIndex(of: "=") else { break }
            let key = trimmed[..<equals].lowercased()
            var rest = trimmed[trimmed.index(after: equals)...]
            var parsed = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                var end = rest.endIndex
                for position in rest.indices {
                    let character = rest[position]
                    if escaped { parsed.append(character); escaped = false; continue }
                    if character == "\\" { escaped = true; continue }
                    if character == "\"" { end = position; break }
                    parsed.append(character)
                }
                remaining = end < rest.endIndex ? rest[rest.index(after: end)...] : rest[rest.endIndex...]
            } else {
                let end = rest.firstIndex(of: ";") ?? rest.endIndex
                parsed = rest[..<end].trimmingWhitespace()
                remaining = rest[end...]
            }
            result[key] = parsed
        }
        return result
    }

    /// Byte search with memmem: linear in practice, unlike a naive scan.
    private static func find(_ needle: Data, in haystack: Data, from start: Int) -> Int? {
        guard start >= 0, start <= haystack.count, !needle.isEmpty else { return nil }
        return haystack.withUnsafeBytes { hay -> Int? in
            needle.withUnsafeBytes { pin -> Int? in
                guard let base = hay.baseAddress, let needleBase = pin.baseAddress else { return nil }
                guard let found = suivi_find_bytes(base + start, hay.count - start, needleBase, pin.count) else { return nil }
                return base.distance(to: UnsafeRawPointer(found))
            }
        }
    }
}
