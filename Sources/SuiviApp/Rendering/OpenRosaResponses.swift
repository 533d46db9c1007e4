import Foundation
import SuiviDomain
import SuiviHTTP

/// Responses in the shape OpenRosa clients (ODK Collect) expect: the
/// version header on every answer, `text/xml`, and `OpenRosaResponse` bodies.
enum OpenRosaResponses {
    static let versionHeader = ("X-OpenRosa-Version", "1.0")

    static func xml(_ status: Int, _ body: String, extraHeaders: [(String, String)] = []) -> Response {
        Response(status: status, contentType: "text/xml; charset=utf-8", body: Data(body.utf8),
                 headers: [versionHeader] + extraHeaders)
    }

    /// `<OpenRosaResponse>` with one message; Collect shows the text to the person.
    static func message(_ status: Int, _ text: String, nature: String = "") -> Response {
        xml(status, """
            <?xml version="1.0" encoding="UTF-8"?>
            <OpenRosaResponse xmlns="http://openrosa.org/http/response" items="0">
              <message nature="\(nature.xmlEscaped)">\(text.xmlEscaped)</message>
            </OpenRosaResponse>
            """)
    }

    static func problem(_ problem: Problem, language: Language) -> Response {
        var response = message(problem.status, ProblemRendering.text(problem, language: language), nature: "error")
        response.headers.append(("X-Suivi-Problem", problem.code))
        response.headers += ProblemRendering.headers(problem)
        return response
    }
}
