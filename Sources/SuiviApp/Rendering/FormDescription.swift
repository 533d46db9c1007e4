import Foundation
import SuiviDomain

/// A form's questions as JSON, for the phone web form and the indicators
/// page: the same XForm ODK Collect gets, already read, so the browser
/// needs no XML parser. Every key is always there (null when a field has
/// no such property).
struct FormDescriptionResponse: Encodable {
    struct Field: Encodable {
        struct Choice: Encodable {
            let value: String
            let labels: [String: String]
            /// The choice's image per language: a media file of the form.
            let images: [String: String]
            /// What `choice_filter` reads of the item; null for an unfiltered list.
            let fields: [String: String]?
        }

        let path: String
        let name: String
        let type: String
        let group: Bool
        let readonly: Bool
        let labels: [String: String]
        /// The label's image per language: a media file of the form, served
        /// beside the form (`.../forms/{id}/media/{name}`).
        let images: [String: String]
        let hints: [String: String]
        /// Longer help per language, shown on demand.
        let guidance: [String: String]
        let control: String?
        let appearance: String?
        let required: String?
        let relevant: String?
        let constraint: String?
        let calculate: String?
        let preload: String?
        let constraintMessages: [String: String]
        let requiredMessages: [String: String]
        let choices: [Choice]?
        /// The list's filter as one expression the web form's evaluator
        /// reads: the item's fields under `ChoiceFilter.itemRoot`, the
        /// record's answers by absolute path.
        let choiceFilter: String?
        /// A repeat's number of instances set by the form (`jr:count`).
        let repeatCount: String?
        /// An upload's accepted media (`image/*`) and its images' longest side.
        let mediaType: String?
        let maxPixels: Int?
        /// The answer a new record starts with.
        let defaultValue: String?

        enum CodingKeys: String, CodingKey {
            case path, name, type, group, readonly, labels, images, hints, control, appearance, required, relevant, constraint,
                 calculate, preload, constraintMessages = "constraint_messages", requiredMessages = "required_messages", choices,
                 choiceFilter = "choice_filter", guidance, repeatCount = "repeat_count", mediaType = "mediatype",
                 maxPixels = "max_pixels", defaultValue = "default"
        }

        init(_ field: FormField) {
            path = field.path
            name = field.name
            type = field.dataType.rawValue
            group = field.isGroup
            readonly = field.readonly
            labels = field.labels
            images = field.images
            hints = field.hints
            guidance = field.guidance
            repeatCount = field.repeatCount?.text
            mediaType = field.mediaType
            maxPixels = field.maxPixels
            defaultValue = field.defaultValue
            control = field.control
            appearance = field.appearance
            required = field.required?.text
            relevant = field.relevant?.text
            constraint = field.constraint?.text
            calculate = field.calculate?.text
            preload = field.preload
            constraintMessages = field.constraintMessages
            requiredMessages = field.requiredMessages
            let filter = field.choiceFilter
            choices = field.choices?.map { Choice(value: $0.value, labels: $0.labels, images: $0.images, fields: filter == nil ? nil : $0.fields) }
            choiceFilter = filter?.preparedText
        }
    }

    let id: String
    let version: String
    let title: String
    let hash: String
    let root: String
    let languages: [String]
    let defaultLanguage: String?
    let fields: [Field]

    enum CodingKeys: String, CodingKey {
        case id, version, title, hash, root, languages, defaultLanguage = "default_language", fields
    }

    init(_ form: FormRegistry.LoadedForm) {
        let definition = form.definition
        id = definition.formID
        version = definition.version
        title = definition.title
        hash = "md5:\(form.md5)"
        root = definition.rootName
        languages = definition.languages
        defaultLanguage = definition.defaultLanguage
        fields = definition.fields.map(Field.init)
    }
}

/// `GET /api/v1/forms`: the forms phones get now, each with its state and
/// the version of its draft, if it has one.
struct FormCatalogueResponse: Encodable {
    let forms: [Entry]
    /// Forms not published yet: id, title and draft version only.
    let newDrafts: [NewDraft]

    enum CodingKeys: String, CodingKey {
        case forms, newDrafts = "new_drafts"
    }

    struct NewDraft: Encodable {
        let id: String
        let title: String
        let draftVersion: String

        enum CodingKeys: String, CodingKey {
            case id, title, draftVersion = "draft_version"
        }
    }

    struct Entry: Encodable {
        let form: FormDescriptionResponse
        let state: FormState
        let draftVersion: String?
        let mediaCount: Int

        enum CodingKeys: String, CodingKey {
            case state, draftVersion = "draft_version", mediaCount = "media_count"
        }

        /// The description's keys, then these beside them in the same object.
        func encode(to encoder: any Encoder) throws {
            try form.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(state, forKey: .state)
            try container.encode(draftVersion, forKey: .draftVersion)
            try container.encode(mediaCount, forKey: .mediaCount)
        }
    }
}
