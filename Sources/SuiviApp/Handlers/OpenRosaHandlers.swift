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
        // A form published by `suivi form publish` shows on the next list.
        try context.forms.reloadIfChanged()
        // Closing and closed forms leave the list (phones keep what they have).
        let entries = context.forms.listed
            .filter { wanted == nil || $0.formID == wanted }
            .map { form in
                let formBase = "\(linkBase(request))/forms/\(form.formID.percentEncodedPathSegment)"
                // Collect fetches media files only for forms that name a manifest.
                let manifest = form.media.isEmpty ? "" : "\n    <manifestUrl>\(formBase.xmlEscaped)/manifest</manifestUrl>"
                return """
                  <xform>
                    <formID>\(form.formID.xmlEscaped)</formID>
                    <name>\(form.definition.title.xmlEscaped)</name>
                    <version>\(form.version.xmlEscaped)</version>
                    <hash>md5:\(form.md5)</hash>
                    <downloadUrl>\(formBase.xmlEscaped).xml</downloadUrl>\(manifest)
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
        guard let form = context.forms.currentForm(formID), form.state.isListed else { throw Problem.unknownForm(formID) }
        return Response(status: 200, contentType: "text/xml; charset=utf-8", body: form.xml,
                        headers: [OpenRosaResponses.versionHeader, ("Cache-Control", "no-store")])
    }

    /// The current version's media and data files, each with its MD5 and
    /// where to fetch it under the same personal link.
    func manifest(_ request: Request) async throws -> Response {
        _ = try await authentication.person(request)
        let formID = request.parameter("formId")
        guard let form = context.forms.currentForm(formID) else { throw Problem.unknownForm(formID) }
        let formBase = "\(linkBase(request))/forms/\(form.formID.percentEncodedPathSegment)"
        let files = form.media.map { file in
            """
              <mediaFile>
                <filename>\(file.name.xmlEscaped)</filename>
                <hash>md5:\(file.md5)</hash>
                <downloadUrl>\(formBase.xmlEscaped)/media/\(file.name.percentEncodedPathSegment.xmlEscaped)</downloadUrl>
              </mediaFile>
            """
        }
        return OpenRosaResponses.xml(200, """
            <?xml version="1.0" encoding="UTF-8"?>
            <manifest xmlns="http://openrosa.org/xforms/xformsManifest">
            \(files.joined(separator: "\n"))
            </manifest>
            """, extraHeaders: [("Cache-Control", "no-store")])
    }

    /// One media file of the form's current version, as the manifest names it.
    func mediaFile(_ request: Request) async throws -> Response {
        _ = try await authentication.person(request)
        let formID = request.parameter("formId")
        guard let form = context.forms.currentForm(formID) else { throw Problem.unknownForm(formID) }
        let name = request.parameter("name")
        guard form.media.contains(where: { $0.name == name }),
              let file = try await context.forms.store.mediaFile(formID: formID, version: form.version, name: name),
              let bytes = file.bytes
        else { throw Problem.notFound() }
        return Response(status: 200, contentType: file.contentType, body: bytes, headers: [
            OpenRosaResponses.versionHeader, ("X-Content-Type-Options", "nosniff"),
            ("Content-Disposition", "attachment"), ("Cache-Control", "private, no-cache")])
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
