import Foundation

/// The password lists `PasswordPolicy` checks against, lower-cased, one per
/// line in the target's resource files.
///
/// `common-passwords.txt` (`exact`): every password of 10 characters or more
/// among the 30,000 most common in leaked lists (the "passwords" frequency
/// list that zxcvbn 4.5 ships, itself from Mark Burnett's and Xato's 10
/// million passwords; MIT licence), plus French and Senegalese ones.
///
/// `common-words.txt` (`words`): the 1,000 most common all-letter passwords
/// of 5 letters or more from the same list, and French, Wolof and Senegalese
/// words, places and names people build passwords from ("Dakar2024!",
/// "Bismillah123"): a password that is one of these once digits and symbols
/// are taken off its ends is refused.
enum CommonPasswordList {
    static let exact: Set<String> = load("common-passwords")
    static let words: Set<String> = load("common-words")

    /// A missing list is a broken install, not a condition to run in: the
    /// policy would let every common password through.
    private static func load(_ name: String) -> Set<String> {
        guard let url = Bundle.module.url(forResource: name, withExtension: "txt"),
              let text = try? String(contentsOf: url, encoding: .utf8) else {
            fatalError("Suivi's resource \(name).txt is missing: install the Suivi_SuiviApp.resources folder beside the binary")
        }
        return Set(text.split(separator: "\n").map(String.init))
    }
}
