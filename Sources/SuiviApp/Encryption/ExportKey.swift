import Foundation
import SuiviDomain
import SuiviHTTP

/// The form's private key sent with an export request: JSON
/// `{"private_key": "-----BEGIN ..."}` or a multipart field `private_key`
/// (a pasted key or an uploaded .pem file). An empty body or an absent key
/// gives the plain export. The key is read into a `RecordDecryptor` for
/// this request only: never stored, logged, or written into a Problem.
enum ExportKey {
    /// A PEM key is a few kilobytes; a body far bigger is a mistake.
    static let maximumBytes = 64 << 10

    static func read(_ request: Request) throws -> RecordDecryptor? {
        guard request.body.size > 0 else { return nil }
        guard request.body.size <= maximumBytes else { throw Problem.bodyTooLarge(limit: maximumBytes) }
        let contentType = request.headers["Content-Type"]
        let type = contentType?.lowercased() ?? ""
        let pem: String?
        if type.hasPrefix("application/json") {
            pem = try JSONBody(request).string("private_key", required: false, maximumLength: maximumBytes)
        } else if type.hasPrefix("multipart/form-data") {
            let body: Data
            do { body = try request.body.data() } catch { throw Problem.malformedMultipart("body unreadable") }
            let form: MultipartFormData
            do {
                form = try MultipartFormData(body: body, boundary: MultipartFormData.boundary(fromContentType: contentType))
            } catch {
                throw Problem.malformedMultipart("\(error)")
            }
            pem = form.first(named: "private_key").map { String(decoding: $0.body, as: UTF8.self) }
                .flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        } else {
            throw Problem.unsupportedContentType(contentType)
                .with(detail: "expected application/json or multipart/form-data with private_key")
        }
        return try pem.map { try RecordDecryptor(pem: $0) }
    }
}
