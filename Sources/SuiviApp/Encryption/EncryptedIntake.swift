import Foundation
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// Intake of an encrypted record (ODK Collect's envelope for a form with a
/// public key). Kept apart from the plain intake: the envelope has no
/// answers to check or tally, only files to keep.
extension SubmissionIntakeHandler {
    /// Stores the envelope XML as the record and each file it names
    /// (`submission.xml.enc`, `*.enc` media) as an attachment, byte for byte
    /// and fsynced before the record's COMMIT. A file that has not come yet
    /// leaves the record incomplete until a later POST brings it (as for
    /// plain records); a resend of the same envelope is recognised by its
    /// instance id. Nothing is checked against the form's questions.
    func receiveEncrypted(_ envelope: EncryptedEnvelope, xml: Data, upload: MultipartFormData,
                          person: ResourcePerson, request: Request) async throws -> Response {
        // Each name once: a name listed twice would keep the record incomplete forever.
        var seen = Set<String>()
        let expected = envelope.files.filter { seen.insert($0).inserted }
        var attachments: [SubmissionIntake.Attachment] = []
        for part in upload.parts where part.name != "xml_submission_file" {
            let name = part.filename ?? part.name
            guard expected.contains(name), !attachments.contains(where: { $0.name == name }) else { continue }
            let digest = try context.attachments.store(part.body)
            attachments.append(.init(name: name, sha256: digest, size: part.body.count, contentType: part.contentType))
        }
        // Counted where its sender works, on the day it came: its own
        // answers (département, dates) are sealed.
        let intake = SubmissionIntake(
            instanceID: envelope.instanceID, deprecatedID: nil, formID: envelope.formID,
            formVersion: envelope.version, resourcePersonID: person.id, receivedAt: request.receivedAt,
            xml: xml, xmlSHA256: Secrets.sha256Hex(xml), departementCode: person.departementCode,
            answers: [:], activityDate: CalendarDay.string(of: request.receivedAt), issues: [],
            expectedAttachments: expected, attachments: attachments, encrypted: true)
        let outcome = try await context.writer.write(intake)
        var response = OpenRosaResponses.message(201, Language(request) == .english
            ? "Record received. Thank you!"
            : "Fiche bien reçue. Merci !")
        switch outcome {
        case .created:
            context.metrics.recordSubmission(form: envelope.formID, outcome: .created, flagged: false)
            response.logMetadata = [
                ("form.id", envelope.formID), ("submission.outcome", "created"), ("submission.encrypted", "true"),
                ("attachments", String(attachments.count))]
        case .duplicate:
            context.metrics.recordSubmission(form: envelope.formID, outcome: .duplicate)
            response.logMetadata = [("form.id", envelope.formID), ("submission.outcome", "duplicate"),
                                    ("submission.encrypted", "true")]
        }
        return response
    }
}
