import Foundation
import SuiviBasics
import SuiviDomain
import SuiviHTTP

/// The language a person reads: French unless the client asks for English first.
enum Language: String, Sendable {
    case french = "fr", english = "en"

    init(_ request: Request) {
        let accepted = request.headers["Accept-Language"]?.lowercased() ?? ""
        if request.query["lang"] == "en" || accepted.hasPrefix("en") {
            self = .english
        } else {
            self = .french
        }
    }
}

/// How a route words its Problems, fixed when the route is registered
/// (`Routes.swift`): JSON for the API and pages, OpenRosa XML for ODK Collect.
enum ProblemFormat: Sendable {
    case json, openRosa
}

/// Problems as JSON for the API and web pages, or as OpenRosa XML.
enum ProblemRendering {
    static func response(_ problem: Problem, format: ProblemFormat, request: Request) -> Response {
        switch format {
        case .json: json(problem)
        case .openRosa: OpenRosaResponses.problem(problem, language: Language(request))
        }
    }

    /// What every format says in headers: `Retry-After`, `Allow`.
    static func headers(_ problem: Problem) -> [(String, String)] {
        var headers: [(String, String)] = []
        if let seconds = problem.retryAfterSeconds { headers.append(("Retry-After", String(seconds))) }
        if let allowed = problem.allowedMethods { headers.append(("Allow", allowed.joined(separator: ", "))) }
        return headers
    }

    static func text(_ problem: Problem, language: Language) -> String {
        switch language {
        case .french: "\(problem.message) (\(problem.englishMessage))"
        case .english: problem.englishMessage
        }
    }

    static func json(_ problem: Problem) -> Response {
        var headers: [(String, String)] = [("Cache-Control", "no-store")]
        if problem.status == 401 { headers.append(("WWW-Authenticate", "Bearer realm=\"suivi\"")) }
        headers += Self.headers(problem)
        return JSONResponses.ok(bytes: JSONResponses.encoded(ProblemResponse(problem)), status: problem.status,
                                headers: headers)
    }
}

/// A problem as the API says it: `field` and `detail` only when the problem
/// has them (absent, not null: clients test for the key).
struct ProblemResponse: Encodable {
    let code: String
    let message: String
    let messageEnglish: String
    let field: String?
    let detail: String?

    enum CodingKeys: String, CodingKey {
        case code, message, messageEnglish = "message_en", field, detail
    }

    init(_ problem: Problem) {
        code = problem.code
        message = problem.message
        messageEnglish = problem.englishMessage
        field = problem.field
        detail = problem.detail
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(message, forKey: .message)
        try container.encode(messageEnglish, forKey: .messageEnglish)
        if let field { try container.encode(field, forKey: .field) }
        if let detail { try container.encode(detail, forKey: .detail) }
    }
}

/// JSON bodies for the API: a response type written by `JSONResponseEncoder`.
enum JSONResponses {
    /// `personalData`: never kept by a cache (`no-store`).
    static func ok(_ value: some Encodable, status: Int = 200, personalData: Bool = true) -> Response {
        ok(bytes: encoded(value), status: status, headers: personalData ? [("Cache-Control", "no-store")] : [])
    }

    /// Tallies and reports: no personal data, but they change with every
    /// record, so a cache must ask again each time (`no-cache`).
    static func tallies(_ value: some Encodable) -> Response {
        tallies(bytes: encoded(value))
    }

    /// Tallies written by hand with `JSONWriter` (the hot routes).
    static func tallies(bytes: [UInt8]) -> Response {
        ok(bytes: bytes, headers: [("Cache-Control", "no-cache")])
    }

    static func ok(bytes: [UInt8], status: Int = 200, headers: [(String, String)]) -> Response {
        Response(status: status, contentType: "application/json; charset=utf-8", body: Data(bytes), headers: headers)
    }

    /// A response type cannot fail to encode unless the program is wrong (a
    /// `JSONFragment` given to another encoder, a throwing `encode(to:)`).
    static func encoded(_ value: some Encodable) -> [UInt8] {
        do {
            return try JSONResponseEncoder.encode(value)
        } catch {
            preconditionFailure("\(type(of: value)) did not encode: \(error)")
        }
    }

    @available(*, deprecated, message: "use a response type")
    static func ok(_ object: Any, status: Int = 200, personalData: Bool = true) -> Response {
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return Response(status: status, contentType: "application/json; charset=utf-8", body: body,
                        headers: personalData ? [("Cache-Control", "no-store")] : [])
    }
}
