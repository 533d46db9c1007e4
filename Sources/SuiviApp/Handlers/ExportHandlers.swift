import Foundation
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// `GET /api/v1/forms/:formId/submissions.csv`, `.csv.zip` and `.xlsx`: a
/// form's current records (the zip and the workbook with a table per repeat,
/// as ODK Central writes them), filtered by activity date (`from`, `to`) and `departement`,
/// within the caller's scope. The file is written page by page to a
/// temporary file on a thread of its own, then sent from disk and unlinked:
/// memory does not grow with the number of records.
struct ExportHandlers: Sendable {
    let context: AppContext
    let authentication: Authentication

    func csv(_ request: Request) async throws -> Response {
        try await export(request, format: .csv)
    }

    func csvZip(_ request: Request) async throws -> Response {
        try await export(request, format: .csvZip)
    }

    func xlsx(_ request: Request) async throws -> Response {
        try await export(request, format: .xlsx)
    }

    /// `POST`: the same export, with the form's RSA private key in the body
    /// (`private_key`, JSON or multipart) to write encrypted records decrypted.
    func csvWithKey(_ request: Request) async throws -> Response {
        try await export(request, format: .csv, privateKey: try ExportKey.read(request))
    }

    func xlsxWithKey(_ request: Request) async throws -> Response {
        try await export(request, format: .xlsx, privateKey: try ExportKey.read(request))
    }

    private func export(_ request: Request, format: SubmissionExport.Format,
                        privateKey: RecordDecryptor? = nil) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.readPersonalData)
        let formID = request.parameter("formId")
        // Every version's questions: records of an older version keep the
        // answers to questions the current one no longer asks.
        guard let form = context.forms.currentForm(formID), let definition = context.forms.exportDefinition(formID) else {
            throw Problem.unknownForm(formID)
        }
        let from = request.query["from"].flatMap { $0.isEmpty ? nil : $0 }
        let to = request.query["to"].flatMap { $0.isEmpty ? nil : $0 }
        for (name, value) in [("from", from), ("to", to)] {
            if let value, !CalendarDay.isValid(value) { throw Problem.invalidParameter(name, "expected a day as YYYY-MM-DD") }
        }
        var codes = principal.scope.departementCodes
        let departement = request.query["departement"].flatMap { $0.isEmpty ? nil : $0 }
        if let departement {
            guard context.departements.contains(where: { $0.code == departement }) else {
                throw Problem.invalidParameter("departement", "unknown département code")
            }
            try principal.requireDepartement(departement)
            codes = [departement]
        }
        let filter = ExportStore.Filter(formID: formID, from: from, to: to, departementCodes: codes)
        var exporter = SubmissionExport(store: context.exports, form: definition, filter: filter)
        exporter.values = try Self.values(request)
        exporter.departementNames = Dictionary(context.departements.map { ($0.code, $0.name) }) { first, _ in first }
        exporter.encryptedRecords = privateKey.map {
            EncryptedRecordReader(decryptor: $0, form: form.definition, attachments: context.attachments)
        }
        let export = exporter
        // Next to the database (the disk sized for data, not /tmp), unlinked once sent.
        let directory = ((context.database.path as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent("export-tmp")
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent("suivi-export-\(UUID().uuidString).\(format.rawValue)")
        let written: SubmissionExport.Written
        do {
            written = try await BlockingWork.run(priority: .background) { try export.write(format, to: path) }
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error as? Problem ?? Problem.storageUnavailable("export failed: \(error)")
        }
        // Who, which form, which filters, how many rows: never the data.
        var details = ["format": format.rawValue, "rows": String(written.records)]
        if format != .csv, !export.tables.tables.dropFirst().isEmpty { details["repeat_rows"] = String(written.repeatRows) }
        if privateKey != nil { details["decrypted"] = "yes" }
        if case .labels(let language) = export.values { details["values"] = "labels-\(language.rawValue)" }
        if let from { details["from"] = from }
        if let to { details["to"] = to }
        if let departement { details["departement"] = departement }
        do {
            try await context.audit.record(principal.auditActor, "export", targetKind: "form", targetID: formID, details: details)
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        let (type, suffix) = switch format {
        case .csv: ("text/csv; charset=utf-8", "csv")
        case .csvZip: ("application/zip", "zip")
        case .xlsx: ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
        }
        let name = SubmissionExport.fileSafe([formID, from, to, departement].compactMap { $0 }.joined(separator: "_"))
        return Response(status: 200, headers: [
            ("Content-Type", type), ("Cache-Control", "no-store"), ("Suivi-Row-Count", String(written.records)),
            ("Content-Disposition", "attachment; filename=\"\(name).\(suffix)\""),
        ], body: .temporaryFile(path: path))
    }

    /// `values=codes` (the default: answers as sent, ODK Central's shape) or
    /// `values=labels` with `lang=fr|en` (what the export page asks for).
    static func values(_ request: Request) throws -> SubmissionExport.Values {
        switch request.query["values"] ?? "codes" {
        case "codes", "":
            return .codes
        case "labels":
            let text = request.query["lang"] ?? "fr"
            guard let language = SubmissionExport.Language(rawValue: text.isEmpty ? "fr" : text) else {
                throw Problem.invalidParameter("lang", "fr or en")
            }
            return .labels(language: language)
        default:
            throw Problem.invalidParameter("values", "codes or labels")
        }
    }
}
