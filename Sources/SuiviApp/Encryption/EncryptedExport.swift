import Foundation
import SuiviDomain
import SuiviStore

/// Answers of encrypted records for exports, decrypted with the key the
/// caller sent for this one request.
struct EncryptedRecordReader: Sendable {
    let decryptor: RecordDecryptor
    let form: FormDefinition
    let attachments: AttachmentStore

    /// The record's answers as the store keeps a plain record's (a JSON
    /// object by field name), or nil while one of its files has not come:
    /// an incomplete record is exported as still encrypted, as it is listed.
    func answersJSON(recordID: Int64, envelope: Data, files: [(name: String, sha256: String?)]) throws -> String? {
        let document: SubmissionDocument
        do {
            document = try SubmissionDocument(xml: envelope)
        } catch {
            throw Problem.undecryptableRecord(recordID: recordID, "envelope unreadable")
        }
        guard let sealed = EncryptedEnvelope(document: document) else {
            throw Problem.undecryptableRecord(recordID: recordID, "not an envelope")
        }
        let opened: RecordDecryptor.Opened
        do {
            opened = try decryptor.open(sealed) { name in
                guard let digest = files.first(where: { $0.name == name })?.sha256 else { return nil }
                return FileManager.default.contents(atPath: attachments.path(forSHA256: digest))
            }
        } catch RecordDecryptor.Failure.missingFile {
            return nil
        } catch RecordDecryptor.Failure.wrongKey {
            throw Problem.wrongPrivateKey(recordID: recordID)
        } catch RecordDecryptor.Failure.corrupt(let reason) {
            throw Problem.undecryptableRecord(recordID: recordID, reason)
        }
        let plain: SubmissionDocument
        do {
            plain = try SubmissionDocument(xml: opened.submissionXML)
        } catch {
            throw Problem.undecryptableRecord(recordID: recordID, "decrypted XML unreadable: \(error.code)")
        }
        // The same field-by-name answers a plain record stores at intake.
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
}
