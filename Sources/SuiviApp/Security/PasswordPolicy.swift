import SuiviDomain

/// What a password must be: at least 10 characters, not one of the
/// passwords people pick most.
enum PasswordPolicy {
    static let minimumLength = 10
    static let maximumLength = 256

    static func check(_ password: String, login: String) throws {
        guard password.count >= minimumLength else {
            throw Problem.weakPassword("au moins \(minimumLength) caractères.", english: "at least \(minimumLength) characters.")
        }
        guard password.count <= maximumLength else {
            throw Problem.weakPassword("au plus \(maximumLength) caractères.", english: "at most \(maximumLength) characters.")
        }
        let folded = password.lowercased()
        guard folded != login.lowercased(), !CommonPasswords.contains(folded) else {
            throw Problem.weakPassword("ce mot de passe est trop courant, choisissez-en un autre.",
                                       english: "this password is too common, choose another.")
        }
    }
}

/// Passwords of 10 characters or more found most often in leaked lists,
/// lower-cased.
enum CommonPasswords {
    static func contains(_ folded: String) -> Bool { list.contains(folded) }

    static let list: Set<String> = [
        "1234567890", "0123456789", "12345678910", "123456789a", "1q2w3e4r5t", "qwertyuiop", "1qaz2wsx3edc",
        "password12", "password123", "password1234", "passw0rd123", "motdepasse", "motdepasse1", "motdepasse123",
        "azertyuiop", "azerty1234", "azerty123456", "qwerty1234", "qwerty123456", "iloveyou12", "abcdefghij",
        "abc1234567", "0987654321", "9876543210", "1111111111", "0000000000", "aaaaaaaaaa", "football12",
        "princess12", "sunshine12", "welcome123", "administrator", "admin12345", "adminadmin", "senegal2023",
        "senegal123", "dakar12345", "bienvenue1", "bienvenue123", "soleil1234", "changeme123", "letmein123",
    ]
}
