// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for the parsers that read untrusted bytes. A package of
// its own, so `swift build` and `swift test` at the root never see the
// fuzzer flags; Scripts/fuzz builds and runs it:
//   swift build -c release --package-path Fuzz \
//       -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
// Each target defines LLVMFuzzerTestOneInput; libFuzzer supplies main().
let package = Package(
    name: "SuiviFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Suivi", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "FuzzXML",
            dependencies: [.product(name: "SuiviDomain", package: "Suivi")]
        ),
        .executableTarget(
            name: "FuzzMultipart",
            dependencies: [.product(name: "SuiviHTTP", package: "Suivi")]
        ),
        .executableTarget(
            name: "FuzzXPath",
            dependencies: [.product(name: "SuiviDomain", package: "Suivi")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
