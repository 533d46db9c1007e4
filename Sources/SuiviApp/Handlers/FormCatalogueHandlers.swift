import Foundation
import SuiviDomain
import SuiviHTTP

/// `GET /api/v1/forms`: the forms phones get now, with their questions,
/// labels and choices, described as the phone web form reads them. No
/// personal data: what the indicators page needs to offer a form's fields
/// and choices instead of asking for names typed from memory.
struct FormCatalogueHandlers: Sendable {
    let context: AppContext
    let authentication: Authentication

    func list(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.readTallies)
        return JSONResponses.ok(FormCatalogueResponse(forms: context.forms.current.map(FormDescriptionResponse.init)),
                                personalData: false)
    }
}
