import CQRencode
import Foundation
import SuiviDomain

/// A QR code symbol as a square of dark and light modules, made by
/// libqrencode. The C symbol lives only inside `init`: it is copied out and
/// freed there, so no handle outlives the call.
public struct QRCode: Sendable, Equatable {
    /// Modules per side (without the quiet zone).
    public let width: Int
    public let version: Int
    /// Row by row, `true` for a dark module.
    let modules: [Bool]

    public enum Level: Sendable {
        case low, medium, quartile, high

        var c: QRecLevel {
            switch self {
            case .low: QR_ECLEVEL_L
            case .medium: QR_ECLEVEL_M
            case .quartile: QR_ECLEVEL_Q
            case .high: QR_ECLEVEL_H
            }
        }
    }

    /// Encodes `text` as 8-bit bytes (UTF-8), in the smallest version that
    /// holds it. Throws 500 when it does not fit (a QR code holds about
    /// 2,900 bytes at level L): a programming error for Suivi's payloads.
    public init(_ text: String, level: Level = .medium) throws {
        let bytes = Array(text.utf8)
        let symbol = bytes.withUnsafeBufferPointer { buffer in
            QRcode_encodeData(Int32(buffer.count), buffer.baseAddress, 0, level.c)
        }
        guard let symbol else {
            let code = errno
            throw Problem.internalError(requestID: "").with(
                detail: "QRcode_encodeData failed, errno \(code), \(bytes.count) bytes")
        }
        defer { QRcode_free(symbol) }
        let width = Int(symbol.pointee.width)
        let data = UnsafeBufferPointer(start: symbol.pointee.data, count: width * width)
        self.width = width
        self.version = Int(symbol.pointee.version)
        // Bit 0 of each byte is the module's colour; the others are
        // libqrencode's bookkeeping.
        self.modules = data.map { $0 & 1 == 1 }
    }

    public func isDark(x: Int, y: Int) -> Bool {
        x >= 0 && y >= 0 && x < width && y < width && modules[y * width + x]
    }

    /// Modules of light margin around the symbol, as the standard asks.
    public static let quietZone = 4

    /// An SVG image: one path of dark runs, a white background and the
    /// quiet zone; it scales without blur.
    public func svg(pixelsPerModule: Int = 4) -> String {
        let side = width + 2 * Self.quietZone
        var path = ""
        for y in 0..<width {
            var x = 0
            while x < width {
                guard isDark(x: x, y: y) else { x += 1; continue }
                let start = x
                while x < width && isDark(x: x, y: y) { x += 1 }
                path += "M\(start + Self.quietZone) \(y + Self.quietZone)h\(x - start)v1h-\(x - start)z"
            }
        }
        let pixels = side * pixelsPerModule
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(pixels)" height="\(pixels)" viewBox="0 0 \(side) \(side)" \
            shape-rendering="crispEdges"><rect width="\(side)" height="\(side)" fill="#fff"/><path fill="#000" d="\(path)"/></svg>
            """
    }

    /// A 1-bit grayscale PNG with the quiet zone.
    public func png(pixelsPerModule: Int = 4) throws -> Data {
        let side = (width + 2 * Self.quietZone) * pixelsPerModule
        let rowBytes = (side + 7) / 8
        var raw = [UInt8](repeating: 0, count: (rowBytes + 1) * side)
        for py in 0..<side {
            let rowStart = py * (rowBytes + 1)
            raw[rowStart] = 0  // filter: none
            let y = py / pixelsPerModule - Self.quietZone
            for px in 0..<side {
                let x = px / pixelsPerModule - Self.quietZone
                // In 1-bit grayscale, 1 is white.
                if !isDark(x: x, y: y) {
                    raw[rowStart + 1 + px / 8] |= 0x80 >> UInt8(px % 8)
                }
            }
        }
        return try PNGImage.grayscale(width: side, height: side, bitDepth: 1, scanlines: raw)
    }
}
