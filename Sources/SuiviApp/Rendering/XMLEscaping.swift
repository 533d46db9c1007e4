extension String {
    /// Text safe inside XML elements and attribute values.
    var xmlEscaped: String {
        var result = ""
        result.reserveCapacity(count)
        for character in self {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default: result.append(character)
            }
        }
        return result
    }
}

extension String {
    /// One path segment of a URL: everything but unreserved characters
    /// percent-encoded (a media file may be named "logo mutuelle.png").
    var percentEncodedPathSegment: String {
        addingPercentEncoding(withAllowedCharacters: .init(charactersIn:
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? self
    }
}
