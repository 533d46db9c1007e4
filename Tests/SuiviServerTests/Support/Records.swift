import Foundation

/// Visit records as ODK Collect writes them, with answers to override.
enum Records {
    static func visit(instanceID: String = "uuid:\(UUID().uuidString.lowercased())",
                      deprecatedID: String? = nil,
                      version: String = "2026112301",
                      overrides: [String: String] = [:]) -> String {
        var answers: [(String, String)] = [
            ("start", "2023-03-09T09:00:00.000+00:00"), ("end", "2023-03-09T09:12:00.000+00:00"),
            ("visit_date", "2023-03-09"), ("departement", "guediawaye"), ("neighbourhood", "Wakhinane Nimzatt"),
            ("artisan_name", "Moussa Diop"), ("sex", "male"), ("phone", "77 123 45 67"),
            ("national_id", "1234567890123"), ("trade", "tailoring"), ("trade_other", ""),
            ("organisation", "OPA Couture"), ("materials", "flyer poster"), ("informed_terms", "yes"),
            ("wants_to_join", "yes"), ("household_size", "9"), ("consent_contact", "yes"),
            ("location", "14.7645 -17.3660 12 5"), ("notes", ""),
        ]
        answers = answers.map { ($0.0, overrides[$0.0] ?? $0.1) }
        let body = answers.map { name, value in
            value.isEmpty ? "<\(name)/>" : "<\(name)>\(value)</\(name)>"
        }.joined()
        let deprecated = deprecatedID.map { "<deprecatedID>\($0)</deprecatedID>" } ?? ""
        return """
            <?xml version="1.0"?>
            <data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" id="visite" version="\(version)">\(body)<meta><instanceID>\(instanceID)</instanceID>\(deprecated)<instanceName>visite</instanceName></meta></data>
            """
    }

    static func photo(instanceID: String, front: String?, back: String?) -> String {
        """
        <?xml version="1.0"?>
        <data id="photo_test" version="1"><caption>Atelier</caption>\
        <photo_front>\(front ?? "")</photo_front><photo_back>\(back ?? "")</photo_back>\
        <meta><instanceID>\(instanceID)</instanceID></meta></data>
        """
    }
}
