import Foundation
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// What ODK Collect reads of a form, under whichever link it was given (a
/// personal link, or a draft's test link): written in one place.
enum OpenRosaDocuments {
    /// One `<xform>` of a form list; `linkBase` is the link's own address.
    static func formListEntry(_ form: FormRegistry.LoadedForm, linkBase: String, nameSuffix: String = "") -> String {
        let formBase = "\(linkBase)/forms/\(form.formID.percentEncodedPathSegment)"
        // Collect fetches media files only for forms that name a manifest.
        let manifest = form.media.isEmpty ? "" : "\n    <manifestUrl>\(formBase.xmlEscaped)/manifest</manifestUrl>"
        return """
              <xform>
                <formID>\(form.formID.xmlEscaped)</formID>
                <name>\((form.definition.title + nameSuffix).xmlEscaped)</name>
                <version>\(form.version.xmlEscaped)</version>
                <hash>md5:\(form.md5)</hash>
                <downloadUrl>\(formBase.xmlEscaped).xml</downloadUrl>\(manifest)
              </xform>
            """
    }

    static func formList(_ entries: [String]) -> Response {
        OpenRosaResponses.xml(200, """
            <?xml version="1.0" encoding="UTF-8"?>
            <xforms xmlns="http://openrosa.org/xforms/xformsList">
            \(entries.joined(separator: "\n"))
            </xforms>
            """, extraHeaders: [("Cache-Control", "no-store")])
    }

    static func formDownload(_ form: FormRegistry.LoadedForm) -> Response {
        Response(status: 200, contentType: "text/xml; charset=utf-8", body: form.xml,
                 headers: [OpenRosaResponses.versionHeader, ("Cache-Control", "no-store")])
    }

    /// The version's media and data files, each with its MD5 and where to
    /// fetch it under the same link.
    static func manifest(_ form: FormRegistry.LoadedForm, linkBase: String) -> Response {
        let formBase = "\(linkBase)/forms/\(form.formID.percentEncodedPathSegment)"
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

    /// One media file of `form`'s version, as the manifest names it; 404 otherwise.
    static func mediaFile(_ form: FormRegistry.LoadedForm, named name: String, store: FormStore) async throws -> Response {
        guard form.media.contains(where: { $0.name == name }),
              let file = try await store.mediaFile(formID: form.formID, version: form.version, name: name),
              let bytes = file.bytes
        else { throw Problem.notFound() }
        return Response(status: 200, contentType: file.contentType, body: bytes, headers: [
            OpenRosaResponses.versionHeader, ("X-Content-Type-Options", "nosniff"),
            ("Content-Disposition", "attachment"), ("Cache-Control", "private, no-cache")])
    }

    /// Collect asks before sending how large a request may be.
    static func submissionProbe(acceptedLength: Int) -> Response {
        Response(status: 204, headers: [
            OpenRosaResponses.versionHeader, ("X-OpenRosa-Accept-Content-Length", "\(acceptedLength)"),
        ])
    }
}
