import Foundation
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

/// Problems as JSON for the API and web pages.
enum ProblemRendering {
    static func text(_ problem: Problem, language: Language) -> String {
        switch language {
        case .french: "\(problem.message) (\(problem.englishMessage))"
        case .english: problem.englishMessage
        }
    }

    static func json(_ problem: Problem) -> Response {
        var object: [String: Any] = [
            "code": problem.code,
            "message": problem.message,
            "message_en": problem.englishMessage,
        ]
        if let field = problem.field { object["field"] = field }
        if let detail = problem.detail { object["detail"] = detail }
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        var headers: [(String, String)] = [("Cache-Control", "no-store")]
        if problem.status == 401 { headers.append(("WWW-Authenticate", "Bearer realm=\"suivi\"")) }
        if let seconds = problem.retryAfterSeconds { headers.append(("Retry-After", String(seconds))) }
        return Response(status: problem.status, contentType: "application/json; charset=utf-8", body: body, headers: headers)
    }
}

/// JSON bodies for the API.
enum JSONResponses {
    static func ok(_ object: Any, status: Int = 200, personalData: Bool = true) -> Response {
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return Response(status: status, contentType: "application/json; charset=utf-8", body: body,
                        headers: personalData ? [("Cache-Control", "no-store")] : [])
    }
}
