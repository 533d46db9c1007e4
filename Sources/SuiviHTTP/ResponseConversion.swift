import CMicroHTTPD
import Foundation

/// Turns a `Response` into a libmicrohttpd response. The caller owns the
/// returned pointer and destroys it right after queueing.
enum ResponseConversion {
    static func makeNative(_ response: Response) -> OpaquePointer? {
        let native: OpaquePointer?
        switch response.body {
        case .empty:
            native = MHD_create_response_from_buffer(0, nil, .RESPMEM_PERSISTENT)
        case .data(let data):
            native = data.withUnsafeBytes { bytes in
                MHD_create_response_from_buffer(
                    bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), .RESPMEM_MUST_COPY)
            }
        case .file(let path), .temporaryFile(let path):
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            if case .temporaryFile = response.body { unlink(path) }
            guard descriptor >= 0 else { return nil }
            var status = stat()
            guard fstat(descriptor, &status) == 0 else {
                close(descriptor)
                return nil
            }
            // libmicrohttpd closes the descriptor when the response is destroyed.
            native = MHD_create_response_from_fd64(UInt64(status.st_size), descriptor)
        }
        guard let native else { return nil }
        for (name, value) in response.headers {
            MHD_add_response_header(native, name, value)
        }
        return native
    }
}
