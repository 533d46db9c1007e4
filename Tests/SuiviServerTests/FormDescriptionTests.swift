import Foundation
import SuiviBasics
@testable import SuiviApp
import SuiviDomain
import Testing

/// The form JSON the phone web form and the indicators page read, byte for
/// byte: every key of a form and of a field, null where a field has no
/// value, labels per language.
@Suite struct FormDescriptionTests {
    static let xform = """
        <?xml version="1.0"?>
        <h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml" xmlns:jr="http://openrosa.org/javarosa">
          <h:head>
            <h:title>Petit "test"</h:title>
            <model>
              <itext>
                <translation lang="Français (fr)" default="true()">
                  <text id="/data/trade:label"><value>Métier</value></text>
                  <text id="/data/trade:hint"><value>Un seul</value></text>
                  <text id="/data/trade/tailoring:label"><value>Couture</value></text>
                  <text id="/data/trade/other:label"><value>Autre</value></text>
                  <text id="/data/size:label"><value>Taille</value></text>
                </translation>
                <translation lang="English (en)">
                  <text id="/data/trade:label"><value>Trade</value></text>
                  <text id="/data/trade:hint"><value>Only one</value></text>
                  <text id="/data/trade/tailoring:label"><value>Tailoring</value></text>
                  <text id="/data/trade/other:label"><value>Other</value></text>
                  <text id="/data/size:label"><value>Size</value></text>
                </translation>
              </itext>
              <instance>
                <data id="petit" version="3">
                  <trade/>
                  <details><size/><twice/></details>
                  <today/>
                  <meta><instanceID/></meta>
                </data>
              </instance>
              <bind nodeset="/data/trade" type="select1" required="true()" jr:requiredMsg="Obligatoire"/>
              <bind nodeset="/data/details" relevant="/data/trade != ''"/>
              <bind nodeset="/data/details/size" type="int" constraint=". &gt; 0 and . &lt; 20" jr:constraintMsg="Entre 1 et 19"/>
              <bind nodeset="/data/details/twice" type="int" calculate="/data/details/size * 2"/>
              <bind nodeset="/data/today" type="date" jr:preload="date" jr:preloadParams="today"/>
              <bind nodeset="/data/meta/instanceID" type="string" readonly="true()" jr:preload="uid"/>
            </model>
          </h:head>
          <h:body>
            <select1 ref="/data/trade" appearance="minimal">
              <label ref="jr:itext('/data/trade:label')"/>
              <hint ref="jr:itext('/data/trade:hint')"/>
              <item><label ref="jr:itext('/data/trade/tailoring:label')"/><value>tailoring</value></item>
              <item><label ref="jr:itext('/data/trade/other:label')"/><value>other</value></item>
            </select1>
            <group ref="/data/details">
              <input ref="/data/details/size"><label ref="jr:itext('/data/size:label')"/></input>
            </group>
          </h:body>
        </h:html>
        """

    @Test func aFormIsDescribedWithEveryKey() throws {
        let definition = try XFormParser.parse(Data(Self.xform.utf8))
        let form = FormRegistry.LoadedForm(definition: definition, xml: Data(Self.xform.utf8), md5: "0123abcd")
        let text = String(decoding: try JSONResponseEncoder.encode(FormDescriptionResponse(form)), as: UTF8.self)
        #expect(text == #"{"default_language":"Français (fr)","fields":[{"appearance":"minimal","calculate":null,"choice_filter":null,"choices":[{"fields":null,"images":{},"labels":{"English (en)":"Tailoring","Français (fr)":"Couture"},"value":"tailoring"},{"fields":null,"images":{},"labels":{"English (en)":"Other","Français (fr)":"Autre"},"value":"other"}],"constraint":null,"constraint_messages":{},"control":"select1","default":null,"group":false,"guidance":{},"hints":{"English (en)":"Only one","Français (fr)":"Un seul"},"images":{},"labels":{"English (en)":"Trade","Français (fr)":"Métier"},"max_pixels":null,"mediatype":null,"name":"trade","path":"/data/trade","preload":null,"readonly":false,"relevant":null,"repeat_count":null,"required":"true()","required_messages":{"":"Obligatoire"},"type":"select1"},{"appearance":null,"calculate":null,"choice_filter":null,"choices":null,"constraint":null,"constraint_messages":{},"control":"group","default":null,"group":true,"guidance":{},"hints":{},"images":{},"labels":{},"max_pixels":null,"mediatype":null,"name":"details","path":"/data/details","preload":null,"readonly":false,"relevant":"/data/trade != ''","repeat_count":null,"required":null,"required_messages":{},"type":"string"},{"appearance":null,"calculate":null,"choice_filter":null,"choices":null,"constraint":". > 0 and . < 20","constraint_messages":{"":"Entre 1 et 19"},"control":"input","default":null,"group":false,"guidance":{},"hints":{},"images":{},"labels":{"English (en)":"Size","Français (fr)":"Taille"},"max_pixels":null,"mediatype":null,"name":"size","path":"/data/details/size","preload":null,"readonly":false,"relevant":null,"repeat_count":null,"required":null,"required_messages":{},"type":"int"},{"appearance":null,"calculate":"/data/details/size * 2","choice_filter":null,"choices":null,"constraint":null,"constraint_messages":{},"control":null,"default":null,"group":false,"guidance":{},"hints":{},"images":{},"labels":{},"max_pixels":null,"mediatype":null,"name":"twice","path":"/data/details/twice","preload":null,"readonly":false,"relevant":null,"repeat_count":null,"required":null,"required_messages":{},"type":"int"},{"appearance":null,"calculate":null,"choice_filter":null,"choices":null,"constraint":null,"constraint_messages":{},"control":null,"default":null,"group":false,"guidance":{},"hints":{},"images":{},"labels":{},"max_pixels":null,"mediatype":null,"name":"today","path":"/data/today","preload":"date","readonly":false,"relevant":null,"repeat_count":null,"required":null,"required_messages":{},"type":"date"},{"appearance":null,"calculate":null,"choice_filter":null,"choices":null,"constraint":null,"constraint_messages":{},"control":null,"default":null,"group":true,"guidance":{},"hints":{},"images":{},"labels":{},"max_pixels":null,"mediatype":null,"name":"meta","path":"/data/meta","preload":null,"readonly":false,"relevant":null,"repeat_count":null,"required":null,"required_messages":{},"type":"string"},{"appearance":null,"calculate":null,"choice_filter":null,"choices":null,"constraint":null,"constraint_messages":{},"control":null,"default":null,"group":false,"guidance":{},"hints":{},"images":{},"labels":{},"max_pixels":null,"mediatype":null,"name":"instanceID","path":"/data/meta/instanceID","preload":"uid","readonly":true,"relevant":null,"repeat_count":null,"required":null,"required_messages":{},"type":"string"}],"hash":"md5:0123abcd","id":"petit","languages":["Français (fr)","English (en)"],"root":"data","title":"Petit \"test\"","version":"3"}"#)
    }

    /// The same description over HTTP, for a form loaded from a file.
    @Test func thePhoneGetsTheFormAsJSON() async throws {
        try await withTestServer(extraForms: ["photo_test.xml"]) { (server: TestServer) async throws in
            let reply = try await server.client.get("\(server.linkPath)/forms/photo_test.json")
            #expect(reply.status == 200)
            expectJSON(reply, #"{"default_language":null,"fields":[{"appearance":null,"calculate":null,"choice_filter":null,"choices":null,"constraint":null,"constraint_messages":{},"control":"input","default":null,"group":false,"guidance":{},"hints":{},"images":{},"labels":{"":"Légende"},"max_pixels":null,"mediatype":null,"name":"caption","path":"/data/caption","preload":null,"readonly":false,"relevant":null,"repeat_count":null,"required":"true()","required_messages":{},"type":"string"},{"appearance":null,"calculate":null,"choice_filter":null,"choices":null,"constraint":null,"constraint_messages":{},"control":"upload","default":null,"group":false,"guidance":{},"hints":{},"images":{},"labels":{"":"Photo 1"},"max_pixels":null,"mediatype":"image/*","name":"photo_front","path":"/data/photo_front","preload":null,"readonly":false,"relevant":null,"repeat_count":null,"required":null,"required_messages":{},"type":"binary"},{"appearance":null,"calculate":null,"choice_filter":null,"choices":null,"constraint":null,"constraint_messages":{},"control":"upload","default":null,"group":false,"guidance":{},"hints":{},"images":{},"labels":{"":"Photo 2"},"max_pixels":null,"mediatype":"image/*","name":"photo_back","path":"/data/photo_back","preload":null,"readonly":false,"relevant":null,"repeat_count":null,"required":null,"required_messages":{},"type":"binary"},{"appearance":null,"calculate":null,"choice_filter":null,"choices":null,"constraint":null,"constraint_messages":{},"control":null,"default":null,"group":true,"guidance":{},"hints":{},"images":{},"labels":{},"max_pixels":null,"mediatype":null,"name":"meta","path":"/data/meta","preload":null,"readonly":false,"relevant":null,"repeat_count":null,"required":null,"required_messages":{},"type":"string"},{"appearance":null,"calculate":null,"choice_filter":null,"choices":null,"constraint":null,"constraint_messages":{},"control":null,"default":null,"group":false,"guidance":{},"hints":{},"images":{},"labels":{},"max_pixels":null,"mediatype":null,"name":"instanceID","path":"/data/meta/instanceID","preload":"uid","readonly":true,"relevant":null,"repeat_count":null,"required":null,"required_messages":{},"type":"string"}],"hash":"md5:f51decd93c69b5da532aa00ce380c2ab","id":"photo_test","languages":[],"root":"data","title":"Photo test","version":"1"}"#)
        }
    }
}
