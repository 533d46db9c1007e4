import Foundation

/// The one check of a day written `YYYY-MM-DD` (ODK's date answers, API
/// parameters, campaign days, membership dates): a real day of the
/// Gregorian calendar in a year Suivi can mean. Senegal is on UTC all year,
/// so a day never depends on a time zone.
public enum CalendarDay {
    /// Birth dates of living artisans start after 1900; nothing Suivi
    /// records is planned past 2100. A year outside is a typing slip.
    public static let years = 1900...2100

    /// Read byte by byte: it runs for every date answer of every record, and
    /// Foundation's `Calendar` cost more than the rest of a record's summary.
    public static func isValid(_ text: some StringProtocol, years: ClosedRange<Int> = years) -> Bool {
        parts(text, years: years) != nil
    }

    /// Year, month and day of a valid day, else nil.
    public static func parts(_ text: some StringProtocol,
                             years: ClosedRange<Int> = years) -> (year: Int, month: Int, day: Int)? {
        guard text.utf8.count == 10 else { return nil }
        let bytes = Array(text.utf8)
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              years.contains(year), (1...12).contains(month), day >= 1 else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1] ? (year, month, day) : nil
    }

    /// The day `date` falls on, `YYYY-MM-DD`.
    public static func string(of date: Date) -> String {
        Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().format(date)
    }
}
