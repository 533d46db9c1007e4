import Foundation
import SuiviBasics
import SuiviDomain
import Testing
@testable import SuiviApp

/// Exports of a form with nested repeats (a household's members, each
/// member's vaccines inside a group), a photo in the repeat, and questions
/// of the same name in two groups (`Fixtures/menage_test.md`, converted by
/// pyxform): every answer of every repeat instance, in its own table,
/// linked by ODK Central's `KEY` / `PARENT_KEY`. Files are read back by
/// Python's zipfile, csv and openpyxl, not by Suivi's own code.
@Suite struct ExportRepeatTests {
    struct Member {
        let name: String
        let age: String
        let phone: String
        let photo: String
        let vaccines: [(name: String, date: String)]
    }

    struct Household {
        let instanceID: String
        let visitDate: String
        let chef: String
        let artisan: (name: String, phone: String)
        let contact: (name: String, phone: String)
        let notes: String
        let members: [Member]

        var xml: String {
            func element(_ name: String, _ value: String) -> String {
                value.isEmpty ? "<\(name)/>" : "<\(name)>\(ExportRepeatTests.escaped(value))</\(name)>"
            }
            let members = self.members.map { member in
                "<member>" + element("member_name", member.name) + element("age", member.age) + element("phone", member.phone)
                    + element("member_photo", member.photo) + "<sante>"
                    + member.vaccines.map { "<vaccine>" + element("vaccine_name", $0.name) + element("vaccine_date", $0.date) + "</vaccine>" }
                        .joined()
                    + "</sante></member>"
            }.joined()
            return """
                <?xml version="1.0"?>
                <data xmlns:jr="http://openrosa.org/javarosa" id="menage_test" version="1">\
                \(element("visit_date", visitDate))\(element("chef_name", chef))\
                <artisan>\(element("name", artisan.name))\(element("phone", artisan.phone))</artisan>\
                <contact>\(element("name", contact.name))\(element("phone", contact.phone))</contact>\
                \(members)\(element("notes", notes))<meta><instanceID>\(instanceID)</instanceID></meta></data>
                """
        }

        var photos: [(name: String, data: Data, type: String)] {
            members.filter { !$0.photo.isEmpty }.map { member in
                (member.photo, Data(member.photo.utf8.map { $0 &* 31 } + Array(repeating: 0xFF, count: 2000)), "image/jpeg")
            }
        }
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    static let households = [
        Household(instanceID: "uuid:7c0e1a52-0001-4d5e-9a61-000000000001", visitDate: "2023-03-09", chef: "Mamadou Sy",
                  artisan: ("Moussa Diop", "77 111 22 33"), contact: ("Awa Diop", "78 444 55 66"), notes: "a, \"b\"\nc",
                  members: [
                      Member(name: "Khady Sy", age: "34", phone: "76 000 00 01", photo: "khady.jpg",
                             vaccines: [("BCG", "2020-01-05"), ("Polio", "2020-03-01")]),
                      Member(name: "=cmd|' /C calc'!A0", age: "7", phone: "", photo: "", vaccines: []),
                      Member(name: "Ousmane Sy", age: "2", phone: "", photo: "ousmane.jpg", vaccines: [("Rougeole", "2022-06-30")]),
                  ]),
        Household(instanceID: "uuid:7c0e1a52-0002-4d5e-9a61-000000000002", visitDate: "2023-03-10", chef: "Fatou Ndiaye",
                  artisan: ("Ibrahima Fall", "+221 77 999 88 77"), contact: ("", ""), notes: "",
                  members: [Member(name: "Aminata Ba", age: "61", phone: "77 555 66 77", photo: "",
                                   vaccines: [("Fièvre jaune", "1999-12-31")])]),
    ]

    /// The tables Central would write for these records (answers only;
    /// the fixed columns are checked apart).
    static func expected(_ households: [Household]) -> (root: [[String]], members: [[String]], vaccines: [[String]]) {
        let cell = SpreadsheetCell.neutralised
        var root: [[String]] = []
        var members: [[String]] = []
        var vaccines: [[String]] = []
        for household in households {
            root.append([household.visitDate, household.chef, household.artisan.name, household.artisan.phone,
                         household.contact.name, household.contact.phone, household.notes].map(cell) + [household.instanceID])
            for (index, member) in household.members.enumerated() {
                let memberKey = "\(household.instanceID)/member[\(index + 1)]"
                members.append([member.name, member.age, member.phone, member.photo].map(cell) + [household.instanceID, memberKey])
                for (position, vaccine) in member.vaccines.enumerated() {
                    vaccines.append([cell(vaccine.name), cell(vaccine.date), memberKey,
                                     "\(memberKey)/sante/vaccine[\(position + 1)]"])
                }
            }
        }
        return (root, members, vaccines)
    }

    static let rootHeader = SubmissionExport.fixedHeaders + [
        "Date de la visite", "Nom du chef de ménage", "artisan-name", "artisan-phone", "contact-name", "contact-phone",
        "Remarques", "KEY",
    ]
    static let memberHeader = ["Nom du membre", "Âge", "phone", "Photo du membre", "PARENT_KEY", "KEY"]
    static let vaccineHeader = ["Nom du vaccin", "Date du vaccin", "PARENT_KEY", "KEY"]

    func send(_ server: TestServer, _ household: Household, linkPath: String? = nil) async throws {
        let reply = try await server.client.submit("\(linkPath ?? server.linkPath)/submission", xml: household.xml,
                                                   attachments: household.photos)
        #expect(reply.status == 201, "\(reply.text)")
    }

    /// Answers after the six fixed columns, and the fixed columns apart.
    func checkRoot(_ rows: [[String]], _ households: [Household]) {
        #expect(rows.first == Self.rootHeader)
        let fixed = SubmissionExport.fixedHeaders.count
        #expect(rows.dropFirst().map { Array($0.dropFirst(fixed)) } == Self.expected(households).root)
        #expect(rows.dropFirst().map { $0[1] } == households.map(\.instanceID))
        #expect(rows.dropFirst().map { $0[3] } == households.map(\.visitDate))
    }

    @Test func aZipHoldsATablePerRepeatLinkedAsCentralLinksThem() async throws {
        try await withTestServer(extraForms: ["menage_test.xml"]) { server in
            for household in Self.households { try await send(server, household) }
            // A resend makes no second record, nor second repeat rows.
            try await send(server, Self.households[0])
            let reply = try await server.client.get("/api/v1/forms/menage_test/submissions.csv.zip", headers: auth(server.adminKey))
            #expect(reply.status == 200)
            #expect(reply.header("Content-Type") == "application/zip")
            #expect(reply.header("Cache-Control") == "no-store")
            #expect(reply.header("Content-Disposition") == "attachment; filename=\"menage_test.zip\"")
            #expect(reply.header("Suivi-Row-Count") == "2")
            let files = try await ExternalReader.read(.zip, reply.body)
            #expect(files.names == ["menage_test.csv", "menage_test-member.csv", "menage_test-vaccine.csv"])
            let expected = Self.expected(Self.households)
            checkRoot(files.tables["menage_test.csv"] ?? [], Self.households)
            #expect(files.tables["menage_test-member.csv"] == [Self.memberHeader] + expected.members)
            #expect(files.tables["menage_test-vaccine.csv"] == [Self.vaccineHeader] + expected.vaccines)
            #expect(expected.members.count == 4 && expected.vaccines.count == 4)

            // The plain CSV is the records' table, as in the zip.
            let plain = try await server.client.get("/api/v1/forms/menage_test/submissions.csv", headers: auth(server.adminKey))
            #expect(try CSVTable.rows(plain.body) == files.tables["menage_test.csv"])

            let audit: [String] = try server.query("SELECT details FROM audit_log WHERE action = 'export' ORDER BY id")
            #expect(audit.count == 2)
            #expect(audit[0].contains("\"format\":\"csv.zip\"") && audit[0].contains("\"repeat_rows\":\"8\""))
            #expect(audit.allSatisfy { !$0.contains("Khady") && !$0.contains("Diop") })
            let left = try FileManager.default.contentsOfDirectory(atPath: server.directory.appendingPathComponent("export-tmp").path)
            #expect(left.isEmpty)
        }
    }

    @Test func aWorkbookHoldsASheetPerRepeat() async throws {
        try await withTestServer(extraForms: ["menage_test.xml"]) { server in
            for household in Self.households { try await send(server, household) }
            let reply = try await server.client.get("/api/v1/forms/menage_test/submissions.xlsx", headers: auth(server.adminKey))
            #expect(reply.status == 200)
            let sheets = try await ExternalReader.read(.xlsx, reply.body)
            #expect(sheets.names == ["menage_test", "member", "vaccine"])
            let expected = Self.expected(Self.households)
            checkRoot(sheets.tables["menage_test"] ?? [], Self.households)
            #expect(sheets.tables["menage_test"]?.dropFirst().map { $0[0] } == ["1", "2"])
            #expect(sheets.tables["member"] == [Self.memberHeader] + expected.members)
            #expect(sheets.tables["vaccine"] == [Self.vaccineHeader] + expected.vaccines)
            #expect(sheets.types["member"]?[1].dropFirst().allSatisfy { $0 == "int" } == true, "ages are numbers")
        }
    }

    @Test func questionsOfTheSameNameAreStoredApartAndOlderRecordsExportFromTheirXML() async throws {
        try await withTestServer(extraForms: ["menage_test.xml"]) { server in
            try await send(server, Self.households[0])
            let keys: [String] = try server.query("SELECT key FROM submissions, json_each(submissions.answers) ORDER BY key")
            #expect(keys.contains("artisan/name") && keys.contains("contact/name") && keys.contains("chef_name"))
            #expect(!keys.contains("name"))
            let names: [String] = try server.query(
                "SELECT json_extract(answers, '$.\"artisan/name\"') || '|' || json_extract(answers, '$.\"contact/name\"') FROM submissions")
            #expect(names == ["Moussa Diop|Awa Diop"])
            // A record stored before this change kept one `name` for both.
            try SQLiteProbe.execute(server.databasePath, """
                UPDATE submissions SET answers = json_set(json_remove(answers, '$."artisan/name"', '$."contact/name"',
                    '$."artisan/phone"', '$."contact/phone"'), '$.name', 'Awa Diop', '$.phone', '78 444 55 66')
                """)
            let reply = try await server.client.get("/api/v1/forms/menage_test/submissions.csv", headers: auth(server.adminKey))
            checkRoot(try CSVTable.rows(reply.body), [Self.households[0]])
        }
    }

    @Test func theDepartementFilterAndScopeHoldForEveryTable() async throws {
        try await withTestServer(extraForms: ["menage_test.xml"]) { server in
            try await send(server, Self.households[0])
            let pikine = try server.addPerson(name: "Mariama Sow", departement: "Pikine")
            try await send(server, Self.households[1], linkPath: pikine)
            let (_, dakarRegion) = try server.administration.addAPIKey(name: "r", role: .coordinator, region: "Dakar")
            let (_, diourbel) = try server.administration.addAPIKey(name: "d", role: .coordinator, region: "Diourbel")
            let reply = try await server.client.get("/api/v1/forms/menage_test/submissions.csv.zip?departement=pikine",
                                                    headers: auth(dakarRegion))
            #expect(reply.status == 200)
            let files = try await ExternalReader.read(.zip, reply.body)
            let expected = Self.expected([Self.households[1]])
            checkRoot(files.tables["menage_test.csv"] ?? [], [Self.households[1]])
            #expect(files.tables["menage_test-member.csv"] == [Self.memberHeader] + expected.members)
            #expect(files.tables["menage_test-vaccine.csv"] == [Self.vaccineHeader] + expected.vaccines)
            // Out of scope: nothing of Dakar's records, in any table.
            let other = try await server.client.get("/api/v1/forms/menage_test/submissions.xlsx", headers: auth(diourbel))
            #expect(other.status == 200)
            let sheets = try await ExternalReader.read(.xlsx, other.body)
            #expect(sheets.tables.values.allSatisfy { $0.count == 1 })
        }
    }
}

/// Reads an export with Python's standard zipfile and csv modules or with
/// openpyxl: what an analyst's script would see.
enum ExternalReader {
    enum Kind: String { case zip, xlsx }

    struct Tables {
        let names: [String]
        let tables: [String: [[String]]]
        /// Python type names of XLSX cells, by sheet then column.
        let types: [String: [[String]]]
    }

    static let script = """
        import csv, io, json, sys, zipfile
        kind, path = sys.argv[1], sys.argv[2]
        names, tables, types = [], {}, {}
        if kind == "zip":
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    names.append(name)
                    text = archive.read(name).decode("utf-8-sig")
                    tables[name] = [row for row in csv.reader(io.StringIO(text, newline=""))]
        else:
            import openpyxl
            workbook = openpyxl.load_workbook(path, read_only=True)
            for sheet in workbook.worksheets:
                names.append(sheet.title)
                rows = [list(row) for row in sheet.iter_rows(values_only=True)]
                width = max((len(row) for row in rows), default=0)
                rows = [row + [None] * (width - len(row)) for row in rows]
                tables[sheet.title] = [["" if v is None else str(v) for v in row] for row in rows]
                types[sheet.title] = [[type(row[i]).__name__ for row in rows] for i in range(width)]
        print(json.dumps({"names": names, "tables": tables, "types": types}))
        """

    /// On a thread of its own: the test servers share Swift concurrency's two threads.
    static func read(_ kind: Kind, _ data: Data) async throws -> Tables {
        try await blocking { try readNow(kind, data) }
    }

    private static func readNow(_ kind: Kind, _ data: Data) throws -> Tables {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("suivi-export-\(UUID().uuidString).\(kind.rawValue)")
        try data.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let finished = try ChildProcess.run("python3", ["-c", script, kind.rawValue, file.path])
        let bytes = finished.output
        guard finished.status == 0,
              let json = try JSONSerialization.jsonObject(with: bytes) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return Tables(names: json["names"] as? [String] ?? [], tables: json["tables"] as? [String: [[String]]] ?? [:],
                      types: json["types"] as? [String: [[String]]] ?? [:])
    }
}
