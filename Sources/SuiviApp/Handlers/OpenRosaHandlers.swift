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
        let base = linkBase(request)
        return OpenRosaDocuments.formList(context.forms.listed
            .filter { wanted == nil || $0.formID == wanted }
            .map { OpenRosaDocuments.formListEntry($0, linkBase: base) })
    }

    func formDownload(_ request: Request) async throws -> Response {
        _ = try await authentication.person(request)
        let formID = request.parameter("formId")
        guard let form = context.forms.currentForm(formID), form.state.isListed else { throw Problem.unknownForm(formID) }
        return OpenRosaDocuments.formDownload(form)
    }

    /// The current version's media and data files.
    func manifest(_ request: Request) async throws -> Response {
        _ = try await authentication.person(request)
        let formID = request.parameter("formId")
        guard let form = context.forms.currentForm(formID) else { throw Problem.unknownForm(formID) }
        return OpenRosaDocuments.manifest(form, linkBase: linkBase(request))
    }

    /// One media file of the form's current version, as the manifest names it.
    func mediaFile(_ request: Request) async throws -> Response {
        _ = try await authentication.person(request)
        let formID = request.parameter("formId")
        guard let form = context.forms.currentForm(formID) else { throw Problem.unknownForm(formID) }
        return try await OpenRosaDocuments.mediaFile(form, named: request.parameter("name"), store: context.forms.store)
    }

    func submissionProbe(_ request: Request) async throws -> Response {
        _ = try await authentication.person(request)
        return OpenRosaDocuments.submissionProbe(acceptedLength: context.configuration.openRosaAcceptContentLength)
    }
}
