import Foundation
import SuiviBasics

/// The plaintext manifest ODK Collect sends for a form whose `<submission>`
/// carries `base64RsaPublicKey`: the answers travel in `encryptedXmlFile`
/// and each photo or file as `name.enc`, AES-encrypted with a random key
/// that only the form's private key unlocks (`base64EncryptedKey`). The
/// server can read the ids and file names, never the answers.
public struct EncryptedEnvelope: Sendable, Equatable {
    public let formID: String
    public let version: String
    public let instanceID: String
    /// The random AES key, RSA-OAEP-encrypted, as sent (base64).
    public let base64EncryptedKey: String
    /// Encrypted media files in the order Collect encrypted them: the order
    /// sets each file's IV.
    public let mediaFiles: [String]
    /// The encrypted submission XML (`submission.xml.enc`), encrypted last.
    public let encryptedXMLFile: String
    /// MD5 of the record's ids and files' digests, RSA-encrypted (base64);
    /// absent from very old clients.
    public let base64ElementSignature: String?

    /// Every file the record is made of, media first, as IVs are counted.
    public var files: [String] { mediaFiles + [encryptedXMLFile] }

    /// The envelope in `document`, or nil when it is an ordinary record.
    /// Read from the values the document already collected: a plain record
    /// costs two dictionary look-ups, no second parse.
    public init?(document: SubmissionDocument) {
        let root = "/\(document.rootName)/"
        guard let key = document.values[root + "base64EncryptedKey"]?.first?.trimmingWhitespaceAndNewlines(),
              let xmlFile = document.values[root + "encryptedXmlFile"]?.first?.trimmingWhitespaceAndNewlines()
        else { return nil }
        formID = document.formID
        version = document.version
        instanceID = document.instanceID
        base64EncryptedKey = key
        encryptedXMLFile = xmlFile
        mediaFiles = (document.values[root + "media/file"] ?? [])
            .map { $0.trimmingWhitespaceAndNewlines() }.filter { !$0.isEmpty }
        base64ElementSignature = document.values[root + "base64EncryptedElementSignature"]?.first
            .map { $0.trimmingWhitespaceAndNewlines() }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// An envelope a sender cannot have made: no file name or no key.
    public var isUsable: Bool {
        !encryptedXMLFile.isEmpty && !base64EncryptedKey.isEmpty
    }
}
