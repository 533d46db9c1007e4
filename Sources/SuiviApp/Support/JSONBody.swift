import Foundation
import SuiviDomain
import SuiviHTTP

/// A JSON object sent by a page or another system, with typed access that
/// names the field at fault (400.8 for bytes that are not a JSON object,
/// 400.9 for a missing or mistyped field).
struct JSONBody {
    let object: [String: Any]

    /// Bodies the API reads are small forms; anything bigger is a mistake.
    static let maximumBytes = 1 << 20

    init(_ request: Request) throws {
        let type = request.headers["Content-Type"]?.lowercased() ?? ""
        guard type.hasPrefix("application/json") else {
            throw Problem.unsupportedContentType(request.headers["Content-Type"]).with(detail: "expected application/json")
        }
        guard request.body.size <= Self.maximumBytes else { throw Problem.bodyTooLarge(limit: Self.maximumBytes) }
        let data: Data
        do { data = try request.body.data() } catch { throw Problem.malformedJSON("body unreadable") }
        guard let object = (try? JSONSerialization.jsonObject(with: data, options: [])) as? [String: Any] else {
            throw Problem.malformedJSON("expected a JSON object")
        }
        self.object = object
    }

    init(object: [String: Any]) {
        self.object = object
    }

    func has(_ name: String) -> Bool {
        object[name] != nil && !(object[name] is NSNull)
    }

    /// A string, trimmed; `required` refuses a missing or blank one.
    func string(_ name: String, required: Bool = true, maximumLength: Int = 500) throws -> String? {
        guard let raw = object[name], !(raw is NSNull) else {
            if required { throw Problem.invalidParameter(name, "required") }
            return nil
        }
        guard let text = raw as? String else { throw Problem.invalidParameter(name, "expected a string") }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            if required { throw Problem.invalidParameter(name, "must not be empty") }
            return nil
        }
        guard trimmed.count <= maximumLength else {
            throw Problem.invalidParameter(name, "longer than \(maximumLength) characters")
        }
        return trimmed
    }

    /// A number; JSON has one number type, so whole numbers are checked here.
    func number(_ name: String, required: Bool = true) throws -> Double? {
        guard let raw = object[name], !(raw is NSNull) else {
            if required { throw Problem.invalidParameter(name, "required") }
            return nil
        }
        guard let number = raw as? NSNumber, !Self.isBoolean(raw), number.doubleValue.isFinite else {
            throw Problem.invalidParameter(name, "expected a number")
        }
        return number.doubleValue
    }

    func integer(_ name: String, required: Bool = true) throws -> Int? {
        guard let value = try number(name, required: required) else { return nil }
        guard value == value.rounded(), abs(value) < 1e15 else { throw Problem.invalidParameter(name, "expected a whole number") }
        return Int(value)
    }

    func bool(_ name: String, required: Bool = true) throws -> Bool? {
        guard let raw = object[name], !(raw is NSNull) else {
            if required { throw Problem.invalidParameter(name, "required") }
            return nil
        }
        guard let number = raw as? NSNumber, Self.isBoolean(raw) else {
            throw Problem.invalidParameter(name, "expected true or false")
        }
        return number.boolValue
    }

    /// JSONSerialization gives NSNumber for numbers and booleans alike, and
    /// `is Bool` holds for the numbers 0 and 1: only the class tells.
    private static func isBoolean(_ value: Any) -> Bool {
        String(describing: type(of: value)).contains("Boolean")
    }

    /// A calendar date written YYYY-MM-DD.
    func date(_ name: String, required: Bool = true) throws -> String? {
        guard let text = try string(name, required: required, maximumLength: 10) else { return nil }
        guard CalendarDay.isValid(text) else { throw Problem.invalidParameter(name, "expected a date YYYY-MM-DD") }
        return text
    }
}
