import CZxcvbn
import Foundation

/// How many guesses a password would take, as zxcvbn estimates it: the
/// password is read as the cheapest chain of parts an attacker's tools try
/// first (dictionary words and common passwords, also in leetspeak; repeats
/// like `aaaa` or `abcabc`; sequences like `abcd` or `9876`; keyboard walks;
/// dates and years), each part priced by how many candidates of its kind
/// exist. Rules by hand miss most of those; zxcvbn-c (Debian's libzxcvbn) is
/// a maintained C port of Dropbox's estimator.
///
/// zxcvbn-c knows the QWERTY, Dvorak and keypad layouts. Phones and computers
/// in Senegal type AZERTY, so the password is also read as typed on AZERTY
/// keys (`qsdfgh` becomes `asdfgh`, the keys in the same places on QWERTY),
/// and the weaker of the two readings counts.
enum PasswordStrength {
    /// The fewest guesses accepted, as a base-2 logarithm: 10^10, zxcvbn's
    /// top score. At the sign-in limits' pace per address
    /// (`SignInLimits`) that is years of guessing from a thousand addresses,
    /// and a stolen Argon2id hash resists as long offline.
    static let minimumBits = 33.2

    /// What made a password weak, for the message people get.
    enum Weakness: Equatable {
        case repeats, sequence, keyboard, guessable
    }

    struct Estimate {
        /// Base-2 logarithm of the guesses needed.
        let bits: Double
        /// The kind of part that covers most of the weakest reading.
        let weakness: Weakness
    }

    /// The weaker of the password's two readings (as typed, as AZERTY keys).
    /// `userWords` are words that make a password weak here (the login,
    /// Suivi's own name): zxcvbn prices them as the cheapest dictionary.
    static func estimate(_ password: String, userWords: [String] = []) -> Estimate {
        let typed = estimateOne(password, userWords: userWords)
        let azerty = asQWERTYKeys(password)
        guard azerty != password else { return typed }
        let onAZERTY = estimateOne(azerty, userWords: userWords)
        return onAZERTY.bits < typed.bits ? onAZERTY : typed
    }

    /// Each AZERTY key written as the QWERTY character in the same place:
    /// letters (case kept), the bottom row's punctuation, and the top row's
    /// unshifted signs as the digits they share a key with (`&é"'(` is
    /// `12345` typed without Shift). The hyphen stays: it separates words far
    /// more often than it stands for a 6.
    static func asQWERTYKeys(_ password: String) -> String {
        var result = ""
        for character in password {
            let lower = Character(character.lowercased())
            let mapped: Character? = switch lower {
            case "a": "q"
            case "q": "a"
            case "z": "w"
            case "w": "z"
            case "m": ";"
            case ",": "m"
            case ";": ","
            case ":": "."
            case "!": "/"
            case "ù": "'"
            case "&": "1"
            case "é": "2"
            case "\"": "3"
            case "'": "4"
            case "(": "5"
            case "è": "7"
            case "_": "8"
            case "ç": "9"
            case "à": "0"
            default: nil
            }
            guard let mapped else { result.append(character); continue }
            result.append(character.isUppercase ? Character(mapped.uppercased()) : mapped)
        }
        return result
    }

    private static func estimateOne(_ password: String, userWords: [String]) -> Estimate {
        // zxcvbn-c reads bytes; a NUL would end the password early.
        let text = password.replacingOccurrences(of: "\u{0}", with: "")
        let words = userWords.filter { !$0.isEmpty }.map { strdup($0) }
        defer { words.forEach { free($0) } }
        var dictionary: [UnsafePointer<CChar>?] = words.map { UnsafePointer($0) } + [nil]
        var info: UnsafeMutablePointer<ZxcMatch_t>?
        let bits = text.withCString { pointer in
            dictionary.withUnsafeMutableBufferPointer { ZxcvbnMatch(pointer, $0.baseAddress, &info) }
        }
        defer { ZxcvbnFreeInfo(info) }
        // The kind of part covering the most characters.
        var covered: [Weakness: Int32] = [:]
        var match = info
        while let part = match {
            let type = part.pointee.`Type`.rawValue
            let weakness: Weakness
            if type >= MULTIPLE_MATCH.rawValue || type == REPEATS_MATCH.rawValue {
                weakness = .repeats
            } else if type == SEQUENCE_MATCH.rawValue {
                weakness = .sequence
            } else if type == SPATIAL_MATCH.rawValue {
                weakness = .keyboard
            } else {
                weakness = .guessable
            }
            covered[weakness, default: 0] += part.pointee.Length
            match = part.pointee.Next
        }
        // Ties go to the more telling kind, in this order.
        var main = Weakness.guessable, most: Int32 = 0
        for kind in [Weakness.repeats, .sequence, .keyboard, .guessable] where covered[kind, default: 0] > most {
            (main, most) = (kind, covered[kind, default: 0])
        }
        return Estimate(bits: bits, weakness: main)
    }
}
