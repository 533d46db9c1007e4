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
        let digits: String
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII, the usual case, byte by byte: only 0-9 are numbers there,
            // and no two of the allowed bytes join into one character.
            guard text.utf8.allSatisfy({ ASCII.isDigit($0) || ASCII.phonePunctuation.contains($0) }) else { return nil }
            digits = String(decoding: text.utf8.filter(ASCII.isDigit), as: UTF8.self)
        } else {
            digits = text.filter(\.isNumber).compactMap(\.wholeNumberValue).map(String.init).joined()
            guard text.allSatisfy({ $0.isNumber || " .-+()/".contains($0) }) else { return nil }
        }
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
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII: one byte per character (CR LF, the one pair that joins,
            // is whitespace either way), only 0-9 are numbers.
            var count = 0
            for byte in text.utf8 where !ASCII.isWhitespace(byte) {
                guard ASCII.isDigit(byte) else { return false }
                count += 1
            }
            return count == 13
        }
        let compact = text.filter { !$0.isWhitespace }
        return compact.count == 13 && compact.allSatisfy(\.isNumber)
    }
}

/// Byte tests for ASCII text, matching `Character` properties there.
private enum ASCII {
    static let phonePunctuation: [UInt8] = Array(" .-+()/".utf8)

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// `Character.isWhitespace` for ASCII: tab through carriage return, space.
    static func isWhitespace(_ byte: UInt8) -> Bool {
        (0x09...0x0D).contains(byte) || byte == 0x20
    }
}
