import Foundation
import SuiviDomain
import Testing

/// `GET /api/v1/forms/{id}/submissions.csv|.xlsx`: French headers, BOM,
/// neutralised formulas, filters, scope, audit.
@Suite struct ExportTests {
    @Test func cellsThatLookLikeFormulasAreNeutralised() {
        for text in ["=1+1", "+221771234567", "-2", "@SUM(A1)", "\tx", "\rx"] {
            #expect(SpreadsheetCell.neutralised(text) == "'" + text)
        }
        #expect(SpreadsheetCell.neutralised("Moussa") == "Moussa")
        #expect(SpreadsheetCell.neutralised("") == "")
    }

    @Test func csvParsing() throws {
        #expect(try CSVTable.rows(Data("\u{FEFF}a,b\r\n\"x, \"\"y\"\"\",2\n".utf8)) == [["a", "b"], ["x, \"y\"", "2"]])
        #expect(try CSVTable.rows(Data("a;b\n1;2".utf8)) == [["a", "b"], ["1", "2"]])
    }

    @Test func aCSVExportHasFrenchHeadersAndNeutralisedCells() async throws {
        try await withTestServer { server in
            try await visit(server, ["artisan_name": "=HYPERLINK(\"http://x\")", "notes": "a, \"b\"\nc", "visit_date": "2023-03-09"])
            try await visit(server, ["visit_date": "2023-03-10", "departement": "pikine", "phone": "78 000 00 01"])
            let reply = try await server.client.get("/api/v1/forms/visite/submissions.csv", headers: auth(server.adminKey))
            #expect(reply.status == 200)
            #expect(reply.header("Content-Type") == "text/csv; charset=utf-8")
            #expect(reply.header("Cache-Control") == "no-store")
            #expect(Array(reply.body.prefix(3)) == [0xEF, 0xBB, 0xBF])
            let rows = try CSVTable.rows(Data(reply.text.utf8))
            #expect(rows.count == 3)
            let header = rows[0]
            #expect(header.contains("Département"))
            let nameColumn = try #require(header.firstIndex { $0.lowercased().contains("nom") })
            #expect(rows[1][nameColumn] == "'=HYPERLINK(\"http://x\")")
            let notes = try #require(header.firstIndex { $0.lowercased().contains("remarque") || $0.lowercased().contains("note") || $0.lowercased().contains("observ") })
            #expect(rows[1][notes] == "a, \"b\"\nc")
            // Filters: one day, one département.
            let day = try await server.client.get("/api/v1/forms/visite/submissions.csv?from=2023-03-10&to=2023-03-10",
                                                  headers: auth(server.adminKey))
            #expect(try CSVTable.rows(Data(day.text.utf8)).count == 2)
            let place = try await server.client.get("/api/v1/forms/visite/submissions.csv?departement=guediawaye",
                                                    headers: auth(server.adminKey))
            #expect(try CSVTable.rows(Data(place.text.utf8)).count == 2)
            let bad = try await server.client.get("/api/v1/forms/visite/submissions.csv?from=yesterday", headers: auth(server.adminKey))
            #expect(bad.status == 400)
            #expect(try await server.client.get("/api/v1/forms/nope/submissions.csv", headers: auth(server.adminKey)).status == 404)
            let audit: [String] = try server.query("SELECT details FROM audit_log WHERE action = 'export' ORDER BY id")
            #expect(audit.count == 3)
            #expect(audit[1].contains("\"rows\":\"1\"") && audit[1].contains("2023-03-10"))
            #expect(audit.allSatisfy { !$0.contains("HYPERLINK") && !$0.contains("Moussa") })
            // No export file is left behind.
            let left = try FileManager.default.contentsOfDirectory(atPath: server.directory.appendingPathComponent("export-tmp").path)
            #expect(left.isEmpty)
        }
    }

    /// Issue 18: the export page asks for labels in its language (choice
    /// labels, département names, review states); the API's default stays
    /// the codes the phone sent, as ODK Central exports them.
    @Test func labelsInThePageLanguageCodesByDefault() async throws {
        try await withTestServer { server in
            try await visit(server, ["sex": "female", "materials": "flyer poster", "departement": "guediawaye"])
            func table(_ query: String) async throws -> (header: [String], row: [String]) {
                let reply = try await server.client.get("/api/v1/forms/visite/submissions.csv\(query)",
                                                        headers: auth(server.adminKey))
                #expect(reply.status == 200, "\(reply.text)")
                let rows = try CSVTable.rows(Data(reply.text.utf8))
                try #require(rows.count == 2)
                return (rows[0], rows[1])
            }
            func cell(_ table: (header: [String], row: [String]), _ header: String) throws -> String {
                table.row[try #require(table.header.firstIndex(of: header), "no column \(header) in \(table.header)")]
            }
            let codes = try await table("")
            #expect(try cell(codes, "Sexe") == "female")
            #expect(try cell(codes, "Supports remis") == "flyer poster")
            #expect(codes.header.filter { $0 == "Département" }.count == 2)

            let french = try await table("?values=labels&lang=fr")
            #expect(try cell(french, "Sexe") == "Femme")
            #expect(try cell(french, "Supports remis") == "Dépliant, Affiche")
            #expect(try cell(french, "Département") == "Guédiawaye")
            #expect(try cell(french, "Compté dans le département") == "Guédiawaye")
            #expect(try cell(french, "État de la revue") == "reçue")
            #expect(french.header.filter { $0 == "Département" }.count == 1)

            let english = try await table("?values=labels&lang=en")
            #expect(try cell(english, "Sex") == "Female")
            #expect(try cell(english, "Review state") == "received")
            #expect(english.header.contains("Counted in département"))

            let wrong = try await server.client.get("/api/v1/forms/visite/submissions.csv?values=names",
                                                    headers: auth(server.adminKey))
            #expect(wrong.status == 400)
            #expect(try wrong.json()["field"] as? String == "values")
        }
    }

    @Test func anXLSXExportIsAWorkbook() async throws {
        try await withTestServer { server in
            try await visit(server, ["artisan_name": "@cmd"])
            let reply = try await server.client.get("/api/v1/forms/visite/submissions.xlsx", headers: auth(server.adminKey))
            #expect(reply.status == 200)
            #expect(reply.header("Content-Type") == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            #expect(Array(reply.body.prefix(2)) == Array("PK".utf8))
            #expect(reply.header("Suivi-Row-Count") == "1")
        }
    }

    @Test func regionalCoordinatorsExportOnlyTheirRegion() async throws {
        try await withTestServer { server in
            try await visit(server, ["departement": "guediawaye"])
            try await visit(server, ["departement": "mbacke", "phone": "78 000 00 09"],
                            link: try server.addPerson(name: "Awa Diop", departement: "Mbacké"))
            let (_, regional) = try server.administration.addAPIKey(name: "r", role: .coordinator, region: "Diourbel")
            let reply = try await server.client.get("/api/v1/forms/visite/submissions.csv", headers: auth(regional))
            #expect(reply.status == 200)
            let rows = try CSVTable.rows(Data(reply.text.utf8))
            #expect(rows.count == 2)
            #expect(rows[1].contains("mbacke"))
        }
    }
}
