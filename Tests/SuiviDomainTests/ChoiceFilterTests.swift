import Foundation
import Testing
@testable import SuiviDomain

/// Cascading selects (issue 15): an answer is checked against the items its
/// `choice_filter` offers given the record's own answers, in the record and
/// inside each repeat instance; a filter the server cannot evaluate never
/// flags. The form is our own, written as pyxform writes one.
@Suite struct ChoiceFilterTests {
    static func form(filter: String = "region= /data/region ",
                     repeatFilter: String = "region= current()/../region_stand ") throws -> FormDefinition {
        try XFormParser.parse(XFormReadingTests.form(
            instance: """
            <data id="cascade" version="1"><region/><departement/><stand jr:template=""><region_stand/><departement_stand/></stand>\
            <meta><instanceID/></meta></data>
            """,
            model: """
            <bind nodeset="/data/region" type="string"/><bind nodeset="/data/departement" type="string"/>
            <bind nodeset="/data/stand/region_stand" type="string"/><bind nodeset="/data/stand/departement_stand" type="string"/>
            """,
            body: """
            <select1 ref="/data/region"><label>Région</label>
              <itemset nodeset="instance('regions')/root/item"><value ref="name"/><label ref="label"/></itemset></select1>
            <select1 ref="/data/departement"><label>Département</label>
              <itemset nodeset="instance('departements')/root/item[\(filter)]"><value ref="name"/><label ref="label"/></itemset>
            </select1>
            <group ref="/data/stand"><label>Stand</label><repeat nodeset="/data/stand">
              <select1 ref="/data/stand/region_stand"><label>Région du stand</label>
                <itemset nodeset="instance('regions')/root/item"><value ref="name"/><label ref="label"/></itemset></select1>
              <select1 ref="/data/stand/departement_stand"><label>Département du stand</label>
                <itemset nodeset="instance('departements')/root/item[\(repeatFilter)]"><value ref="name"/><label ref="label"/></itemset>
              </select1>
            </repeat></group>
            """,
            secondary: """
            <instance id="regions"><root>
              <item><name>dakar</name><label>Dakar</label></item><item><name>thies</name><label>Thiès</label></item>
            </root></instance>
            <instance id="departements"><root>
              <item><name>pikine</name><label>Pikine</label><region>dakar</region></item>
              <item><name>rufisque</name><label>Rufisque</label><region>dakar</region></item>
              <item><name>mbour</name><label>Mbour</label><region>thies</region></item>
              <item><name>pikine</name><label>Pikine (homonyme)</label><region>louga</region></item>
            </root></instance>
            """))
    }

    static func issues(_ form: FormDefinition, region: String, departement: String,
                       stands: [(String, String)] = []) throws -> [String] {
        let standXML = stands.map { "<stand><region_stand>\($0.0)</region_stand><departement_stand>\($0.1)</departement_stand></stand>" }
        let record = """
            <data id="cascade" version="1"><region>\(region)</region><departement>\(departement)</departement>\
            \(standXML.joined())<meta><instanceID>uuid:c-1</instanceID></meta></data>
            """
        let document = try SubmissionDocument(xml: Data(record.utf8))
        return SubmissionChecker(form: form).issues(in: document, receivedAt: Date())
            .map { "\($0.kind.rawValue) \($0.field) \($0.englishMessage)" }
    }

    @Test func anAnswerTheFilterOffersIsNotFlagged() throws {
        let form = try Self.form()
        #expect(try Self.issues(form, region: "dakar", departement: "rufisque", stands: [("thies", "mbour")]).isEmpty)
        #expect(try Self.issues(form, region: "thies", departement: "mbour").isEmpty)
    }

    @Test func anAnswerInTheListButNotOfferedIsFlagged() throws {
        let issues = try Self.issues(try Self.form(), region: "thies", departement: "rufisque")
        #expect(issues == ["unknown_choice /data/departement Choice 'rufisque' is not offered for 'Département' given the earlier answers."])
    }

    @Test func anAnswerNotInTheListAtAllIsAnUnknownChoice() throws {
        let issues = try Self.issues(try Self.form(), region: "dakar", departement: "kaolack")
        #expect(issues == ["unknown_choice /data/departement Unknown choice 'kaolack' for 'Département'."])
    }

    /// The same value on two items: offered when one of them passes.
    @Test func aValueOnSeveralItemsIsOfferedWhenOneOfThemPasses() throws {
        // Louga is not a region of the list (flagged), but its Pikine is offered.
        #expect(try Self.issues(try Self.form(), region: "louga", departement: "pikine").map { $0.prefix(30) }
            == ["unknown_choice /data/region Un"])
        #expect(try Self.issues(try Self.form(), region: "dakar", departement: "pikine").isEmpty)
    }

    /// Inside a repeat, `current()/..` is the instance's own region.
    @Test func eachRepeatInstanceIsFilteredByItsOwnAnswers() throws {
        let issues = try Self.issues(try Self.form(), region: "dakar", departement: "pikine",
                                     stands: [("dakar", "rufisque"), ("thies", "rufisque"), ("thies", "mbour")])
        #expect(issues == ["unknown_choice /data/stand[2]/departement_stand Choice 'rufisque' is not offered for 'Département du stand' given the earlier answers."])
    }

    /// Filters the server does not follow (another instance's path, a
    /// position, a function it lacks) fall back to the whole list.
    @Test(arguments: [
        "region = instance('regions')/root/item[1]/name",
        "position() = 1",
        "1",
        "jr:choice-name(/data/region, '/data/region') = 'Thiès'",
    ])
    func aFilterTheServerCannotEvaluateNeverFlags(filter: String) throws {
        let form = try Self.form(filter: filter)
        #expect(try Self.issues(form, region: "thies", departement: "rufisque").isEmpty)
        #expect(try Self.issues(form, region: "thies", departement: "kaolack").count == 1, "the whole list still holds")
    }

    /// The web form gets the filter as one expression its evaluator reads.
    @Test func thePreparedFilterReadsTheItemAndTheRecord() throws {
        let form = try Self.form(filter: "region = /data/region and not(starts-with(name, 'x'))")
        #expect(form.field(at: "/data/departement")?.choiceFilter?.preparedText
            == "(((/__choice_item__/region = /data/region) and not(starts-with(/__choice_item__/name, 'x'))))")
        #expect(form.field(at: "/data/stand/departement_stand")?.choiceFilter?.preparedText
            == "((/__choice_item__/region = /data/stand/region_stand))")
        let parsed = try XPathExpression.parse(try #require(form.field(at: "/data/departement")?.choiceFilter?.preparedText))
        #expect(parsed.referencedPaths(contextPath: "/").contains("/data/region"))
        #expect(form.field(at: "/data/region")?.choiceFilter == nil)
        #expect(form.field(at: "/data/departement")?.choices?.first?.fields == ["name": "pikine", "label": "Pikine", "region": "dakar"])
    }
}
