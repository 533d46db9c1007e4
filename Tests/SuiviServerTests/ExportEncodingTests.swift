import Foundation
import SuiviBasics
import GRDB
import SuiviDomain
import Testing
@testable import SuiviApp
@testable import SuiviStore

/// The hand-written writers behind exports and the leads feed (CSV bytes,
/// JSON bytes, the answers scanner) give what the Foundation and SQLite
/// paths they replaced gave, for hostile text too.
@Suite struct ExportEncodingTests {
    static let hostile: [String] = [
        "", "Moussa Diop", "Médina, rue 11", "a \"quoted\", word", "back\\slash", "\"", "\\", "slash / http://x",
        "line\nbreak", "crlf\r\nend", "carriage\rreturn", "tab\there", "\u{0}nul", "\u{1}\u{7}\u{8}\u{B}\u{C}\u{1B}\u{1F}",
        "\u{7F} delete", "=HYPERLINK(\"http://x\")", "+221771234567", "-2", "@SUM(A1)", "\tx", "\rx", "\r\n",
        "emoji 🇸🇳 👩🏾‍🔧 😀", "\u{2028}\u{2029}", "ü\u{301}", "\u{FEFF}bom", String(repeating: "long é, \"q\" ", count: 500),
    ]

    @Test func spreadsheetEscapesAreReadAsExcelReadsThem() {
        #expect(XLSXReader.unescaped("a_x000D_b") == "a\rb")
        #expect(XLSXReader.unescaped("_x00E9_t_x00e9_") == "été")
        #expect(XLSXReader.unescaped("_x005F_x000D_") == "_x000D_")
        #expect(XLSXReader.unescaped("file_x1.txt _x12_ _xZZZZ_ end_x") == "file_x1.txt _x12_ _xZZZZ_ end_x")
        #expect(XLSXReader.unescaped("no escapes") == "no escapes")
        // What the XLSX writer escapes, the reader gives back as typed.
        for typed in ["_x000D_", "a_x000D_x0041_b", "__x005F_x", "_x00e9__X0041_", "_x12", "é_xABCD_é", ""] {
            var cell: [UInt8] = []
            var bytes = Array(typed.utf8)
            bytes.withUnsafeMutableBytes { XLSXWorkbook.appendEscapingLiteralEscapes(UnsafeRawBufferPointer($0), to: &cell) }
            #expect(XLSXReader.unescaped(String(decoding: cell, as: UTF8.self)) == typed, "\(typed)")
        }
    }

    @Test func csvCellsFromBytesReadBackNeutralised() throws {
        var buffer = CSVBuffer()
        for value in Self.hostile {
            buffer.appendField("start")
            var bytes = Array(value.utf8)
            bytes.withUnsafeMutableBytes { buffer.appendField(bytes: UnsafeRawBufferPointer($0)) }
            buffer.appendField(bytes: UnsafeRawBufferPointer(start: nil, count: 0))
            buffer.appendField("end")
            buffer.endRow()
        }
        let rows = try CSVTable.rows(Data(buffer.bytes))
        #expect(rows.count == Self.hostile.count)
        for (row, value) in zip(rows, Self.hostile) {
            #expect(row == ["start", SpreadsheetCell.neutralised(value), "", "end"], "value \(value.debugDescription)")
        }
        // Formula prefixes (tab and carriage return too) never start a cell.
        for prefix in ["=", "+", "-", "@", "\t", "\r"] {
            var single = CSVBuffer()
            Array((prefix + "1").utf8).withUnsafeBytes { single.appendField(bytes: $0) }
            let text = String(decoding: single.bytes, as: UTF8.self)
            #expect(text.hasPrefix("'") || text.hasPrefix("\"'"), "prefix \(prefix.debugDescription)")
        }
    }

    @Test func jsonStringsAreWhatJSONSerializationWrites() throws {
        for value in Self.hostile {
            var json = JSONWriter()
            json.raw("{")
            json.key("k")
            json.string(value)
            json.raw("}")
            let expected = try JSONSerialization.data(withJSONObject: ["k": value], options: [.sortedKeys, .withoutEscapingSlashes])
            #expect(Data(json.bytes) == expected, "value \(value.debugDescription): \(String(decoding: json.bytes, as: UTF8.self))")
            // Foundation's parser drops U+FEFF inside strings: not ours to check.
            if !value.unicodeScalars.contains("\u{FEFF}") {
                let back = try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String: String]
                #expect(back == ["k": value])
            }
        }
        var numbers = JSONWriter()
        for value: Int64 in [0, 7, -7, 10, 1_000_000, .max, .min] {
            numbers = JSONWriter()
            numbers.integer(value)
            #expect(String(decoding: numbers.bytes, as: UTF8.self) == String(value))
        }
    }

    /// Leads from SQL rows in `LeadRecord.columns` order.
    static func leads() throws -> [LeadRecord] {
        let queue = try DatabaseQueue()
        return try queue.read { db in
            var leads: [LeadRecord] = []
            let columns = "? AS id, ? AS status, ? AS merged_into, ? AS name, ? AS sex, ? AS phone, ? AS phone_valid, "
                + "? AS national_id, ? AS trade, ? AS organisation, ? AS departement_code, ? AS neighbourhood, "
                + "? AS household_size, ? AS consent_contact, ? AS member_number, ? AS member_since, ? AS created_at, "
                + "? AS updated_at, ? AS change_seq, ? AS visit_count"
            for (index, value) in hostile.enumerated() {
                let full: StatementArguments = [
                    Int64(index + 1), "lead", nil, value, "female", "+221771234567", 1, value, value, value, "pikine", value,
                    9, "yes", value, "2023-03-10", "2023-03-09T10:00:00.000Z", "2023-03-09T10:00:00.000Z",
                    Int64(1000 + index), 2,
                ]
                let sparse: StatementArguments = [
                    Int64(100 + index), "merged", Int64(1), value, nil, value, 0, nil, nil, nil, nil, nil,
                    nil, nil, nil, nil, "2023-03-09T10:00:00.000Z", value, Int64.max - Int64(index), 0,
                ]
                for arguments in [full, sparse] {
                    let row = try #require(try Row.fetchOne(db, sql: "SELECT \(columns)", arguments: arguments))
                    leads.append(LeadRecord(row: row))
                }
            }
            return leads
        }
    }

    /// The feed's page as the feed writes it, as the one encoder writes
    /// the same leads (`LeadResponse.encode(to:)`, every other lead route),
    /// and as `JSONSerialization` wrote the dictionaries the routes once built.
    @Test func theFeedPageIsByteForByteWhatJSONSerializationWrote() throws {
        struct Page: Encodable {
            let leads: [LeadResponse]
            let next: String
        }
        func dictionary(_ lead: LeadRecord) -> [String: Any] {
            func optional(_ value: Any?) -> Any { value ?? NSNull() }
            return [
                "id": lead.id, "status": lead.status, "merged_into": optional(lead.mergedInto), "name": lead.name,
                "sex": optional(lead.sex), "phone": optional(lead.phone), "phone_valid": lead.phoneValid,
                "national_id": optional(lead.nationalID), "trade": optional(lead.trade),
                "organisation": optional(lead.organisation), "departement": optional(lead.departementCode),
                "neighbourhood": optional(lead.neighbourhood), "household_size": optional(lead.householdSize),
                "consent_contact": optional(lead.consentContact), "member_number": optional(lead.memberNumber),
                "member_since": optional(lead.memberSince), "visit_count": lead.visitCount, "created_at": lead.createdAt,
                "updated_at": lead.updatedAt, "change_seq": lead.changeSeq,
            ]
        }
        let page = try Self.leads()
        for slice in [Array(page), Array(page.prefix(1)), []] {
            let written = Data(LeadFeedResponse(leads: slice, next: "1234").bytes)
            let encoded = Data(try JSONResponseEncoder.encode(Page(leads: slice.map(LeadResponse.init), next: "1234")))
            let serialized = try JSONSerialization.data(withJSONObject: ["leads": slice.map(dictionary), "next": "1234"],
                                                        options: [.sortedKeys, .withoutEscapingSlashes])
            #expect(written == encoded)
            #expect(written == serialized)
            let back = try #require(try JSONSerialization.jsonObject(with: written) as? [String: Any])
            #expect((back["leads"] as? [[String: Any]])?.count == slice.count)
        }
    }

    /// XML text for a visit's answer.
    static func xmlEscaped(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\r": escaped += "&#13;"
            case "\t": escaped += "&#9;"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// Through the server: every exported text cell is what SQLite's
    /// json_extract reads from the stored answers, neutralised.
    @Test func exportsCarryTheStoredAnswersOfHostileVisits() async throws {
        try await withTestServer { server in
            let texts = ["=HYPERLINK(\"http://x\")", "a \"quoted\", \\ back/slash", "emoji 🇸🇳 👩🏾‍🔧", "-2", "+221 77",
                         "@cmd", "line\nbreak, comma", "in\ttab", "cr\rinside", "<b>&amp;</b>", "Médina / rue 11",
                         "typed _x000D_ as is"]
            for (index, text) in texts.enumerated() {
                try await visit(server, [
                    "artisan_name": Self.xmlEscaped(text), "notes": Self.xmlEscaped(texts[(index + 3) % texts.count]),
                    "neighbourhood": Self.xmlEscaped(texts[(index + 5) % texts.count]),
                    "phone": "77 000 00 \(String(format: "%02d", index))",
                ])
            }
            let fields = ["artisan_name", "notes", "neighbourhood", "phone", "visit_date", "household_size"]
            var stored: [[String]] = []
            for field in fields {
                let column: [String] = try server.query(
                    "SELECT coalesce(json_extract(answers, '$.\(field)'), '') FROM submissions ORDER BY id")
                stored.append(column.map(SpreadsheetCell.neutralised))
            }
            let csv = try await server.client.get("/api/v1/forms/visite/submissions.csv", headers: auth(server.adminKey))
            #expect(csv.status == 200)
            let csvRows = try CSVTable.rows(Data(csv.text.utf8))
            let xlsx = try await server.client.get("/api/v1/forms/visite/submissions.xlsx", headers: auth(server.adminKey))
            #expect(xlsx.status == 200)
            let xlsxRows = try XLSXReader.rows(xlsx.body)
            let form = try XFormParser.parse(Data(contentsOf: repositoryRoot.appendingPathComponent("Forms/visite.xml")))
            let labels = SubmissionExport(store: ExportStore(database: server.application.database), form: form,
                                          filter: .init(formID: "visite", from: nil, to: nil, departementCodes: nil)).fieldColumns
            // libxlsxwriter writes a carriage return as Excel's `_x000D_`;
            // XLSXReader reads it back as Excel does.
            for rows in [csvRows, xlsxRows] {
                #expect(rows.count == texts.count + 1)
                let header = rows[0]
                for (fieldIndex, field) in fields.enumerated() {
                    let label = try #require(labels.first { $0.name == field }?.label)
                    let column = try #require(header.firstIndex(of: label))
                    let exported = rows.dropFirst().map { column < $0.count ? $0[column] : "" }
                    #expect(exported == stored[fieldIndex], "field \(field)")
                }
            }
            #expect(stored[0].contains("'=HYPERLINK(\"http://x\")") && stored[0].contains("'@cmd"))
        }
    }
}

/// The answers column written at intake reads back as it was written, by
/// Foundation and by SQLite's JSON functions alike.
@Suite struct AnswersEncodingTests {
    static let hostile = ["plain", "", "quote \" and \\ backslash", "line\nbreak\r\ttab", "\u{01}\u{1F}control",
                          "emoji 🇸🇳 Guédiawaye", "slash / and </script>", "=1+2", "\u{2028}separator"]

    @Test func encodedAnswersDecodeToTheSameValues() throws {
        var answers: [String: String] = [:]
        for (index, value) in Self.hostile.enumerated() { answers["field_\(index)"] = value }
        let text = Answers.encode(answers)
        let decoded = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]
        #expect(decoded == answers)
        #expect(Answers.decode(text) == answers)
        // Keys in sorted order: the same record always gives the same bytes.
        #expect(text.hasPrefix("{\"field_0\":\"plain\",\"field_1\":\"\","))
        let queue = try DatabaseQueue()
        for (index, value) in Self.hostile.enumerated() {
            let read = try queue.read { db in
                try String.fetchOne(db, sql: "SELECT json_extract(?, ?)", arguments: [text, "$.field_\(index)"])
            }
            #expect(read == value)
        }
    }
}
