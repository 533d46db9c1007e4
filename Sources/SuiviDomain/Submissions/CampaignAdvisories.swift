/// The campaign's lenient checks: a phone number Suivi cannot read or an ID
/// number of the wrong shape flags the record for review, never blocks it.
enum CampaignAdvisories {
    static func issues(in document: SubmissionDocument) -> [AnswerIssue] {
        var issues: [AnswerIssue] = []
        if let phone = document.answer("phone"), !phone.isEmpty, PhoneNumber.normalise(phone) == nil {
            issues.append(AnswerIssue(
                field: "/\(document.rootName)/phone", kind: .advisory,
                message: "Numéro de téléphone non reconnu comme un numéro sénégalais (+221 et 9 chiffres).",
                englishMessage: "Phone number is not a recognisable Senegalese number (+221 and 9 digits)."))
        }
        if let nationalID = document.answer("national_id"), !nationalID.isEmpty, !NationalID.looksValid(nationalID) {
            issues.append(AnswerIssue(
                field: "/\(document.rootName)/national_id", kind: .advisory,
                message: "Le numéro d'identification national (NIN) devrait compter 13 chiffres.",
                englishMessage: "National ID number (NIN) should have 13 digits."))
        }
        return issues
    }
}

/// Senegalese phone numbers, written many ways in the field.
public enum PhoneNumber {
    /// `+221` followed by 9 digits, or nil when the text is not such a number.
    /// Accepts "77 123 45 67", "771234567", "+221 77...", "00221...", "221...".
    public static func normalise(_ text: String) -> String? {
        let digits = text.filter(\.isNumber).compactMap(\.wholeNumberValue).map(String.init).joined()
        guard text.allSatisfy({ $0.isNumber || " .-+()/".contains($0) }) else { return nil }
        var national = digits
        if national.hasPrefix("00221") { national = String(national.dropFirst(5)) }
        else if national.hasPrefix("221") && national.count == 12 { national = String(national.dropFirst(3)) }
        guard national.count == 9, let first = national.first, "37".contains(first) else { return nil }
        return "+221" + national
    }
}

/// The national ID number (NIN) on the ECOWAS card: usually 13 digits.
public enum NationalID {
    public static func looksValid(_ text: String) -> Bool {
        let compact = text.filter { !$0.isWhitespace }
        return compact.count == 13 && compact.allSatisfy(\.isNumber)
    }
}
