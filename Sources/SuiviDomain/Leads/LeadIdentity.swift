import Foundation
import SuiviBasics

/// What decides that two visits name the same artisan. Rules: the same
/// normalised phone, or the same national ID number. Same folded name in the
/// same département with a different phone is only a likely duplicate, left
/// to a coordinator.
public enum LeadIdentity {
    /// The form whose records make leads, and the answer that asks for it.
    public static let visitFormID = "visite"

    public static func wantsToJoin(_ answers: [String: String]) -> Bool {
        answers["wants_to_join"] == "yes"
    }

    /// The national ID number as a key: digits only ("1 234 567..." and
    /// "1234567..." are the same card); nil when there is none.
    public static func nationalIDKey(_ text: String?) -> String? {
        guard let text else { return nil }
        let digits = String(text.unicodeScalars.filter { $0.properties.numericType == .decimal }
            .compactMap { Int(String($0)).map(String.init) }.joined())
        return digits.count >= 6 ? digits : nil
    }

    /// The name folded for comparison: lower case, no accents, letters and
    /// digits only, words sorted ("DIOP Moussa" = "moussa diop").
    public static func nameKey(_ name: String) -> String {
        let folded = name.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            .lowercased()
        let words = folded.split { !$0.isLetter && !$0.isNumber }.map(String.init)
        return words.sorted().joined(separator: " ")
    }
}

/// One lead's answers as the lead shows them.
public struct LeadFields: Sendable, Equatable {
    public var name = ""
    public var sex: String?
    /// Normalised when possible, else as written.
    public var phone: String?
    public var phoneValid = true
    public var nationalID: String?
    public var trade: String?
    public var organisation: String?
    public var departementCode: String?
    public var neighbourhood: String?
    public var householdSize: Int?
    public var consentContact: String?

    public init() {}

    /// Overlays one visit's non-empty answers (visits are applied oldest first).
    public mutating func overlay(answers: [String: String], departementCode visitDepartement: String?) {
        func given(_ key: String) -> String? {
            guard let value = answers[key]?.trimmingWhitespaceAndNewlines(), !value.isEmpty else { return nil }
            return value
        }
        if let value = given("artisan_name") { name = value }
        if let value = given("sex") { sex = value }
        if let value = given("phone") {
            if let normalised = PhoneNumber.normalise(value) {
                phone = normalised
                phoneValid = true
            } else {
                phone = value
                phoneValid = false
            }
        }
        if let value = given("national_id") { nationalID = value }
        if given("trade") == "other", let other = given("trade_other") {
            trade = "other: " + other
        } else if let value = given("trade") {
            trade = value
        }
        if let value = given("organisation") { organisation = value }
        if let value = visitDepartement ?? given("departement") { departementCode = value }
        if let value = given("neighbourhood") { neighbourhood = value }
        if let value = given("household_size"), let size = Int(value) { householdSize = size }
        if let value = given("consent_contact") { consentContact = value }
    }

    /// Identity keys of one visit's answers: (kind, value).
    public static func keys(of answers: [String: String]) -> [(kind: String, value: String)] {
        var keys: [(String, String)] = []
        if let phone = answers["phone"], let normalised = PhoneNumber.normalise(phone) {
            keys.append(("phone", normalised))
        }
        if let key = LeadIdentity.nationalIDKey(answers["national_id"]) {
            keys.append(("national_id", key))
        }
        return keys.map { (kind: $0.0, value: $0.1) }
    }

    /// Answers that name the person: removed from visits on erasure.
    public static let personalAnswerFields = ["artisan_name", "phone", "national_id", "location", "notes"]
}
