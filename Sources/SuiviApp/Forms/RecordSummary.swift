import Foundation
import SuiviDomain
import SuiviStore

/// What the store keeps beside a record's XML so that tallies, leads and
/// exports never parse it again: answers by field name, the département it
/// counts for and the day the activity took place.
struct RecordSummary {
    let answers: [String: String]
    let departementCode: String?
    let activityDate: String?

    init(document: SubmissionDocument, form: FormDefinition, person: ResourcePerson?, receivedAt: Date) {
        var answers: [String: String] = [:]
        for field in form.fields where !field.isGroup {
            if let value = document.value(at: field.path) {
                answers[field.name] = value.trimmingWhitespaceAndNewlines()
            }
        }
        self.answers = answers

        // The record's own département when it is one the form offers (a
        // record with a wrong one is flagged by the checks), else the
        // resource person's, so the record still counts somewhere sensible.
        let answered = answers["departement"].flatMap { answer in
            form.fields.first { $0.name == "departement" }?.choices?.contains { $0.value == answer } == true
                ? answer : nil
        }
        departementCode = answered ?? person?.departementCode

        // The form's first date answer that is a real date, else the day it
        // arrived (Senegal is on UTC all year).
        let firstDate = form.fields.lazy.filter { $0.dataType == .date }
            .compactMap { answers[$0.name] }
            .first { Self.isCalendarDate($0) }
        activityDate = firstDate ?? Self.day(of: receivedAt)
    }

    static func day(of date: Date) -> String {
        Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().format(date)
    }

    static func isCalendarDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 10, parts.count == 3,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (2000...2100).contains(year), (1...12).contains(month), (1...31).contains(day)
        else { return false }
        // The Gregorian month lengths by hand: asking Foundation's Calendar
        // (DateComponents.isValidDate) cost more than the rest of the summary.
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }
}
