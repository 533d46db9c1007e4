import Foundation
import Testing
@testable import SuiviDomain

@Suite struct SafeXMLParserTests {
    @Test func readsElementsAttributesAndTextWhateverThePrefix() throws {
        let tree = try SafeXMLParser.parse(Data(#"<data id="visite" orx:version="3" xmlns:orx="x"><orx:meta><orx:instanceID>uuid:1</orx:instanceID></orx:meta><a>é &amp; b</a></data>"#.utf8))
        #expect(tree.attribute("id") == "visite")
        #expect(tree.attribute("version") == "3")
        #expect(tree.child("meta")?.child("instanceID")?.text == "uuid:1")
        #expect(tree.child("a")?.text == "é & b")
    }

    @Test(arguments: ["<!DOCTYPE a>", "<!doctype a>", "<!ENTITY x 'y'>", "<!EnTiTy x 'y'>"])
    func declarationsAreRefusedBeforeParsing(_ declaration: String) {
        #expect(SafeXMLParser.containsDeclaration(Data("<?xml version=\"1.0\"?>\(declaration)<a/>".utf8)))
        #expect(throws: Problem.self) { try SafeXMLParser.parse(Data("<?xml version=\"1.0\"?>\(declaration)<a/>".utf8)) }
    }

    @Test func ordinaryMarkupIsNotMistakenForADeclaration() {
        #expect(!SafeXMLParser.containsDeclaration(Data("<a><!-- comment --><![CDATA[x]]></a>".utf8)))
    }

    @Test func depthAndSizeAreCapped() {
        let deep = String(repeating: "<a>", count: 40) + String(repeating: "</a>", count: 40)
        #expect(throws: Problem.xmlTooDeep(limit: 32)) { try SafeXMLParser.parse(Data(deep.utf8)) }
        let wide = "<r>" + String(repeating: "<a/>", count: 30) + "</r>"
        #expect(throws: Problem.xmlTooLarge(limit: 10)) {
            try SafeXMLParser.parse(Data(wide.utf8), limits: .init(maximumDepth: 32, maximumElements: 10))
        }
    }
}

@Suite struct PhoneNumberTests {
    @Test(arguments: [
        ("77 123 45 67", "+221771234567"), ("771234567", "+221771234567"), ("+221 77 123 45 67", "+221771234567"),
        ("00221771234567", "+221771234567"), ("00 221 77 123 45 67", "+221771234567"), ("221771234567", "+221771234567"),
        ("77-123-45-67", "+221771234567"), ("(+221) 70.111.22.33", "+221701112233"), ("33 822 11 22", "+221338221122"),
    ])
    func usualWritingsNormalise(_ written: String, _ expected: String) {
        #expect(PhoneNumber.normalise(written) == expected)
    }

    @Test(arguments: ["12", "77 123 45 6", "771234567890", "+33 6 12 34 56 78", "abc", "", "87 123 45 67", "77 123 45 67 ext 2"])
    func othersDoNot(_ written: String) {
        #expect(PhoneNumber.normalise(written) == nil)
    }

    @Test func nationalIDNumbersAreCheckedLeniently() {
        #expect(NationalID.looksValid("1234567890123"))
        #expect(NationalID.looksValid("1 234 5678 90123"))
        #expect(!NationalID.looksValid("12345"))
        #expect(!NationalID.looksValid("123456789012A"))
    }
}
