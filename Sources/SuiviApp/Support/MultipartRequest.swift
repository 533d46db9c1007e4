import Foundation
import SuiviDomain
import SuiviHTTP

/// A request's `multipart/form-data` body, or the Problem that says why not.
enum MultipartRequest {
    static func parts(of request: Request) throws -> MultipartFormData {
        let contentType = request.headers["Content-Type"]
        let boundary: String
        do {
            boundary = try MultipartFormData.boundary(fromContentType: contentType)
        } catch .notMultipart {
            throw Problem.unsupportedContentType(contentType)
        } catch {
            throw Problem.malformedMultipart("\(error)")
        }
        let body: Data
        do {
            body = try request.body.data()
        } catch {
            throw Problem.malformedMultipart("body unreadable")
        }
        do {
            return try MultipartFormData(body: body, boundary: boundary)
        } catch {
            throw Problem.malformedMultipart("\(error)")
        }
    }
}
