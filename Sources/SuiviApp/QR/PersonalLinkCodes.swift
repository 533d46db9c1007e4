import Foundation

/// ODK Collect's settings QR code, made as ODK Central's "managed" app-user
/// code is: the settings JSON, zlib-deflated, then base64. Collect takes
/// `general.server_url` as its server (the personal link: OpenRosa lives
/// under it), keeps its forms matching the server and sends finished forms
/// as soon as it can. Collect refuses settings without an `admin` object.
public enum CollectSettings {
    public static func json(serverURL: String, projectName: String = "Suivi") -> [String: Any] {
        [
            "general": [
                "server_url": serverURL,
                "form_update_mode": "match_exactly",
                "autosend": "wifi_and_cellular",
            ],
            "project": ["name": projectName, "icon": "S", "color": "#0b6e4f"],
            "admin": [String: Any](),
        ]
    }

    /// The text to put in the QR code.
    public static func payload(serverURL: String, projectName: String = "Suivi") throws -> String {
        let data = try JSONSerialization.data(withJSONObject: json(serverURL: serverURL, projectName: projectName),
                                              options: [.sortedKeys, .withoutEscapingSlashes])
        return try Zlib.deflate(data).base64EncodedString()
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
    public func json() throws -> [String: Any] {
        [
            "link": link,
            "link_png": "data:image/png;base64," + (try linkCode.png(pixelsPerModule: 4)).base64EncodedString(),
            "link_svg": linkCode.svg(),
            "collect_payload": collectPayload,
            "collect_png": "data:image/png;base64," + (try collectCode.png(pixelsPerModule: 3)).base64EncodedString(),
            "collect_svg": collectCode.svg(pixelsPerModule: 3),
        ]
    }
}
