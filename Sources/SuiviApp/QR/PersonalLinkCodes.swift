import Foundation
import SuiviBasics

/// ODK Collect's settings QR code, made as ODK Central's "managed" app-user
/// code is: the settings JSON, zlib-deflated, then base64. Collect takes
/// `general.server_url` as its server (the personal link: OpenRosa lives
/// under it), keeps its forms matching the server and sends finished forms
/// as soon as it can. Collect refuses settings without an `admin` object.
public struct CollectSettings: Encodable, Sendable {
    struct General: Encodable, Sendable {
        let serverURL: String
        let formUpdateMode = "match_exactly"
        let autosend = "wifi_and_cellular"

        enum CodingKeys: String, CodingKey {
            case serverURL = "server_url", formUpdateMode = "form_update_mode", autosend
        }
    }

    struct Project: Encodable, Sendable {
        let name: String
        let icon = "S"
        let color = "#0b6e4f"
    }

    let general: General
    let project: Project
    /// Empty (`{}`), and required.
    let admin: [String: String] = [:]

    public init(serverURL: String, projectName: String = "Suivi") {
        general = General(serverURL: serverURL)
        project = Project(name: projectName)
    }

    /// The text to put in the QR code.
    public static func payload(serverURL: String, projectName: String = "Suivi") throws -> String {
        let json = try JSONResponseEncoder.encode(CollectSettings(serverURL: serverURL, projectName: projectName))
        return try Zlib.deflate(Data(json)).base64EncodedString()
    }
}

/// The two QR codes of a personal link: the link itself (opens the phone
/// web form) and ODK Collect's settings. They can only be drawn when the
/// link is issued, since only its hash is kept.
public struct PersonalLinkCodes: Sendable {
    public let link: String
    public let collectPayload: String
    public let linkCode: QRCode
    public let collectCode: QRCode

    public init(link: String) throws {
        self.link = link
        collectPayload = try CollectSettings.payload(serverURL: link)
        linkCode = try QRCode(link, level: .medium)
        // Level L, as Central does: the payload is long and a lower level
        // keeps the modules big enough to print small.
        collectCode = try QRCode(collectPayload, level: .low)
    }

    /// For JSON answers: PNG data URLs and SVG text.
    public func response() throws -> PersonalLinkCodesResponse {
        PersonalLinkCodesResponse(
            link: link,
            linkPNG: "data:image/png;base64," + (try linkCode.png(pixelsPerModule: 4)).base64EncodedString(),
            linkSVG: linkCode.svg(),
            collectPayload: collectPayload,
            collectPNG: "data:image/png;base64," + (try collectCode.png(pixelsPerModule: 3)).base64EncodedString(),
            collectSVG: collectCode.svg(pixelsPerModule: 3))
    }
}

/// A personal link and its two QR codes, shown once when the link is issued.
public struct PersonalLinkCodesResponse: Encodable, Sendable {
    let link: String
    let linkPNG: String
    let linkSVG: String
    let collectPayload: String
    let collectPNG: String
    let collectSVG: String

    enum CodingKeys: String, CodingKey {
        case link, linkPNG = "link_png", linkSVG = "link_svg", collectPayload = "collect_payload",
             collectPNG = "collect_png", collectSVG = "collect_svg"
    }
}
