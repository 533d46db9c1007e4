import Foundation
import SuiviDomain

/// A form's questions as JSON, for the phone web form: the same XForm ODK
/// Collect gets, already read, so the browser needs no XML parser.
enum FormDescription {
    static func json(_ form: FormRegistry.LoadedForm) -> [String: Any] {
        let definition = form.definition
        return [
            "id": definition.formID,
            "version": definition.version,
            "title": definition.title,
            "hash": "md5:\(form.md5)",
            "root": definition.rootName,
            "languages": definition.languages,
            "default_language": definition.defaultLanguage ?? NSNull(),
            "fields": definition.fields.map(field),
        ]
    }

    private static func field(_ field: FormField) -> [String: Any] {
        var object: [String: Any] = [
            "path": field.path,
            "name": field.name,
            "type": field.dataType.rawValue,
            "group": field.isGroup,
            "readonly": field.readonly,
            "labels": field.labels,
            "hints": field.hints,
        ]
        object["control"] = field.control ?? NSNull()
        object["appearance"] = field.appearance ?? NSNull()
        object["required"] = field.required?.text ?? NSNull()
        object["relevant"] = field.relevant?.text ?? NSNull()
        object["constraint"] = field.constraint?.text ?? NSNull()
        object["calculate"] = field.calculate?.text ?? NSNull()
        object["preload"] = field.preload ?? NSNull()
        object["constraint_messages"] = field.constraintMessages
        object["required_messages"] = field.requiredMessages
        object["choices"] = field.choices.map { choices in
            choices.map { ["value": $0.value, "labels": $0.labels] as [String: Any] }
        } ?? NSNull()
        return object
    }
}
