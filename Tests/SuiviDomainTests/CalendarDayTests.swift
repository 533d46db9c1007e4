import Foundation
import SuiviDomain
import Testing

@Suite struct CalendarDayTests {
    @Test(arguments: ["2023-03-07", "2024-02-29", "2000-02-29", "1900-01-01", "2100-12-31"])
    func realDaysAreValid(text: String) {
        #expect(CalendarDay.isValid(text))
    }

    @Test(arguments: ["2023-02-29", "1900-02-29", "2023-04-31", "2023-13-01", "2023-00-10", "2023-01-00",
                      "1899-12-31", "2101-01-01", "2023-3-07", "2023/03/07", "2023-03-07T10:00", " 2023-03-07",
                      "２０２３-03-07", "", "abcd-ef-gh"])
    func anythingElseIsNot(text: String) {
        #expect(!CalendarDay.isValid(text))
    }

    @Test func formAnswersTakeAnyYear() {
        #expect(CalendarDay.isValid("1850-06-01", years: 1...9999))
        #expect(!CalendarDay.isValid("1850-02-29", years: 1...9999))
    }

    @Test func aDayIsWrittenInUTC() {
        // 23:30 UTC on 6 March is still 6 March in Dakar.
        #expect(CalendarDay.string(of: Date(timeIntervalSince1970: 1_678_145_400)) == "2023-03-06")
    }
}
