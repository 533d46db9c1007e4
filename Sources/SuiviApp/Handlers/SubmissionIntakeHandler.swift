import Foundation
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// `POST /key/:token/submission`: one OpenRosa multipart upload in, one
/// durable record (or the recognition of a resend) out.
///
/// Order matters: everything that can be checked is checked before storage;
/// attachments are fsynced before the database commit; 201 only after COMMIT.
struct SubmissionIntakeHandler: Sendable {
    let context: AppContext
    let authentication: Authentication

    func submit(_ request: Request) async throws -> Response {
        // Set once the form is one Suivi knows: metrics labels stay bounded
        // whatever form id a client sends.
        var form: String?
        do {
            return try await receive(request, form: &form)
        } catch let problem as Problem {
            let outcome: Metrics.SubmissionOutcome = switch problem.status {
            case 409: .conflict
            case 500...: .error
            default: .rejected
            }
            context.metrics.recordSubmission(form: form, outcome: outcome)
            throw problem
        } catch {
            context.metrics.recordSubmission(form: form, outcome: .error)
            throw error
        }
    }

    private func receive(_ request: Request, form knownForm: inout String?) async throws -> Response {
        let person = try await authentication.admittedPerson(request)
        let upload = try MultipartRequest.parts(of: request)
        guard let xmlPart = upload.first(named: "xml_submission_file") else { throw Problem.missingSubmissionFile() }
        let xml = Data(xmlPart.body)
        let document = try SubmissionDocument(xml: xml)
        if context.forms.form(document.formID, version: document.version) == nil {
            try context.forms.reloadIfChanged()  // published meanwhile by another process?
        }
        guard context.forms.knows(formID: document.formID) else { throw Problem.unknownForm(document.formID) }
        knownForm = document.formID
        if let current = context.forms.currentForm(document.formID), !current.state.acceptsRecords {
            throw Problem.formClosed(document.formID)
        }
        guard let form = context.forms.form(document.formID, version: document.version) else {
            throw Problem.unknownFormVersion(formID: document.formID, version: document.version)
        }
        // Encrypted forms: answers sealed, files kept whole (Encryption/EncryptedIntake.swift).
        if let envelope = EncryptedEnvelope(document: document) {
            return try await receiveEncrypted(envelope, xml: xml, upload: upload, person: person, request: request)
        }

        // Every instance of every repeat: a photo in a household's third member counts too.
        let expected = document.fileNames(for: form.definition)
        let wanted = Set(expected)
        var attachments: [SubmissionIntake.Attachment] = []
        for part in upload.parts where part.name != "xml_submission_file" {
            let name = part.filename ?? part.name
            guard wanted.contains(name), !attachments.contains(where: { $0.name == name }) else { continue }
            let digest = try context.attachments.store(part.body)
            attachments.append(.init(name: name, sha256: digest, size: part.body.count, contentType: part.contentType))
        }
        let summary = RecordSummary(document: document, form: form.definition, person: person,
                                    receivedAt: request.receivedAt, regionOf: context.regionOf)
        let issues = SubmissionChecker(form: form.definition).issues(in: document, receivedAt: request.receivedAt)
            + summary.issues
        let intake = SubmissionIntake(
            instanceID: document.instanceID, deprecatedID: document.deprecatedID, formID: document.formID,
            formVersion: document.version, resourcePersonID: person.id, receivedAt: request.receivedAt,
            xml: xml, xmlSHA256: Secrets.sha256Hex(xml), departementCode: summary.departementCode,
            answers: summary.answers, activityDate: summary.activityDate, issues: issues,
            expectedAttachments: expected, attachments: attachments)
        let outcome = try await context.writer.write(intake)
        var response = OpenRosaResponses.message(201, Language(request) == .english
            ? "Record received. Thank you!"
            : "Fiche bien reçue. Merci !")
        // On the server's request line rather than a line of its own.
        switch outcome {
        case .created:
            context.metrics.recordSubmission(form: document.formID, outcome: .created, flagged: !issues.isEmpty)
            response.logMetadata = [
                ("form.id", document.formID), ("submission.outcome", "created"),
                ("submission.issues", String(issues.count)), ("attachments", String(attachments.count))]
        case .duplicate:
            context.metrics.recordSubmission(form: document.formID, outcome: .duplicate)
            response.logMetadata = [("form.id", document.formID), ("submission.outcome", "duplicate")]
        }
        return response
    }
}
