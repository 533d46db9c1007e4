import CDeflate
import Foundation
import SuiviDomain

/// zlib streams (RFC 1950) and CRC-32, for PNG images and ODK Collect's
/// settings QR payload. Every zlib return code is checked here.
public enum Zlib {
    public static func deflate(_ data: Data, level: Int32 = 9) throws -> Data {
        var capacity = compressBound(uLong(data.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = data.withUnsafeBytes { input in
            compress2(&output, &capacity, input.bindMemory(to: Bytef.self).baseAddress, uLong(data.count), level)
        }
        try check(status, "compress2")
        return Data(output.prefix(Int(capacity)))
    }

    /// Inflates a zlib stream whose inflated size is at most `limit`.
    public static func inflate(_ data: Data, limit: Int = 1 << 20) throws -> Data {
        var size = uLong(limit)
        var output = [UInt8](repeating: 0, count: limit)
        let status = data.withUnsafeBytes { input in
            uncompress(&output, &size, input.bindMemory(to: Bytef.self).baseAddress, uLong(data.count))
        }
        try check(status, "uncompress")
        return Data(output.prefix(Int(size)))
    }

    public static func crc32(_ bytes: some Collection<UInt8>) -> UInt32 {
        let array = Array(bytes)
        return array.withUnsafeBufferPointer { buffer in
            UInt32(CDeflate.crc32(0, buffer.baseAddress, uInt(buffer.count)))
        }
    }

    private static func check(_ status: Int32, _ call: String) throws {
        guard status != Z_OK else { return }
        // Z_MEM_ERROR is the world's; Z_BUF_ERROR / Z_DATA_ERROR mean bad input or a too small limit.
        throw Problem.internalError(requestID: "").with(detail: "\(call) returned \(status)")
    }
}

/// Writes PNG files: signature, IHDR, one IDAT (zlib) and IEND, each chunk
/// with its CRC.
enum PNGImage {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// `scanlines` are the rows, each led by its filter byte.
    static func grayscale(width: Int, height: Int, bitDepth: UInt8, scanlines: [UInt8]) throws -> Data {
        var header: [UInt8] = []
        header += bigEndian(UInt32(width))
        header += bigEndian(UInt32(height))
        header += [bitDepth, 0 /* grayscale */, 0 /* deflate */, 0 /* adaptive filters */, 0 /* no interlace */]
        var png = Data(signature)
        png += chunk("IHDR", header)
        png += chunk("IDAT", Array(try Zlib.deflate(Data(scanlines))))
        png += chunk("IEND", [])
        return png
    }

    static func chunk(_ type: String, _ body: [UInt8]) -> Data {
        let typed = Array(type.utf8) + body
        return Data(bigEndian(UInt32(body.count)) + typed + bigEndian(Zlib.crc32(typed)))
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
