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

/// What the listing adds to a person: when they were added and when their
/// current link was issued.
struct PersonListedResponse: Encodable {
    let createdAt: String
    let linkIssuedAt: String?

    enum CodingKeys: String, CodingKey {
        case createdAt = "created_at", linkIssuedAt = "link_issued_at"
    }

    static func listing(_ listing: PersonListing) -> MergedResponse<PersonResponse, PersonListedResponse> {
        MergedResponse(first: PersonResponse(listing.person),
                       second: PersonListedResponse(createdAt: listing.createdAt, linkIssuedAt: listing.linkIssuedAt))
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
    let people: [MergedResponse<PersonResponse, PersonListedResponse>]
}

/// `POST /api/v1/people/import`: the rows added (each with its new link),
/// the rows refused and why, and the links as CSV text.
struct PeopleImportResponse: Encodable {
    /// What the import adds to each person it added: the file row and the
    /// new link.
    struct Added: Encodable {
        let row: Int
        let link: String
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

    let accepted: [MergedResponse<PersonResponse, Added>]
    let rejected: [Rejected]
    let linksCSV: String

    enum CodingKeys: String, CodingKey {
        case accepted, rejected, linksCSV = "links_csv"
    }
}

/// `POST /api/v1/departements/:code/qr-sheet`: the département and, for
/// each active person, their fields and their new link's QR codes.
struct QRSheetResponse: Encodable {
    /// What the sheet adds to each person: their new link's QR codes.
    struct Codes: Encodable, Sendable {
        let qr: PersonalLinkCodesResponse
    }

    let departement: DepartementResponse
    let people: [MergedResponse<PersonResponse, Codes>]
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
    struct InScope: Encodable {
        let inScope: Bool

        enum CodingKeys: String, CodingKey {
            case inScope = "in_scope"
        }
    }

    let departements: [MergedResponse<DepartementResponse, InScope>]
}
