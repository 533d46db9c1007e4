import Foundation
import SuiviHTTP

/// The first line of the input is the Content-Type header value, the rest
/// is the request body, as the submission handler receives them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultipart(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? count
    var headerEnd = newline
    if headerEnd > 0, bytes[headerEnd - 1] == UInt8(ascii: "\r") { headerEnd -= 1 }
    // Header values reach the handler as Swift strings (libmicrohttpd hands
    // over C strings), so invalid UTF-8 is repaired as it is there.
    let contentType = String(decoding: bytes[..<headerEnd], as: UTF8.self)
    let body = Data(bytes[min(newline + 1, count)...])

    guard let boundary = try? MultipartFormData.boundary(fromContentType: contentType),
          let form = try? MultipartFormData(body: body, boundary: boundary)
    else { return 0 }

    var total = 0
    for part in form.parts {
        total &+= part.name.utf8.count &+ (part.filename?.utf8.count ?? 0) &+ (part.contentType?.utf8.count ?? 0)
        total &+= part.body.count
        // Reading every byte makes an out-of-range slice show up here.
        for byte in part.body { total &+= Int(byte) }
    }
    _ = form.first(named: "xml_submission_file")
    precondition(total >= 0 || total < 0)
    return 0
}
