import SuiviDomain
import SuiviStore

// What the people routes answer. Names and phones are personal data: these
// answers leave only for roles that manage people or read personal data,
// never cached (`JSONResponses.ok`'s default).

/// A resource person's own fields.
struct PersonResponse: Encodable, Sendable {
    let id: Int64
    let name: String
    let phone: String
    let departement: String
    let organisation: String?
    let active: Bool

    init(_ person: ResourcePerson) {
        id = person.id
        name = person.name
        phone = person.phone
        departement = person.departementCode
        organisation = person.organisation
        active = person.active
    }
}

/// A person in the listing: their fields and, in the same object, when they
/// were added and when their current link was issued.
struct PersonListingResponse: Encodable {
    let person: PersonResponse
    let createdAt: String
    let linkIssuedAt: String?

    enum CodingKeys: String, CodingKey {
        case createdAt = "created_at", linkIssuedAt = "link_issued_at"
    }

    init(_ listing: PersonListing) {
        person = PersonResponse(listing.person)
        createdAt = listing.createdAt
        linkIssuedAt = listing.linkIssuedAt
    }

    func encode(to encoder: any Encoder) throws {
        try person.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(linkIssuedAt, forKey: .linkIssuedAt)
    }
}

/// A person added or given a new link, with the link and its QR codes
/// (shown this once).
struct IssuedLinkResponse: Encodable {
    let person: PersonResponse
    let link: PersonalLinkCodesResponse
}

struct OnePersonResponse: Encodable {
    let person: PersonResponse
}

struct RevokedLinksResponse: Encodable {
    let person: PersonResponse
    let revoked = true
}

struct PeopleListResponse: Encodable {
    let people: [PersonListingResponse]
}

/// `POST /api/v1/people/import`: the rows added (each with its new link),
/// the rows refused and why, and the links as CSV text.
struct PeopleImportResponse: Encodable {
    /// The person's fields, the file row and the link, in one object.
    struct Accepted: Encodable {
        let person: PersonResponse
        let row: Int
        let link: String

        enum CodingKeys: String, CodingKey {
            case row, link
        }

        func encode(to encoder: any Encoder) throws {
            try person.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(row, forKey: .row)
            try container.encode(link, forKey: .link)
        }
    }

    struct Rejected: Encodable {
        let row: Int
        let field: String
        let reason: String
        let reasonEnglish: String

        enum CodingKeys: String, CodingKey {
            case row, field, reason, reasonEnglish = "reason_en"
        }

        init(_ rejection: ImportRejection) {
            row = rejection.row
            field = rejection.field
            reason = rejection.reason
            reasonEnglish = rejection.englishReason
        }
    }

    let accepted: [Accepted]
    let rejected: [Rejected]
    let linksCSV: String

    enum CodingKeys: String, CodingKey {
        case accepted, rejected, linksCSV = "links_csv"
    }
}

/// `POST /api/v1/departements/:code/qr-sheet`: the département and, for
/// each active person, their fields and their new link's QR codes.
struct QRSheetResponse: Encodable {
    struct Card: Encodable, Sendable {
        let person: PersonResponse
        let qr: PersonalLinkCodesResponse

        enum CodingKeys: String, CodingKey {
            case qr
        }

        func encode(to encoder: any Encoder) throws {
            try person.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(qr, forKey: .qr)
        }
    }

    let departement: DepartementResponse
    let people: [Card]
}

/// A département (no personal data): the people and dashboard pages' menus.
struct DepartementResponse: Encodable {
    let code: String
    let name: String
    let regionCode: String
    let region: String

    enum CodingKeys: String, CodingKey {
        case code, name, regionCode = "region_code", region
    }

    init(_ departement: Departement) {
        code = departement.code
        name = departement.name
        regionCode = departement.regionCode
        region = departement.region
    }
}

/// `GET /api/v1/departements`: every département, and whether the caller's
/// scope includes it.
struct DepartementListResponse: Encodable {
    struct Entry: Encodable {
        let departement: DepartementResponse
        let inScope: Bool

        enum CodingKeys: String, CodingKey {
            case inScope = "in_scope"
        }

        func encode(to encoder: any Encoder) throws {
            try departement.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(inScope, forKey: .inScope)
        }
    }

    let departements: [Entry]
}
