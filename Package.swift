// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Suivi",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "suivi", targets: ["suivi"]),
        // The two parsers of untrusted bytes, for the fuzz targets in Fuzz/.
        .library(name: "SuiviDomain", targets: ["SuiviDomain"]),
        .library(name: "SuiviHTTP", targets: ["SuiviHTTP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // Reads XLSX files (zip archives) for resource person imports.
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // libmicrohttpd plus a tiny C shim for its variadic entry points.
        .target(
            name: "CMicroHTTPD",
            linkerSettings: [.linkedLibrary("microhttpd")]
        ),
        // Helpers every layer shares: the file system calls made for
        // durability, whitespace trimming.
        .target(name: "SuiviBasics"),
        .target(
            name: "SuiviHTTP",
            dependencies: [
                // zlib for gzip answers (ResponseCompression).
                "CMicroHTTPD", "SuiviBasics", "CDeflate",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // libxml2, read directly by SuiviDomain's SafeXMLParser (Foundation's
        // XMLParser wraps the same library at several times the cost).
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .target(name: "SuiviDomain", dependencies: ["CLibXML2", "SuiviBasics"]),
        // Argon2id password hashes (crypto_pwhash_str).
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        // QR codes for personal links and ODK Collect settings.
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // XLSX exports and the daily report, in constant-memory mode.
        .systemLibrary(name: "CXLSXWriter", pkgConfig: "xlsxwriter", providers: [.apt(["libxlsxwriter-dev"])]),
        // Password strength as zxcvbn estimates it (zxcvbn-c; no pkg-config file).
        .systemLibrary(name: "CZxcvbn", providers: [.apt(["libzxcvbn-dev"])]),
        // Deflate for PNG images, ODK Collect's settings QR payload and gzip answers.
        .systemLibrary(name: "CDeflate", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "SuiviStore",
            dependencies: [
                "SuiviDomain",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                // SQLite's C API: tally reads and exports borrow column bytes in place (no String per cell).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "SuiviApp",
            dependencies: [
                "SuiviHTTP", "SuiviDomain", "SuiviStore", "SuiviBasics",
                "CSodium", "CQRencode", "CXLSXWriter", "CDeflate", "CZxcvbn",
                .product(name: "Crypto", package: "swift-crypto"),
                // RSA-OAEP and AES-CFB for encrypted ODK records (BoringSSL underneath).
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // The common-password lists, as text: one literal of 2,400 lines
            // in Swift slowed every build of the target.
            resources: [.copy("Resources/common-passwords.txt"), .copy("Resources/common-words.txt")]
        ),
        // What only the command line does: admin commands, the demo, backups.
        .target(
            name: "SuiviAdmin",
            dependencies: [
                "SuiviApp", "SuiviStore", "SuiviDomain", "SuiviBasics",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "suivi",
            dependencies: [
                "SuiviAdmin", "SuiviApp", "SuiviHTTP", "SuiviDomain",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "SuiviDomainTests", dependencies: ["SuiviDomain", "SuiviBasics"]),
        .testTarget(
            name: "SuiviServerTests",
            dependencies: [
                "SuiviAdmin", "SuiviApp", "SuiviHTTP", "SuiviDomain", "SuiviStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
