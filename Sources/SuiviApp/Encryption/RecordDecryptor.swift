import Crypto
import Foundation
import SuiviDomain
import _CryptoExtras

/// Opens records encrypted by ODK Collect (and Enketo, Central's format),
/// given the form's RSA private key. The format, as ODK's encryption spec
/// and Collect's `EncryptionUtils` write it:
/// - a random 256-bit AES key, RSA-OAEP-encrypted with SHA-256 for both
///   the digest and MGF1 (`base64EncryptedKey`);
/// - each file AES-256-CFB(128) with PKCS#5 padding; media files first in
///   the envelope's order, `submission.xml` last;
/// - IVs from MD5(instance id ‖ key): before file n, byte n mod 16 of the
///   running IV is incremented (wrapping);
/// - the element signature: MD5 of the lines form id, version (when set),
///   the base64 key, the instance id, then `name::md5-hex` of each
///   decrypted file (name without `.enc`), RSA-OAEP-encrypted like the key.
///
/// The key lives only as long as this value (one export request): it is
/// never stored, logged or echoed.
// @unchecked: the key is never mutated after init, and BoringSSL's RSA
// decryption only reads it (the library simply does not mark it Sendable).
struct RecordDecryptor: @unchecked Sendable {
    struct MediaFile: Sendable, Equatable {
        /// The name the form's answer uses (`photo.jpg`, not `photo.jpg.enc`).
        let name: String
        let data: Data
    }

    struct Opened: Sendable {
        let submissionXML: Data
        let media: [MediaFile]
        /// False when the envelope carried no signature to check (very old clients).
        let signatureChecked: Bool
    }

    enum Failure: Error, Equatable {
        /// The key does not open this record's AES key.
        case wrongKey
        /// The key opened the AES key but the content does not hold together
        /// (padding or signature): altered files, or not Collect's format.
        case corrupt(String)
        /// A file the envelope names has not been received.
        case missingFile(String)
    }

    private let privateKey: _RSA.Encryption.PrivateKey

    /// Reads a PEM private key, PKCS#1 (`RSA PRIVATE KEY`) or PKCS#8
    /// (`PRIVATE KEY`). Keys of 1,024 bits are accepted: older ODK
    /// campaigns made them, and refusing would leave their records sealed.
    init(pem: String) throws(Problem) {
        let trimmed = pem.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("-----BEGIN") else { throw .invalidPrivateKey("not PEM") }
        do {
            privateKey = try _RSA.Encryption.PrivateKey(unsafePEMRepresentation: trimmed)
        } catch {
            // The library's error names no key material.
            throw .invalidPrivateKey("not an unencrypted RSA private key")
        }
    }

    /// Decrypts every file of `envelope`; `file` returns a received file's
    /// bytes by its name in the envelope, nil when it has not come.
    func open(_ envelope: EncryptedEnvelope, file: (String) throws -> Data?) throws -> Opened {
        let aesKeyBytes = try rsaDecrypt(envelope.base64EncryptedKey)
        guard aesKeyBytes.count == 32 else { throw Failure.corrupt("AES key of \(aesKeyBytes.count) bytes") }
        let key = SymmetricKey(data: aesKeyBytes)

        var iv = Array(Insecure.MD5.hash(data: Data(envelope.instanceID.utf8) + aesKeyBytes))
        var plaintexts: [Data] = []
        for (index, name) in envelope.files.enumerated() {
            iv[index % iv.count] &+= 1
            guard let encrypted = try file(name) else { throw Failure.missingFile(name) }
            let padded: Data
            do {
                padded = try AES._CFB.decrypt(encrypted, using: key, iv: AES._CFB.IV(ivBytes: iv))
            } catch {
                throw Failure.corrupt("AES-CFB failed for file \(index)")
            }
            guard let plain = Self.unpadPKCS7(padded) else { throw Failure.corrupt("bad padding in file \(index)") }
            plaintexts.append(plain)
        }

        var checked = false
        if let signature = envelope.base64ElementSignature {
            let sent = try rsaDecrypt(signature)
            var lines = envelope.formID + "\n"
            if !envelope.version.isEmpty { lines += envelope.version + "\n" }
            lines += envelope.base64EncryptedKey + "\n" + envelope.instanceID + "\n"
            for (name, plain) in zip(envelope.files, plaintexts) {
                lines += Self.plainName(name) + "::" + Self.hex(Insecure.MD5.hash(data: plain)) + "\n"
            }
            guard Data(Insecure.MD5.hash(data: Data(lines.utf8))) == sent else {
                throw Failure.corrupt("element signature does not match")
            }
            checked = true
        }
        let media = zip(envelope.mediaFiles, plaintexts).map { MediaFile(name: Self.plainName($0), data: $1) }
        return Opened(submissionXML: plaintexts.last!, media: media, signatureChecked: checked)
    }

    private func rsaDecrypt(_ base64: String) throws -> Data {
        guard let sealed = Data(base64Encoded: base64, options: .ignoreUnknownCharacters) else {
            throw Failure.corrupt("not base64")
        }
        do {
            return try privateKey.decrypt(sealed, padding: .PKCS1_OAEP_SHA256)
        } catch {
            throw Failure.wrongKey
        }
    }

    /// PKCS#5/#7: 1 to 16 bytes each holding the count. Nil when malformed.
    static func unpadPKCS7(_ data: Data) -> Data? {
        guard let last = data.last, last >= 1, last <= 16, Int(last) <= data.count else { return nil }
        guard data.suffix(Int(last)).allSatisfy({ $0 == last }) else { return nil }
        return data.prefix(data.count - Int(last))
    }

    static func plainName(_ name: String) -> String {
        name.hasSuffix(".enc") ? String(name.dropLast(4)) : name
    }

    private static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
