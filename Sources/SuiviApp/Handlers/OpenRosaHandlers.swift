import Foundation
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// The OpenRosa form list, form download and manifest under a personal link,
/// as ODK Collect reads them.
struct OpenRosaHandlers: Sendable {
    let context: AppContext
    let authentication: Authentication

    private func linkBase(_ request: Request) -> String {
        "\(context.baseURL())/key/\(request.parameter("token"))"
    }

    func formList(_ request: Request) async throws -> Response {
        _ = try await authentication.person(request)
        let wanted = request.query["formID"]
        let entries = context.forms.current
            .filter { wanted == nil || $0.formID == wanted }
            .map { form in
                """
                  <xform>
                    <formID>\(form.formID.xmlEscaped)</formID>
                    <name>\(form.definition.title.xmlEscaped)</name>
                    <version>\(form.version.xmlEscaped)</version>
                    <hash>md5:\(form.md5)</hash>
                    <downloadUrl>\(linkBase(request).xmlEscaped)/forms/\(form.formID.xmlEscaped).xml</downloadUrl>
                  </xform>
                """
            }
        return OpenRosaResponses.xml(200, """
            <?xml version="1.0" encoding="UTF-8"?>
            <xforms xmlns="http://openrosa.org/xforms/xformsList">
            \(entries.joined(separator: "\n"))
            </xforms>
            """, extraHeaders: [("Cache-Control", "no-store")])
    }

    func formDownload(_ request: Request) async throws -> Response {
        _ = try await authentication.person(request)
        let formID = request.parameter("formId")
        guard let form = context.forms.currentForm(formID) else { throw Problem.unknownForm(formID) }
        return Response(status: 200, contentType: "text/xml; charset=utf-8", body: form.xml,
                        headers: [OpenRosaResponses.versionHeader, ("Cache-Control", "no-store")])
    }

    /// Suivi's forms carry no media files yet, so manifests are empty.
    func manifest(_ request: Request) async throws -> Response {
        _ = try await authentication.person(request)
        let formID = request.parameter("formId")
        guard context.forms.currentForm(formID) != nil else { throw Problem.unknownForm(formID) }
        return OpenRosaResponses.xml(200, """
            <?xml version="1.0" encoding="UTF-8"?>
            <manifest xmlns="http://openrosa.org/xforms/xformsManifest"></manifest>
            """)
    }

    /// Collect asks before sending how large a request may be.
    func submissionProbe(_ request: Request) async throws -> Response {
        _ = try await authentication.person(request)
        return Response(status: 204, headers: [
            OpenRosaResponses.versionHeader,
            ("X-OpenRosa-Accept-Content-Length", "\(context.configuration.openRosaAcceptContentLength)"),
        ])
    }
}
