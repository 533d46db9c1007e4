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
        let forms = context.forms
        return JSONResponses.ok(FormCatalogueResponse(forms: forms.current.map { form in
            .init(form: FormDescriptionResponse(form), state: form.state, draftVersion: forms.draft(form.formID)?.version,
                  mediaCount: form.media.count)
        }, newDrafts: forms.newDrafts.map { draft in
            .init(id: draft.formID, title: draft.definition.title, draftVersion: draft.version)
        }), personalData: false)
    }
}
