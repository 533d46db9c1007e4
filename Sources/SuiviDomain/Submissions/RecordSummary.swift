import Foundation
import SuiviBasics

/// What the store keeps beside a record's XML so that tallies, leads and
/// exports never parse it again: answers by field name, the département it
/// counts for and the day the activity took place.
public struct RecordSummary: Sendable {
    public let answers: [String: String]
    public let departementCode: String?
    public let activityDate: String?
    /// What a coordinator should know about where the record counts.
    public let issues: [AnswerIssue]

    /// `regionOf`: the region code of a département code (nil: unknown).
    public init(document: SubmissionDocument, form: FormDefinition, person: ResourcePerson?, receivedAt: Date,
                regionOf: ((String) -> String?)? = nil) {
        var answers: [String: String] = [:]
        for field in form.fields where !field.isGroup {
            if let value = document.value(at: field.path) {
                answers[form.answerKey(for: field)] = value.trimmingWhitespaceAndNewlines()
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
        // A resource person works for their own region: a visit they file in
        // another region's département counts in their own département and
        // is flagged, so one region's link never adds to another region's
        // tallies nor touches its leads (issue 13).
        if let answered, let person, let regionOf,
           let answeredRegion = regionOf(answered), let ownRegion = regionOf(person.departementCode),
           answeredRegion != ownRegion {
            departementCode = person.departementCode
            issues = [AnswerIssue(
                field: "/\(document.rootName)/departement", kind: .advisory,
                message: "Département « \(answered) » hors de la région de la personne ressource : "
                    + "la fiche compte pour son propre département (\(person.departementCode)).",
                englishMessage: "Département '\(answered)' is outside the resource person's region: "
                    + "the record counts for their own département (\(person.departementCode)).")]
        } else {
            departementCode = answered ?? person?.departementCode
            issues = []
        }

        // The form's first date answer that is a real date of this century,
        // else the day it arrived: a visit dated 1923 is a slip of the
        // thumb, and counting it on the day it came keeps it in the campaign.
        let firstDate = form.fields.lazy.filter { $0.dataType == .date }
            .compactMap { answers[form.answerKey(for: $0)] }
            .first { CalendarDay.parts($0).map { $0.year >= 2000 } ?? false }
        activityDate = firstDate ?? CalendarDay.string(of: receivedAt)
    }
}
