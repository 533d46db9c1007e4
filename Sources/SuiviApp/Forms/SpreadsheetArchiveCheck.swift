import Foundation
import SuiviDomain
import ZIPFoundation

/// An .xlsx is a zip: before pyxform opens one, its directory says how
/// large it would grow. A zip bomb (a few kilobytes declaring gigabytes) is
/// refused here at once with a clear 400, instead of running pyxform into
/// its memory or time cap. The cap stays the backstop for an archive whose
/// directory lies.
enum SpreadsheetArchiveCheck {
    /// A real XLSForm, even with thousands of rows and choices, unpacks to
    /// a few megabytes.
    static let maximumUnpackedBytes: UInt64 = 64 << 20
    static let maximumEntries = 10_000
    /// Text compresses about 10 to 1; far beyond that is a bomb.
    static let maximumRatio: UInt64 = 200

    static func check(_ bytes: Data) throws {
        guard bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) else { return }  // an .xls: pyxform reads it under its caps
        let archive: Archive
        do {
            archive = try Archive(data: bytes, accessMode: .read)
        } catch {
            throw Problem.formFileUnreadable("not a readable zip: \(error)")
        }
        var unpacked: UInt64 = 0
        var entries = 0
        for entry in archive {
            entries += 1
            unpacked += entry.uncompressedSize
            let packed = max(entry.compressedSize, 1)
            if entries > maximumEntries || unpacked > maximumUnpackedBytes || entry.uncompressedSize / packed > maximumRatio {
                throw Problem.spreadsheetTooLarge(unpackedBytes: unpacked, entries: entries)
            }
        }
    }
}
