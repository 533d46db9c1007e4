import Foundation
import Testing
@testable import SuiviDomain

/// Forms written the many ways ODK accepts them (issue 15): Suivi reads them
/// as JavaRosa does, and refuses only what is not XML, has no form id, or
/// holds an expression that is not XPath. Forms here are our own.
@Suite struct XFormReadingTests {
    /// An XForm with `model` and `body` spliced in.
    static func form(instance: String, model: String = "", body: String = "", secondary: String = "",
                     primaryAttributes: String = "") -> Data {
        Data("""
        <h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"
                xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms"
                xmlns:odk="http://www.opendatakit.org/xforms" xmlns:entities="http://www.opendatakit.org/xforms/entities">
          <h:head>
            <h:title>Essai</h:title>
            <model entities:entities-version="2024.1.0">
              <instance\(primaryAttributes)>\(instance)</instance>
              \(secondary)
              \(model)
            </model>
          </h:head>
          <h:body>\(body)</h:body>
        </h:html>
        """.utf8)
    }

    @Test func relativeBindsAreReadFromTheInstanceRoot() throws {
        let definition = try XFormParser.parse(Self.form(
            instance: #"<data id="relatif" version="3"><age/><g><nom/></g><meta><instanceID/></meta></data>"#,
            model: #"<bind nodeset="age" type="int" constraint=". &lt; 120"/><bind nodeset="g/nom" type="string" required="true()"/>"#))
        #expect(definition.field(at: "/data/age")?.dataType == .int)
        #expect(definition.field(at: "/data/age")?.constraint != nil)
        #expect(definition.field(at: "/data/g/nom")?.required != nil)
        #expect(definition.warnings.isEmpty)
    }

    @Test func bodyReferencesAreReadFromTheirGroup() throws {
        let definition = try XFormParser.parse(Self.form(
            instance: #"<data id="groupes"><menage><nom/></menage></data>"#,
            body: #"<group ref="/data/menage"><label>Ménage</label><input ref="nom"><label>Nom du chef</label></input></group>"#))
        #expect(definition.field(at: "/data/menage/nom")?.labels[""] == "Nom du chef")
    }

    @Test func entityAttributesMayBeBound() throws {
        let definition = try XFormParser.parse(Self.form(
            instance: #"<data id="entites"><nom/><meta><instanceID/><entity dataset="artisans" id="" create="1"><label/></entity></meta></data>"#,
            model: """
            <bind nodeset="/data/meta/entity/@id" type="string" readonly="true()"/>
            <bind nodeset="/data/meta/entity/@create" calculate="1" type="string" readonly="true()"/>
            <bind nodeset="/data/meta/entity/label" calculate="/data/nom" type="string"/>
            """))
        #expect(definition.formID == "entites")
        #expect(definition.warnings.isEmpty)
        #expect(definition.field(at: "/data/meta/entity/label")?.calculate != nil)
    }

    @Test func aPrimaryInstanceWithAnIdIsStillThePrimaryOne() throws {
        let definition = try XFormParser.parse(Self.form(
            instance: #"<data id="premiere"><q/></data>"#, primaryAttributes: #" id="principale""#))
        #expect(definition.formID == "premiere")
    }

    @Test func aBindOnNothingIsAWarningAsInJavaRosa() throws {
        let definition = try XFormParser.parse(Self.form(
            instance: #"<data id="orphelin"><personne><age/></personne></data>"#,
            model: #"<bind nodeset="age" type="int"/>"#))
        #expect(definition.warnings.count == 1)
        #expect(definition.warnings.first?.contains("/data/age") == true)
    }

    @Test func pathsAfterFunctionCallsAndCurrentAreAccepted() throws {
        let definition = try XFormParser.parse(Self.form(
            instance: #"<data id="chemins"><region/><ville/><pop/><precedent/><meme/></data>"#,
            model: """
            <bind nodeset="/data/pop" type="int" calculate="instance('villes')/root/item[name = current()/../ville]/pop"/>
            <bind nodeset="/data/precedent" type="string" calculate="instance('last-saved')/data/region"/>
            <bind nodeset="/data/meme" type="string" calculate="current()/../region"/>
            """,
            secondary: #"<instance id="villes"><root><item><name>thies</name><region>thies</region><pop>3</pop></item></root></instance>"#))
        #expect(definition.fields.count == 5)
    }

    /// A cascading select: the filter compares with another answer (a `/`
    /// inside the predicate). Every item of the list is a possible answer.
    @Test func cascadingSelectsOfferTheWholeList() throws {
        let definition = try XFormParser.parse(Self.form(
            instance: #"<data id="cascade"><region/><departement/></data>"#,
            model: #"<bind nodeset="/data/region" type="string"/><bind nodeset="/data/departement" type="string"/>"#,
            body: """
            <select1 ref="/data/region"><label>Région</label><item><label>Dakar</label><value>dakar</value></item></select1>
            <select1 ref="/data/departement"><label>Département</label>
              <itemset nodeset="instance('departements')/root/item[region= /data/region ]">
                <value ref="name"/><label ref="label"/></itemset></select1>
            """,
            secondary: """
            <instance id="departements"><root>
              <item><name>pikine</name><label>Pikine</label><region>dakar</region></item>
              <item><name>mbour</name><label>Mbour</label><region>thies</region></item>
            </root></instance>
            """))
        let choices = try #require(definition.field(at: "/data/departement")?.choices)
        #expect(choices.map(\.value) == ["pikine", "mbour"])
        #expect(choices.first?.labels[""] == "Pikine")
    }

    /// Images of labels and choices, per language; a text with only an
    /// image has no label text (never the image's URL).
    @Test func imagesOfLabelsAndChoicesAreReadPerLanguage() throws {
        let definition = try XFormParser.parse(Self.form(
            instance: #"<data id="images"><accueil/><metier/></data>"#,
            model: """
            <itext>
              <translation lang="Français (fr)" default="true()">
                <text id="/data/accueil:label"><value form="image">jr://images/logo.png</value></text>
                <text id="/data/metier:label"><value>Métier</value></text>
                <text id="m-0"><value>Couture</value><value form="image">jr://images/couture.jpg</value></text>
              </translation>
              <translation lang="Wolof (wo)">
                <text id="/data/accueil:label"><value form="image">jr://images/logo-wo.png</value></text>
                <text id="/data/metier:label"><value>Liggéey</value></text>
                <text id="m-0"><value>Ñaw</value></text>
              </translation>
            </itext>
            <bind nodeset="/data/accueil" readonly="true()" type="string"/>
            """,
            body: """
            <input ref="/data/accueil"><label ref="jr:itext('/data/accueil:label')"/></input>
            <select1 ref="/data/metier"><label ref="jr:itext('/data/metier:label')"/>
              <item><label ref="jr:itext('m-0')"/><value>couture</value></item></select1>
            """))
        let note = try #require(definition.field(at: "/data/accueil"))
        #expect(note.images == ["Français (fr)": "logo.png", "Wolof (wo)": "logo-wo.png"])
        #expect(note.labels.isEmpty)
        let choice = try #require(definition.field(at: "/data/metier")?.choices?.first)
        #expect(choice.images == ["Français (fr)": "couture.jpg"])
        #expect(choice.labels == ["Français (fr)": "Couture", "Wolof (wo)": "Ñaw"])
    }

    /// What the web form needs of a repeat, a hint and an upload: the
    /// repeat's count, the guidance, the media type and resize limit.
    @Test func repeatCountsGuidanceAndUploadLimitsAreRead() throws {
        let definition = try XFormParser.parse(Self.form(
            instance: #"<data id="comptes"><n/><enfant><prenom/></enfant><photo/></data>"#,
            model: """
            <itext><translation lang="Français (fr)" default="true()">
              <text id="/data/enfant/prenom:hint"><value>Tel qu'il l'écrit</value><value form="guidance">Demandez-lui.</value></text>
            </translation></itext>
            <bind nodeset="/data/n" type="int"/><bind nodeset="/data/photo" type="binary"/>
            """,
            body: """
            <input ref="/data/n"><label>Combien ?</label></input>
            <group ref="/data/enfant"><label>Enfant</label><repeat nodeset="/data/enfant" jr:count=" /data/n ">
              <input ref="/data/enfant/prenom"><label>Prénom</label><hint ref="jr:itext('/data/enfant/prenom:hint')"/></input>
            </repeat></group>
            <upload ref="/data/photo" mediatype="image/*" orx:max-pixels="1024"><label>Photo</label></upload>
            """))
        #expect(definition.field(at: "/data/enfant")?.repeatCount?.text == "/data/n")
        #expect(definition.field(at: "/data/enfant/prenom")?.guidance == ["Français (fr)": "Demandez-lui."])
        #expect(definition.field(at: "/data/enfant/prenom")?.hints == ["Français (fr)": "Tel qu'il l'écrit"])
        #expect(definition.field(at: "/data/photo")?.mediaType == "image/*")
        #expect(definition.field(at: "/data/photo")?.maxPixels == 1024)
    }

    @Test func aListFromAFileIsNotCheckedHere() throws {
        let definition = try XFormParser.parse(Self.form(
            instance: #"<data id="fichier"><metier/></data>"#,
            body: """
            <select1 ref="/data/metier"><label>Métier</label>
              <itemset nodeset="instance('metiers')/root/item"><value ref="name"/><label ref="label"/></itemset></select1>
            """,
            secondary: #"<instance id="metiers" src="jr://file-csv/metiers.csv"/>"#))
        #expect(definition.field(at: "/data/metier")?.choices == nil)
    }

    @Test(arguments: [
        ("<data", "not readable XML"),
        (#"<h:html xmlns:h="http://www.w3.org/1999/xhtml"><h:head/></h:html>"#, "not an XForm"),
    ])
    func whatIsNotAFormIsRefused(text: String, reason: String) {
        #expect { try XFormParser.parse(Data(text.utf8)) } throws: { "\($0)".contains(reason) }
    }

    @Test func aFormWithoutAnIdIsRefused() {
        #expect { try XFormParser.parse(Self.form(instance: "<data><q/></data>")) } throws: {
            "\($0)".contains("no id attribute")
        }
    }

    @Test func anExpressionThatIsNotXPathIsRefusedWithItsQuestion() {
        let form = Self.form(instance: #"<data id="faux"><q/></data>"#, model: #"<bind nodeset="/data/q" relevant="/data/q = "/>"#)
        #expect { try XFormParser.parse(form) } throws: { "\($0)".contains("/data/q") && "\($0)".contains("relevant") }
    }
}

@Suite struct RepeatReadingTests {
    @Test func repeatsAreKnownOuterFirstWithTheLabelOfTheirGroup() throws {
        let xml = """
        <h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml" xmlns:jr="http://openrosa.org/javarosa">
        <h:head><h:title>Foyer</h:title><model>
          <instance><data id="foyer" version="1">
            <member jr:template=""><name/><photo_set jr:template=""><photo/></photo_set></member>
            <member><name/><photo_set><photo/></photo_set></member>
            <meta><instanceID/></meta>
          </data></instance>
          <bind nodeset="/data/member/photo_set/photo" type="binary"/>
        </model></h:head>
        <h:body>
          <group ref="/data/member"><label>Membres</label>
            <repeat nodeset="/data/member">
              <input ref="/data/member/name"><label>Nom</label></input>
              <repeat nodeset="photo_set"><upload ref="photo" mediatype="image/*"><label>Photo</label></upload></repeat>
            </repeat>
          </group>
        </h:body></h:html>
        """
        let form = try XFormParser.parse(Data(xml.utf8))
        #expect(form.repeatPaths == ["/data/member", "/data/member/photo_set"])
        #expect(form.field(at: "/data/member")?.labels[""] == "Membres")
        #expect(form.enclosingRepeat(of: "/data/member/photo_set/photo") == "/data/member/photo_set")
        #expect(form.enclosingRepeat(of: "/data/member/name") == "/data/member")
        #expect(form.enclosingRepeat(of: "/data/meta/instanceID") == nil)
        #expect(form.binaryFieldPaths == ["/data/member/photo_set/photo"])
    }
}
