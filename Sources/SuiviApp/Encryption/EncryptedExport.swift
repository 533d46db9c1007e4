import Foundation
import SuiviDomain
import SuiviStore

/// Answers of encrypted records for exports, decrypted with the key the
/// caller sent for this one request.
struct EncryptedRecordReader: Sendable {
    let decryptor: RecordDecryptor
    let form: FormDefinition
    let attachments: AttachmentStore

    /// The record's decrypted submission XML, or nil while one of its
    /// files has not come: an incomplete record is exported as still
    /// encrypted, as it is listed.
    func submissionXML(recordID: Int64, envelope: Data, files: [(name: String, sha256: String?)]) throws -> Data? {
        let document: SubmissionDocument
        do {
            document = try SubmissionDocument(xml: envelope)
        } catch {
            throw Problem.undecryptableRecord(recordID: recordID, "envelope unreadable")
        }
        guard let sealed = EncryptedEnvelope(document: document) else {
            throw Problem.undecryptableRecord(recordID: recordID, "not an envelope")
        }
        do {
            return try decryptor.open(sealed) { name in
                guard let digest = files.first(where: { $0.name == name })?.sha256 else { return nil }
                return FileManager.default.contents(atPath: attachments.path(forSHA256: digest))
            }.submissionXML
        } catch RecordDecryptor.Failure.missingFile {
            return nil
        } catch RecordDecryptor.Failure.wrongKey {
            throw Problem.wrongPrivateKey(recordID: recordID)
        } catch RecordDecryptor.Failure.corrupt(let reason) {
            throw Problem.undecryptableRecord(recordID: recordID, reason)
        }
    }

    /// The record's answers as the store keeps a plain record's (a JSON
    /// object by field name), or nil while one of its files has not come.
    func answersJSON(recordID: Int64, envelope: Data, files: [(name: String, sha256: String?)]) throws -> String? {
        guard let xml = try submissionXML(recordID: recordID, envelope: envelope, files: files) else { return nil }
        let plain: SubmissionDocument
        do {
            plain = try SubmissionDocument(xml: xml)
        } catch {
            throw Problem.undecryptableRecord(recordID: recordID, "decrypted XML unreadable: \(error.code)")
        }
        // The same answers a plain record stores at intake.
        let summary = RecordSummary(document: plain, form: form, person: nil, receivedAt: Date())
        return Answers.encode(summary.answers)
    }
}

extension SubmissionExport {
    /// Lends `body` the record's answers JSON: the stored column, or for an
    /// encrypted record read with a key, its decrypted answers.
    func withAnswers<T>(_ row: ExportStore.RowView, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        guard let reader = encryptedRecords, let parts = row.encryptedParts(),
              let answers = try reader.answersJSON(recordID: row.id, envelope: parts.envelope, files: parts.files)
        else { return try row.withBytes(ExportStore.RowView.answersColumn, body) }
        return try Array(answers.utf8).withUnsafeBytes(body)
    }

    /// An encrypted record's decrypted XML when the caller sent the key; nil otherwise.
    func decryptedXML(_ row: ExportStore.RowView) throws -> Data? {
        guard let reader = encryptedRecords, let parts = row.encryptedParts() else { return nil }
        return try reader.submissionXML(recordID: row.id, envelope: parts.envelope, files: parts.files)
    }
}
