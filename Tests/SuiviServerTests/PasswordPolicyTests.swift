import Foundation
@testable import SuiviApp
import SuiviDomain
import Testing

/// Password rules: length, the common-password list, dressed-up common
/// words, the login.
@Suite struct PasswordPolicyTests {
    @Test func theListsAreRealLists() {
        #expect(CommonPasswordList.exact.count >= 1000)
        #expect(CommonPasswordList.words.count >= 1000)
        #expect(CommonPasswordList.exact.allSatisfy { $0.count >= 10 && $0 == $0.lowercased() })
    }

    @Test(arguments: [
        "password123", "Password1234", "P@ssw0rd2024!", "qwertyuiop", "AZERTYUIOP", "1q2w3e4r5t",
        "1234567890", "221771234567", "07/03/2023!", "Dakar2023!!", "Senegal2024", "Bismillah123",
        "alhamdoulillah", "mamadou1990", "Motdepasse123", "mot de passe 1", "dakardakar", "Sunshine2025",
        "Touba-2023", "fatou123456", "th1es12345", "courte",
    ])
    func commonOrShortPasswordsAreRefused(password: String) {
        #expect(throws: Problem.self) { try PasswordPolicy.check(password, login: "coordinatrice") }
        do {
            try PasswordPolicy.check(password, login: "coordinatrice")
        } catch let problem as Problem {
            #expect(problem.code == "400.20")
            #expect(problem.field == "password")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    /// Issue item 9, and the same ideas on French keyboards: repeats,
    /// sequences and keyboard walks (QWERTY and AZERTY), as zxcvbn finds them.
    @Test(arguments: [
        ("aaaaaaaaaa", "répète"), ("abcdefghij", "suite"), ("abcabcabca", "répète"), ("ababababab", "répète"),
        ("qazwsxedcr", ""), ("zyxwvutsrqp", "suite"), ("0987654321", ""), ("mlkjhgfdsq", "clavier"),
        ("wxcvbnqsdf", ""), ("poiuytreza", ""), ("1a2z3e4r5t", ""), ("&é\"'(-è_çà", ""),
        ("AZERTYqsdf", ""), ("zzzzzz123456", ""), ("motdepassemotdepasse", ""),
    ])
    func repeatsSequencesAndKeyboardWalksAreRefused(password: String, reason: String) {
        do {
            try PasswordPolicy.check(password, login: "coordinatrice")
            Issue.record("\(password) was accepted")
        } catch let problem as Problem {
            #expect(problem.code == "400.20")
            #expect(problem.message.hasPrefix("Mot de passe refusé : "))
            if !reason.isEmpty { #expect(problem.message.contains(reason), "\(password): \(problem.message)") }
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func azertyKeysAreReadAsTheQWERTYKeysInTheSamePlaces() {
        #expect(PasswordStrength.asQWERTYKeys("azertyQSDFwxcvbn,;:!") == "qwertyASDFzxcvbnm,./")
        #expect(PasswordStrength.asQWERTYKeys("&é\"'(-è_çà") == "12345-7890")
        #expect(PasswordStrength.estimate("mlkjhgfdsq").weakness == .keyboard)
        // Read as typed, the AZERTY walk would pass for about 30 bits.
        #expect(PasswordStrength.estimate("wxcvbnqsdf").bits < 20)
        #expect(PasswordStrength.estimate("Thiéboudienne au poisson 2023").bits > PasswordStrength.minimumBits)
    }

    @Test(arguments: ["un-mot-de-passe-sûr", "Thiéboudienne au poisson 2023", "correct horse battery staple",
                      "kër-gi-ngi-nekk-ci-pikine", "7 mars, Rufisque, 15 personnes", "Maimouna-Rufisque-77",
                      "jdueiwpqmx", "un baobab près du marché", "nouveau-mot-de-passe-pikine"])
    func longUncommonPasswordsAreAccepted(password: String) throws {
        try PasswordPolicy.check(password, login: "coordinatrice")
    }

    @Test func thePasswordMustNotContainTheLogin() {
        #expect(throws: Problem.self) { try PasswordPolicy.check("ndeye.fall-2023-pikine", login: "Ndeye.Fall") }
        #expect(throws: Problem.self) { try PasswordPolicy.check("xx-coordinatrice-xx", login: "coordinatrice") }
    }

    @Test func tooLongIsRefused() {
        #expect(throws: Problem.self) { try PasswordPolicy.check(String(repeating: "abcdefghij", count: 26), login: "x") }
    }
}
