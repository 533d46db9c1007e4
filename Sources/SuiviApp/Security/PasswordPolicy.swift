import Foundation
import SuiviDomain

/// What a password must be: at least 10 characters, not one of the
/// passwords people pick most, not a common word or name dressed up with
/// digits and symbols, not the login, and hard enough to guess by zxcvbn's
/// estimate (`PasswordStrength`): no repeats, sequences or keyboard walks.
package enum PasswordPolicy {
    static let minimumLength = 10
    static let maximumLength = 256

    package static func check(_ password: String, login: String) throws {
        guard password.count >= minimumLength else {
            throw Problem.weakPassword("au moins \(minimumLength) caractères.", english: "at least \(minimumLength) characters.")
        }
        guard password.count <= maximumLength else {
            throw Problem.weakPassword("au plus \(maximumLength) caractères.", english: "at most \(maximumLength) characters.")
        }
        let folded = fold(login)
        if folded.count >= 4, fold(password).contains(folded) {
            throw Problem.weakPassword("il ne doit pas contenir votre identifiant.", english: "it must not contain your login.")
        }
        if CommonPasswords.contains(password) {
            throw Problem.weakPassword("ce mot de passe est trop courant, choisissez-en un autre.",
                                       english: "this password is too common, choose another.")
        }
        let estimate = PasswordStrength.estimate(password, userWords: [login, "suivi", "msnas"])
        if estimate.bits < PasswordStrength.minimumBits {
            let advice = (french: "Choisissez plutôt une phrase de plusieurs mots.",
                          english: "Choose a phrase of several words instead.")
            switch estimate.weakness {
            case .repeats:
                throw Problem.weakPassword("il répète les mêmes caractères ou le même motif (« aaaa », « abab »). \(advice.french)",
                                           english: "it repeats the same characters or pattern (\"aaaa\", \"abab\"). \(advice.english)")
            case .sequence:
                throw Problem.weakPassword("c'est une suite de lettres ou de chiffres (« abcd », « 6789 »). \(advice.french)",
                                           english: "it is a run of letters or digits (\"abcd\", \"6789\"). \(advice.english)")
            case .keyboard:
                throw Problem.weakPassword("il suit les touches du clavier (« azerty », « qsdfg »). \(advice.french)",
                                           english: "it follows the keys of the keyboard (\"azerty\", \"qsdfg\"). \(advice.english)")
            case .guessable:
                throw Problem.weakPassword("il est trop facile à deviner (mots, noms, dates ou mots de passe courants). \(advice.french)",
                                           english: "it is too easy to guess (common words, names, dates or passwords). \(advice.english)")
            }
        }
    }

    /// Lower case, no accents, no spaces.
    static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
            .filter { !$0.isWhitespace }
    }
}

/// Whether a password is common: listed as it is, or built from a common
/// word or name by adding digits and symbols at its ends or writing some
/// letters as look-alike signs ("P@ssw0rd2024!", "Dakar 2023", "1234567890").
enum CommonPasswords {
    static func contains(_ password: String) -> Bool {
        let folded = PasswordPolicy.fold(password)
        if CommonPasswordList.exact.contains(folded) { return true }
        let core = self.core(of: folded)
        // Nothing but digits and symbols: a date, a phone number, a keyboard row.
        guard !core.isEmpty else { return true }
        if CommonPasswordList.words.contains(core) { return true }
        // A word said twice ("dakardakar").
        if core.count % 2 == 0 {
            let half = core.prefix(core.count / 2)
            if core.hasSuffix(half), CommonPasswordList.words.contains(String(half)) { return true }
        }
        return false
    }

    /// The letters in the middle: digits and symbols taken off both ends,
    /// look-alike signs read as letters, separators dropped.
    static func core(of folded: String) -> String {
        let letters = folded.map { character -> Character in
            switch character {
            case "@", "4": "a"
            case "0": "o"
            case "3": "e"
            case "$", "5": "s"
            case "!", "1": "i"
            default: character
            }
        }
        // Ends first (digits and symbols as typed), then the look-alikes inside.
        var start = folded.startIndex, end = folded.endIndex
        while start < end, !folded[start].isLetter { start = folded.index(after: start) }
        while end > start, !folded[folded.index(before: end)].isLetter { end = folded.index(before: end) }
        let from = folded.distance(from: folded.startIndex, to: start)
        let to = folded.distance(from: folded.startIndex, to: end)
        return String(letters[from..<to]).filter { !"-_.".contains($0) }
    }
}
