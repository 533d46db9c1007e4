import SuiviStore

// What the account, key and session routes answer. Logins and display
// names are personal data: never cached (`JSONResponses.ok`'s default); the
// bare confirmations hold none. No answer ever holds a password or a hash.

/// A user account as the session and account routes show it.
struct UserResponse: Encodable, Sendable {
    let id: Int64
    let login: String
    let displayName: String
    let role: String
    let region: String?

    enum CodingKeys: String, CodingKey {
        case id, login, displayName = "display_name", role, region
    }

    init(_ user: UserAccount) {
        id = user.id
        login = user.login
        displayName = user.displayName
        role = user.role.rawValue
        region = user.regionCode
    }
}

/// What the account routes add to a user: whether it may sign in.
struct UserActiveResponse: Encodable, Sendable {
    let active: Bool
}

/// What the listing adds: when the account was made and last signed in.
struct UserListedResponse: Encodable, Sendable {
    let active: Bool
    let createdAt: String
    let lastSignInAt: String?

    enum CodingKeys: String, CodingKey {
        case active, createdAt = "created_at", lastSignInAt = "last_sign_in_at"
    }
}

typealias AccountResponse = MergedResponse<UserResponse, UserActiveResponse>

extension AccountResponse {
    init(_ user: UserAccount) {
        self.init(first: UserResponse(user), second: UserActiveResponse(active: user.active))
    }
}

/// `POST /api/v1/users`, `PATCH /api/v1/users/:id`.
struct OneUserResponse: Encodable {
    let user: AccountResponse
}

/// `GET /api/v1/users`.
struct UsersResponse: Encodable {
    let users: [MergedResponse<UserResponse, UserListedResponse>]

    init(_ listings: [UserListing]) {
        users = listings.map {
            MergedResponse(first: UserResponse($0.user), second: UserListedResponse(
                active: $0.user.active, createdAt: $0.createdAt, lastSignInAt: $0.lastSignInAt))
        }
    }
}

/// An API key (never the key itself, which Suivi does not keep).
struct APIKeyResponse: Encodable {
    let id: Int64
    let name: String
    let role: String
    let region: String?
    let createdAt: String
    let revokedAt: String?

    enum CodingKeys: String, CodingKey {
        case id, name, role, region, createdAt = "created_at", revokedAt = "revoked_at"
    }

    init(_ listing: APIKeyListing) {
        id = listing.key.id
        name = listing.key.name
        role = listing.key.role.rawValue
        region = listing.key.regionCode
        createdAt = listing.createdAt
        revokedAt = listing.revokedAt
    }
}

/// `GET /api/v1/api-keys`.
struct APIKeysResponse: Encodable {
    let apiKeys: [APIKeyResponse]

    enum CodingKeys: String, CodingKey {
        case apiKeys = "api_keys"
    }
}

/// `POST /api/v1/api-keys`: the new key's fields and, this once, the key.
struct NewAPIKeyResponse: Encodable {
    struct Secret: Encodable {
        let key: String
    }

    let apiKey: MergedResponse<APIKeyResponse, Secret>

    enum CodingKeys: String, CodingKey {
        case apiKey = "api_key"
    }
}

/// The signed-in user and the session's anti-CSRF token; at sign-in, the
/// page to go to next.
struct SessionResponse: Encodable {
    let user: UserResponse
    let csrfToken: String
    /// Only at sign-in (absent, not null, otherwise).
    let next: String?

    enum CodingKeys: String, CodingKey {
        case user, csrfToken = "csrf_token", next
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(user, forKey: .user)
        try container.encode(csrfToken, forKey: .csrfToken)
        if let next { try container.encode(next, forKey: .next) }
    }
}

// Changes done, each said in one flag.

struct PasswordResetResponse: Encodable {
    let passwordReset = true

    enum CodingKeys: String, CodingKey {
        case passwordReset = "password_reset"
    }
}

struct PasswordChangedResponse: Encodable {
    let passwordChanged = true

    enum CodingKeys: String, CodingKey {
        case passwordChanged = "password_changed"
    }
}

struct APIKeyRevokedResponse: Encodable {
    let revoked = true
}

struct SignedOutResponse: Encodable {
    let signedOut = true

    enum CodingKeys: String, CodingKey {
        case signedOut = "signed_out"
    }
}
