import Foundation
import SuiviBasics
import SuiviApp
import SuiviDomain
import Testing

@Suite struct PeopleTests {
    @Test func aPersonAddedGetsAWorkingLinkAndQRCodesThatConfigureCollect() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let added = try await server.call("POST", "/api/v1/people", json: [
                "name": "Mamadou Sow", "phone": "00221 70 555 66 77", "departement": "Pikine", "organisation": "OPA Soudure"])
            #expect(added.status == 201, "\(added.text)")
            #expect(added.header("Cache-Control") == "no-store")
            let json = try added.json()
            let person = try #require(json["person"] as? [String: Any])
            #expect(person["phone"] as? String == "+221705556677")
            #expect(person["departement"] as? String == "pikine")
            let codes = try #require(json["link"] as? [String: Any])
            let link = try #require(codes["link"] as? String)
            #expect(link.hasPrefix(server.application.baseURL + "/key/"))
            let me = try await server.client.get(String(link.dropFirst(server.application.baseURL.count)) + "/me")
            #expect(me.status == 200)

            // ODK Collect's settings: base64 of zlib-deflated JSON, as ODK Central makes it.
            let payload = try #require(codes["collect_payload"] as? String)
            let deflated = try #require(Data(base64Encoded: payload))
            #expect(deflated.first == 0x78, "a zlib stream starts with 0x78")
            let settings = try #require(try JSONSerialization.jsonObject(with: Zlib.inflate(deflated)) as? [String: Any])
            let general = try #require(settings["general"] as? [String: Any])
            #expect(general["server_url"] as? String == link)
            #expect(general["form_update_mode"] as? String == "match_exactly")
            #expect(general["autosend"] as? String == "wifi_and_cellular")
            #expect((settings["admin"] as? [String: Any])?.isEmpty == true)
            #expect((settings["project"] as? [String: Any])?["name"] as? String == "Suivi")

            // PNG: signature, IHDR first with the size and 1-bit grayscale, IEND last.
            for key in ["link_png", "collect_png"] {
                let url = try #require(codes[key] as? String)
                #expect(url.hasPrefix("data:image/png;base64,"))
                let png = try #require(Data(base64Encoded: String(url.dropFirst("data:image/png;base64,".count))))
                let bytes = [UInt8](png)
                #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
                #expect(String(decoding: bytes[12..<16], as: UTF8.self) == "IHDR")
                let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
                let height = bytes[20..<24].reduce(0) { $0 << 8 | Int($1) }
                #expect(width == height && width >= (21 + 8) * 3)
                #expect(bytes[24] == 1 && bytes[25] == 0)
                #expect(String(decoding: bytes.suffix(8).prefix(4), as: UTF8.self) == "IEND")
            }
            // SVG: well-formed, square, with the quiet zone in its view box.
            let svg = try #require(codes["link_svg"] as? String)
            let tree = try SafeXMLParser.parse(Data(svg.utf8), field: "svg")
            #expect(tree.localName == "svg")
            let code = try QRCode(link, level: .medium)
            #expect(tree.attribute("viewBox") == "0 0 \(code.width + 8) \(code.width + 8)")
            #expect(tree.child("path")?.attribute("d")?.hasPrefix("M4 4h7") == true, "the finder pattern starts the path")

            let audit = try server.auditLines("person.add")
            #expect(audit.count == 1)
            #expect(!audit[0].contains("Mamadou") && !audit[0].contains("705556677"))
        }
    }

    @Test func aRevokedLinkAnswers403AtOnceAndAReissuedOneWorks() async throws {
        try await withTestServer { (server: TestServer) async throws in
            #expect(try await server.client.get(server.linkPath + "/formList").status == 200)
            let reissued = try await server.call("POST", "/api/v1/people/\(server.personID)/link")
            #expect(reissued.status == 200)
            #expect(try await server.client.get(server.linkPath + "/formList").status == 403)
            let newLink = try #require((reissued.json()["link"] as? [String: Any])?["link"] as? String)
            let newPath = String(newLink.dropFirst(server.application.baseURL.count))
            #expect(try await server.client.get(newPath + "/formList").status == 200)

            let revoked = try await server.call("DELETE", "/api/v1/people/\(server.personID)/link")
            #expect(revoked.status == 200)
            #expect(try await server.client.get(newPath + "/formList").status == 403)
            #expect(try await server.client.get(newPath + "/me").status == 403)
            #expect(try server.auditLines("person.link_reissue") == ["\(server.personID) {}"])
            #expect(try server.auditLines("person.link_revoke") == ["\(server.personID) {\"links\":\"1\"}"])

            // Deactivating stops the link too; reactivating brings it back.
            let again = try await server.call("POST", "/api/v1/people/\(server.personID)/link")
            let path = String(try #require((again.json()["link"] as? [String: Any])?["link"] as? String).dropFirst(server.application.baseURL.count))
            let off = try await server.call("PATCH", "/api/v1/people/\(server.personID)", json: ["active": false])
            #expect((try off.json()["person"] as? [String: Any])?["active"] as? Bool == false)
            #expect(try await server.client.get(path + "/me").status == 403)
            _ = try await server.call("PATCH", "/api/v1/people/\(server.personID)", json: ["active": true])
            #expect(try await server.client.get(path + "/me").status == 200)
            #expect(try server.auditLines("person.deactivate").count == 1)
            #expect(try server.auditLines("person.reactivate").count == 1)
        }
    }

    @Test func aRegionalCoordinatorSeesAndManagesOnlyTheirRegionsPeople() async throws {
        try await withTestServer { (server: TestServer) async throws in
            _ = try server.addPerson(name: "Fatou Sarr", departement: "Thiès")
            let dakar = try server.key(role: "coordinator", region: "dakar")
            let listed = try await server.call("GET", "/api/v1/people", key: dakar)
            #expect(listed.status == 200)
            #expect(listed.header("Cache-Control") == "no-store")
            let people = try #require(listed.json()["people"] as? [[String: Any]])
            #expect(people.map { $0["name"] as? String } == ["Awa Ndiaye"])

            let thiesPersonID = try #require((try server.query("SELECT id FROM resource_persons WHERE departement_code = 'thies'") as [Int64]).first)
            // Another region's person by id: the same 404 as an id that does not exist.
            let edit = try await server.call("PATCH", "/api/v1/people/\(thiesPersonID)", key: dakar, json: ["name": "X"])
            let unknown = try await server.call("PATCH", "/api/v1/people/999999", key: dakar, json: ["name": "X"])
            #expect(edit.status == 404 && edit.body == unknown.body)
            let reissue = try await server.call("POST", "/api/v1/people/\(thiesPersonID)/link", key: dakar)
            #expect(reissue.status == 404)
            let filtered = try await server.call("GET", "/api/v1/people?departement=thies", key: dakar)
            #expect(filtered.status == 403)
            let add = try await server.call("POST", "/api/v1/people", key: dakar,
                                            json: ["name": "Y", "phone": "771234000", "departement": "mbour"])
            #expect(add.status == 403)
            let moveOut = try await server.call("PATCH", "/api/v1/people/\(server.personID)", key: dakar, json: ["departement": "mbour"])
            #expect(moveOut.status == 403)
            let sheet = try await server.call("POST", "/api/v1/departements/thies/qr-sheet", key: dakar)
            #expect(sheet.status == 403)

            let viewer = try server.key(role: "viewer")
            #expect(try await server.call("GET", "/api/v1/people", key: viewer).status == 403)
            let membership = try server.key(role: "membership")
            #expect(try await server.call("GET", "/api/v1/people", key: membership).status == 403)
        }
    }

    @Test func anImportReportsEveryBadRowAndAddsTheGoodOnesWithLinks() async throws {
        try await withTestServer { (server: TestServer) async throws in
            // French Excel: UTF-8 BOM, semicolons, French headers in another order.
            let csv = "\u{FEFF}Département;Nom;Téléphone;Organisation\r\n"
                + "Pikine;Mariama Ba;77 200 00 01;OPA Couture\r\n"
                + "Rufisque;Ibrahima Ndiaye;+221 78 200 00 02;\r\n"
                + "Pikine;Moussa Diop;12345;OPA Cuir\r\n"
                + "Atlantis;Khady Fall;77 200 00 04;\r\n"
                + ";;;\r\n"
                + "Dakar;;77 200 00 05;\r\n"
                + "Dakar;Ndeye Sarr;772000001;\r\n"
                + "Guédiawaye;Astou Gueye;77 123 45 67;\r\n"
                + "\"Keur Massar\";\"Seck; Abdou\";\"70 200 00 08\";\"OPA \"\"Bois\"\"\"\r\n"
            let reply = try await server.call("POST", "/api/v1/people/import", body: Data(csv.utf8), contentType: "text/csv")
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.header("Cache-Control") == "no-store")
            let json = try reply.json()
            let accepted = try #require(json["accepted"] as? [[String: Any]])
            #expect(accepted.map { $0["name"] as? String } == ["Mariama Ba", "Ibrahima Ndiaye", "Seck; Abdou"])
            #expect(accepted.last?["organisation"] as? String == "OPA \"Bois\"")
            #expect(accepted.last?["departement"] as? String == "keur-massar")
            let rejected = try #require(json["rejected"] as? [[String: Any]])
            let summary = rejected.map { "\($0["row"] as? Int ?? 0) \($0["field"] as? String ?? "")" }
            #expect(summary == ["4 phone", "5 departement", "7 name", "8 phone", "9 phone"])
            #expect(rejected.allSatisfy { !($0["reason"] as? String ?? "").isEmpty && !($0["reason_en"] as? String ?? "").isEmpty })
            #expect((rejected[3]["reason"] as? String)?.contains("ligne 2") == true, "duplicate of row 2 of the file")
            #expect((rejected[4]["reason_en"] as? String)?.contains("registered") == true, "Awa's phone is already stored")

            for person in accepted {
                let link = try #require(person["link"] as? String)
                #expect(try await server.client.get(String(link.dropFirst(server.application.baseURL.count)) + "/me").status == 200)
            }
            let csvOut = try #require(json["links_csv"] as? String)
            #expect(csvOut.contains(accepted[0]["link"] as! String))
            #expect(csvOut.contains("'+221772000001"), "a leading + is neutralised for spreadsheets")
            let count: [Int64] = try server.query("SELECT count(*) FROM resource_persons")
            #expect(count == [4])
            #expect(try server.auditLines("people.import").first?.contains("\"accepted\":\"3\",") == true)
            #expect(try server.auditLines("people.import").first?.contains("\"rejected\":\"5\"") == true)
        }
    }

    @Test func anXLSXImportReadsSharedAndInlineStringsAndNumbers() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let file = try Data(contentsOf: repositoryRoot.appendingPathComponent("Tests/SuiviServerTests/Fixtures/people.xlsx"))
            let reply = try await server.call("POST", "/api/v1/people/import", body: file,
                                              contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            #expect(reply.status == 200, "\(reply.text)")
            let json = try reply.json()
            let accepted = try #require(json["accepted"] as? [[String: Any]])
            #expect(accepted.map { $0["name"] as? String } == ["Ousmane Faye", "Aminata Diouf"])
            #expect(accepted.map { $0["phone"] as? String } == ["+221771112233", "+221762223344"])
            #expect(accepted.map { $0["departement"] as? String } == ["thies", "mbour"])
            let rejected = try #require(json["rejected"] as? [[String: Any]])
            #expect(rejected.map { "\($0["row"] as? Int ?? 0) \($0["field"] as? String ?? "")" } == ["4 phone", "5 departement"])
        }
    }

    @Test func aFaultyFileImportsNothing() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let noPhoneColumn = "nom,département\nMariama Ba,Pikine\n"
            let reply = try await server.call("POST", "/api/v1/people/import", body: Data(noPhoneColumn.utf8), contentType: "text/csv")
            #expect(reply.status == 400)
            let json = try reply.json()
            #expect(json["code"] as? String == "400.32")
            #expect(json["field"] as? String == "file")
            let broken = try await server.call("POST", "/api/v1/people/import", body: Data([0x50, 0x4B, 0x03, 0x04, 0, 1, 2]))
            #expect(try broken.json()["code"] as? String == "400.31")
            let notUTF8 = try await server.call("POST", "/api/v1/people/import", body: Data([0x6E, 0x6F, 0x6D, 0xE9, 0x0A]))
            #expect(try notUTF8.json()["code"] as? String == "400.31")
            let rows = (0...PeopleImport.maximumRows).map { "P\($0),77\(String(format: "%07d", $0)),Dakar" }
            let tooMany = try await server.call("POST", "/api/v1/people/import",
                                                body: Data(("name,phone,departement\n" + rows.joined(separator: "\n")).utf8))
            #expect(try tooMany.json()["code"] as? String == "400.33")
            let count: [Int64] = try server.query("SELECT count(*) FROM resource_persons")
            #expect(count == [1])
        }
    }

    @Test func aQRSheetIssuesNewLinksForEveryActivePersonOfTheDepartement() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let second = try server.addPerson(name: "Bineta Kane", departement: "Guédiawaye")
            _ = try server.addPerson(name: "Ailleurs", departement: "Pikine")
            let reply = try await server.call("POST", "/api/v1/departements/guediawaye/qr-sheet")
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.header("Cache-Control") == "no-store")
            let people = try #require(reply.json()["people"] as? [[String: Any]])
            #expect(people.map { $0["name"] as? String } == ["Awa Ndiaye", "Bineta Kane"])
            for person in people {
                let qr = try #require(person["qr"] as? [String: Any])
                let link = try #require(qr["link"] as? String)
                #expect(try await server.client.get(String(link.dropFirst(server.application.baseURL.count)) + "/me").status == 200)
                #expect((qr["collect_svg"] as? String)?.hasPrefix("<svg") == true)
            }
            #expect(try await server.client.get(server.linkPath + "/me").status == 403)
            #expect(try await server.client.get(second + "/me").status == 403)
            #expect(try server.auditLines("people.links_reissue") == ["guediawaye {\"people\":\"2\"}"])
        }
    }

    @Test func phonesAreKeptInOneFormSoOnePhoneIsOnePerson() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let duplicate = try await server.call("POST", "/api/v1/people", json: [
                "name": "Autre", "phone": "+221771234567", "departement": "Dakar"])
            #expect(try duplicate.json()["code"] as? String == "409.22")
            let bad = try await server.call("POST", "/api/v1/people", json: ["name": "Autre", "phone": "12", "departement": "Dakar"])
            #expect(try bad.json()["code"] as? String == "400.34")
            let unknown = try await server.call("POST", "/api/v1/people", json: ["name": "Autre", "phone": "761112233", "departement": "Paris"])
            #expect(try unknown.json()["code"] as? String == "400.35")
        }
    }

    @Test func theImportCommandPrintsTheReportAndWorkingLinks() async throws {
        try await withTestServer { (server: TestServer) async throws in
            let file = server.directory.appendingPathComponent("people.csv")
            try Data("name,phone,departement,organisation\nLamine Gaye,77 300 00 01,Kaolack,OPA Forge\n,77 300 00 02,Kaolack,\n".utf8).write(to: file)
            let result = try await blocking {
                try CommandLineTests.run(["person", "import", "--db", server.databasePath,
                                          "--base-url", server.application.baseURL, file.path])
            }
            #expect(result.status == 0, "\(result.errors)")
            #expect(result.output.contains("accepted rows: 1; rejetées / rejected: 1"))
            #expect(result.output.contains("ligne/row 3 [name]: Nom manquant. / Name missing."))
            let link = try #require(result.output.split(separator: "\n").last?.split(separator: "\t").last.map(String.init))
            #expect(try await server.client.get(String(link.dropFirst(server.application.baseURL.count)) + "/me").status == 200)
            #expect(try server.auditLines("people.import").count == 1)
            let missing = try await blocking { try CommandLineTests.run(["person", "import", "--db", server.databasePath, "/nonexistent.csv"]) }
            #expect(missing.status == 66)
        }
    }

    /// The images are read back by a real QR decoder (zbarimg, from Debian's
    /// zbar-tools, installed by Scripts/setup), so a wrong bit or a wrong
    /// PNG row would show.
    @Test func theQRImagesDecodeToTheLinkAndTheCollectSettings() async throws {
        let decoder = "/usr/bin/zbarimg"
        try #require(FileManager.default.isExecutableFile(atPath: decoder), "install zbar-tools (Scripts/setup)")
        try await withTestServer { (server: TestServer) async throws in
            let reply = try await server.call("POST", "/api/v1/people/\(server.personID)/link")
            let codes = try #require(try reply.json()["link"] as? [String: Any])
            for (image, expected) in [("link_png", codes["link"]), ("collect_png", codes["collect_payload"])] {
                let url = try #require(codes[image] as? String)
                let png = try #require(Data(base64Encoded: String(url.dropFirst("data:image/png;base64,".count))))
                let file = server.directory.appendingPathComponent("\(image).png")
                try png.write(to: file)
                let decoded = try await blocking { () throws -> String in
                    let data = try ChildProcess.run(decoder, ["--quiet", "--raw", file.path]).output
                    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
                }
                #expect(decoded == expected as? String, "\(image)")
            }
        }
    }

    /// Every people answer byte for byte: key names, null where a value is
    /// missing (links and images, which change each time, are placeholders).
    @Test func peopleAnswersKeepTheirKeysAndFormats() async throws {
        try await withTestServer { (server: TestServer) async throws in
            _ = try server.addPerson(name: "Fatou \"Sarr\"", departement: "Pikine")
            expectJSON(try await server.call("GET", "/api/v1/people"), #"{"people":[{"active":true,"created_at":"<time>","departement":"guediawaye","id":1,"link_issued_at":"<time>","name":"Awa Ndiaye","organisation":"OPA Couture","phone":"77 123 45 67"},{"active":true,"created_at":"<time>","departement":"pikine","id":2,"link_issued_at":"<time>","name":"Fatou \"Sarr\"","organisation":null,"phone":"76 000 00 00"}]}"#)
            expectJSON(try await server.call("GET", "/api/v1/people?departement=pikine&active=1"), #"{"people":[{"active":true,"created_at":"<time>","departement":"pikine","id":2,"link_issued_at":"<time>","name":"Fatou \"Sarr\"","organisation":null,"phone":"76 000 00 00"}]}"#)
            let cleared = try await server.call("PATCH", "/api/v1/people/\(server.personID)", json: ["organisation": ""])
            expectJSON(cleared, #"{"person":{"active":true,"departement":"guediawaye","id":1,"name":"Awa Ndiaye","organisation":null,"phone":"77 123 45 67"}}"#)
            expectJSON(try await server.call("DELETE", "/api/v1/people/\(server.personID)/link"), #"{"person":{"active":true,"departement":"guediawaye","id":1,"name":"Awa Ndiaye","organisation":null,"phone":"77 123 45 67"},"revoked":true}"#)
            expectJSON(try await server.call("POST", "/api/v1/people/\(server.personID)/link"), #"{"link":{"collect_payload":"<image>","collect_png":"<image>","collect_svg":"<image>","link":"<link>","link_png":"<image>","link_svg":"<image>"},"person":{"active":true,"departement":"guediawaye","id":1,"name":"Awa Ndiaye","organisation":null,"phone":"77 123 45 67"}}"#)
            let added = try await server.call("POST", "/api/v1/people", json: [
                "name": "Mamadou Sow", "phone": "70 555 66 77", "departement": "Pikine", "organisation": "OPA Soudure"])
            #expect(added.status == 201)
            expectJSON(added, #"{"link":{"collect_payload":"<image>","collect_png":"<image>","collect_svg":"<image>","link":"<link>","link_png":"<image>","link_svg":"<image>"},"person":{"active":true,"departement":"pikine","id":3,"name":"Mamadou Sow","organisation":"OPA Soudure","phone":"+221705556677"}}"#)
            let csv = "nom,téléphone,département\nMariama Ba,77 200 00 01,Rufisque\nSans Téléphone,,Dakar\n"
            expectJSON(try await server.call("POST", "/api/v1/people/import", body: Data(csv.utf8), contentType: "text/csv"), #"{"accepted":[{"active":true,"departement":"rufisque","id":4,"link":"<link>","name":"Mariama Ba","organisation":null,"phone":"+221772000001","row":2}],"links_csv":"ligne / row;nom / name;téléphone / phone;département;organisation;lien / link\r\n2;Mariama Ba;'+221772000001;rufisque;;<link>\r\n","rejected":[{"field":"phone","reason":"Téléphone manquant.","reason_en":"Phone missing.","row":3}]}"#)
            expectJSON(try await server.call("POST", "/api/v1/departements/rufisque/qr-sheet"), #"{"departement":{"code":"rufisque","name":"Rufisque","region":"Dakar","region_code":"dakar"},"people":[{"active":true,"departement":"rufisque","id":4,"name":"Mariama Ba","organisation":null,"phone":"+221772000001","qr":{"collect_payload":"<image>","collect_png":"<image>","collect_svg":"<image>","link":"<link>","link_png":"<image>","link_svg":"<image>"}}]}"#)
            let dakar = try server.key(role: "coordinator", region: "dakar")
            let departements = try await server.call("GET", "/api/v1/departements", key: dakar)
            expectJSON(departements, #"{"departements":[{"code":"dakar","in_scope":true,"name":"Dakar","region":"Dakar","region_code":"dakar"},{"code":"guediawaye","in_scope":true,"name":"Guédiawaye","region":"Dakar","region_code":"dakar"},{"code":"keur-massar","in_scope":true,"name":"Keur Massar","region":"Dakar","region_code":"dakar"},{"code":"pikine","in_scope":true,"name":"Pikine","region":"Dakar","region_code":"dakar"},{"code":"rufisque","in_scope":true,"name":"Rufisque","region":"Dakar","region_code":"dakar"},{"code":"bambey","in_scope":false,"name":"Bambey","region":"Diourbel","region_code":"diourbel"},{"code":"diourbel","in_scope":false,"name":"Diourbel","region":"Diourbel","region_code":"diourbel"},{"code":"mbacke","in_scope":false,"name":"Mbacké","region":"Diourbel","region_code":"diourbel"},{"code":"fatick","in_scope":false,"name":"Fatick","region":"Fatick","region_code":"fatick"},{"code":"foundiougne","in_scope":false,"name":"Foundiougne","region":"Fatick","region_code":"fatick"},{"code":"gossas","in_scope":false,"name":"Gossas","region":"Fatick","region_code":"fatick"},{"code":"birkelane","in_scope":false,"name":"Birkelane","region":"Kaffrine","region_code":"kaffrine"},{"code":"kaffrine","in_scope":false,"name":"Kaffrine","region":"Kaffrine","region_code":"kaffrine"},{"code":"koungheul","in_scope":false,"name":"Koungheul","region":"Kaffrine","region_code":"kaffrine"},{"code":"malem-hodar","in_scope":false,"name":"Malem-Hodar","region":"Kaffrine","region_code":"kaffrine"},{"code":"guinguineo","in_scope":false,"name":"Guinguinéo","region":"Kaolack","region_code":"kaolack"},{"code":"kaolack","in_scope":false,"name":"Kaolack","region":"Kaolack","region_code":"kaolack"},{"code":"nioro-du-rip","in_scope":false,"name":"Nioro du Rip","region":"Kaolack","region_code":"kaolack"},{"code":"kolda","in_scope":false,"name":"Kolda","region":"Kolda","region_code":"kolda"},{"code":"medina-yoro-foulah","in_scope":false,"name":"Médina Yoro Foulah","region":"Kolda","region_code":"kolda"},{"code":"velingara","in_scope":false,"name":"Vélingara","region":"Kolda","region_code":"kolda"},{"code":"kedougou","in_scope":false,"name":"Kédougou","region":"Kédougou","region_code":"kedougou"},{"code":"salemata","in_scope":false,"name":"Salémata","region":"Kédougou","region_code":"kedougou"},{"code":"saraya","in_scope":false,"name":"Saraya","region":"Kédougou","region_code":"kedougou"},{"code":"kebemer","in_scope":false,"name":"Kébémer","region":"Louga","region_code":"louga"},{"code":"linguere","in_scope":false,"name":"Linguère","region":"Louga","region_code":"louga"},{"code":"louga","in_scope":false,"name":"Louga","region":"Louga","region_code":"louga"},{"code":"kanel","in_scope":false,"name":"Kanel","region":"Matam","region_code":"matam"},{"code":"matam","in_scope":false,"name":"Matam","region":"Matam","region_code":"matam"},{"code":"ranerou-ferlo","in_scope":false,"name":"Ranérou-Ferlo","region":"Matam","region_code":"matam"},{"code":"dagana","in_scope":false,"name":"Dagana","region":"Saint-Louis","region_code":"saint-louis"},{"code":"podor","in_scope":false,"name":"Podor","region":"Saint-Louis","region_code":"saint-louis"},{"code":"saint-louis","in_scope":false,"name":"Saint-Louis","region":"Saint-Louis","region_code":"saint-louis"},{"code":"bounkiling","in_scope":false,"name":"Bounkiling","region":"Sédhiou","region_code":"sedhiou"},{"code":"goudomp","in_scope":false,"name":"Goudomp","region":"Sédhiou","region_code":"sedhiou"},{"code":"sedhiou","in_scope":false,"name":"Sédhiou","region":"Sédhiou","region_code":"sedhiou"},{"code":"bakel","in_scope":false,"name":"Bakel","region":"Tambacounda","region_code":"tambacounda"},{"code":"goudiry","in_scope":false,"name":"Goudiry","region":"Tambacounda","region_code":"tambacounda"},{"code":"koumpentoum","in_scope":false,"name":"Koumpentoum","region":"Tambacounda","region_code":"tambacounda"},{"code":"tambacounda","in_scope":false,"name":"Tambacounda","region":"Tambacounda","region_code":"tambacounda"},{"code":"mbour","in_scope":false,"name":"Mbour","region":"Thiès","region_code":"thies"},{"code":"thies","in_scope":false,"name":"Thiès","region":"Thiès","region_code":"thies"},{"code":"tivaouane","in_scope":false,"name":"Tivaouane","region":"Thiès","region_code":"thies"},{"code":"bignona","in_scope":false,"name":"Bignona","region":"Ziguinchor","region_code":"ziguinchor"},{"code":"oussouye","in_scope":false,"name":"Oussouye","region":"Ziguinchor","region_code":"ziguinchor"},{"code":"ziguinchor","in_scope":false,"name":"Ziguinchor","region":"Ziguinchor","region_code":"ziguinchor"}]}"#)
        }
    }

    /// The Collect settings inside the QR code, byte for byte before deflating.
    @Test func theCollectSettingsAreTheJSONCollectExpects() throws {
        let payload = try CollectSettings.payload(serverURL: "https://suivi.example.sn/key/abc-DEF_1")
        let json = try Zlib.inflate(try #require(Data(base64Encoded: payload)))
        #expect(String(decoding: json, as: UTF8.self) == ##"{"admin":{},"general":{"autosend":"wifi_and_cellular","form_update_mode":"match_exactly","server_url":"https://suivi.example.sn/key/abc-DEF_1"},"project":{"color":"#0b6e4f","icon":"S","name":"Suivi"}}"##)
    }
}
