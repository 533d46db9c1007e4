import CSodium
import Foundation

/// Argon2id password hashes through libsodium's `crypto_pwhash_str`, which
/// writes the algorithm, its parameters and the salt into the string it
/// returns, so parameters can be raised later without breaking old hashes.
package enum PasswordHasher {
    /// libsodium's "interactive" limits: about 64 MiB and a few tenths of a
    /// second, as its documentation advises for online logins.
    static let operationsLimit = UInt64(crypto_pwhash_OPSLIMIT_INTERACTIVE)
    static let memoryLimit = Int(crypto_pwhash_MEMLIMIT_INTERACTIVE)

    private static let ready: Bool = sodium_init() >= 0

    package static func hash(_ password: String) throws -> String {
        guard ready else { throw PasswordHasherError.libraryUnavailable }
        var output = [CChar](repeating: 0, count: Int(crypto_pwhash_STRBYTES))
        let bytes = Array(password.utf8)
        let status = bytes.withUnsafeBufferPointer { input in
            input.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) { pointer in
                crypto_pwhash_str_alg(&output, pointer, UInt64(bytes.count), operationsLimit, memoryLimit,
                                      crypto_pwhash_ALG_ARGON2ID13)
            }
        }
        guard status == 0 else { throw PasswordHasherError.outOfMemory }
        return String(cString: output)
    }

    static func verify(_ password: String, against hash: String) -> Bool {
        guard ready, !hash.isEmpty else { return false }
        let bytes = Array(password.utf8)
        return bytes.withUnsafeBufferPointer { input in
            input.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { pointer in
                    crypto_pwhash_str_verify(hash, pointer, UInt64(bytes.count)) == 0
                }
            } ?? (crypto_pwhash_str_verify(hash, "", 0) == 0)
        }
    }

    /// A hash of a random password, verified against when the login is
    /// unknown so that answer takes as long as a wrong password.
    static let decoy: String = (try? hash(Secrets.newToken())) ?? ""
}

enum PasswordHasherError: Error {
    case libraryUnavailable, outOfMemory
}
