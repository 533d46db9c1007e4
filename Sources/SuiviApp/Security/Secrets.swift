import Crypto
import Foundation

/// Tokens, keys and digests. Tokens and keys leave the server once, when
/// made; only their SHA-256 is stored. A plain hash suffices because they
/// carry 256 random bits (unlike passwords, nothing to brute-force).
public enum Secrets {
    /// 32 random bytes as URL-safe base64 without padding (43 characters).
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func sha256Hex(_ text: String) -> String {
        sha256Hex(Data(text.utf8))
    }

    public static func sha256Hex(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    /// Compares secrets without stopping at the first difference.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    /// OpenRosa form hashes are MD5 of the served bytes (not a security use).
    public static func md5Hex(_ data: Data) -> String {
        hex(Insecure.MD5.hash(data: data))
    }

    /// Lower-case hex by table: `String(format:)` per byte cost more than
    /// the hash itself on Linux, and this runs on every request.
    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits: StaticString = "0123456789abcdef"
        var characters: [UInt8] = []
        characters.reserveCapacity(64)
        digits.withUTF8Buffer { table in
            for byte in bytes {
                characters.append(table[Int(byte >> 4)])
                characters.append(table[Int(byte & 0x0F)])
            }
        }
        return String(decoding: characters, as: UTF8.self)
    }
}
